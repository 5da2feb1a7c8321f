// Meridian's deterministic demo publication: original prose assembled from our own
// templates (no text copied from any publication), spread over the two years before
// `now`. The same seed and `now` give the same articles.
#pragma once

#include <cstdint>
#include <vector>

#include "content/article.h"

namespace content {

inline constexpr int kDemoArticleCount = 320;
inline constexpr std::uint64_t kDemoSeed = 20261129;

std::vector<ArticleInput> generate_demo(core::UnixTime now, int count, std::uint64_t seed);

}  // namespace content
