// Storage for integrations: API tokens (stored hashed, scoped, revocable) and the audit
// log of every admin API call. Same threading and error rules as store/store.h.
#pragma once

#include <optional>
#include <string>
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
};

}  // namespace store
