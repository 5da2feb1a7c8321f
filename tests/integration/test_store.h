// The store an integration test runs on: a SQLite file in the test's folder, or, when
// MERIDIAN_TEST_BACKEND=postgres (ctest's "integration_pg." run), an empty PostgreSQL
// database of its own on the test server (pg_support.h). Tests written against
// store::Store run unchanged on both.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "pg_support.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"

namespace test_store {

inline bool on_postgres() {
  const char* b = std::getenv("MERIDIAN_TEST_BACKEND");
  return b && std::string(b) == "postgres";
}

// Where a new database for a test lives (a file path or a connection URL); open it as
// often as the test likes.
inline std::string location(const std::filesystem::path& dir) {
  return on_postgres() ? pg_support::fresh_database_url() : (dir / "meridian.db").string();
}

inline std::unique_ptr<store::Store> open(const std::string& where) {
  if (where.starts_with("postgresql://")) return store::postgres::open_postgres_store(where, 8);
  return store::sqlite::open_sqlite_store(where);
}

// The schema version a store opened by this run ends at.
inline int latest_schema() {
  return on_postgres() ? store::postgres::migrations().back().version
                       : store::sqlite::migrations().back().version;
}

// An empty folder of the running test's own, named for `what`, the process and the test
// (tests in parallel never share one).
inline std::filesystem::path fresh_folder(const std::string& what) {
  auto dir = std::filesystem::temp_directory_path() /
             ("meridian-" + what + "-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::unique_ptr<store::Store> open_new(const std::filesystem::path& dir) {
  return open(location(dir));
}

}  // namespace test_store

// For tests of what only SQLite has (its file, its pragmas, snapshots).
#define SKIP_ON_POSTGRES()                                                   \
  do {                                                                       \
    if (test_store::on_postgres()) GTEST_SKIP() << "SQLite's own behaviour"; \
  } while (0)
