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

// Ranking parameters (BM25F with a coverage reward); tuned on the Cranfield dev queries
// only through principled settings, see docs/search.md.
struct RankParams {
  double k1 = 1.2;
  double b = 0.75;
  double w_headline = 3.0;
  double w_dek = 2.0;
  double w_body = 1.0;
  double w_people = 2.0;
  double w_places = 2.0;
  double coverage = 1.0;  // exponent on the share of query words matched
};

}  // namespace search
