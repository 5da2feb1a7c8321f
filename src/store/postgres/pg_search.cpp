#include "store/postgres/pg_search.h"

#include <unordered_map>

#include "core/text.h"
#include "store/sql/search_rows.h"
#include "store/sqlite/search_index.h"

namespace store::postgres {

namespace {

constexpr int kBatch = 500;

search::Tokenize tokenizer() {
  return [](std::string_view text,
            const std::function<void(std::string_view, int, int)>& each) {
    sqlite::analyze_text(text, each);
  };
}

// Headline, dek and the body this reader may match, as one text.
constexpr const char* kMatchable =
    "headline || chr(10) || dek || chr(10) || public_body || chr(10) || "
    "CASE WHEN CAST(?2 AS INTEGER) = 1 THEN gated_body ELSE '' END";

}  // namespace

PgSearchEngine::PgSearchEngine(Pool& pool, std::function<long long()> content_version)
    : pool_(pool), content_version_(std::move(content_version)),
      index_(std::make_shared<search::MemoryIndex>(tokenizer())) {}

void PgSearchEngine::warm(const std::string& timezone) {
  (void)index();
  (void)catalog(timezone);
}

void PgSearchEngine::load_since(search::MemoryIndex& into, long long& version, long long& id) {
  for (;;) {
    std::vector<std::shared_ptr<search::MemoryIndex::Prepared>> batch;
    {
      auto c = pool_.acquire();
      auto r = c->query(
          "SELECT id, version, headline, dek, public_body, gated_body, people, places "
          "FROM search_docs WHERE version > $1 OR (version = $1 AND id > $2) "
          "ORDER BY version, id LIMIT " + std::to_string(kBatch),
          Params().add(version).add(id));
      for (int row = 0; row < r.rows(); ++row) {
        search::MemoryIndex::Columns cols;
        for (int k = 0; k < search::MemoryIndex::kColumns; ++k) cols[k] = r.text(row, 2 + k);
        id = r.int64(row, 0);
        version = r.int64(row, 1);
        batch.push_back(into.prepare(id, cols));
      }
    }
    if (batch.empty()) return;
    into.put(batch);
    if (batch.size() < static_cast<std::size_t>(kBatch)) return;
  }
}

std::shared_ptr<const search::MemoryIndex> PgSearchEngine::index() {
  long long version = content_version_();
  if (indexed_version_.load() == version) {
    std::lock_guard p(ptr_mu_);
    return index_;
  }
  std::lock_guard lock(index_mu_);
  if (indexed_version_.load() != version) {
    if (index_->mostly_stale()) {
      // Most postings belong to replaced documents (a reindex): build afresh.
      auto fresh = std::make_shared<search::MemoryIndex>(tokenizer());
      long long v = 0, id = 0;
      load_since(*fresh, v, id);
      std::lock_guard p(ptr_mu_);
      index_ = fresh;
      cursor_version_ = v;
      cursor_id_ = id;
    } else {
      load_since(*index_, cursor_version_, cursor_id_);
    }
    indexed_version_ = version;
  }
  std::lock_guard p(ptr_mu_);
  return index_;
}

std::shared_ptr<const search::Catalog> PgSearchEngine::catalog(const std::string& tz) {
  long long version = content_version_();
  {
    std::lock_guard lock(catalog_mu_);
    if (catalog_ && catalog_->version == version && catalog_->timezone == tz) return catalog_;
  }
  std::shared_ptr<const search::Catalog> cat;
  {
    auto c = pool_.acquire();
    cat = sql::read_catalog(*c, tz, version);
  }
  std::lock_guard lock(catalog_mu_);
  catalog_ = cat;
  return cat;
}

void PgSearchEngine::match(const search::ParsedQuery& query, bool full_text, bool score,
                           const search::RankParams& params,
                           const std::function<void(long long, double)>& each) {
  index()->match(query, full_text, score, params, each);
}

std::vector<search::Token> PgSearchEngine::analyze(std::string_view text) {
  std::vector<search::Token> out;
  sqlite::analyze_text(text, [&](std::string_view stem, int start, int end) {
    out.push_back({std::string(stem),
                   core::to_lower(text.substr(static_cast<std::size_t>(start),
                                              static_cast<std::size_t>(end - start)))});
  });
  return out;
}

search::DocumentTerms PgSearchEngine::document_terms(long long id, bool full_text) {
  std::string text;
  {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kMatchable + " FROM search_docs WHERE id = ?1");
    s->bind(1, static_cast<std::int64_t>(id)).bind(2, full_text ? 1 : 0);
    if (s->step()) text = s->text(0);
  }
  return search::count_document_terms(text, tokenizer());
}

double PgSearchEngine::document_frequency(const std::string& stem, bool full_text) {
  return index()->document_frequency(stem, full_text);
}

std::vector<search::TermCounts> PgSearchEngine::term_counts(const std::vector<long long>& ids,
                                                            const std::vector<std::string>& words,
                                                            bool full_text) {
  auto wanted = search::word_stems(words, tokenizer());
  std::unordered_map<long long, std::string> texts;
  if (!ids.empty()) {
    std::string list = sql::json_ids(ids);
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT id, ") + kMatchable +
                        " FROM search_docs WHERE id IN (" + c->id_list(1) + ")");
    s->bind(1, list).bind(2, full_text ? 1 : 0);
    while (s->step()) texts[s->int64(0)] = s->text(1);
  }
  std::vector<search::TermCounts> out;
  out.reserve(ids.size());
  for (long long id : ids) {
    out.push_back(search::count_words(id, texts[id], wanted, words.size(), tokenizer()));
  }
  return out;
}

std::vector<std::optional<content::ArticleSummary>> PgSearchEngine::summaries(
    const std::vector<long long>& ids) {
  auto c = pool_.acquire();
  return sql::read_summaries(*c, ids);
}

std::string PgSearchEngine::body_text(long long id, bool full_text) {
  auto c = pool_.acquire();
  auto s = c->prepare(
      "SELECT public_body, CASE WHEN CAST(?2 AS INTEGER) = 1 THEN gated_body ELSE '' END "
      "FROM search_docs WHERE id = ?1");
  s->bind(1, static_cast<std::int64_t>(id)).bind(2, full_text ? 1 : 0);
  if (!s->step()) return {};
  std::string gated = s->text(1);
  return gated.empty() ? s->text(0) : s->text(0) + "\n" + gated;
}

void PgSearchEngine::tokenize(std::string_view text,
                              const std::function<void(std::string_view, int, int)>& each) {
  sqlite::analyze_text(text, each);
}

}  // namespace store::postgres
