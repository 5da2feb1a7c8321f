// SQLite implementation of store::IntegrationStore.
#include "store/integration_store.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

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

class SqlIntegrationStore final : public IntegrationStore {
 public:
  explicit SqlIntegrationStore(Pool& pool) : pool_(pool) {}

  core::Result<long long> create_token(const std::string& name, const std::string& scopes,
                                       const std::string& token_hash, long long created_by,
                                       core::UnixTime now) override {
    return guarded([&]() -> long long {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO api_tokens (name, scopes, token_hash, created_by, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
      s->bind(1, name).bind(2, scopes).bind(3, token_hash).bind(4, created_by)
          .bind(5, static_cast<I64>(now));
      if (!s->step()) throw StoreError("no id for a new row");
      return s->int64(0);
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

  core::Result<long long> add_endpoint(const std::string& url, const std::string& events,
                                       const std::string& secret, core::UnixTime now) override {
    return guarded([&]() -> long long {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO webhook_endpoints (url, events, secret, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id");
      s->bind(1, url).bind(2, events).bind(3, secret).bind(4, static_cast<I64>(now));
      if (!s->step()) throw StoreError("no id for a new row");
      return s->int64(0);
    });
  }

  std::vector<WebhookEndpoint> endpoints() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT id, url, events, secret, created_at FROM webhook_endpoints ORDER BY id");
    std::vector<WebhookEndpoint> out;
    while (s->step()) out.push_back({s->int64(0), s->text(1), s->text(2), s->text(3), s->int64(4)});
    return out;
  }

  core::Result<void> remove_endpoint(long long id) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("DELETE FROM webhook_endpoints WHERE id = ?1");
        s->bind(1, id);
        s->run();
        if (c->changes() == 0) return core::fail(core::ErrorCode::kNotFound, "no such endpoint");
      }
      auto s = c->prepare(
          "UPDATE webhook_deliveries SET state = 'failed', last_error = 'endpoint removed' "
          "WHERE endpoint_id = ?1 AND state = 'pending'");
      s->bind(1, id);
      s->run();
      tx.commit();
      return {};
    });
  }

  core::Result<int> enqueue(const std::string& event_id, const std::string& type,
                            const std::string& payload, core::UnixTime now,
                            const std::string& once_key) override {
    return guarded([&]() -> int {
      auto c = pool_.acquire();
      // (endpoint_id, once_key) is unique; NULL keys never collide.
      auto s = c->prepare(
          "INSERT INTO webhook_deliveries (endpoint_id, event_id, type, payload, "
          "next_attempt_at, created_at, once_key) SELECT id, ?1, ?2, ?3, ?4, ?4, NULLIF(?5, '') "
          "FROM webhook_endpoints WHERE (' ' || events || ' ') LIKE ('% ' || ?2 || ' %') "
          "ON CONFLICT DO NOTHING");
      s->bind(1, event_id).bind(2, type).bind(3, payload).bind(4, static_cast<I64>(now));
      s->bind(5, once_key);
      s->run();
      return c->changes();
    });
  }

