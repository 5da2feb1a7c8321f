// A small RAII layer over libpq (internal to store/postgres): connections that prepare each
// SQL text once and run it with parameters (never spliced into the text), results that
// free themselves, transactions that roll back unless committed, advisory locks, and a
// pool of connections per process. Errors are store::StoreError with libpq's message;
// a connection that fails names the server it tried (never the password).
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql/db.h"

namespace store::postgres {

// "host:port/database" (or "socket-dir:port/database") of a libpq URI or key=value string,
// for messages; empty when it cannot be parsed. Never includes the password.
std::string describe_target(const std::string& url);

// Text parameters ($1, $2, …) for a query; nullopt is SQL NULL.
class Params {
 public:
  Params& add(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(long long v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  Params& add(long v) { return add(static_cast<long long>(v)); }
  Params& add(int v) { return add(static_cast<long long>(v)); }
  Params& add(bool v) {
    values_.emplace_back(v ? "true" : "false");
    return *this;
  }
  Params& add(double v);
  Params& null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  template <typename T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : null();
  }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

class Result {
 public:
  explicit Result(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  int columns() const { return PQnfields(r_.get()); }
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string text(int row, int col) const;
  long long int64(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const;  // 't' / 'f'
  // Rows changed by an INSERT, UPDATE or DELETE.
  long long affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class Statement;

// A connection, usable directly (query) and as the stores' sql::Connection (prepare:
// `?N` parameters become `$N`, write transactions run SERIALIZABLE).
class Connection final : public sql::Connection {
 public:
  // Throws StoreError naming the server when it cannot connect.
  explicit Connection(const std::string& url);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters (schema, BEGIN/COMMIT); several statements allowed.
  void exec(std::string_view sql);
  void exec(const char* sql) override { exec(std::string_view(sql)); }
  void exec(const std::string& sql) { exec(std::string_view(sql)); }
  // Prepares `sql` once on this connection (a server-side prepared statement), then
  // executes it with `params`.
  Result query(std::string_view sql, const Params& params = {});
  // Whether the server is still there (after an error: the caller drops the connection).
  bool healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  int server_version() const { return PQserverVersion(conn_.get()); }
  PGconn* handle() { return conn_.get(); }

  // sql::Connection
  sql::StatementLease prepare(std::string_view sql) override;
  long long changes() override { return changes_; }
  void begin() override {
    exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
    search_version_.reset();
  }
  void commit() override;
  void rollback() override {
    search_version_.reset();
    exec("ROLLBACK");
  }
  void index_article(long long id, const content::StoredArticle& stored) override;
  void clear_index() override;
  void unindex_article(long long id) override;
  std::string id_list(int param) const override;
  // Counted up after every committed sql::Transaction (the store's, for its version cache).
  std::atomic<long long>* commits = nullptr;
  // Statements run and their time in nanoseconds (the pool's, for /metrics).
  struct Profile {
    std::atomic<long long> statements{0}, nanoseconds{0};
  };
  Profile* profile = nullptr;

 private:
  friend class Statement;
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
  std::string target_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  long long changes_ = 0;
  // The content version this transaction's search documents carry (taken once: the row
  // stays locked to the transaction, and bumping it per article would pile up versions).
  std::optional<long long> search_version_;
};

// BEGIN on construction; ROLLBACK unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

// A session-level advisory lock (pg_advisory_lock), released on destruction: work that
// must run once across every node (migrations, scheduled jobs).
class AdvisoryLock {
 public:
  // Waits for the lock.
  AdvisoryLock(Connection& c, long long key);
  // Takes it only if free: check held().
  AdvisoryLock(Connection& c, long long key, bool try_only);
  ~AdvisoryLock();
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;
  bool held() const { return held_; }

 private:
  Connection& c_;
  long long key_;
  bool held_ = false;
};

// Connections to one database, made on demand up to `max` and reused; a connection that
// went bad is dropped instead of returned. Thread-safe.
class Pool final : public sql::Pool {
 public:
  Pool(std::string url, std::size_t max);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A lease typed for code inside store/postgres (query, advisory locks).
  class Lease {
   public:
    explicit Lease(sql::Pool::Lease l) : l_(std::move(l)) {}
    Connection* operator->() { return &static_cast<Connection&>(*l_); }
    Connection& operator*() { return static_cast<Connection&>(*l_); }

   private:
    sql::Pool::Lease l_;
  };
  // Waits while `max` connections are in use.
  Lease acquire() { return Lease(sql::Pool::acquire()); }
  const std::string& url() const { return url_; }
  // Transactions committed through this pool's connections (this process only).
  long long commits() const { return commits_.load(std::memory_order_acquire); }
  const Connection::Profile& profile() const { return profile_; }
  Exclusive exclusive(int space, int key) override;
  std::unique_ptr<sql::Connection> dedicated() override;

 protected:
  std::unique_ptr<sql::Connection> take() override;
  void give_back(std::unique_ptr<sql::Connection> c) override;

 private:
  std::string url_;
  std::size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
  std::size_t open_ = 0;
  std::atomic<long long> commits_{0};
  Connection::Profile profile_;
};

}  // namespace store::postgres
