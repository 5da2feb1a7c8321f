// The account model: members (readers and staff), their sessions and one-time links.
// Plain values.
#pragma once

#include <algorithm>
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
  // Access bought through billing (own subscription, a group seat, gifts) ends (exclusive).
  std::optional<core::UnixTime> paid_until;
  Role role = Role::kReader;
  bool has_password = false;
  core::UnixTime created_at = 0;
  // Seen through a session: false when that session was made before anyone proved the
  // address (registration from the wall). Such a session never carries a role or access
  // (AccountService::member_for_session strips them), cannot set a password and cannot
  // move a confirmed account to another address.
  bool session_proven = true;

  bool verified() const { return verified_at.has_value(); }
  // A complimentary grant and paid access together: the later end wins.
  std::optional<core::UnixTime> access_until() const {
    if (comp_until && paid_until) return std::max(*comp_until, *paid_until);
    return comp_until ? comp_until : paid_until;
  }
  bool subscribed(core::UnixTime now) const {
    auto end = access_until();
    return end && *end > now;
  }
  // Holds something a stranger would want: a staff role or access granted to the address.
  bool privileged(core::UnixTime now) const { return role != Role::kReader || subscribed(now); }
};

// What a one-time link is for. kEmailApprove goes to the current address of a privileged
// account to approve a change of address before the new address is asked.
enum class LinkPurpose { kSignIn, kVerify, kEmailChange, kEmailApprove };
std::string_view to_string(LinkPurpose p);

struct LinkInfo {
  long long member_id = 0;
  std::string next;       // where to go afterwards (a local path)
  std::string new_email;  // kEmailChange, kEmailApprove: the address to change to
  bool approved = false;  // kEmailChange: the current address approved it first
};

// "reader@example.org" shape check: one @, a dot in the domain, no spaces, <= 254 chars.
bool plausible_email(std::string_view email);
std::string normalize_email(std::string_view email);

}  // namespace accounts
