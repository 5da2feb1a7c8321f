// Billing's storage: the mirror of Stripe's subscriptions and payments, group seats,
// gifts, webhook events and one-time notices. Every write that can change what a reader
// may read recomputes members.paid_until in the same transaction (the larger of the
// member's own subscriptions, the group seat they hold, and gifts they redeemed), so the
// paywall keeps reading one column. Same threading and error rules as store/store.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "billing/model.h"
#include "core/clock.h"
#include "core/result.h"

namespace store {

class BillingStore {
 public:
  virtual ~BillingStore() = default;

  // Stripe customers (one per member, created by Checkout or by us).
  virtual std::optional<std::string> customer_of(long long member_id) = 0;
  virtual std::optional<long long> member_of_customer(const std::string& customer_id) = 0;
  // kConflict when the customer already belongs to another member.
  virtual core::Result<void> link_customer(long long member_id, const std::string& customer_id) = 0;

  virtual core::Result<void> record_checkout(const billing::Checkout& c) = 0;
  virtual std::optional<billing::Checkout> find_checkout(const std::string& session_id) = 0;
  // The member's latest Checkout of that kind ("subscription", "gift").
  virtual std::optional<billing::Checkout> latest_checkout(long long member_id,
                                                           const std::string& kind) = 0;

  virtual std::optional<billing::Subscription> find_subscription(const std::string& id) = 0;
  virtual std::vector<billing::Subscription> subscriptions_of(long long member_id) = 0;
  virtual std::vector<billing::Subscription> all_subscriptions() = 0;
  // Creates or replaces the row and recomputes access for its owner and seat holders.
  virtual core::Result<void> save_subscription(const billing::Subscription& s) = 0;

  virtual core::Result<void> record_payment(const billing::Payment& p) = 0;
  virtual std::vector<billing::Payment> payments_of(long long member_id) = 0;
  virtual std::vector<billing::Payment> all_payments() = 0;
  // The payment a refund is for, by payment intent.
  virtual std::optional<billing::Payment> payment_by_intent(const std::string& payment_intent) = 0;
  virtual core::Result<void> set_refunded(const std::string& payment_id, long long amount) = 0;

  // Group seats. add_seat refuses (kConflict) beyond quantity − 1 live seats or a second
  // seat for one address.
  virtual core::Result<billing::Seat> add_seat(const std::string& subscription_id,
                                               const std::string& email,
                                               const std::string& token_hash, int limit,
                                               core::UnixTime now) = 0;
  // Takes the seat named by the invitation link for `member_id` (kNotFound: no such live
  // invitation; kConflict: already taken by someone else).
  virtual core::Result<billing::Seat> accept_seat(const std::string& token_hash,
                                                  long long member_id, core::UnixTime now) = 0;
  virtual std::optional<billing::Seat> seat_by_token(const std::string& token_hash) = 0;
  virtual core::Result<void> remove_seat(const std::string& subscription_id, long long seat_id,
                                         core::UnixTime now) = 0;
  virtual std::vector<billing::Seat> seats_of(const std::string& subscription_id) = 0;
  // The live seat a member holds in someone's group, if any.
  virtual std::optional<billing::Seat> seat_held_by(long long member_id) = 0;

  // Gifts.
  virtual core::Result<long long> create_gift(const billing::Gift& g, const std::string& token_hash) = 0;
  virtual std::optional<billing::Gift> gift_by_session(const std::string& session_id) = 0;
  virtual std::optional<billing::Gift> gift_by_token(const std::string& token_hash) = 0;
  virtual std::vector<billing::Gift> gifts_bought_by(long long member_id) = 0;
  // Marks the gift paid (once; false when it already was).
  virtual core::Result<bool> mark_gift_paid(const std::string& session_id,
                                            const std::string& payment_intent,
                                            core::UnixTime now) = 0;
  // Paid, not refunded, not yet sent, due by `now`.
  virtual std::vector<billing::Gift> gifts_due(core::UnixTime now) = 0;
  // Replaces the gift's redeem token (a new link for the mail) and marks it sent; false
  // when another sender got there first.
  virtual core::Result<bool> mark_gift_sent(long long gift_id, const std::string& token_hash,
                                            core::UnixTime now) = 0;
  // Adds the gift's months to `member_id`'s access, starting where their access (paid or
  // complimentary) ends, or now. kNotFound / kConflict (already redeemed or refunded).
  virtual core::Result<billing::Gift> redeem_gift(const std::string& token_hash,
                                                  long long member_id, core::UnixTime now) = 0;
  virtual core::Result<void> refund_gift(long long gift_id) = 0;

  // Webhook events: the last outcome by id (nullopt: never seen).
  virtual std::optional<std::string> event_result(const std::string& event_id) = 0;
  virtual core::Result<void> record_event(const billing::EventRecord& e) = 0;
  virtual std::vector<billing::EventRecord> recent_events(int limit, bool failed_only) = 0;

  // True the first time `key` is claimed: a mail or change that must happen once.
  virtual core::Result<bool> claim_notice(const std::string& key, core::UnixTime now) = 0;
};

}  // namespace store
