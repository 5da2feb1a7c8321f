#include "store/postgres/pg.h"

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
  if (r) PQclear(r);
  throw StoreError("PostgreSQL: " + message + " (" + std::string(what.substr(0, 120)) + ")");
}

}  // namespace

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
    throw StoreError("cannot connect to PostgreSQL at " +
                     (target_.empty() ? std::string("the configured address") : target_) + ": " + why);
  }
  // Server notices (NOTICE, WARNING) are not errors: not printed on stderr.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
  exec("SET client_encoding = 'UTF8'");
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
  const auto& values = params.values();
  std::vector<const char*> raw;
  raw.reserve(values.size());
  for (const auto& v : values) raw.push_back(v ? v->c_str() : nullptr);
  return Result(checked(conn_.get(),
                        PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(raw.size()),
                                       raw.data(), nullptr, nullptr, 0),
                        sql));
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

Pool::Lease::~Lease() {
  if (c_) pool_->give_back(std::move(c_));
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Connection>(url_));
  } catch (...) {
    std::lock_guard again(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  if (c->healthy() && PQtransactionStatus(c->handle()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(c));
  } else {
    --open_;  // dropped: a broken connection or one left inside a transaction
  }
  cv_.notify_one();
}

}  // namespace store::postgres
