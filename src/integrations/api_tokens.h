// Bearer tokens for the admin API: made by an admin in the back office, shown once,
// stored hashed, scoped, revocable, rate limited, and every call audited. A token acts as
// the admin who made it, within its scopes. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/integration_store.h"

namespace integrations {

// The scopes a token may hold.
const std::vector<std::string>& all_scopes();

struct Caller {
  long long token_id = 0;
  std::string name;
  std::set<std::string> scopes;
  long long acts_as = 0;  // the admin who made the token
  bool may(const std::string& scope) const { return scopes.count(scope) > 0; }
};

class ApiTokens {
 public:
  ApiTokens(store::IntegrationStore& store, const core::Clock& clock, int per_minute = 300)
      : store_(store), clock_(clock), per_minute_(per_minute) {}

  // Returns the token itself ("mrd_…"): the only time it is ever shown.
  core::Result<std::string> create(const std::string& name, const std::vector<std::string>& scopes,
                                   long long created_by);
  // The caller for an `Authorization` header value ("Bearer mrd_…"), if valid and live.
  std::optional<Caller> authenticate(std::string_view authorization);
  // False when this token made more than per_minute calls in the last minute.
  bool allow(long long token_id);
  core::Result<void> revoke(long long id) { return store_.revoke_token(id, clock_.now()); }
  void audit(const Caller& c, const std::string& method, const std::string& path, int status) {
    (void)store_.audit(c.token_id, method, path, status, clock_.now());
  }
  store::IntegrationStore& store() { return store_; }

 private:
  store::IntegrationStore& store_;
  const core::Clock& clock_;
  int per_minute_;
  std::mutex mu_;
  std::map<long long, std::pair<core::UnixTime, int>> windows_;  // token -> minute, calls
};

}  // namespace integrations
