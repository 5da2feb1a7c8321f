// Paid subscriptions through Stripe: Checkout to buy (plans, group plans, gifts), the
// customer portal to manage, webhooks and a daily sync to keep our mirror of Stripe's
// state, and the access that state grants (rules.h), seats and gifts on top.
//
// Every change of access is made from Stripe's current state, fetched from its API
// (GET /v1/subscriptions/{id}), never from an event's copy: events arrive late, twice
// and out of order, and an older one must never undo a newer state. Mail that must go
// once (welcome, payment failed, cancellation, gift) is claimed in the store first.
// Thread-safe: request threads and the scheduler share one service.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/member.h"
#include "billing/model.h"
#include "billing/rules.h"
#include "billing/stripe_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "mail/mailer.h"
#include "store/billing_store.h"
#include "store/store.h"

namespace billing {

class BillingService {
 public:
  // For analytics and webhooks: `kind` is "paid" (a subscription started paying),
  // "cancellation", "ended" or "gift"; `from` the page the reader came from when they went
  // to Checkout ("" unknown); `member_id` whose subscription it is (the buyer, for gifts).
  using Counter = std::function<void(const std::string& kind, const std::string& from,
                                     long long member_id)>;

  // `api` may be null when billing is not configured.
  BillingService(store::BillingStore& store, store::MemberStore& members, mail::Mailer& mailer,
                 const core::Clock& clock, const core::Config& config,
                 std::unique_ptr<StripeApi> api, Counter count = {});

  // Stripe keys are configured: readers can pay.
  bool enabled() const { return api_ != nullptr; }
  const core::Config::Plan* plan(const std::string& id) const;
  const core::Config::GiftPlan* gift_plan(int months) const;

  // A Checkout Session (mode=subscription) for `plan_id`; returns its url. `browser`
  // identifies the browser that asks (a hash of its session), `next` the page it came from.
  core::Result<std::string> start_checkout(const accounts::Member& m, const std::string& plan_id,
                                           const std::string& next, const std::string& browser);
  struct GiftOrder {
    int months = 0;
    std::string recipient_email, recipient_name, message;
    core::UnixTime deliver_at = 0;
  };
  // A Checkout Session (mode=payment) for a gift; returns its url.
  core::Result<std::string> start_gift_checkout(const accounts::Member& buyer, const GiftOrder& o,
                                                const std::string& browser);

  // What the success page shows for a Checkout Session.
  struct Return {
    std::string state;  // "active", "confirming", "unpaid", "gift"
    Checkout checkout;
    bool same_browser = false;
    std::optional<core::UnixTime> until;
  };
  core::Result<Return> checkout_return(const std::string& session_id, const std::string& browser);

  // A customer portal session for the member; returns its url (kNotFound: never paid).
  core::Result<std::string> portal_url(const accounts::Member& m);

  // POST /billing/stripe/webhook: the HTTP status and a short word for the answer.
  struct WebhookAnswer {
    int status = 200;
    std::string message;
  };
  WebhookAnswer handle_webhook(std::string_view signature_header, std::string_view body);

  // Pages through every subscription in Stripe and repairs our mirror.
  struct SyncReport {
    int seen = 0;
    std::vector<std::string> changes;  // one line each
  };
  core::Result<SyncReport> sync(bool dry_run);

  // Group seats: the owner of a live group subscription invites up to seats − 1 people.
  core::Result<Seat> invite_seat(const accounts::Member& owner, const std::string& email);
  core::Result<void> remove_seat(const accounts::Member& owner, long long seat_id);
  std::optional<Seat> peek_seat(const std::string& token);
  core::Result<Seat> accept_seat(const std::string& token, const accounts::Member& m);

  std::optional<Gift> peek_gift(const std::string& token);
  core::Result<Gift> redeem_gift(const std::string& token, const accounts::Member& m);

  // Periodic work (the server calls it every minute): gifts due to be delivered, reminders
  // before access ends for a failed payment. Returns how many mails went out.
  int tick();

  // Everything the account page shows about billing.
  struct Account {
    std::optional<Subscription> current;  // the most relevant one (live first, then newest)
    Standing standing;
    const core::Config::Plan* plan = nullptr;
    bool can_manage = false;  // has a Stripe customer: "Manage billing"
    int seat_limit = 0;       // group owner: invitable seats (quantity − 1)
    std::vector<Seat> seats;
    std::optional<Seat> held_seat;  // a seat in someone else's group
    std::string group_owner;        // that group's owner's address
    bool group_live = false;
    std::vector<Payment> payments;
    std::vector<Gift> gifts_bought;
  };
  Account account(const accounts::Member& m);

  // The back office.
  struct Status {
    bool enabled = false;
    bool webhook_secret_set = false;
    std::string key_hint;  // the last four characters of the secret key
    std::vector<EventRecord> recent, failed;
  };
  Status status();
  std::vector<Subscription> subscriptions() { return store_.all_subscriptions(); }
  std::vector<Payment> payments() { return store_.all_payments(); }
  store::BillingStore& store() { return store_; }

 private:
  // Fetches subscription `id` from Stripe and stores what it now is; `member_hint` when
  // the caller knows the member (a Checkout we started). Returns a result word.
  core::Result<std::string> refresh_subscription(const std::string& id,
                                                 std::optional<long long> member_hint);
  core::Result<std::string> apply_subscription(const nlohmann::json& sub,
                                               std::optional<long long> member_hint,
                                               bool dry_run, std::string* change);
  core::Result<std::string> on_event(const nlohmann::json& event);
  core::Result<std::string> on_checkout_completed(const nlohmann::json& session);
  core::Result<std::string> on_invoice(const nlohmann::json& invoice, bool paid);
  core::Result<std::string> on_refund(const nlohmann::json& charge);
  std::optional<long long> member_for_customer(const std::string& customer,
                                               const nlohmann::json& metadata);
  void notify_changes(const std::optional<Subscription>& before, const Subscription& after);
  void mail(long long member_id, const std::string& subject, const std::string& text);
  void mail_to(const std::string& to, const std::string& subject, const std::string& text);
  std::string date(core::UnixTime t) const;
  std::string idempotency_key(std::string_view what) const;

  store::BillingStore& store_;
  store::MemberStore& members_;
  mail::Mailer& mailer_;
  const core::Clock& clock_;
  const core::Config& config_;
  std::unique_ptr<StripeApi> api_;
  Counter count_;
  std::string base_url_;
};

// An opaque identifier of a browser for Checkout: a hash of its session token.
std::string browser_id(std::string_view session_token);

}  // namespace billing
