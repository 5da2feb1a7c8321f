// Storage for integrations: API tokens (stored hashed, scoped, revocable) and the audit
// log of every admin API call. Same threading and error rules as store/store.h.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace store {

struct ApiToken {
  long long id = 0;
  std::string name;
  std::string scopes;  // space-separated: content:read content:write members:read members:write
  long long created_by = 0;
  core::UnixTime created_at = 0;
  std::optional<core::UnixTime> last_used_at;
  std::optional<core::UnixTime> revoked_at;
};

struct AuditEntry {
  long long id = 0;
  long long token_id = 0;
  std::string token_name;
  std::string method, path;
  int status = 0;
  core::UnixTime at = 0;
};

struct WebhookEndpoint {
  long long id = 0;
  std::string url;
  std::string events;  // space-separated event types
  std::string secret;  // signs deliveries (shown in the back office)
  core::UnixTime created_at = 0;
};

struct WebhookDelivery {
  long long id = 0;
  long long endpoint_id = 0;
  std::string url, secret;  // the endpoint's, for sending
  std::string event_id, type, payload;
  int attempts = 0;
  std::string state;  // "pending", "delivered", "failed"
  int last_status = 0;
  std::string last_error;
  core::UnixTime created_at = 0;
  std::optional<core::UnixTime> delivered_at;
};

class IntegrationStore {
 public:
  virtual ~IntegrationStore() = default;
  virtual core::Result<long long> create_token(const std::string& name, const std::string& scopes,
                                               const std::string& token_hash, long long created_by,
                                               core::UnixTime now) = 0;
  // A live (not revoked) token by its hash; marks it used.
  virtual std::optional<ApiToken> use_token(const std::string& token_hash, core::UnixTime now) = 0;
  virtual std::vector<ApiToken> tokens() = 0;
  virtual core::Result<void> revoke_token(long long id, core::UnixTime now) = 0;
  virtual core::Result<void> audit(long long token_id, const std::string& method,
                                   const std::string& path, int status, core::UnixTime now) = 0;
  virtual std::vector<AuditEntry> recent_audit(int limit) = 0;

  // Outgoing webhooks.
  virtual core::Result<long long> add_endpoint(const std::string& url, const std::string& events,
                                               const std::string& secret, core::UnixTime now) = 0;
  virtual std::vector<WebhookEndpoint> endpoints() = 0;
  virtual core::Result<void> remove_endpoint(long long id) = 0;
  // A delivery for every endpoint that wants `type`, in one transaction; how many.
  // A non-empty `once_key` names the happening (say "member.created:42"): an endpoint is
  // given it once however many workers find it (a reload, or several nodes).
  virtual core::Result<int> enqueue(const std::string& event_id, const std::string& type,
                                    const std::string& payload, core::UnixTime now,
                                    const std::string& once_key = {}) = 0;
  // Due deliveries, claimed: they are not due again before `lease_until`, so two workers
  // never send the same one at once, and one a killed worker held is retried after it.
  virtual std::vector<WebhookDelivery> claim_deliveries(core::UnixTime now, int limit,
                                                        core::UnixTime lease_until) = 0;
  // After an attempt: delivered, or due again at `retry_at` (nullopt: given up).
  virtual core::Result<void> record_attempt(long long delivery_id, bool delivered, int status,
                                            const std::string& error,
                                            std::optional<core::UnixTime> retry_at,
                                            core::UnixTime now) = 0;
  virtual std::vector<WebhookDelivery> recent_deliveries(int limit) = 0;
  // A named position (the last member announced); 0 when never set.
  virtual long long cursor(const std::string& name) = 0;
  virtual core::Result<void> set_cursor(const std::string& name, long long value) = 0;
  // Articles live by `until` that come after (after, after_id) in (published_at, id) order
  // (scheduled ones included once their time comes), oldest first.
  struct LiveArticle {
    long long id = 0;
    std::string slug, headline, dek, access;
    core::UnixTime published_at = 0;
  };
  virtual std::vector<LiveArticle> articles_live_between(core::UnixTime after, long long after_id,
                                                         core::UnixTime until, int limit) = 0;
  // Members whose complimentary access ran out after (after, after_id) and by `until`, in
  // (comp_until, id) order, without paid access going on: (id, email, comp_until).
  virtual std::vector<std::tuple<long long, std::string, core::UnixTime>> comp_ended_between(
      core::UnixTime after, long long after_id, core::UnixTime until, int limit) = 0;
  // The highest member id (0: none).
  virtual long long last_member_id() = 0;
  // Members with an id above `after`, oldest first: (id, email, created_at).
  virtual std::vector<std::tuple<long long, std::string, core::UnixTime>> members_after(
      long long after, int limit) = 0;
};

}  // namespace store
