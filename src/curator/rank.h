// The curator's ranking: which articles to put before a reader, in what order, and why.
// Pure: facts about candidate articles and about the reader in, an order out; no store,
// no clock of its own. docs/curator.md explains the rules; tests/unit/curator pins them.
//
// Three tiers, always in this order:
//   1. articles carrying something the reader follows (a topic, country or author);
//   2. articles resembling what the reader has read (shared terms, each weighted by how
//      distinctive it is in the pool and how recently the reader read it);
//   3. the rest, newest first.
// Within a tier: the score (recency, an in-depth piece counted as three days newer, more
// followed terms a day newer each, likeness to the reading), then
// the newer article, then the higher id. What the reader has opened is left out.
#pragma once

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "store/curator_store.h"

namespace curator {

enum class Why { kFollowed, kSimilar, kLatest };

struct Ranked {
  long long id = 0;
  Why why = Why::kLatest;
  long long term_id = 0;       // kFollowed: the followed term it carries (first followed)
  long long like_article = 0;  // kSimilar: the read article it resembles most
  double score = 0;
};

struct ReaderFacts {
  std::vector<long long> followed;               // term ids, in the order followed
  std::vector<store::CandidateFacts> read;       // what they opened, newest first
  std::unordered_set<long long> opened;          // every article id they opened (left out)
};

std::vector<Ranked> rank(const std::vector<store::CandidateFacts>& candidates,
                         const ReaderFacts& reader, core::UnixTime now);

// The terms that say most about what the reader reads (for finding candidates), strongest
// first, at most `limit`; followed terms left out.
std::vector<long long> reading_terms(const ReaderFacts& reader, int limit);

// Articles most like `of` ("More from …" on an article page): the topics, countries and
// authors they share, each weighted by how rare it is in the publication
// (log(1 + total / (1 + articles with it))), discounted by distance in time from `of`
// (half at 30 days); ties to the newer. `of` itself is left out.
std::vector<long long> related(const store::CandidateFacts& of,
                               const std::vector<store::CandidateFacts>& pool,
                               const std::unordered_map<long long, int>& articles_per_term,
                               long long total_articles, int limit);

// How recent an article is, from 1 (now) towards 0: half after a week.
double freshness(core::UnixTime published_at, core::UnixTime now);
// Long reads and in-depth pieces: they keep their place longer.
bool in_depth(const store::CandidateFacts& a);

}  // namespace curator
