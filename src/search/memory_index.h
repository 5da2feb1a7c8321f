// An inverted index held in memory, for engines whose database has no full-text index
// that ranks as search::run expects (PostgreSQL). It matches the reader's query language
// (words, "phrases", -exclusions, prefix*) over the six columns of a search document and
// scores as SQLite's meridian_rank does: BM25F over the columns, term proximity, per-word
// idf (docs/search.md). Stems come from the tokenizer it is given, so an engine that gives
// it SQLite's analysis ranks like the SQLite index.
//
// Documents are replaced whole; a replaced document's old postings are skipped until the
// index is rebuilt (compact() when half of it is stale). Thread-safe: searches share a
// lock, writes take it alone.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "search/engine.h"
#include "search/query.h"
#include "search/search.h"

namespace search {

class MemoryIndex {
 public:
  // Columns of a document, in this order (the SQLite index's order).
  enum Column { kHeadline = 0, kDek, kPublicBody, kGatedBody, kPeople, kPlaces, kColumns };
  using Columns = std::array<std::string, kColumns>;
  using Tokenizer = Tokenize;  // search/engine.h

  // A stem's documents and positions (internal).
  struct Postings;

  explicit MemoryIndex(Tokenizer tokenize);
  ~MemoryIndex();

  // A document's analysis, made without the lock (tokenizing is the expensive part).
  struct Prepared;
  std::shared_ptr<Prepared> prepare(long long id, const Columns& columns) const;
  // Adds documents (replacing any with the same id).
  void put(const std::vector<std::shared_ptr<Prepared>>& docs);
  // Live documents.
  std::size_t size() const;
  // Stale postings outnumber live ones (rebuild from scratch then).
  bool mostly_stale() const;

  // As search::Engine::match.
  void match(const ParsedQuery& query, bool full_text, bool score, const RankParams& params,
             const std::function<void(long long id, double score)>& each) const;
  // Live documents holding `stem` in the columns the reader may match: the most of any one
  // column, as FTS5's vocabulary table counts them.
  double document_frequency(const std::string& stem, bool full_text) const;

 private:
  struct Slot {
    long long id = 0;
    bool live = false;
    std::array<std::uint32_t, kColumns> length{};
  };
  Tokenizer tokenize_;
  mutable std::shared_mutex mu_;
  std::vector<Slot> slots_;
  std::unordered_map<long long, std::uint32_t> slot_of_;
  std::unordered_map<std::string, std::unique_ptr<Postings>> dict_;
  std::array<double, kColumns> total_length_{};
  std::size_t live_ = 0;
  std::size_t stale_postings_ = 0, postings_ = 0;
  // Document frequencies asked for since the last write, per stem: public columns, all.
  mutable std::mutex df_mu_;
  mutable std::unordered_map<std::string, std::pair<float, float>> df_cache_;
  // Stems in order, for prefix queries (rebuilt when stems were added since).
  mutable std::mutex sorted_mu_;
  mutable std::shared_ptr<const std::vector<const std::string*>> sorted_;
  mutable std::size_t sorted_size_ = 0;

  std::vector<const Postings*> expand(const std::string& stem, bool prefix) const;
  // document_frequency with the lock held; `allowed`: a bit per column that may match.
  double frequency_locked(const std::string& stem, std::uint8_t allowed) const;
  double count_locked(const std::string& stem, std::uint8_t allowed) const;
};

}  // namespace search
