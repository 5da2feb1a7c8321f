// The access rules for a subscription's state in Stripe, as a table.
#include <gtest/gtest.h>

#include "billing/rules.h"
#include "billing/stripe_client.h"

namespace {

using billing::Subscription;

constexpr core::UnixTime kNow = 1800000000;
constexpr core::UnixTime kDay = 86400;

Subscription sub(const std::string& status, core::UnixTime period_end) {
  Subscription s;
  s.id = "sub_1";
  s.status = status;
  s.period_end = period_end;
  return s;
}

struct Row {
  const char* status;
  core::UnixTime period_end;
  bool cancel_at_period_end;
  bool refunded;
  std::optional<core::UnixTime> expected;  // with 3 grace days
};

TEST(AccessRules, Table) {
  const core::UnixTime end = kNow + 10 * kDay;
  const Row rows[] = {
      {"active", end, false, false, end},
      {"trialing", end, false, false, end},
      {"active", end, true, false, end},  // cancelled at period end: until then
      {"past_due", end, false, false, end + 3 * kDay},
      {"unpaid", end, false, false, end + 3 * kDay},
      {"canceled", end, false, false, std::nullopt},
      {"incomplete", end, false, false, std::nullopt},
      {"incomplete_expired", end, false, false, std::nullopt},
      {"paused", end, false, false, std::nullopt},
      {"some_future_status", end, false, false, std::nullopt},
      {"active", end, false, true, std::nullopt},  // refunded in full
      {"past_due", end, false, true, std::nullopt},
      {"active", 0, false, false, std::nullopt},  // no period known
  };
  for (const auto& r : rows) {
    auto s = sub(r.status, r.period_end);
    s.cancel_at_period_end = r.cancel_at_period_end;
    if (r.refunded) s.refunded_at = kNow;
    EXPECT_EQ(billing::access_until(s, 3), r.expected)
        << r.status << " cancel=" << r.cancel_at_period_end << " refunded=" << r.refunded;
  }
}

TEST(AccessRules, ACancellationAtASetTimeEndsAccessThen) {
  auto s = sub("active", kNow + 30 * kDay);
  s.cancel_at = kNow + 5 * kDay;
  EXPECT_EQ(billing::access_until(s, 3), kNow + 5 * kDay);
}

TEST(AccessRules, GraceDaysCount) {
  auto s = sub("past_due", kNow - kDay);
  EXPECT_EQ(billing::access_until(s, 0), kNow - kDay);
  EXPECT_EQ(billing::access_until(s, 7), kNow + 6 * kDay);
}

TEST(AccessRules, StandingNamesWhatTheReaderSees) {
  auto s = sub("active", kNow + kDay);
  EXPECT_EQ(billing::standing(s, 3, kNow).code, "renews");
  s.cancel_at_period_end = true;
  EXPECT_EQ(billing::standing(s, 3, kNow).code, "cancels");
  s = sub("past_due", kNow - kDay);
  EXPECT_EQ(billing::standing(s, 3, kNow).code, "past_due");
  EXPECT_EQ(*billing::standing(s, 3, kNow).date, kNow + 2 * kDay);
  s = sub("past_due", kNow - 4 * kDay);
  EXPECT_EQ(billing::standing(s, 3, kNow).code, "ended");
  s = sub("incomplete", kNow + kDay);
  EXPECT_EQ(billing::standing(s, 3, kNow).code, "incomplete");
  s = sub("canceled", kNow + kDay);
  EXPECT_EQ(billing::standing(s, 3, kNow).code, "ended");
}

TEST(FormEncoding, AsStripeExpects) {
  EXPECT_EQ(billing::form_encode({{"mode", "subscription"},
                                  {"line_items[0][price]", "price_1"},
                                  {"success_url", "https://x.test/r?session_id={CHECKOUT_SESSION_ID}"},
                                  {"customer_email", "a+b@example.org"}}),
            "mode=subscription&line_items%5B0%5D%5Bprice%5D=price_1&success_url=https%3A%2F%2Fx."
            "test%2Fr%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D&customer_email=a%2Bb%40example.org");
}

}  // namespace
