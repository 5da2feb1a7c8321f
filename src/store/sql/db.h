// What the stores written in SQL need from a database, whichever it is (internal to
// src/store). store/sqlite and store/postgres implement it; the stores in this folder are
// written once against it, in the SQL both databases understand:
//
// - parameters are numbered `?1`, `?2`, … (PostgreSQL's connection rewrites them to `$1`);
// - a new row's id comes back with `RETURNING id`, never from the connection;
// - `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE`, `IS DISTINCT FROM`, `COALESCE`,
//   `CAST(… AS BIGINT)`, `CAST(… AS TEXT)`; no `INSERT OR …`, no two-argument `MAX`,
//   no `json_each` (Connection::id_list), no `COLLATE NOCASE`;
//   `GREATEST(a, b)` exists on both (SQLite's connection defines it);
// - `instr(haystack, needle)` exists on both (PostgreSQL's schema defines it).
//
// A write transaction behaves as SQLite's `BEGIN IMMEDIATE` on both: PostgreSQL runs it
// SERIALIZABLE, and a transaction the server rolled back to keep that promise is thrown as
// RetryTransaction, which `guarded` answers by running the whole unit of work again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.h"
#include "store/store.h"

namespace content {
struct StoredArticle;
}

namespace store::sql {

// The database gave up a transaction that can succeed when run again (a serialization
// failure or a deadlock on PostgreSQL).
struct RetryTransaction : StoreError {
  using StoreError::StoreError;
};

class Statement {
 public:
  virtual ~Statement() = default;
  virtual Statement& bind(int index, std::int64_t value) = 0;
  virtual Statement& bind(int index, std::string_view value) = 0;
  virtual Statement& bind_null(int index) = 0;
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, long long value) {
    return bind(index, static_cast<std::int64_t>(value));
  }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Steps once; true when a row is available. Throws StoreError on failure.
  virtual bool step() = 0;
  // Steps to completion (for statements without rows).
  void run() {
    while (step()) {
    }
  }
  virtual std::int64_t int64(int col) const = 0;  // booleans read as 0 / 1
  int integer(int col) const { return static_cast<int>(int64(col)); }
  virtual double real(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual bool is_null(int col) const = 0;
  // Ready for new bindings (the lease calls it when the statement goes back).
  virtual void reset() = 0;
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
  virtual ~Connection() = default;
  // Prepared once per connection and cached by SQL text.
  virtual StatementLease prepare(std::string_view sql) = 0;
  // For statements without parameters or rows.
  virtual void exec(const char* sql) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE run on this connection.
  virtual long long changes() = 0;
  // Transactions (see Transaction).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  // The search index is the database's own: the article writer keeps it in step (in the
  // same transaction) through these.
  virtual void index_article(long long id, const content::StoredArticle& stored) = 0;
  // Before an article row is deleted for good.
  virtual void unindex_article(long long id) = 0;
  virtual void clear_index() = 0;
  // A SELECT of the integers in a JSON array bound at parameter `param` (`[1,2,3]`), for
  // `x IN (…)` with a list of any length in one cached statement.
  virtual std::string id_list(int param) const = 0;
};

// The JSON array (`[1,2,3]`) that Connection::id_list's parameter takes, from the ids in
// [first, last) (`id` picks the id out of an element).
template <class It, class Id = std::identity>
std::string json_ids(It first, It last, Id id = {}) {
  std::string out = "[";
  for (; first != last; ++first) {
    if (out.size() > 1) out += ',';
    out += std::to_string(std::invoke(id, *first));
  }
  out += ']';
  return out;
}
template <class Range>
std::string json_ids(const Range& ids) {
  return json_ids(std::begin(ids), std::end(ids));
}

// A write transaction (see the top of this file); rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.begin(); }
  ~Transaction() {
    if (!done_) {
      try {
        c_.rollback();
      } catch (...) {
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    c_.commit();
    done_ = true;
  }

 private:
  Connection& c_;
  bool done_ = false;
};

// Connections handed to one request at a time. Thread-safe.
class Pool {
 public:
  virtual ~Pool() = default;
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), c_(std::move(o.c_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };
  Lease acquire() { return Lease(*this, take()); }

  // A connection of the caller's own that holds the database-wide lock (`space`, `key`)
  // until it is destroyed, its commits not waiting for the disk. `held` false: another
  // session has the lock. `supported` false: this database has no such locks (SQLite, on
  // one machine, where file locks in the data folder serve).
  struct Exclusive {
    bool supported = false;
    bool held = false;
    std::unique_ptr<Connection> connection;
  };
  virtual Exclusive exclusive(int space, int key) {
    (void)space;
    (void)key;
    return {};
  }
  // A connection of the caller's own (not the pool's), its commits not waiting for the
  // disk, where exclusive() is supported.
  virtual std::unique_ptr<Connection> dedicated() { return nullptr; }

 protected:
  virtual std::unique_ptr<Connection> take() = 0;
  virtual void give_back(std::unique_ptr<Connection> c) = 0;
};

// Before running a unit of work again: a random pause that grows with the attempt (up to
// 50 ms), so that two writers clashing over one row do not clash again at once.
void retry_pause(int attempt);
inline constexpr int kRetries = 30;

// Runs a unit of work `f` (returning void or a value) and wraps its outcome in a Result:
// write methods return Result, reads throw (see store/store.h). A transaction the
// database asks to retry is run again (kRetries times at most, pausing between).
template <typename F>
auto guarded(F&& f) -> core::Result<decltype(f())> {
  for (int attempt = 0;; ++attempt) {
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        return {};
      } else {
        return f();
      }
    } catch (const RetryTransaction& e) {
      if (attempt < kRetries) {
        retry_pause(attempt);
        continue;
      }
      return core::fail(core::ErrorCode::kUnavailable, e.what());
    } catch (const StoreError& e) {
      return core::fail(core::ErrorCode::kUnavailable, e.what());
    }
  }
}

// For bodies that already return a Result.
template <typename F>
auto guarded_result(F&& f) -> decltype(f()) {
  for (int attempt = 0;; ++attempt) {
    try {
      return f();
    } catch (const RetryTransaction& e) {
      if (attempt < kRetries) {
        retry_pause(attempt);
        continue;
      }
      return core::fail(core::ErrorCode::kUnavailable, e.what());
    } catch (const StoreError& e) {
      return core::fail(core::ErrorCode::kUnavailable, e.what());
    }
  }
}

inline constexpr const char* kBumpContentVersion =
    "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'content_version'";
inline constexpr const char* kBumpMembersVersion =
    "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'members_version'";

}  // namespace store::sql
