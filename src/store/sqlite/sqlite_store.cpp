#include "store/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <atomic>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/text.h"
#include "core/time.h"
#include "store/sqlite/article_rows.h"
#include "store/sqlite/guarded.h"
#include "search/searcher.h"
#include "store/sqlite/search_engine.h"
#include "store/sqlite/search_index.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_members.h"

namespace store::sqlite {

using content::AccessClass;
using content::Article;
using content::ArticleSummary;
using content::Term;
using content::TermKind;

namespace {

constexpr const char* kVisible = "a.status != 'draft' AND a.published_at <= ?1";

class SqliteContentStore final : public ContentStore {
 public:
  SqliteContentStore(Pool& pool, ColumnLengths& lengths) : pool_(pool), lengths_(lengths) {}

  core::Result<UpsertStats> upsert_articles(const std::vector<content::StoredArticle>& articles,
                                            core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      UpsertStats stats;
      Transaction tx(*c);
      for (const auto& stored : articles) {
        const auto& in = stored.input;
        std::optional<long long> id;
        {
          auto s = c->prepare("SELECT id FROM articles WHERE slug = ?1");
          s->bind(1, in.slug);
          if (s->step()) id = s->int64(0);
        }
        ++(id ? stats.updated : stats.created);
        write_article(*c, id, stored, now);
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return stats;
    });
  }

  std::optional<Article> find_article(const std::string& slug, bool with_gated) override {
    auto c = pool_.acquire();
    std::optional<Article> out;
    {
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns +
                          ", a.teaser_html, a.corrections, "
                          "CASE WHEN ?2 THEN a.gated_html END, a.hero_image "
                          "FROM articles a WHERE a.slug = ?1");
      s->bind(1, slug).bind(2, with_gated ? 1 : 0);
      if (!s->step()) return std::nullopt;
      Article a;
      a.summary = read_summary(*s);
      a.teaser_html = s->text(11);
      a.corrections = s->text(12);
      if (with_gated) a.gated_html = s->text(13);
      a.hero_image = s->text(14);
      out = std::move(a);
    }
    load_terms(*c, out->summary);
    return out;
  }

