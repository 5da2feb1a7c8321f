#include "store/sqlite/sqlite_db.h"

#include "store/store.h"

namespace store::sqlite {

namespace {

[[noreturn]] void throw_error(sqlite3* db, std::string_view what) {
  throw StoreError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// GREATEST(a, b, …) as PostgreSQL has it (NULLs left out), so the stores' SQL reads the
// same on both databases.
void greatest(sqlite3_context* ctx, int n, sqlite3_value** v) {
  sqlite3_value* best = nullptr;
  for (int i = 0; i < n; ++i) {
    if (sqlite3_value_type(v[i]) == SQLITE_NULL) continue;
    if (!best) {
      best = v[i];
    } else if (sqlite3_value_type(v[i]) == SQLITE_INTEGER &&
               sqlite3_value_type(best) == SQLITE_INTEGER) {
      if (sqlite3_value_int64(v[i]) > sqlite3_value_int64(best)) best = v[i];
    } else if (sqlite3_value_double(v[i]) > sqlite3_value_double(best)) {
      best = v[i];
    }
  }
  if (best) {
    sqlite3_result_value(ctx, best);
  } else {
    sqlite3_result_null(ctx);
  }
}

}  // namespace

sql::Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) throw_error(db_, "bind");
  return *this;
}

sql::Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    throw_error(db_, "bind");
  return *this;
}

sql::Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) throw_error(db_, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, "step");
}

std::string Statement::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Connection::Connection(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA temp_store=MEMORY");
  } catch (const StoreError& e) {
    // A constructor that throws runs no destructor: close the handle here, or it leaks
    // (SQLite opens the file lazily, so a missing folder shows only now).
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open database " + path + ": " + e.what());
  }
  sqlite3_create_function_v2(db_, "greatest", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                             &greatest, nullptr, nullptr, nullptr);
}

Connection::~Connection() {
  for (auto* s : raw_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

StatementLease Connection::prepare(std::string_view sql) {
  auto key = std::string(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      throw_error(db_, "prepare '" + key + "'");
    }
    raw_.push_back(stmt);
    it = cache_.emplace(std::move(key), std::make_unique<Statement>(db_, stmt)).first;
  }
  return StatementLease(it->second.get());
}

void Connection::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(std::string("exec failed: ") + msg);
  }
}

void Connection::commit() {
  exec("COMMIT");
  if (commits) commits->fetch_add(1, std::memory_order_release);
}

std::unique_ptr<sql::Connection> Pool::take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<Connection>(path_);
  c->commits = &commits_;
  if (on_open_) on_open_(c->handle());
  return c;
}

void Pool::give_back(std::unique_ptr<sql::Connection> c) {
  if (!c) return;
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(c));
}

}  // namespace store::sqlite
