// The libpq layer under the PostgreSQL store, against a real PostgreSQL 15 server.
#include <gtest/gtest.h>

#include <thread>

#include "pg_support.h"
#include "store/postgres/pg.h"
#include "store/store.h"

namespace {

using store::postgres::AdvisoryLock;
using store::postgres::Connection;
using store::postgres::Params;
using store::postgres::Pool;
using store::postgres::Transaction;

TEST(Postgres, ParametersTravelApartFromTheSqlAndComeBackTyped) {
  Connection c(pg_support::fresh_database_url());
  c.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION, ok BOOLEAN)");
  const std::string tricky = "O'Brien\"; DROP TABLE t; -- Ελληνικά 🙂";
  c.query("INSERT INTO t VALUES ($1, $2, $3, $4)", Params().add(9007199254740993LL).add(tricky).add(0.1).add(true));
  c.query("INSERT INTO t VALUES ($1, $2, $3, $4)", Params().add(2).null().null().add(false));
  auto r = c.query("SELECT id, name, score, ok FROM t ORDER BY id DESC");
  ASSERT_EQ(r.rows(), 2);
  EXPECT_EQ(r.int64(0, 0), 9007199254740993LL);
  EXPECT_EQ(r.text(0, 1), tricky);
  EXPECT_DOUBLE_EQ(r.real(0, 2), 0.1);
  EXPECT_TRUE(r.boolean(0, 3));
  EXPECT_TRUE(r.null(1, 1));
  EXPECT_FALSE(r.boolean(1, 3));
  EXPECT_EQ(c.query("UPDATE t SET ok = true").affected(), 2);
}

TEST(Postgres, ErrorsCarryTheServersMessageAndTheConnectionCarriesOn) {
  Connection c(pg_support::fresh_database_url());
  try {
    c.query("SELECT * FROM no_such_table");
    FAIL() << "no error";
  } catch (const store::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  EXPECT_EQ(c.query("SELECT 1 + $1::int", Params().add(1)).int64(0, 0), 2);
}

TEST(Postgres, AnUnreachableServerIsNamedWithoutThePassword) {
  try {
    Connection c("postgresql://meridian:hunter2@127.0.0.1:1/news?connect_timeout=2");
    FAIL() << "connected to nothing";
  } catch (const store::StoreError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("127.0.0.1:1/news"), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  }
  EXPECT_EQ(store::postgres::describe_target("postgresql://u@/db?host=/run/pg&port=6000"), "/run/pg:6000/db");
}

TEST(Postgres, ATransactionRollsBackUnlessCommitted) {
  Connection c(pg_support::fresh_database_url());
  c.exec("CREATE TABLE t (v INT)");
  {
    Transaction tx(c);
    c.query("INSERT INTO t VALUES (1)");
  }
  {
    Transaction tx(c);
    c.query("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  auto r = c.query("SELECT v FROM t");
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.int64(0, 0), 2);
}

TEST(Postgres, AnAdvisoryLockIsHeldByOneSessionAtATime) {
  std::string url = pg_support::fresh_database_url();
  Connection a(url), b(url);
  {
    AdvisoryLock first(a, 42);
    AdvisoryLock second(b, 42, true);
    EXPECT_FALSE(second.held());
  }
  AdvisoryLock again(b, 42, true);
  EXPECT_TRUE(again.held());
}

TEST(Postgres, ThePoolReusesConnectionsAndDropsOnesLeftInsideATransaction) {
  Pool pool(pg_support::fresh_database_url(), 2);
  long long first_pid = 0;
  {
    auto c = pool.acquire();
    first_pid = c->query("SELECT pg_backend_pid()").int64(0, 0);
  }
  {
    auto c = pool.acquire();
    EXPECT_EQ(c->query("SELECT pg_backend_pid()").int64(0, 0), first_pid);  // reused
    c->exec("BEGIN");  // left open: not given to the next caller
  }
  auto c = pool.acquire();
  EXPECT_NE(c->query("SELECT pg_backend_pid()").int64(0, 0), first_pid);
  // Two at once, from two threads, within the limit.
  std::thread t([&] {
    auto other = pool.acquire();
    other->query("SELECT pg_sleep(0.05)");
  });
  t.join();
}

}  // namespace
