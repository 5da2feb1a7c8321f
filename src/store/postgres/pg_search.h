// search::Engine on PostgreSQL (internal to store/postgres). The documents live in the
// search_docs table; each node keeps them as a search::MemoryIndex, analysed with the
// SQLite index's own tokenizer (porter over unicode61), so ranking is the SQLite path's:
// the same stems, BM25F, proximity and idf. A node reads the whole table when it starts
// (warm) and afterwards only the rows written since (search_docs.version), before the first
// search that follows a change. The catalogue, summaries and snippet text are read from
// the tables.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "search/engine.h"
#include "search/memory_index.h"
#include "store/postgres/pg.h"

namespace store::postgres {

class PgSearchEngine final : public search::Engine {
 public:
  PgSearchEngine(Pool& pool, std::function<long long()> content_version);

  // Reads the catalogue and the whole index now (a server, before it takes requests).
  void warm(const std::string& timezone);

  std::shared_ptr<const search::Catalog> catalog(const std::string& timezone) override;
  void match(const search::ParsedQuery& query, bool full_text, bool score,
             const search::RankParams& params,
             const std::function<void(long long, double)>& each) override;
  std::vector<search::Token> analyze(std::string_view text) override;
  search::DocumentTerms document_terms(long long id, bool full_text) override;
  double document_frequency(const std::string& stem, bool full_text) override;
  std::vector<search::TermCounts> term_counts(const std::vector<long long>& ids,
                                              const std::vector<std::string>& words,
                                              bool full_text) override;
  std::vector<std::optional<content::ArticleSummary>> summaries(
      const std::vector<long long>& ids) override;
  std::string body_text(long long id, bool full_text) override;
  void tokenize(std::string_view text,
                const std::function<void(std::string_view, int, int)>& each) override;

 private:
  // The index, brought up to date with the content version.
  std::shared_ptr<const search::MemoryIndex> index();
  // Adds the rows written after (version, id) to `into`; moves the cursor.
  void load_since(search::MemoryIndex& into, long long& version, long long& id);

  Pool& pool_;
  std::function<long long()> content_version_;
  std::mutex catalog_mu_;
  std::shared_ptr<const search::Catalog> catalog_;
  std::mutex index_mu_;  // one reader of new rows at a time
  std::mutex ptr_mu_;    // guards index_ itself (replaced by a rebuild)
  std::shared_ptr<search::MemoryIndex> index_;
  std::atomic<long long> indexed_version_{-1};
  long long cursor_version_ = 0, cursor_id_ = 0;
};

}  // namespace store::postgres
