// The account model: members (readers and staff), their sessions and one-time links.
// Plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace accounts {

enum class Role { kReader, kAuthor, kEditor, kAdmin };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

struct Member {
  long long id = 0;
  std::string email;
  std::string name;
  std::optional<core::UnixTime> verified_at;
  std::optional<core::UnixTime> comp_until;  // complimentary subscription ends (exclusive)
  Role role = Role::kReader;
  bool has_password = false;
  core::UnixTime created_at = 0;

  bool verified() const { return verified_at.has_value(); }
  bool subscribed(core::UnixTime now) const { return comp_until && *comp_until > now; }
};

// What a one-time link is for.
enum class LinkPurpose { kSignIn, kVerify, kEmailChange };
std::string_view to_string(LinkPurpose p);

struct LinkInfo {
  long long member_id = 0;
  std::string next;       // where to go afterwards (a local path)
  std::string new_email;  // kEmailChange: the address to change to
};

// "reader@example.org" shape check: one @, a dot in the domain, no spaces, <= 254 chars.
bool plausible_email(std::string_view email);
std::string normalize_email(std::string_view email);

}  // namespace accounts