  std::vector<WebhookDelivery> claim_deliveries(core::UnixTime now, int limit,
                                                core::UnixTime lease_until) override {
    std::vector<WebhookDelivery> out;
    auto r = guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);  // BEGIN IMMEDIATE: one claimer at a time
      {
        auto s = c->prepare(
            "SELECT d.id, d.endpoint_id, e.url, e.secret, d.event_id, d.type, d.payload, "
            "d.attempts, d.state, d.last_status, d.last_error, d.created_at, d.delivered_at "
            "FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
            "WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 ORDER BY d.id LIMIT ?2");
        s->bind(1, static_cast<I64>(now)).bind(2, limit);
        out = read_deliveries(*s);
      }
      auto u = c->prepare("UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1");
      for (const auto& d : out) {
        u->reset();
        u->bind(1, static_cast<I64>(d.id)).bind(2, static_cast<I64>(lease_until));
        u->run();
      }
      tx.commit();
    });
    if (!r) return {};
    return out;
  }

  core::Result<void> record_attempt(long long id, bool delivered, int status,
                                    const std::string& error,
                                    std::optional<core::UnixTime> retry_at,
                                    core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?2, "
          "last_error = ?3, state = CASE WHEN ?4 THEN 'delivered' WHEN CAST(?5 AS BIGINT) IS NULL THEN 'failed' "
          "ELSE 'pending' END, next_attempt_at = COALESCE(?5, next_attempt_at), "
          "delivered_at = CASE WHEN ?4 THEN ?6 ELSE delivered_at END WHERE id = ?1");
      s->bind(1, id).bind(2, status).bind(3, error).bind(4, delivered ? 1 : 0).bind(5, retry_at)
          .bind(6, static_cast<I64>(now));
      s->run();
    });
  }

  std::vector<WebhookDelivery> recent_deliveries(int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT d.id, d.endpoint_id, COALESCE(e.url, ''), '', d.event_id, d.type, d.payload, "
        "d.attempts, d.state, d.last_status, d.last_error, d.created_at, d.delivered_at "
        "FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id "
        "ORDER BY d.id DESC LIMIT ?1");
    s->bind(1, limit);
    return read_deliveries(*s);
  }

  long long cursor(const std::string& name) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT value FROM webhook_cursors WHERE name = ?1");
    s->bind(1, name);
    return s->step() ? s->int64(0) : 0;
  }

  core::Result<void> set_cursor(const std::string& name, long long value) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO webhook_cursors (name, value) VALUES (?1, ?2) "
          "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
      s->bind(1, name).bind(2, value);
      s->run();
    });
  }

  std::vector<LiveArticle> articles_live_between(core::UnixTime after, long long after_id,
                                                 core::UnixTime until, int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, slug, headline, dek, access, published_at FROM articles "
        "WHERE status IN ('published', 'scheduled') AND published_at <= ?2 AND "
        "(published_at > ?1 OR (published_at = ?1 AND id > ?4)) "
        "ORDER BY published_at, id LIMIT ?3");
    s->bind(1, static_cast<I64>(after)).bind(2, static_cast<I64>(until)).bind(3, limit)
        .bind(4, after_id);
    std::vector<LiveArticle> out;
    while (s->step()) {
      out.push_back({s->int64(0), s->text(1), s->text(2), s->text(3), s->text(4), s->int64(5)});
    }
    return out;
  }

  std::vector<std::tuple<long long, std::string, core::UnixTime>> comp_ended_between(
      core::UnixTime after, long long after_id, core::UnixTime until, int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, email, comp_until FROM members WHERE comp_until <= ?2 AND "
        "(comp_until > ?1 OR (comp_until = ?1 AND id > ?4)) AND "
        "COALESCE(paid_until, 0) <= comp_until ORDER BY comp_until, id LIMIT ?3");
    s->bind(1, static_cast<I64>(after)).bind(2, static_cast<I64>(until)).bind(3, limit)
        .bind(4, after_id);
    std::vector<std::tuple<long long, std::string, core::UnixTime>> out;
    while (s->step()) out.emplace_back(s->int64(0), s->text(1), s->int64(2));
    return out;
  }

  long long last_member_id() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT COALESCE(MAX(id), 0) FROM members");
    return s->step() ? s->int64(0) : 0;
  }

  std::vector<std::tuple<long long, std::string, core::UnixTime>> members_after(
      long long after, int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, email, created_at FROM members WHERE id > ?1 ORDER BY id LIMIT ?2");
    s->bind(1, after).bind(2, limit);
    std::vector<std::tuple<long long, std::string, core::UnixTime>> out;
    while (s->step()) out.emplace_back(s->int64(0), s->text(1), s->int64(2));
    return out;
  }

 private:
  static std::vector<WebhookDelivery> read_deliveries(Statement& s) {
    std::vector<WebhookDelivery> out;
    while (s.step()) {
      WebhookDelivery d;
      d.id = s.int64(0);
      d.endpoint_id = s.int64(1);
      d.url = s.text(2);
      d.secret = s.text(3);
      d.event_id = s.text(4);
      d.type = s.text(5);
      d.payload = s.text(6);
      d.attempts = s.integer(7);
      d.state = s.text(8);
      d.last_status = s.integer(9);
      d.last_error = s.text(10);
      d.created_at = s.int64(11);
      if (!s.is_null(12)) d.delivered_at = s.int64(12);
      out.push_back(std::move(d));
    }
    return out;
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<IntegrationStore> make_integration_store(Pool& pool) {
  return std::make_unique<SqlIntegrationStore>(pool);
}

}  // namespace store::sql
