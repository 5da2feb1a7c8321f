// The PostgreSQL store's own behaviour (what the shared tests cannot show through
// store::Store): migrations once across processes, refused and failed migrations, the
// `?N` rewriting, and a serialization failure answered by running the work again.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "pg_support.h"
#include "store/postgres/pg.h"
#include "store/postgres/pg_store.h"
#include "store/sql/db.h"
#include "store/store.h"

namespace {

using store::postgres::Connection;
using store::postgres::open_postgres_store;

int schema_version(const std::string& url) {
  Connection c(url);
  return static_cast<int>(c.query("SELECT MAX(version) FROM meridian_schema").int64(0, 0));
}

TEST(PostgresStore, NodesStartingTogetherMigrateOnce) {
  auto url = pg_support::fresh_database_url();
  std::atomic<int> opened{0}, failed{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      try {
        auto s = open_postgres_store(url, 2);
        if (s->content().count_articles() == 0) ++opened;
      } catch (const std::exception&) {
        ++failed;
      }
    });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(opened, 4);
  EXPECT_EQ(failed, 0);
  Connection c(url);
  EXPECT_EQ(c.query("SELECT COUNT(*) FROM meridian_schema").int64(0, 0), 1);
  EXPECT_EQ(schema_version(url), store::postgres::migrations().back().version);
}

TEST(PostgresStore, RefusesASchemaFromTheFuture) {
  auto url = pg_support::fresh_database_url();
  (void)open_postgres_store(url, 1);
  {
    Connection c(url);
    c.exec("UPDATE meridian_schema SET version = 999");
  }
  try {
    (void)open_postgres_store(url, 1);
    FAIL() << "opened a schema newer than this binary";
  } catch (const store::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this meridian"), std::string::npos) << e.what();
  }
}

TEST(PostgresStore, AFailedMigrationChangesNothingAndSaysWhy) {
  auto url = pg_support::fresh_database_url();
  {
    Connection c(url);
    c.exec("CREATE TABLE articles (x INTEGER)");  // in the way of the schema
  }
  try {
    (void)open_postgres_store(url, 1);
    FAIL() << "migrated over a table in the way";
  } catch (const store::StoreError& e) {
    std::string why = e.what();
    EXPECT_NE(why.find("migration 18"), std::string::npos) << why;
    EXPECT_NE(why.find("the schema stays at version 0"), std::string::npos) << why;
  }
  Connection c(url);
  // Nothing the migration made is left: no members table, no version recorded.
  EXPECT_TRUE(c.query("SELECT to_regclass('members') IS NULL").boolean(0, 0));
  EXPECT_EQ(c.query("SELECT COUNT(*) FROM meridian_schema").int64(0, 0), 0);
  EXPECT_EQ(c.query("SELECT COUNT(*) FROM articles").int64(0, 0), 0);  // the one in the way stays
}

TEST(PostgresStore, NumberedParametersBecomeDollarsOutsideQuotedText) {
  Connection c(pg_support::fresh_database_url());
  auto s = c.prepare("SELECT ?2 || '?1' || ?1, '''?3'''");
  s->bind(1, "a").bind(2, "b");
  ASSERT_TRUE(s->step());
  EXPECT_EQ(s->text(0), "b?1a");
  EXPECT_EQ(s->text(1), "'?3'");
}

TEST(PostgresStore, ASerializationFailureRunsTheWorkAgain) {
  auto url = pg_support::fresh_database_url();
  {
    Connection c(url);
    c.exec("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)");
  }
  // Two writers read then write the same row at once, many times: SERIALIZABLE aborts one
  // of each clashing pair, guarded() runs it again, and no increment is lost.
  store::postgres::Pool pool(url, 4);
  std::atomic<int> attempts{0};
  auto work = [&] {
    for (int i = 0; i < 200; ++i) {
      auto r = store::sql::guarded([&] {
        ++attempts;
        auto c = pool.acquire();
        store::sql::Transaction tx(*c);
        long long n = 0;
        {
          auto s = c->prepare("SELECT n FROM counter");
          if (s->step()) n = s->int64(0);
        }
        auto s = c->prepare("UPDATE counter SET n = ?1");
        s->bind(1, n + 1);
        s->run();
        tx.commit();
      });
      ASSERT_TRUE(r.has_value()) << r.error().message;
    }
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  Connection c(url);
  EXPECT_EQ(c.query("SELECT n FROM counter").int64(0, 0), 400);
  EXPECT_GT(attempts.load(), 400);  // some ran again (else the test proves nothing)
}

}  // namespace
