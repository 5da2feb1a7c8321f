// store/sql/db.h on the SQLite C API: connections with a prepared-statement cache, bound
// parameters only, and a small pool so each request thread works on its own connection.
// Internal to store/sqlite.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql/db.h"

namespace store::sqlite {

// A prepared statement on SQLite (see store/sql/db.h for what each call does).
class Statement final : public sql::Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  using sql::Statement::bind;
  sql::Statement& bind(int index, std::int64_t value) override;
  sql::Statement& bind(int index, std::string_view value) override;
  sql::Statement& bind_null(int index) override;
  bool step() override;
  std::int64_t int64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const override;
  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  void reset() override;
  sqlite3_stmt* raw() { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

using sql::StatementLease;
using sql::Transaction;

class Connection final : public sql::Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  StatementLease prepare(std::string_view sql) override;
  void exec(const char* sql) override;  // for schema and pragmas only: no parameters
  long long changes() override { return sqlite3_changes(db_); }
  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override;
  void rollback() override { exec("ROLLBACK"); }
  void index_article(long long id, const content::StoredArticle& stored) override;
  void clear_index() override;
  void unindex_article(long long id) override;
  std::string id_list(int param) const override {
    return "SELECT value FROM json_each(?" + std::to_string(param) + ")";
  }

  sqlite3* handle() { return db_; }
  // Counted up after every committed Transaction (the pool's, for its version cache).
  std::atomic<long long>* commits = nullptr;
  // State an extension keeps per connection (the search tokenizer), freed before the
  // connection closes.
  std::shared_ptr<void> extension;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  std::vector<sqlite3_stmt*> raw_;
};

class Pool final : public sql::Pool {
 public:
  // `on_open` runs on every new connection (to register functions).
  explicit Pool(std::string path, std::function<void(sqlite3*)> on_open = {})
      : path_(std::move(path)), on_open_(std::move(on_open)) {}
  // A lease typed for code inside store/sqlite (the search engine needs the handle).
  class Lease {
   public:
    explicit Lease(sql::Pool::Lease l) : l_(std::move(l)) {}
    Connection& operator*() { return static_cast<Connection&>(*l_); }
    Connection* operator->() { return &static_cast<Connection&>(*l_); }

   private:
    sql::Pool::Lease l_;
  };
  Lease acquire() { return Lease(sql::Pool::acquire()); }
  // Transactions committed through this pool's connections (this process only).
  long long commits() const { return commits_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

 protected:
  std::unique_ptr<sql::Connection> take() override;
  void give_back(std::unique_ptr<sql::Connection> c) override;

 private:
  std::string path_;
  std::function<void(sqlite3*)> on_open_;
  std::mutex mu_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
  std::atomic<long long> commits_{0};
};

}  // namespace store::sqlite