  ArticleList list_articles(const ArticleQuery& q) override {
    auto c = pool_.acquire();
    ArticleList list;
    std::string exclude = "[";
    for (std::size_t i = 0; i < q.exclude_ids.size(); ++i) {
      if (i) exclude += ',';
      exclude += std::to_string(q.exclude_ids[i]);
    }
    exclude += ']';
    // Static SQL; optional filters are NULL-able parameters.
    static const std::string kWhere =
        std::string(" WHERE ") + kVisible +
        " AND (?2 IS NULL OR a.type = ?2)"
        " AND (?3 IS NULL OR a.published_at >= ?3)"
        " AND (?4 IS NULL OR a.published_at < ?4)"
        " AND (?5 = 0 OR a.featured = 1)"
        " AND a.id NOT IN (SELECT value FROM json_each(?6))"
        " AND (?7 IS NULL OR a.id IN (SELECT at.article_id FROM article_terms at"
        "  JOIN terms t ON t.id = at.term_id WHERE t.kind = ?7 AND t.slug = ?8))";
    auto bind = [&](Statement& s) {
      s.bind(1, static_cast<std::int64_t>(q.now));
      if (q.type) {
        s.bind(2, content::to_string(*q.type));
      } else {
        s.bind_null(2);
      }
      s.bind(3, q.from);
      s.bind(4, q.to);
      s.bind(5, q.featured_only ? 1 : 0);
      s.bind(6, exclude);
      if (q.term) {
        s.bind(7, content::to_string(q.term->kind));
        s.bind(8, q.term->slug);
      } else {
        s.bind_null(7);
        s.bind_null(8);
      }
    };
    {
      auto s = c->prepare("SELECT COUNT(*) FROM articles a" + kWhere);
      bind(*s);
      if (s->step()) list.total = s->integer(0);
    }
    {
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns + " FROM articles a" + kWhere +
                          " ORDER BY a.published_at DESC, a.id DESC LIMIT ?9 OFFSET ?10");
      bind(*s);
      s->bind(9, q.limit).bind(10, q.offset);
      while (s->step()) list.items.push_back(read_summary(*s));
    }
    for (auto& a : list.items) load_terms(*c, a);
    return list;
  }

  std::vector<ArticleSummary> related_articles(long long article_id, core::UnixTime now,
                                               int limit) override {
    auto c = pool_.acquire();
    std::vector<ArticleSummary> out;
    {
      // Shared topics and countries, discounted by distance in time from this article.
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns +
                          " FROM articles a JOIN ("
                          "  SELECT other.article_id AS id, COUNT(*) AS shared"
                          "  FROM article_terms mine"
                          "  JOIN terms t ON t.id = mine.term_id AND t.kind != 'author'"
                          "  JOIN article_terms other ON other.term_id = mine.term_id"
                          "   AND other.article_id != mine.article_id"
                          "  WHERE mine.article_id = ?2 GROUP BY other.article_id"
                          " ) r ON r.id = a.id"
                          " WHERE " + kVisible +
                          " ORDER BY r.shared / (1.0 + ABS(a.published_at - (SELECT "
                          "  COALESCE(published_at, ?1) FROM articles WHERE id = ?2)) / "
                          "  2592000.0) DESC, a.published_at DESC LIMIT ?3");
      s->bind(1, static_cast<std::int64_t>(now))
          .bind(2, static_cast<std::int64_t>(article_id))
          .bind(3, limit);
      while (s->step()) out.push_back(read_summary(*s));
    }
    for (auto& a : out) load_terms(*c, a);
    return out;
  }

  std::vector<content::TermCount> list_terms(TermKind kind, core::UnixTime now) override {
    auto c = pool_.acquire();
    std::vector<content::TermCount> out;
    auto s = c->prepare(std::string(
                            "SELECT t.slug, t.name, COUNT(*) FROM terms t"
                            " JOIN article_terms at ON at.term_id = t.id"
                            " JOIN articles a ON a.id = at.article_id"
                            " WHERE t.kind = ?2 AND ") +
                        kVisible + " GROUP BY t.id ORDER BY t.name COLLATE NOCASE");
    s->bind(1, static_cast<std::int64_t>(now)).bind(2, content::to_string(kind));
    while (s->step()) {
      out.push_back({Term{kind, s->text(0), s->text(1)}, s->integer(2)});
    }
    return out;
  }

  std::optional<Term> find_term(TermKind kind, const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT slug, name FROM terms WHERE kind = ?1 AND slug = ?2");
    s->bind(1, content::to_string(kind)).bind(2, slug);
    if (!s->step()) return std::nullopt;
    return Term{kind, s->text(0), s->text(1)};
  }

  std::vector<core::UnixTime> published_times(core::UnixTime now) override {
    auto c = pool_.acquire();
    std::vector<core::UnixTime> out;
    auto s = c->prepare(std::string("SELECT a.published_at FROM articles a WHERE ") + kVisible +
                        " ORDER BY a.published_at DESC");
    s->bind(1, static_cast<std::int64_t>(now));
    while (s->step()) out.push_back(s->int64(0));
    return out;
  }

  void for_each_article(const std::function<void(const content::ArticleInput&)>& fn) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, content::ArticleInput>> batch;
    long long after = 0;
    for (;;) {
      batch.clear();
      {
        auto s = c->prepare(
            std::string("SELECT id, ") + kInputColumns +
            " FROM articles WHERE id > ?1 ORDER BY id LIMIT 500");
        s->bind(1, static_cast<std::int64_t>(after));
        while (s->step()) {
          content::ArticleInput in = read_input(*s, 1);
          batch.emplace_back(s->int64(0), std::move(in));
        }
      }
      if (batch.empty()) break;
      for (auto& [id, in] : batch) {
        load_term_names(*c, id, in);
        after = id;
        fn(in);
      }
    }
  }

  int count_cut_otherwise(int paragraphs) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT COUNT(*) FROM articles WHERE cut_paragraphs IS NOT ?1");
    s->bind(1, paragraphs);
    return s->step() ? s->integer(0) : 0;
  }

  std::vector<content::ArticleInput> cut_otherwise(int paragraphs, int limit) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, content::ArticleInput>> rows;
    {
      auto s = c->prepare(std::string("SELECT id, ") + kInputColumns +
                          " FROM articles WHERE cut_paragraphs IS NOT ?1 ORDER BY id LIMIT ?2");
      s->bind(1, paragraphs).bind(2, limit);
      while (s->step()) rows.emplace_back(s->int64(0), read_input(*s, 1));
    }
    std::vector<content::ArticleInput> out;
    for (auto& [id, in] : rows) {
      load_term_names(*c, id, in);
      out.push_back(std::move(in));
    }
    return out;
  }

  int count_articles() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT COUNT(*) FROM articles");
    return s->step() ? s->integer(0) : 0;
  }

  long long content_version() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'content_version'");
    return s->step() ? s->int64(0) : 0;
  }

  std::optional<core::UnixTime> next_publication_after(core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT MIN(published_at) FROM articles WHERE status != 'draft' AND published_at > ?1");
    s->bind(1, static_cast<std::int64_t>(now));
    if (s->step() && !s->is_null(0)) return s->int64(0);
    return std::nullopt;
  }

  // Reads every visible article's index entry, so it is remembered per content version
  // until the next scheduled publication (cache misses ask for it on every page).
  core::UnixTime last_modified(core::UnixTime now) override {
    long long version = content_version();
    {
      std::lock_guard lock(lm_mu_);
      if (lm_version_ == version && now < lm_valid_until_) return lm_value_;
    }
    auto value = last_modified_uncached(now);
    auto next = next_publication_after(now);
    std::lock_guard lock(lm_mu_);
    lm_version_ = version;
    lm_value_ = value;
    lm_valid_until_ = next ? *next : std::numeric_limits<core::UnixTime>::max();
    return value;
  }

  core::UnixTime last_modified_uncached(core::UnixTime now) {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT MAX(MAX(a.updated_at, a.published_at)) FROM "
                                    "articles a WHERE ") +
                        kVisible);
    s->bind(1, static_cast<std::int64_t>(now));
    return s->step() ? s->int64(0) : 0;
  }

  std::optional<long long> article_id(const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT id FROM articles WHERE slug = ?1");
    s->bind(1, slug);
    if (s->step()) return s->int64(0);
    return std::nullopt;
  }

  core::Result<int> reindex() override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      c->exec("DELETE FROM search_index");
      std::vector<std::pair<long long, content::StoredArticle>> batch;
      {
        auto s = c->prepare(
            "SELECT id, headline, dek, teaser_html, gated_html, access FROM articles ORDER BY id");
        while (s->step()) {
          content::StoredArticle a;
          a.input.headline = s->text(1);
          a.input.dek = s->text(2);
          a.teaser_html = s->text(3);
          a.gated_html = s->text(4);
          a.input.access = content::parse_access_class(s->text(5)).value_or(AccessClass::kMetered);
          batch.emplace_back(s->int64(0), std::move(a));
        }
      }
      for (auto& [id, a] : batch) {
        load_term_names(*c, id, a.input);
        index_article(*c, id, a);
      }
      tx.commit();
      return static_cast<int>(batch.size());
    });
  }

  // Rebuilds the index when it does not hold every article (first start after the
  // migration that created it, or an interrupted reindex).
  void ensure_index() {
    auto c = pool_.acquire();
    long long indexed = 0, articles = 0;
    {
      auto s = c->prepare("SELECT COUNT(*) FROM search_index_docsize");  // small rows
      if (s->step()) indexed = s->int64(0);
    }
    {
      auto s = c->prepare("SELECT COUNT(*) FROM articles");
      if (s->step()) articles = s->int64(0);
    }
    if (indexed != articles) {
      if (auto r = reindex(); !r) throw StoreError(r.error().message);
    }
  }

  core::Result<search::SearchResult> search(const search::SearchRequest& req) override {
    return guarded([&] { return search::run(search_engine_, req, rank_params_); });
  }

  void warm_search(const std::string& timezone) override { search_engine_.warm(timezone); }

  std::optional<ArticleRef> article_ref(const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, access, status, COALESCE(published_at, 0) FROM articles WHERE slug = ?1");
    s->bind(1, slug);
    if (!s->step()) return std::nullopt;
    return ArticleRef{s->int64(0),
                      content::parse_access_class(s->text(1)).value_or(AccessClass::kMetered),
                      content::parse_status(s->text(2)).value_or(content::Status::kDraft),
                      s->int64(3)};
  }

  int schema_version() override {
    auto c = pool_.acquire();
    auto s = c->prepare("PRAGMA user_version");
    return s->step() ? s->integer(0) : 0;
  }

 private:
  Pool& pool_;
  ColumnLengths& lengths_;
  search::RankParams rank_params_ = search::rank_params_from_env();
  SqliteSearchEngine search_engine_{pool_, lengths_, [this] { return content_version(); }};
  std::mutex lm_mu_;
  long long lm_version_ = -1;
  core::UnixTime lm_value_ = 0;
  core::UnixTime lm_valid_until_ = 0;
};

}  // namespace

