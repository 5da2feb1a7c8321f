// The search policy, the same on every storage engine: the reader's filters, recency as a
// tie-breaker, pseudo-relevance feedback, facet counts over everything that matched,
// ordering, paging, and snippets (public text only unless the reader may read everything).
// See docs/search.md for what each part measurably adds.
#pragma once

#include "search/engine.h"
#include "search/search.h"

namespace search {

// MERIDIAN_SEARCH_TIMING set: each search prints its phases on stderr.
SearchResult run(Engine& engine, const SearchRequest& request, const RankParams& params);

}  // namespace search
