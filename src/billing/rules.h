// What a subscription's state in Stripe grants: the one place the access rules live.
// Pure; table-tested in tests/unit/billing.
//
//   active, trialing                → until the items' current period end
//   (cancel_at_period_end changes nothing: still until the period end)
//   past_due, unpaid                → until the period end + grace days, then nothing
//   canceled, incomplete_expired,
//   incomplete, paused, anything new → nothing (at once)
//   the current period's payment refunded in full → nothing (at once)
#pragma once

#include <optional>
#include <string>

#include "billing/model.h"

namespace billing {

std::optional<core::UnixTime> access_until(const Subscription& s, int grace_days);

// How the account page names the state: "active", "renews", "cancels", "past_due",
// "ended", "incomplete".
struct Standing {
  std::string code;
  std::optional<core::UnixTime> date;  // renews on / cancels on / access ends on
};
Standing standing(const Subscription& s, int grace_days, core::UnixTime now);

}  // namespace billing
