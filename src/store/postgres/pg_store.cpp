#include "store/postgres/pg_store.h"

#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

#include "search/searcher.h"
#include "store/postgres/pg.h"
#include "store/postgres/pg_search.h"
#include "store/sql/article_rows.h"
#include "store/sql/credit_cache.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::postgres {

namespace {

// pg_advisory_lock key held while migrating ("meridian" in ASCII, folded into 63 bits).
constexpr long long kMigrationLock = 0x6d6572696469616eLL & 0x7fffffffffffffffLL;

int installed_version(Connection& c) {
  if (c.query("SELECT to_regclass('meridian_schema') IS NULL").boolean(0, 0)) return 0;
  auto r = c.query("SELECT COALESCE(MAX(version), 0) FROM meridian_schema");
  return static_cast<int>(r.int64(0, 0));
}

void check_not_newer(int current) {
  int latest = migrations().back().version;
  if (current > latest) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this meridian (" + std::to_string(latest) +
                     "); upgrade meridian");
  }
}

// Runs pending migrations, each in its own transaction, one node at a time: a node that
// waited for the lock finds the work done.
void migrate(Pool& pool) {
  auto c = pool.acquire();
  AdvisoryLock lock(*c, kMigrationLock);
  c->exec("CREATE TABLE IF NOT EXISTS meridian_schema (version INTEGER NOT NULL)");
  int current = installed_version(*c);
  check_not_newer(current);
  for (const auto& m : migrations()) {
    if (m.version <= current) continue;
    c->exec("BEGIN");
    try {
      c->exec(m.sql);
      c->exec("DELETE FROM meridian_schema");
      c->query("INSERT INTO meridian_schema (version) VALUES ($1)", Params().add(m.version));
      c->exec("COMMIT");
    } catch (const StoreError& e) {
      try {
        c->exec("ROLLBACK");
      } catch (...) {
      }
      // PostgreSQL's DDL is transactional: the schema stays exactly as it was.
      throw StoreError("migration " + std::to_string(m.version) + " (" + m.description +
                       ") failed; the schema stays at version " + std::to_string(current) +
                       ": " + e.what());
    }
    current = m.version;
  }
}

