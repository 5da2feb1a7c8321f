#include "store/postgres/pg.h"

#include <chrono>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "store/store.h"

namespace store::postgres {

namespace {

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Throws unless `r` is a success; the message is the server's (or libpq's).
PGresult* checked(PGconn* conn, PGresult* r, std::string_view what) {
  auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  std::string message = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  std::string state;
  if (r) {
    if (const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE)) state = code;
    PQclear(r);
  }
  std::string full = "PostgreSQL: " + message + " (" + std::string(what.substr(0, 120)) + ")";
  // Serialization failure, deadlock: the transaction can succeed when run again.
  if (state == "40001" || state == "40P01") throw sql::RetryTransaction(full);
  // The connection is gone (the server stopped or restarted, the network broke), or the
  // server is shutting down or starting (class 08, 57P01-57P03).
  if (PQstatus(conn) != CONNECTION_OK || state.starts_with("08") || state == "57P01" ||
      state == "57P02" || state == "57P03") {
    throw StoreUnavailable(full);
  }
  throw StoreError(full);
}

// `?N` → `$N` outside quoted text; `count` gets the highest N.
std::string dollar_parameters(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size());
  count = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char ch = sql[i];
    if (quote) {
      if (ch == quote) quote = 0;
      out += ch;
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
      continue;
    }
    if (ch == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      int n = 0;
      out += '$';
      while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
        n = n * 10 + (sql[i + 1] - '0');
        out += sql[++i];
      }
      if (n > count) count = n;
      continue;
    }
    out += ch;
  }
  return out;
}

}  // namespace

// One SQL text on one connection: bound values wait here until the first step runs it,
// then the rows are read from the whole result.
class Statement final : public sql::Statement {
 public:
  Statement(Connection& c, std::string_view sql) : c_(c) {
    sql_ = dollar_parameters(sql, count_);
    values_.resize(static_cast<std::size_t>(count_));
  }
  using sql::Statement::bind;
  sql::Statement& bind(int index, std::int64_t value) override {
    return set(index, std::to_string(value));
  }
  sql::Statement& bind(int index, std::string_view value) override {
    return set(index, std::string(value));
  }
  sql::Statement& bind_null(int index) override {
    if (index >= 1 && index <= count_) values_[static_cast<std::size_t>(index - 1)].reset();
    return *this;
  }
  bool step() override {
    if (!result_) {
      Params params;
      for (const auto& v : values_) {
        if (v) {
          params.add(*v);
        } else {
          params.null();
        }
      }
      result_.emplace(c_.query(sql_, params));
      c_.changes_ = result_->affected();
      row_ = -1;
    }
    return ++row_ < result_->rows();
  }
  std::int64_t int64(int col) const override {
    if (result_->null(row_, col)) return 0;
    std::string v = result_->text(row_, col);
    if (v == "t") return 1;
    if (v == "f") return 0;
    if (v.find_first_of(".eE") != std::string::npos) {
      return static_cast<std::int64_t>(std::strtod(v.c_str(), nullptr));
    }
    return std::strtoll(v.c_str(), nullptr, 10);
  }
  double real(int col) const override { return result_->real(row_, col); }
  std::string text(int col) const override {
    return result_->null(row_, col) ? std::string() : result_->text(row_, col);
  }
  bool is_null(int col) const override { return result_->null(row_, col); }
  void reset() override {
    result_.reset();
    for (auto& v : values_) v.reset();
  }

 private:
  sql::Statement& set(int index, std::string v) {
    if (index >= 1 && index <= count_) values_[static_cast<std::size_t>(index - 1)] = std::move(v);
    return *this;
  }
  Connection& c_;
  std::string sql_;
  int count_ = 0;
  std::vector<std::optional<std::string>> values_;
  std::optional<Result> result_;
  int row_ = -1;
};

std::string describe_target(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (!options) {
    if (err) PQfreemem(err);
    return {};
  }
  std::string host, port, db;
  for (auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    std::string_view k = o->keyword;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  if (host.empty()) host = "localhost";
  return host + ":" + (port.empty() ? "5432" : port) + (db.empty() ? "" : "/" + db);
}

Params& Params::add(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  values_.emplace_back(buf);
  return *this;
}

std::string Result::text(int row, int col) const {
  const char* v = PQgetvalue(r_.get(), row, col);
  return std::string(v, static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
}

long long Result::int64(int row, int col) const {
  if (null(row, col)) return 0;
  const char* v = PQgetvalue(r_.get(), row, col);
  long long out = 0;
  std::from_chars(v, v + PQgetlength(r_.get(), row, col), out);
  return out;
}

double Result::real(int row, int col) const {
  return null(row, col) ? 0.0 : std::strtod(PQgetvalue(r_.get(), row, col), nullptr);
}

bool Result::boolean(int row, int col) const {
  return !null(row, col) && PQgetvalue(r_.get(), row, col)[0] == 't';
}

long long Result::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::atoll(n) : 0;
}

Connection::Connection(const std::string& url)
    : conn_(PQconnectdb(url.c_str()), &PQfinish), target_(describe_target(url)) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    std::string why = conn_ ? trimmed(PQerrorMessage(conn_.get())) : "out of memory";
    throw StoreUnavailable("cannot connect to PostgreSQL at " +
                     (target_.empty() ? std::string("the configured address") : target_) + ": " + why);
  }
  // Server notices (NOTICE, WARNING) are not errors: not printed on stderr.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
  exec("SET client_encoding = 'UTF8'");
}

