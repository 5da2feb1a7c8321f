// Managing members as the publisher: complimentary access, staff roles, CSV import and
// export. Shared by the CLI (`meridian members …`, `meridian staff add`) and the back
// office, so both follow the same rules. Thread-safe as the store is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/member.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace accounts {

// "admin", "editor", "author", "subscriber", "registered" or "unverified".
std::string member_state(const Member& m, core::UnixTime now);

struct ImportReport {
  int rows = 0, created = 0, updated = 0;
};

class MemberAdmin {
 public:
  // `on_subscription` is told when a reader without access gets it (for analytics).
  // `on_ended` is told when a revocation takes a reader's access away.
  MemberAdmin(store::MemberStore& members, const core::Clock& clock, std::string timezone,
              std::function<void(const Member&)> on_subscription,
              std::function<void(const Member&)> on_ended = {})
      : members_(members), clock_(clock), timezone_(std::move(timezone)),
        on_subscription_(std::move(on_subscription)), on_ended_(std::move(on_ended)) {}

  // Complimentary access through the end of `until` (YYYY-MM-DD, publication's zone);
  // creates a verified member for a new address.
  core::Result<Member> grant(const std::string& email, const std::string& name,
                             const std::string& until);
  core::Result<Member> revoke(const std::string& email);
  // kInvalidInput for a reader role or a bad address.
  core::Result<Member> set_staff_role(const std::string& email, Role role);
  // All rows are checked before anything is written; `until` may be empty.
  core::Result<ImportReport> import_csv(std::string_view text, const std::string& until);
  std::string export_csv();

  // The first instant after the local day `date` (YYYY-MM-DD) in the zone.
  std::optional<core::UnixTime> end_of_day(const std::string& date) const;

 private:
  store::MemberStore& members_;
  const core::Clock& clock_;
  std::string timezone_;
  std::function<void(const Member&)> on_subscription_;
  std::function<void(const Member&)> on_ended_;
};

}  // namespace accounts
