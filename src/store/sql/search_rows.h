// What every search engine reads from the article tables, in the SQL both databases
// understand (internal to src/store): the catalogue search::run filters and facets with,
// and the summaries of a results page.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "content/article.h"
#include "search/engine.h"
#include "store/sql/db.h"

namespace store::sql {

// Every article's metadata (dates in `timezone`), topics and countries.
std::shared_ptr<search::Catalog> read_catalog(Connection& c, const std::string& timezone,
                                              long long version);

// Summaries (with authors, topics, countries) of `ids`, in their order; gone ids empty.
// `articles` names the table as the FROM clause reads it (SQLite adds an index to use).
std::vector<std::optional<content::ArticleSummary>> read_summaries(
    Connection& c, const std::vector<long long>& ids, const char* articles = "articles a");

}  // namespace store::sql
