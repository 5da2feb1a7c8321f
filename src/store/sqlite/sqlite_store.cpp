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
#include "store/sql/db.h"
#include "store/sql/stores.h"
#include "search/searcher.h"
#include "store/sqlite/search_engine.h"
#include "store/sqlite/search_index.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace store::sqlite {


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


class SqliteStore final : public Store, private sql::ContentSearch {
 public:
  explicit SqliteStore(const std::string& path)
      : pool_(path,
              [this](sqlite3* db) {
                register_search_functions(db, &lengths_);
                // Each statement's run time, for /metrics (a counter add per statement).
                sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, &SqliteStore::profile, &profile_);
              }),
        content_(sql::make_content_store(pool_, *this)), members_(sql::make_member_store(pool_)),
        events_(sql::make_event_store(pool_)), newsletters_(sql::make_newsletter_store(pool_)),
        editorial_(sql::make_editorial_store(pool_)), mail_queue_(sql::make_mail_queue(pool_)),
        billing_(sql::make_billing_store(pool_)), integrations_(sql::make_integration_store(pool_)),
        redirects_(sql::make_redirect_store(pool_)), imports_(sql::make_import_store(pool_)),
        pages_(sql::make_page_store(pool_)), curator_(sql::make_curator_store(pool_)) {
    migrate(pool_);
    ensure_index();
    wal_path_ = path + "-wal";
  }
  ContentStore& content() override { return *content_; }
  MemberStore& members() override { return *members_; }
  EventStore& events() override { return *events_; }
  NewsletterStore& newsletters() override { return *newsletters_; }
  EditorialStore& editorial() override { return *editorial_; }
  MailQueueStore& mail_queue() override { return *mail_queue_; }
  BillingStore& billing() override { return *billing_; }
  IntegrationStore& integrations() override { return *integrations_; }
  RedirectStore& redirects() override { return *redirects_; }
  ImportStore& imports() override { return *imports_; }
  PageStore& pages() override { return *pages_; }
  CuratorStore& curator() override { return *curator_; }
  core::Result<void> snapshot(const std::string& path) override {
    return sql::guarded([&] {
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
      if (auto r = content_->reindex(); !r) throw StoreError(r.error().message);
    }
  }


  search::SearchResult search(const search::SearchRequest& req) override {
    return search::run(search_engine_, req, rank_params_);
  }
  void warm_search(const std::string& timezone) override { search_engine_.warm(timezone); }
  int schema_version() override {
    auto c = pool_.acquire();
    auto s = c->prepare("PRAGMA user_version");
    return s->step() ? s->integer(0) : 0;
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
  search::RankParams rank_params_ = search::rank_params_from_env();
  SqliteSearchEngine search_engine_{pool_, lengths_, [this] { return content_->content_version(); }};
  std::unique_ptr<ContentStore> content_;
  std::unique_ptr<MemberStore> members_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<NewsletterStore> newsletters_;
  std::unique_ptr<EditorialStore> editorial_;
  std::unique_ptr<MailQueueStore> mail_queue_;
  std::unique_ptr<BillingStore> billing_;
  std::unique_ptr<IntegrationStore> integrations_;
  std::unique_ptr<RedirectStore> redirects_;
  std::unique_ptr<ImportStore> imports_;
  std::unique_ptr<PageStore> pages_;
  std::unique_ptr<CuratorStore> curator_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace store::sqlite
