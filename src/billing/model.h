// The billing model: our record of what Stripe holds (subscriptions, payments), the
// group seats and gifts built on it, and the webhook events received. Plain values.
// Stripe is the authority for money; these rows are a mirror refreshed from it, and the
// access they grant is computed by billing::access_until (rules.h).
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"

namespace billing {

struct Subscription {
  std::string id;  // sub_…
  long long member_id = 0;
  std::string customer_id;
  std::string plan_id;   // ours, from the price; "" when the price is not a configured plan
  std::string price_id;  // Stripe's
  std::string status;    // Stripe's: active, trialing, past_due, unpaid, canceled, …
  int quantity = 1;      // seats for a group plan
  core::UnixTime period_end = 0;  // the latest items.data[].current_period_end
  bool cancel_at_period_end = false;
  std::optional<core::UnixTime> cancel_at;
  std::optional<core::UnixTime> ended_at;
  // A full refund of the payment for the current period: access ends at once.
  std::optional<core::UnixTime> refunded_at;
  long long unit_amount = 0;  // minor units, for MRR
  std::string currency;
  std::string interval;  // "month", "year"
  core::UnixTime created = 0;
  // What Stripe's state grants (rules.h), stored so the store can compute members'
  // access in SQL; nullopt: nothing.
  std::optional<core::UnixTime> access_until;
  core::UnixTime updated_at = 0;
};

struct Payment {
  std::string id;  // in_… (a subscription invoice) or cs_… (a gift's Checkout Session)
  long long member_id = 0;
  std::string subscription_id;  // "" for a gift
  std::string payment_intent;   // pi_…, to match refunds
  std::string kind;             // "invoice" or "gift"
  long long amount = 0;         // minor units
  std::string currency;
  long long refunded = 0;
  std::string url;  // the hosted invoice, when Stripe gives one
  core::UnixTime paid_at = 0;
};

struct Seat {
  long long id = 0;
  std::string subscription_id;
  std::string email;
  std::optional<long long> member_id;  // set on acceptance
  core::UnixTime invited_at = 0;
  std::optional<core::UnixTime> accepted_at;
};

struct Gift {
  long long id = 0;
  std::string checkout_session;  // cs_…
  long long buyer_id = 0;
  std::string recipient_email;
  std::string recipient_name;
  std::string message;
  int months = 0;
  core::UnixTime deliver_at = 0;  // when the recipient is mailed
  std::string payment_intent;
  std::optional<core::UnixTime> paid_at;
  std::optional<core::UnixTime> sent_at;
  std::optional<long long> redeemed_by;
  std::optional<core::UnixTime> redeemed_at;
  core::UnixTime starts_at = 0, ends_at = 0;  // once redeemed
  bool refunded = false;
};

// Who started a Checkout Session, so the return page can tell that browser from others.
struct Checkout {
  std::string session_id;  // cs_…
  long long member_id = 0;
  std::string kind;  // "subscription" or "gift"
  std::string plan_id;
  std::string browser;  // hash of the browser's session token at the start
  std::string next;     // the page the reader came from
  core::UnixTime created_at = 0;
};

struct EventRecord {
  std::string id;  // evt_…
  std::string type;
  std::string result;  // "ok", "ignored: …", "unknown customer", "failed: …"
  core::UnixTime received_at = 0;
};

}  // namespace billing
