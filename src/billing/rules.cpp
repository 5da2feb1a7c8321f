#include "billing/rules.h"

namespace billing {

std::optional<core::UnixTime> access_until(const Subscription& s, int grace_days) {
  if (s.refunded_at) return std::nullopt;
  if (s.status == "active" || s.status == "trialing") {
    if (s.period_end <= 0) return std::nullopt;
    // A cancellation scheduled at a set time before the period end ends access then.
    if (s.cancel_at && *s.cancel_at < s.period_end) return *s.cancel_at;
    return s.period_end;
  }
  if (s.status == "past_due" || s.status == "unpaid") {
    if (s.period_end <= 0) return std::nullopt;
    return s.period_end + static_cast<core::UnixTime>(grace_days) * 86400;
  }
  return std::nullopt;
}

Standing standing(const Subscription& s, int grace_days, core::UnixTime now) {
  auto until = access_until(s, grace_days);
  if (!until || *until <= now) {
    if (s.status == "incomplete") return {"incomplete", std::nullopt};
    return {"ended", s.ended_at};
  }
  if (s.status == "past_due" || s.status == "unpaid") return {"past_due", until};
  if (s.cancel_at_period_end || s.cancel_at) return {"cancels", until};
  return {"renews", until};
}

}  // namespace billing
