// SQLite implementation of store::IntegrationStore.
#include "store/integration_store.h"
#include "store/sqlite/guarded.h"
#include "store/sqlite/sqlite_members.h"

namespace store::sqlite {

namespace {

using I64 = std::int64_t;

ApiToken read_token(Statement& s) {
  ApiToken t;
  t.id = s.int64(0);
  t.name = s.text(1);
  t.scopes = s.text(2);
  t.created_by = s.int64(3);
  t.created_at = s.int64(4);
  if (!s.is_null(5)) t.last_used_at = s.int64(5);
  if (!s.is_null(6)) t.revoked_at = s.int64(6);
  return t;
}

constexpr const char* kTokenColumns =
    "id, name, scopes, created_by, created_at, last_used_at, revoked_at";

class SqliteIntegrationStore final : public IntegrationStore {
 public:
  explicit SqliteIntegrationStore(Pool& pool) : pool_(pool) {}

  core::Result<long long> create_token(const std::string& name, const std::string& scopes,
                                       const std::string& token_hash, long long created_by,
                                       core::UnixTime now) override {
    return guarded([&]() -> long long {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO api_tokens (name, scopes, token_hash, created_by, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      s->bind(1, name).bind(2, scopes).bind(3, token_hash).bind(4, created_by)
          .bind(5, static_cast<I64>(now));
      s->run();
      return c->last_insert_rowid();
    });
  }

  std::optional<ApiToken> use_token(const std::string& token_hash, core::UnixTime now) override {
    auto c = pool_.acquire();
    std::optional<ApiToken> t;
    {
      auto s = c->prepare(std::string("SELECT ") + kTokenColumns +
                          " FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL");
      s->bind(1, token_hash);
      if (s->step()) t = read_token(*s);
    }
    // Last use to the minute: one write a minute per token, not one per call.
    if (t && (!t->last_used_at || *t->last_used_at < now - 60)) {
      auto s = c->prepare("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1");
      s->bind(1, t->id).bind(2, static_cast<I64>(now));
      s->run();
    }
    return t;
  }

  std::vector<ApiToken> tokens() override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY id DESC");
    std::vector<ApiToken> out;
    while (s->step()) out.push_back(read_token(*s));
    return out;
  }

  core::Result<void> revoke_token(long long id, core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
      s->bind(1, id).bind(2, static_cast<I64>(now));
      s->run();
      if (c->changes() == 0) return core::fail(core::ErrorCode::kNotFound, "no such live token");
      return {};
    });
  }

  core::Result<void> audit(long long token_id, const std::string& method, const std::string& path,
                           int status, core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO api_audit (token_id, method, path, status, at) VALUES (?1, ?2, ?3, ?4, ?5)");
      s->bind(1, token_id).bind(2, method).bind(3, path).bind(4, status)
          .bind(5, static_cast<I64>(now));
      s->run();
    });
  }

  std::vector<AuditEntry> recent_audit(int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT a.id, a.token_id, COALESCE(t.name, ''), a.method, a.path, a.status, a.at "
        "FROM api_audit a LEFT JOIN api_tokens t ON t.id = a.token_id ORDER BY a.id DESC LIMIT ?1");
    s->bind(1, limit);
    std::vector<AuditEntry> out;
    while (s->step()) {
      out.push_back({s->int64(0), s->int64(1), s->text(2), s->text(3), s->text(4),
                     s->integer(5), s->int64(6)});
    }
    return out;
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<IntegrationStore> make_integration_store(Pool& pool) {
  return std::make_unique<SqliteIntegrationStore>(pool);
}

}  // namespace store::sqlite