namespace {

void migrate(Pool& pool_) {
  auto c = pool_.acquire();
  int current = 0;
  {
    auto s = c->prepare("PRAGMA user_version");
    if (s->step()) current = s->integer(0);
  }
  const auto& all = migrations();
  if (!all.empty() && current > all.back().version) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this meridian (" + std::to_string(all.back().version) +
                     "); upgrade meridian");
  }
  for (const auto& m : all) {
    if (m.version <= current) continue;
    Transaction tx(*c);
    // Another process may have migrated between our check and the lock.
    int now_version = 0;
    {
      auto s = c->prepare("PRAGMA user_version");
      if (s->step()) now_version = s->integer(0);
    }
    if (now_version >= m.version) continue;
    try {
      c->exec(m.sql);
      c->exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
    } catch (const StoreError& e) {
      // The transaction rolls back: the schema stays as it was, and the log says why.
      throw StoreError("migration " + std::to_string(m.version) + " (" + m.description +
                       ") failed; the schema stays at version " + std::to_string(now_version) +
                       ": " + e.what());
    }
    tx.commit();
  }
}


class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : pool_(path,
              [this](sqlite3* db) {
                register_search_functions(db, &lengths_);
                // Each statement's run time, for /metrics (a counter add per statement).
                sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, &SqliteStore::profile, &profile_);
              }),
        content_(pool_, lengths_), members_(make_member_store(pool_)),
        events_(make_event_store(pool_)), newsletters_(make_newsletter_store(pool_)),
        editorial_(make_editorial_store(pool_)), mail_queue_(make_mail_queue(pool_)),
        billing_(make_billing_store(pool_)), integrations_(make_integration_store(pool_)) {
    migrate(pool_);
    content_.ensure_index();
    wal_path_ = path + "-wal";
  }
  ContentStore& content() override { return content_; }
  MemberStore& members() override { return *members_; }
  EventStore& events() override { return *events_; }
  NewsletterStore& newsletters() override { return *newsletters_; }
  EditorialStore& editorial() override { return *editorial_; }
  MailQueueStore& mail_queue() override { return *mail_queue_; }
  BillingStore& billing() override { return *billing_; }
  IntegrationStore& integrations() override { return *integrations_; }
  core::Result<void> snapshot(const std::string& path) override {
    return guarded([&] {
      auto c = pool_.acquire();
      // One read transaction: the copy is the database as of one instant, in WAL mode
      // without blocking writers.
      auto s = c->prepare("VACUUM INTO ?1");
      s->bind(1, path);
      s->run();
    });
  }
  DbStats db_stats() override {
    return {profile_.statements.load(std::memory_order_relaxed),
            static_cast<double>(profile_.nanoseconds.load(std::memory_order_relaxed)) / 1e9};
  }
  // Every request asks; the answer changes only when something commits. A commit in WAL
  // mode always writes the -wal file, so its size, time and inode (one stat) tell whether
  // anything may have changed since the last read, in this process or another (the CLI);
  // commits here are counted too, and an answer is trusted for at most a second in any
  // case (a checkpoint can restart the WAL at the same size within one clock tick). Under
  // load the stat itself is made at most once a millisecond: another process's commit is
  // seen within a millisecond, this process's at once (the commit counter).
  Versions versions() override {
    long long commits = pool_.commits();
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(versions_mu_);
      const auto& c = versions_cache_;
      if (c.valid && c.commits == commits && now - c.checked < std::chrono::milliseconds(1)) {
        return c.versions;
      }
    }
    struct stat st {};
    bool wal = ::stat(wal_path_.c_str(), &st) == 0;
    {
      std::lock_guard lock(versions_mu_);
      auto& c = versions_cache_;
      if (c.valid && c.wal == wal && c.commits == commits && now - c.at < std::chrono::seconds(1) &&
          (!wal || (c.size == st.st_size && c.ino == st.st_ino &&
                    c.mtime_s == st.st_mtim.tv_sec && c.mtime_ns == st.st_mtim.tv_nsec))) {
        c.checked = now;
        return c.versions;
      }
    }
    Versions v = read_versions();
    std::lock_guard lock(versions_mu_);
    // What was seen before the read: a change during it is caught by the next request.
    versions_cache_ = {true, wal, wal ? st.st_size : 0, wal ? st.st_ino : 0,
                       wal ? st.st_mtim.tv_sec : 0, wal ? st.st_mtim.tv_nsec : 0, commits, now, now, v};
    return v;
  }

  Versions read_versions() {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'content_version'), "
        "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'members_version')");
    Versions v;
    if (s->step()) {
      v.content = s->int64(0);
      v.members = s->int64(1);
    }
    return v;
  }

 private:
  struct VersionsCache {
    bool valid = false;
    bool wal = false;
    off_t size = 0;
    ino_t ino = 0;
    time_t mtime_s = 0;
    long mtime_ns = 0;
    long long commits = 0;
    std::chrono::steady_clock::time_point at;       // read from the database
    std::chrono::steady_clock::time_point checked;  // the -wal file last looked at
    Versions versions;
  };
  std::mutex versions_mu_;
  VersionsCache versions_cache_;
  std::string wal_path_;
  struct Profile {
    std::atomic<long long> statements{0};
    std::atomic<long long> nanoseconds{0};
  };
  static int profile(unsigned, void* ctx, void*, void* x) {
    auto* p = static_cast<Profile*>(ctx);
    p->statements.fetch_add(1, std::memory_order_relaxed);
    p->nanoseconds.fetch_add(*static_cast<sqlite3_int64*>(x), std::memory_order_relaxed);
    return 0;
  }
  Profile profile_;        // before pool_: connections refer to it
  ColumnLengths lengths_;  // before pool_: connections refer to it
  Pool pool_;
  SqliteContentStore content_;
  std::unique_ptr<MemberStore> members_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<NewsletterStore> newsletters_;
  std::unique_ptr<EditorialStore> editorial_;
  std::unique_ptr<MailQueueStore> mail_queue_;
  std::unique_ptr<BillingStore> billing_;
  std::unique_ptr<IntegrationStore> integrations_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace store::sqlite
