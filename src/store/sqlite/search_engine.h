// search::Engine on SQLite FTS5 (internal to store/sqlite): matching and first-pass
// scoring with meridian_rank, the catalogue, snippets, and document frequencies from a
// vocabulary table kept in memory. The policy above it is search::run.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/work_pool.h"
#include "search/engine.h"
#include "store/sqlite/search_index.h"
#include "store/sqlite/sqlite_db.h"

namespace store::sqlite {

class SqliteSearchEngine final : public search::Engine {
 public:
  // `content_version`: the store's counter of content changes (the catalogue and the
  // vocabulary are rebuilt when it moves).
  SqliteSearchEngine(Pool& pool, ColumnLengths& lengths, std::function<long long()> content_version);
  ~SqliteSearchEngine() override;

  // Reads the catalogue and the vocabulary now, in this thread (a server, before it takes
  // requests: a read in the background would compete with the first searches).
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
  void parallel(std::size_t n, const std::function<void(std::size_t)>& fn) override;
  void tokenize(std::string_view text,
                const std::function<void(std::string_view, int, int)>& each) override;

 private:
  // Document frequency of every stem: the largest over the public columns, and over all.
  struct Vocabulary {
    long long version = -1;
    std::unordered_map<std::string, std::pair<float, float>> df;
  };
  // The last vocabulary read (null before the first), starting a read when it is behind.
  std::shared_ptr<const Vocabulary> vocabulary(long long version);
  void refresh_vocabulary(long long version);
  // The query's scored words' and phrases' idf as meridian_rank takes them ("i0,i1,…"),
  // empty before the vocabulary is read.
  std::string phrase_idfs(const search::ParsedQuery& query, bool full_text);
  // Where to split a broad query's rows in two (0: do not split).
  long long split_point(const search::ParsedQuery& query, bool full_text);
  double lookup_frequency(const std::string& stem, bool full_text, long long version);

  Pool& pool_;
  ColumnLengths& lengths_;
  std::function<long long()> content_version_;
  std::mutex catalog_mu_;
  std::shared_ptr<const search::Catalog> catalog_;
  std::atomic<long long> split_id_{0};
  // Searches the upper half of broad queries' rows (one at a time; busy: the caller does).
  core::WorkPool worker_{"search", 1, 0};

  std::mutex vocab_mu_;
  std::shared_ptr<const Vocabulary> vocab_;
  bool vocab_building_ = false;
  std::chrono::steady_clock::time_point vocab_started_{};
  std::thread vocab_thread_;
  // Until the vocabulary is loaded: one lookup per stem, cached per content version.
  long long df_version_ = -1;
  long long count_version_ = -1;
  std::unordered_map<std::string, double> count_cache_;  // MATCH expression -> rows
  std::unordered_map<std::string, double> df_cache_;
};

}  // namespace store::sqlite
