#include "integrations/api_tokens.h"

#include "core/crypto.h"

namespace integrations {

const std::vector<std::string>& all_scopes() {
  static const std::vector<std::string> s = {"content:read", "content:write", "members:read",
                                             "members:write"};
  return s;
}

core::Result<std::string> ApiTokens::create(const std::string& name,
                                            const std::vector<std::string>& scopes,
                                            long long created_by) {
  if (name.empty() || name.size() > 100) {
    return core::fail(core::ErrorCode::kInvalidInput, "name the token (at most 100 characters)");
  }
  std::set<std::string> chosen;
  for (const auto& s : scopes) {
    bool known = false;
    for (const auto& k : all_scopes()) known = known || k == s;
    if (!known) return core::fail(core::ErrorCode::kInvalidInput, "unknown scope " + s);
    chosen.insert(s);
  }
  if (chosen.empty()) return core::fail(core::ErrorCode::kInvalidInput, "choose at least one scope");
  std::string joined;
  for (const auto& s : chosen) joined += (joined.empty() ? "" : " ") + s;
  std::string token = "mrd_" + core::random_token(32);
  auto id = store_.create_token(name, joined, core::token_hash(token), created_by, clock_.now());
  if (!id) return std::unexpected(id.error());
  return token;
}

std::optional<Caller> ApiTokens::authenticate(std::string_view authorization) {
  if (!authorization.starts_with("Bearer ")) return std::nullopt;
  auto token = authorization.substr(7);
  if (!token.starts_with("mrd_") || token.size() > 100) return std::nullopt;
  auto t = store_.use_token(core::token_hash(token), clock_.now());
  if (!t) return std::nullopt;
  Caller c{t->id, t->name, {}, t->created_by};
  std::string_view rest = t->scopes;
  while (!rest.empty()) {
    auto sp = rest.find(' ');
    c.scopes.emplace(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  return c;
}

bool ApiTokens::allow(long long token_id) {
  core::UnixTime minute = clock_.now() / 60;
  std::lock_guard lock(mu_);
  auto& [at, calls] = windows_[token_id];
  if (at != minute) {
    at = minute;
    calls = 0;
  }
  return ++calls <= per_minute_;
}

}  // namespace integrations
