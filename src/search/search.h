// Search requests and results, independent of the engine (SQLite FTS5 now; PostgreSQL
// full-text search later implements the same Store::search).
//
// The paywall rule lives in `full_text`: when false, only public fields (headline, dek,
// teaser, authors, topics, countries) may match and feed snippets; free articles count
// their whole body as public. Subscribers search everything.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "content/article.h"
#include "core/clock.h"
#include "search/query.h"

namespace search {

enum class Sort { kRelevance, kDate };

struct SearchRequest {
  ParsedQuery query;
  bool full_text = false;
  std::optional<std::string> topic;    // slug
  std::optional<std::string> country;  // slug
  std::optional<content::ArticleType> type;
  std::optional<int> year;             // in the publication's zone
  std::optional<core::UnixTime> from;  // published_at >= from
  std::optional<core::UnixTime> to;    // published_at < to
  Sort sort = Sort::kRelevance;
  int page = 1;
  int per_page = 10;
  core::UnixTime now = 0;
  std::string timezone = "UTC";
};

struct Hit {
  content::ArticleSummary summary;
  std::string snippet_html;  // HTML-escaped text with <mark> around matches
  double score = 0;
};

struct FacetCount {
  std::string key;   // slug, type name or year
  std::string name;  // display name
  int count = 0;
};

struct SearchResult {
  int total = 0;
  std::vector<Hit> hits;
  std::vector<FacetCount> topics, countries, types, years;
};

// Ranking parameters: BM25F over the columns, a term-proximity score, and pseudo-
// relevance feedback. Standard settings (k1 1.2, b 0.75, ten feedback documents and
// terms); docs/search.md has what each part measurably adds on Cranfield.
struct RankParams {
  double k1 = 1.2;
  double b = 0.75;
  double w_headline = 2.0;
  double w_dek = 1.0;
  double w_body = 1.0;
  double w_people = 1.0;
  double w_places = 1.0;
  // Exponent on the share of the reader's words a document matches. BM25's sum already
  // prefers documents with more of the words; an extra reward measured worse (0 = off).
  double coverage = 0.0;
  int feedback_docs = 10;        // pseudo-relevance feedback: first-pass results read
  int feedback_terms = 10;       // words added
  double feedback_weight = 0.5;  // weight of the strongest added word
  int feedback_max_hits = 2000;  // broader queries skip feedback
  int feedback_depth = 30;      // results reranked with the added words
  double proximity = 1.0;        // weight of the term-proximity score

  // Empty when every knob is a finite number in its range, else what is wrong.
  std::string invalid() const;
};

// The defaults, or MERIDIAN_RANK="k1,b,headline,dek,body,people,places,coverage,
// feedback_docs,feedback_terms,feedback_weight,proximity" for ranking experiments
// (bench/search_quality). Read once, when the store opens; throws std::invalid_argument
// naming the problem for a value that is not a number or out of its range.
RankParams rank_params_from_env();

}  // namespace search
