#include "store/postgres/copy.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "store/postgres/pg.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace store::postgres {

namespace {

// Tables the copy leaves out: made again from the rest (search_docs), or the target's own.
const std::set<std::string> kNotCopied = {"search_docs", "meridian_schema"};

// One value in COPY's text format.
void append_copy_value(std::string& out, const std::string& v) {
  for (char ch : v) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += ch;
    }
  }
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// Tables in an order where every table comes after those its foreign keys name.
std::vector<std::string> dependency_order(Connection& dst,
                                          const std::map<std::string, std::vector<std::string>>& tables) {
  std::map<std::string, std::set<std::string>> needs;
  auto fks = dst.query(
      "SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc "
      "JOIN information_schema.constraint_column_usage ccu "
      "ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema "
      "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()");
  for (int i = 0; i < fks.rows(); ++i) {
    if (fks.text(i, 0) != fks.text(i, 1)) needs[fks.text(i, 0)].insert(fks.text(i, 1));
  }
  std::vector<std::string> order;
  std::set<std::string> done;
  while (order.size() < tables.size()) {
    bool progressed = false;
    for (const auto& [name, cols] : tables) {
      if (done.count(name)) continue;
      bool ready = true;
      for (const auto& n : needs[name]) ready = ready && (done.count(n) || !tables.count(n));
      if (!ready) continue;
      order.push_back(name);
      done.insert(name);
      progressed = true;
    }
    if (!progressed) throw StoreError("the schema's foreign keys go round in a circle");
  }
  return order;
}

long long sqlite_count(sqlite::Connection& src, const std::string& table) {
  auto s = src.prepare("SELECT COUNT(*) FROM " + quoted(table));
  return s->step() ? s->int64(0) : 0;
}

// Streams one table from SQLite into PostgreSQL with COPY.
void copy_table(sqlite::Connection& src, Connection& dst, const std::string& table,
                const std::vector<std::string>& columns, long long& done, long long total,
                const std::function<void(long long, long long)>& progress) {
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + quoted(c);
  PGconn* conn = dst.handle();
  PGresult* begin = PQexec(conn, ("COPY " + quoted(table) + " (" + list + ") FROM STDIN").c_str());
  bool ok = PQresultStatus(begin) == PGRES_COPY_IN;
  std::string why = ok ? "" : PQresultErrorMessage(begin);
  PQclear(begin);
  if (!ok) throw StoreError("PostgreSQL refused to copy into " + table + ": " + why);
  auto flush = [&](std::string& buf) {
    if (!buf.empty() && PQputCopyData(conn, buf.data(), static_cast<int>(buf.size())) != 1) {
      throw StoreError("PostgreSQL: " + std::string(PQerrorMessage(conn)));
    }
    buf.clear();
  };
  std::string buf;
  auto s = src.prepare("SELECT " + list + " FROM " + quoted(table));
  while (s->step()) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (c) buf += '\t';
      if (s->is_null(static_cast<int>(c))) {
        buf += "\\N";
      } else {
        append_copy_value(buf, s->text(static_cast<int>(c)));
      }
    }
    buf += '\n';
    if (buf.size() > (1 << 16)) flush(buf);
    if (++done % 1000 == 0 && progress) progress(done, total);
  }
  flush(buf);
  if (PQputCopyEnd(conn, nullptr) != 1) throw StoreError("PostgreSQL: " + std::string(PQerrorMessage(conn)));
  std::string error;
  while (PGresult* r = PQgetResult(conn)) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && error.empty()) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  if (!error.empty()) throw StoreError("PostgreSQL could not copy " + table + ": " + error);
}

}  // namespace

core::Result<std::vector<CopiedTable>> copy_from_sqlite(
    const std::string& sqlite_path, const std::string& url,
    const std::function<void(long long, long long)>& progress) {
  if (!std::filesystem::is_regular_file(sqlite_path)) {
    return core::fail(core::ErrorCode::kNotFound, "there is no publication to copy at " + sqlite_path);
  }
  try {
    // Both schemas at their latest: the source migrated, the target created.
    (void)sqlite::open_sqlite_store(sqlite_path);
    (void)open_postgres_store(url, 2);
    sqlite::Connection src(sqlite_path);
    Connection dst(url);
    std::map<std::string, std::vector<std::string>> tables;
    auto cols = dst.query(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position");
    for (int i = 0; i < cols.rows(); ++i) {
      if (kNotCopied.count(cols.text(i, 0))) continue;
      tables[cols.text(i, 0)].push_back(cols.text(i, 1));
    }
    for (const auto& [name, c] : tables) {
      if (name == "meta") continue;  // the new schema's own counters: replaced
      long long n = dst.query("SELECT COUNT(*) FROM " + quoted(name)).int64(0, 0);
      if (n > 0) {
        return core::fail(core::ErrorCode::kConflict,
                          "the target database already holds a publication (" + name + " has " +
                              std::to_string(n) + " rows): copy into an empty database");
      }
    }
    auto order = dependency_order(dst, tables);
    long long total = 0;
    for (const auto& t : order) total += sqlite_count(src, t);
    long long done = 0;
    std::vector<CopiedTable> out;
    // One read of the source (a consistent picture while the server may be writing) and
    // one transaction on the target: a failed copy leaves the target empty.
    src.exec("BEGIN");
    dst.exec("BEGIN");
    try {
      dst.exec("DELETE FROM meta");
      for (const auto& t : order) {
        copy_table(src, dst, t, tables[t], done, total, progress);
        long long want = sqlite_count(src, t);
        long long got = dst.query("SELECT COUNT(*) FROM " + quoted(t)).int64(0, 0);
        if (want != got) {
          throw StoreError("table " + t + ": " + std::to_string(got) + " rows copied of " +
                           std::to_string(want));
        }
        out.push_back({t, got});
      }
      // New rows after the copied ids.
      for (const auto& [t, c] : tables) {
        if (std::find(c.begin(), c.end(), "id") == c.end()) continue;
        auto seq = dst.query("SELECT pg_get_serial_sequence($1, 'id')", Params().add(t));
        if (seq.null(0, 0)) continue;
        dst.query("SELECT setval($1, COALESCE((SELECT MAX(id) FROM " + quoted(t) + "), 0) + 1, false)",
                  Params().add(seq.text(0, 0)));
      }
      dst.exec("COMMIT");
      src.exec("COMMIT");
    } catch (...) {
      try {
        dst.exec("ROLLBACK");
      } catch (...) {
      }
      try {
        src.exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
    if (progress) progress(done, total);
    // The search documents, from the copied articles.
    auto target = open_postgres_store(url, 2);
    if (auto r = target->content().reindex(); !r) return std::unexpected(r.error());
    return out;
  } catch (const StoreError& e) {
    return core::fail(core::ErrorCode::kUnavailable, e.what());
  }
}

}  // namespace store::postgres