class PgStore final : public Store, private sql::ContentSearch {
 public:
  PgStore(const std::string& url, std::size_t connections) : pool_(url, connections) {
    migrate(pool_);
    content_ = sql::make_content_store(pool_, *this);
    search_engine_ = std::make_unique<PgSearchEngine>(
        pool_, [this] { return versions().content; });
    members_ = sql::make_member_store(pool_, &credits_);
    events_ = sql::make_event_store(pool_);
    newsletters_ = sql::make_newsletter_store(pool_);
    editorial_ = sql::make_editorial_store(pool_);
    mail_queue_ = sql::make_mail_queue(pool_);
    billing_ = sql::make_billing_store(pool_);
    integrations_ = sql::make_integration_store(pool_);
    redirects_ = sql::make_redirect_store(pool_);
    imports_ = sql::make_import_store(pool_);
    pages_ = sql::make_page_store(pool_);
    curator_ = sql::make_curator_store(pool_);
    listener_ = std::thread([this] { listen(); });
  }
  ~PgStore() override {
    stopping_ = true;
    if (listener_.joinable()) listener_.join();
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

  // Every request asks, so the answer is kept: a commit through this process is seen at
  // once (its counter), another node's or a command's when its notification arrives (the
  // listener thread: at commit), and the answer is trusted for kRecheck at most in any case
  // (a listener that lost its connection).
  Versions versions() override {
    static constexpr auto kRecheck = std::chrono::seconds(1);
    long long commits = pool_.commits();
    long long heard = notified_.load(std::memory_order_acquire);
    auto now = std::chrono::steady_clock::now();
    auto recheck = listening_.load(std::memory_order_acquire)
                       ? std::chrono::duration_cast<std::chrono::milliseconds>(kRecheck)
                       : std::chrono::milliseconds(100);
    {
      std::lock_guard lock(mu_);
      if (cache_.valid && cache_.commits == commits && cache_.notified == heard &&
          now - cache_.at < recheck) {
        return cache_.versions;
      }
    }
    Versions v;
    {
      auto c = pool_.acquire();
      auto r = c->query(
          "SELECT (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'content_version'), "
          "(SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'members_version')");
      v.content = r.int64(0, 0);
      v.members = r.int64(0, 1);
    }
    std::lock_guard lock(mu_);
    // What was seen before the read: a change during it is caught by the next request.
    cache_ = {true, commits, heard, now, v};
    return v;
  }

  DbStats db_stats() override {
    const auto& p = pool_.profile();
    return {p.statements.load(std::memory_order_relaxed),
            static_cast<double>(p.nanoseconds.load(std::memory_order_relaxed)) / 1e9};
  }

  core::Result<void> snapshot(const std::string& path) override {
    return core::fail(core::ErrorCode::kUnavailable,
                      "a publication on PostgreSQL is backed up with pg_dump (see "
                      "docs/scale-out.md), not into " + path);
  }

 private:
  search::SearchResult search(const search::SearchRequest& req) override {
    return search::run(*search_engine_, req, rank_params_);
  }
  void warm_search(const std::string& timezone) override { search_engine_->warm(timezone); }
  int schema_version() override {
    auto c = pool_.acquire();
    return installed_version(*c);
  }

  // LISTEN on its own connection; counts notifications until the store closes.
  void listen() {
    while (!stopping_.load()) {
      try {
        Connection c(pool_.url());
        c.exec("LISTEN meridian_versions");
        c.exec("LISTEN meridian_unlocks");
        listening_ = true;
        credits_.set_enabled(true);  // empty: anything missed meanwhile is not in it
        notified_.fetch_add(1, std::memory_order_release);  // anything missed meanwhile
        while (!stopping_.load()) {
          pollfd fd{PQsocket(c.handle()), POLLIN, 0};
          int ready = ::poll(&fd, 1, 200);
          if (ready < 0 && errno != EINTR) break;
          if (ready <= 0) continue;
          if (!PQconsumeInput(c.handle())) break;  // the server went away
          bool any = false;
          while (PGnotify* n = PQnotifies(c.handle())) {
            if (std::string_view(n->relname) == "meridian_unlocks") {
              credits_.forget(std::atoll(n->extra));
            } else {
              any = true;
            }
            PQfreemem(n);
          }
          if (any) notified_.fetch_add(1, std::memory_order_release);
        }
      } catch (const StoreError&) {
      }
      listening_ = false;
      credits_.set_enabled(false);
      for (int i = 0; i < 10 && !stopping_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }

  struct Cache {
    bool valid = false;
    long long commits = 0;
    long long notified = 0;
    std::chrono::steady_clock::time_point at;
    Versions versions;
  };
  Pool pool_;
  search::RankParams rank_params_ = search::rank_params_from_env();
  std::unique_ptr<PgSearchEngine> search_engine_;
  std::mutex mu_;
  Cache cache_;
  std::atomic<long long> notified_{0};
  std::atomic<bool> listening_{false}, stopping_{false};
  sql::CreditCache credits_;
  std::thread listener_;
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

void Connection::index_article(long long id, const content::StoredArticle& stored) {
  auto t = sql::indexed_text(stored);
  // The content version moves first: its row stays locked to this transaction, so versions
  // are handed out in commit order and a reader that saw version v misses nothing below it.
  if (!search_version_) {
    auto s = prepare(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) "
        "WHERE key = 'content_version' RETURNING CAST(value AS BIGINT)");
    search_version_ = s->step() ? s->int64(0) : 0;
  }
  long long version = *search_version_;
  auto s = prepare(
      "INSERT INTO search_docs (id, headline, dek, public_body, gated_body, people, places, "
      "version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET "
      "headline = excluded.headline, dek = excluded.dek, public_body = excluded.public_body, "
      "gated_body = excluded.gated_body, people = excluded.people, places = excluded.places, "
      "version = excluded.version");
  s->bind(1, static_cast<std::int64_t>(id))
      .bind(2, t.headline)
      .bind(3, t.dek)
      .bind(4, t.public_body)
      .bind(5, t.gated_body)
      .bind(6, t.people)
      .bind(7, t.places)
      .bind(8, version);
  s->run();
}

void Connection::clear_index() { exec("DELETE FROM search_docs"); }

// search_docs rows go with their article (ON DELETE CASCADE).
void Connection::unindex_article(long long) {}

SchemaStatus schema_status(const std::string& url) {
  Connection c(url);
  SchemaStatus status;
  status.version = installed_version(c);
  for (const auto& m : migrations()) {
    if (m.version > status.version) status.pending.push_back(&m);
  }
  return status;
}

std::unique_ptr<Store> open_postgres_store(const std::string& url, std::size_t connections) {
  return std::make_unique<PgStore>(url, connections);
}

}  // namespace store::postgres
