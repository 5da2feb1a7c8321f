// Full-text search on SQLite FTS5 (internal to store/sqlite): the index kept in step
// with articles, the ranking function, and query execution.
#pragma once

#include <sqlite3.h>

#include <array>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "content/article.h"
#include "search/engine.h"
#include "search/search.h"
#include "store/sqlite/sqlite_db.h"

namespace store::sqlite {

// Column lengths (in tokens) of every indexed document, kept in memory so that ranking
// need not look each one up in FTS5's %_docsize table (40% of ranking time). Replaced
// whole when the content changes; thread-safe.
class ColumnLengths {
 public:
  using Row = std::array<std::uint32_t, 6>;
  using Table = std::vector<Row>;  // indexed by rowid; rows of all zeros are unknown
  std::shared_ptr<const Table> current() const {
    std::lock_guard lock(mu_);
    return table_;
  }
  void replace(std::shared_ptr<const Table> t) {
    std::lock_guard lock(mu_);
    table_ = std::move(t);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Table> table_;
};

// Reads search_index_docsize into a table.
std::shared_ptr<const ColumnLengths::Table> load_column_lengths(Connection& c);

// Registers meridian_rank() on a connection: BM25F, term proximity and per-phrase weights
// (see docs/search.md). `lengths` may be null.
void register_search_functions(sqlite3* db, const ColumnLengths* lengths);

// Replaces the index row of one article (same transaction as the article write).
void index_article(Connection& c, long long id, const content::StoredArticle& stored);
void unindex_article(Connection& c, long long id);

// Porter-stemmed tokens of `text` (the index's own tokenizer), each with the surface
// form it came from (lower-cased), so a stem can be searched for by a word that makes it.
std::vector<search::Token> index_tokens(Connection& c, std::string_view text);
// The same analysis without copies: `each(stem, start, end)` for every token, `start` and
// `end` its byte range in `text`.
void for_each_token(Connection& c, std::string_view text,
                    const std::function<void(std::string_view stem, int start, int end)>& each);

// The same analysis with no database at hand (a connection of the calling thread's own,
// in memory): other engines stem exactly as this index does.
void analyze_text(std::string_view text,
                  const std::function<void(std::string_view stem, int start, int end)>& each);

// The FTS5 MATCH expression for a parsed query. Every token is quoted, so reader input
// can never be FTS5 syntax. `full_text` false restricts matching to public columns.
std::string fts_match(const search::ParsedQuery& q, bool full_text);

}  // namespace store::sqlite
