#include "store/sqlite/search_engine.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <limits>

#include "core/text.h"
#include "core/time.h"
#include "store/sql/article_rows.h"
#include "store/sql/search_rows.h"
#include "store/store.h"

namespace store::sqlite {

using content::TermKind;

namespace {

// How long a vocabulary may lag behind the content before it is read again (one read
// scans the whole index: about a second at 50,000 articles). Document frequencies are
// weights: a few articles more or less do not change a ranking.
constexpr auto kVocabularyRefresh = std::chrono::seconds(60);

// Queries expected to score at least this many rows run in two halves at once, in
// publications of at least kParallelArticles articles.
constexpr double kParallelRows = 1000;
constexpr std::size_t kParallelArticles = 8000;


}  // namespace

SqliteSearchEngine::SqliteSearchEngine(Pool& pool, ColumnLengths& lengths,
                                       std::function<long long()> content_version)
    : pool_(pool), lengths_(lengths), content_version_(std::move(content_version)) {}

SqliteSearchEngine::~SqliteSearchEngine() {
  if (vocab_thread_.joinable()) vocab_thread_.join();
}

std::shared_ptr<const search::Catalog> SqliteSearchEngine::catalog(const std::string& tz) {
  long long version = content_version_();
  {
    std::lock_guard lock(catalog_mu_);
    if (catalog_ && catalog_->version == version && catalog_->timezone == tz) return catalog_;
  }
  auto c = pool_.acquire();
  auto cat = sql::read_catalog(*c, tz, version);
  lengths_.replace(load_column_lengths(*c));
  // The id with half of the articles below it, for searching broad queries in two halves.
  {
    std::size_t seen = 0, half = cat->count / 2;
    long long split = 0;
    for (const auto& d : cat->docs) {
      if (d.id == 0) continue;
      if (++seen > half) {
        split = d.id;
        break;
      }
    }
    split_id_.store(cat->count >= kParallelArticles ? split : 0, std::memory_order_relaxed);
  }
  {
    std::lock_guard lock(catalog_mu_);
    catalog_ = cat;
  }
  (void)vocabulary(version);  // starts reading it if it is behind
  return cat;
}

long long SqliteSearchEngine::split_point(const search::ParsedQuery& query, bool full_text) {
  long long split = split_id_.load(std::memory_order_relaxed);
  if (split <= 0) return 0;
  std::shared_ptr<const Vocabulary> vocab;
  {
    std::lock_guard lock(vocab_mu_);
    vocab = vocab_;
  }
  if (!vocab) return 0;
  // How many rows the query will score, from its words' document frequencies.
  double estimate = 0;
  auto c = pool_.acquire();
  auto add = [&](const std::string& text) {
    for_each_token(*c, text, [&](std::string_view stem, int, int) {
      auto it = vocab->df.find(std::string(stem));
      if (it != vocab->df.end()) estimate += full_text ? it->second.second : it->second.first;
    });
  };
  for (const auto& w : query.words) add(w.text);
  for (const auto& p : query.phrases) {
    if (!p.empty()) add(p.front());
  }
  return estimate >= kParallelRows ? split : 0;
}

std::string SqliteSearchEngine::phrase_idfs(const search::ParsedQuery& query, bool full_text) {
  std::shared_ptr<const Vocabulary> vocab;
  {
    std::lock_guard lock(vocab_mu_);
    vocab = vocab_;
  }
  double n = 0;
  {
    std::lock_guard lock(catalog_mu_);
    if (catalog_) n = static_cast<double>(catalog_->count);
  }
  if (!vocab || n <= 0) return {};
  // One scored word or phrase: its idf scales every score alike and cannot change the
  // order, so it is not counted (for a phrase that would be a pass over all its rows).
  if (query.words.size() + query.phrases.size() == 1) {
    std::string out = "1";
    for (std::size_t i = 0; i < query.excluded.size(); ++i) out += ",0";
    return out;
  }
  auto c = pool_.acquire();
  // Rows a single word or phrase matches in the columns this reader may match: counted
  // once per content version (one pass over its rows), or from the vocabulary for a plain
  // word (the most documents any of those columns holds it in).
  auto counted = [&](search::ParsedQuery one) {
    std::string expr = fts_match(one, full_text);
    long long version = vocab->version;
    {
      std::lock_guard lock(vocab_mu_);
      if (count_version_ != version) {
        count_cache_.clear();
        count_version_ = version;
      }
      if (auto it = count_cache_.find(expr); it != count_cache_.end()) return it->second;
    }
    auto s = c->prepare("SELECT count(*) FROM search_index WHERE search_index MATCH ?1");
    s->bind(1, expr);
    double df = s->step() ? static_cast<double>(s->int64(0)) : 0;
    std::lock_guard lock(vocab_mu_);
    if (count_cache_.size() > 20000) count_cache_.clear();
    count_cache_[expr] = df;
    return df;
  };
  std::string out;
  auto add = [&](double df) {
    if (!out.empty()) out += ',';
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", std::log((n - df + 0.5) / (df + 0.5) + 1.0));
    out += buf;
  };
  for (const auto& w : query.words) {
    std::vector<std::string> stems;
    for_each_token(*c, w.text, [&](std::string_view stem, int, int) { stems.emplace_back(stem); });
    if (!w.prefix && stems.size() == 1) {
      auto it = vocab->df.find(stems[0]);
      add(it == vocab->df.end() ? 0 : (full_text ? it->second.second : it->second.first));
    } else {
      search::ParsedQuery one;
      one.words.push_back(w);
      add(counted(std::move(one)));
    }
  }
  for (const auto& p : query.phrases) {
    search::ParsedQuery one;
    one.phrases.push_back(p);
    add(counted(std::move(one)));
  }
  for (std::size_t i = 0; i < query.excluded.size(); ++i) add(n);  // never scored
  return out;
}

void SqliteSearchEngine::match(const search::ParsedQuery& query, bool full_text, bool score,
                               const search::RankParams& p,
                               const std::function<void(long long, double)>& each) {
  const std::string expr = fts_match(query, full_text);
  const int scored = static_cast<int>(query.words.size() + query.phrases.size());
  // Weights of the words computed once here, not in each pass.
  const std::string idfs = score ? phrase_idfs(query, full_text) : std::string();
  using Rows = std::vector<std::pair<long long, double>>;
  // FTS5 scores every row a MATCH yields; sorting by date needs no scores, so that pass
  // skips the ranking function. Rows in [lo, hi].
  auto pass = [&](long long lo, long long hi, const std::function<void(long long, double)>& out) {
    auto c = pool_.acquire();
    auto s = c->prepare(!score ? "SELECT rowid, 0 FROM search_index WHERE search_index MATCH ?1 "
                                 "AND rowid >= ?12 AND rowid <= ?13"
                               : "SELECT rowid, meridian_rank(search_index, ?2, ?3, ?4, ?5, ?6, ?6, "
                                 "?7, ?8, ?9, ?10, NULL, ?11, ?14) FROM search_index "
                                 "WHERE search_index MATCH ?1 AND rowid >= ?12 AND rowid <= ?13");
    s->bind(1, expr);
    sqlite3_stmt* raw = static_cast<Statement&>(*s).raw();
    if (score) {
      sqlite3_bind_double(raw, 2, p.k1);
      sqlite3_bind_double(raw, 3, p.b);
      sqlite3_bind_double(raw, 4, p.w_headline);
      sqlite3_bind_double(raw, 5, p.w_dek);
      sqlite3_bind_double(raw, 6, p.w_body);
      sqlite3_bind_double(raw, 7, p.w_people);
      sqlite3_bind_double(raw, 8, p.w_places);
      sqlite3_bind_double(raw, 9, p.coverage);
      s->bind(10, scored);
      sqlite3_bind_double(raw, 11, p.proximity);
      if (!idfs.empty()) s->bind(14, idfs);
    }
    s->bind(12, static_cast<std::int64_t>(lo)).bind(13, static_cast<std::int64_t>(hi));
    while (s->step()) out(s->int64(0), sqlite3_column_double(raw, 1));
  };
  constexpr long long kAll = std::numeric_limits<long long>::max();
  const long long split = split_point(query, full_text);
  if (split == 0) {
    pass(std::numeric_limits<long long>::min(), kAll, each);
    return;
  }
  // A broad query: both halves of the rows at once (when the worker is busy with another
  // search, one after the other).
  Rows halves[2];
  parallel(2, [&](std::size_t i) {
    auto& rows = halves[i];
    auto out = [&rows](long long id, double value) { rows.emplace_back(id, value); };
    if (i == 0) {
      pass(std::numeric_limits<long long>::min(), split - 1, out);
    } else {
      pass(split, kAll, out);
    }
  });
  for (const auto& rows : halves) {
    for (const auto& [id, value] : rows) each(id, value);
  }
}

std::vector<search::Token> SqliteSearchEngine::analyze(std::string_view text) {
  auto c = pool_.acquire();
  return index_tokens(*c, text);
}

namespace {

// The index's analysis on connection `c`, as search::Tokenize.
search::Tokenize tokenizer(Connection& c) {
  return [&c](std::string_view text, const std::function<void(std::string_view, int, int)>& each) {
    for_each_token(c, text, each);
  };
}

// Headline, dek and the body this reader may match, as one text.
std::string matchable_text(Connection& c, long long id, bool full_text) {
  auto s = c.prepare(
      "SELECT headline, dek, public_body, CASE WHEN ?2 THEN gated_body ELSE '' END "
      "FROM search_index WHERE rowid = ?1");
  s->bind(1, static_cast<std::int64_t>(id)).bind(2, full_text ? 1 : 0);
  if (!s->step()) return {};
  return s->text(0) + "\n" + s->text(1) + "\n" + s->text(2) + "\n" + s->text(3);
}

}  // namespace

search::DocumentTerms SqliteSearchEngine::document_terms(long long id, bool full_text) {
  auto c = pool_.acquire();
  return search::count_document_terms(matchable_text(*c, id, full_text), tokenizer(*c));
}

void SqliteSearchEngine::warm(const std::string& timezone) {
  (void)catalog(timezone);  // starts reading the vocabulary when it is behind...
  for (;;) {                 // ...and waits until it is read (the reader takes vocab_mu_)
    {
      std::lock_guard lock(vocab_mu_);
      if (!vocab_building_) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::shared_ptr<const SqliteSearchEngine::Vocabulary> SqliteSearchEngine::vocabulary(long long version) {
  std::lock_guard lock(vocab_mu_);
  bool stale = !vocab_ || vocab_->version != version;
  if (stale && !vocab_building_ &&
      (!vocab_ || std::chrono::steady_clock::now() - vocab_started_ >= kVocabularyRefresh)) {
    // Read in the background: searches meanwhile use the last one, or single lookups.
    if (vocab_thread_.joinable()) vocab_thread_.join();
    vocab_building_ = true;
    vocab_started_ = std::chrono::steady_clock::now();
    vocab_thread_ = std::thread([this, version] { refresh_vocabulary(version); });
  }
  return vocab_;
}

double SqliteSearchEngine::document_frequency(const std::string& stem, bool full_text) {
  // The version the catalogue was read at (this search's): no read of the store per word.
  long long version = 0;
  {
    std::lock_guard lock(catalog_mu_);
    version = catalog_ ? catalog_->version : content_version_();
  }
  auto vocab = vocabulary(version);
  if (vocab) {
    auto it = vocab->df.find(stem);
    if (it == vocab->df.end()) return 0;
    return full_text ? it->second.second : it->second.first;
  }
  return lookup_frequency(stem, full_text, version);
}

void SqliteSearchEngine::refresh_vocabulary(long long version) {
  // It runs beside searches (but for a server's first, which waits for it): at a lower
  // priority than the request threads.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  auto vocab = std::make_shared<Vocabulary>();
  vocab->version = version;
  try {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT term, col, doc FROM search_vocab");
    while (s->step()) {
      auto& [pub, all] = vocab->df[s->text(0)];
      auto doc = static_cast<float>(s->int64(2));
      all = std::max(all, doc);
      if (s->text(1) != "gated_body") pub = std::max(pub, doc);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meridian: search vocabulary not read: %s\n", e.what());
    vocab.reset();
  }
  std::lock_guard lock(vocab_mu_);
  if (vocab) vocab_ = std::move(vocab);
  vocab_building_ = false;
}

double SqliteSearchEngine::lookup_frequency(const std::string& stem, bool full_text, long long version) {
  std::string key = (full_text ? "f:" : "p:") + stem;
  {
    std::lock_guard lock(vocab_mu_);
    if (df_version_ != version) {
      df_cache_.clear();
      df_version_ = version;
    }
    if (auto it = df_cache_.find(key); it != df_cache_.end()) return it->second;
  }
  auto c = pool_.acquire();
  auto s = c->prepare(
      "SELECT COALESCE(MAX(doc), 0) FROM search_vocab WHERE term = ?1 AND "
      "(?2 OR col != 'gated_body')");
  s->bind(1, stem).bind(2, full_text ? 1 : 0);
  double df = s->step() ? static_cast<double>(s->int64(0)) : 0;
  std::lock_guard lock(vocab_mu_);
  if (df_cache_.size() > 200000) df_cache_.clear();
  df_cache_[key] = df;
  return df;
}

std::vector<search::TermCounts> SqliteSearchEngine::term_counts(const std::vector<long long>& ids,
                                                                const std::vector<std::string>& words,
                                                                bool full_text) {
  // The words' stems, each with its position among the words (a stem two words share
  // counts for both).
  search::WordStems wanted;
  {
    auto c = pool_.acquire();
    wanted = search::word_stems(words, tokenizer(*c));
  }
  std::vector<search::TermCounts> out(ids.size());
  parallel(ids.size(), [&](std::size_t i) {
    auto conn = pool_.acquire();
    out[i] = search::count_words(ids[i], matchable_text(*conn, ids[i], full_text), wanted,
                                 words.size(), tokenizer(*conn));
  });
  return out;
}

std::vector<std::optional<content::ArticleSummary>> SqliteSearchEngine::summaries(
    const std::vector<long long>& ids) {
  auto c = pool_.acquire();
  // The whole page from the covering index (it starts with the id; the table rows would be
  // walked through their bodies' overflow pages).
  return sql::read_summaries(*c, ids, "articles a INDEXED BY articles_summary");
}

void SqliteSearchEngine::parallel(std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (n < 2) {
    if (n == 1) fn(0);
    return;
  }
  // Both threads take the next index until none is left (results vary in size).
  std::atomic<std::size_t> next{0};
  auto drain = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::promise<void> done;
  std::exception_ptr theirs;
  bool posted = worker_.try_post([&] {
    try {
      drain();
    } catch (...) {
      theirs = std::current_exception();
      next = n;  // the other thread stops too
    }
    done.set_value();
  });
  std::exception_ptr mine;
  try {
    drain();
  } catch (...) {
    mine = std::current_exception();
    next = n;
  }
  if (posted) done.get_future().wait();  // the job refers to this frame
  if (mine) std::rethrow_exception(mine);
  if (theirs) std::rethrow_exception(theirs);
}

std::string SqliteSearchEngine::body_text(long long id, bool full_text) {
  auto c = pool_.acquire();
  auto s = c->prepare(
      "SELECT public_body, CASE WHEN ?2 THEN gated_body ELSE '' END FROM search_index "
      "WHERE rowid = ?1");
  s->bind(1, static_cast<std::int64_t>(id)).bind(2, full_text ? 1 : 0);
  if (!s->step()) return {};
  std::string gated = s->text(1);
  return gated.empty() ? s->text(0) : s->text(0) + "\n" + gated;
}

void SqliteSearchEngine::tokenize(std::string_view text,
                                  const std::function<void(std::string_view, int, int)>& each) {
  auto c = pool_.acquire();
  for_each_token(*c, text, each);
}

}  // namespace store::sqlite
