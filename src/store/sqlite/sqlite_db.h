// A thin RAII layer over the SQLite C API: connections with a prepared-statement
// cache, bound parameters only, and a small pool so each request thread works on
// its own connection. Internal to store/sqlite.
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

namespace store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, long long value) {
    return bind(index, static_cast<std::int64_t>(value));
  }
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Steps once; true when a row is available. Throws StoreError on failure.
  bool step();
  // Steps to completion (for statements without rows).
  void run();

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int integer(int col) const { return sqlite3_column_int(stmt_, col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

  void reset();
  sqlite3_stmt* raw() { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// A statement borrowed from a connection's cache; reset when returned.
class StatementLease {
 public:
  explicit StatementLease(Statement* s) : s_(s) {}
  ~StatementLease() { s_->reset(); }
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  Statement* operator->() { return s_; }
  Statement& operator*() { return *s_; }

 private:
  Statement* s_;
};

class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepared once per connection and cached by SQL text.
  StatementLease prepare(std::string_view sql);
  void exec(const char* sql);  // for schema and pragmas only: no parameters
  sqlite3* handle() { return db_; }
  // Counted up after every committed Transaction (the pool's, for its version cache).
  std::atomic<long long>* commits = nullptr;
  std::int64_t last_insert_rowid() { return sqlite3_last_insert_rowid(db_); }
  // State an extension keeps per connection (the search tokenizer), freed before the
  // connection closes.
  std::shared_ptr<void> extension;
  int changes() { return sqlite3_changes(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  std::vector<sqlite3_stmt*> raw_;
};

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

class Pool {
 public:
  // `on_open` runs on every new connection (to register functions).
  explicit Pool(std::string path, std::function<void(sqlite3*)> on_open = {})
      : path_(std::move(path)), on_open_(std::move(on_open)) {}
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    ~Lease() { pool_.give_back(std::move(c_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    Pool& pool_;
    std::unique_ptr<Connection> c_;
  };
  Lease acquire();
  // Transactions committed through this pool's connections (this process only).
  long long commits() const { return commits_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

 private:
  void give_back(std::unique_ptr<Connection> c);
  std::string path_;
  std::function<void(sqlite3*)> on_open_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::atomic<long long> commits_{0};
};

}  // namespace store::sqlite