Connection::~Connection() = default;

sql::StatementLease Connection::prepare(std::string_view sql) {
  std::string key(sql);
  auto it = statements_.find(key);
  if (it == statements_.end()) {
    auto st = std::make_unique<Statement>(*this, sql);
    it = statements_.emplace(std::move(key), std::move(st)).first;
  }
  return sql::StatementLease(it->second.get());
}

void Connection::commit() {
  search_version_.reset();
  exec("COMMIT");
  if (commits) commits->fetch_add(1, std::memory_order_release);
}

std::string Connection::id_list(int param) const {
  return "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(?" +
         std::to_string(param) + " AS json))";
}

void Connection::exec(std::string_view sql) {
  std::string text(sql);
  PQclear(checked(conn_.get(), PQexec(conn_.get(), text.c_str()), sql));
}

Result Connection::query(std::string_view sql, const Params& params) {
  std::string key(sql);
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    std::string name = "m" + std::to_string(prepared_.size() + 1);
    PQclear(checked(conn_.get(),
                    PQprepare(conn_.get(), name.c_str(), key.c_str(), 0, nullptr), sql));
    it = prepared_.emplace(key, name).first;
  }
  auto started = std::chrono::steady_clock::now();
  const auto& values = params.values();
  std::vector<const char*> raw;
  raw.reserve(values.size());
  for (const auto& v : values) raw.push_back(v ? v->c_str() : nullptr);
  PGresult* r = PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(raw.size()),
                               raw.data(), nullptr, nullptr, 0);
  if (profile) {
    profile->statements.fetch_add(1, std::memory_order_relaxed);
    profile->nanoseconds.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count(),
                                   std::memory_order_relaxed);
  }
  return Result(checked(conn_.get(), r, sql));
}

Transaction::Transaction(Connection& c) : c_(c) { c_.exec("BEGIN"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK");
  } catch (...) {  // the connection is gone: the server rolled back already
  }
}

void Transaction::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

AdvisoryLock::AdvisoryLock(Connection& c, long long key) : c_(c), key_(key) {
  c_.query("SELECT pg_advisory_lock($1)", Params().add(key));
  held_ = true;
}

AdvisoryLock::AdvisoryLock(Connection& c, long long key, bool) : c_(c), key_(key) {
  held_ = c_.query("SELECT pg_try_advisory_lock($1)", Params().add(key)).boolean(0, 0);
}

AdvisoryLock::~AdvisoryLock() {
  if (!held_) return;
  try {
    c_.query("SELECT pg_advisory_unlock($1)", Params().add(key_));
  } catch (...) {  // a lost connection releases its locks
  }
}

Pool::Pool(std::string url, std::size_t max) : url_(std::move(url)), max_(max ? max : 1) {}

sql::Pool::Exclusive Pool::exclusive(int space, int key) {
  auto c = std::make_unique<Connection>(url_);
  c->profile = &profile_;
  Exclusive out;
  out.supported = true;
  out.held = c->query("SELECT pg_try_advisory_lock(CAST($1 AS INTEGER), CAST($2 AS INTEGER))",
                      Params().add(space).add(key))
                 .boolean(0, 0);
  if (!out.held) return out;
  c->exec("SET synchronous_commit = off");
  out.connection = std::move(c);
  return out;
}

std::unique_ptr<sql::Connection> Pool::dedicated() {
  auto c = std::make_unique<Connection>(url_);
  c->profile = &profile_;
  c->exec("SET synchronous_commit = off");
  return c;
}

std::unique_ptr<sql::Connection> Pool::take() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  ++open_;
  lock.unlock();
  try {
    auto c = std::make_unique<Connection>(url_);
    c->commits = &commits_;
    c->profile = &profile_;
    return c;
  } catch (...) {
    std::lock_guard again(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<sql::Connection> c) {
  auto& pg = static_cast<Connection&>(*c);
  std::lock_guard lock(mu_);
  if (pg.healthy() && PQtransactionStatus(pg.handle()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(c));
  } else {
    --open_;  // dropped: a broken connection or one left inside a transaction
  }
  cv_.notify_one();
}

}  // namespace store::postgres
