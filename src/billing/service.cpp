#include "billing/service.h"

#include <algorithm>
#include <cstdio>

#include "billing/signature.h"
#include "billing/stripe_objects.h"
#include "core/crypto.h"
#include "core/time.h"

namespace billing {

using accounts::Member;
using core::ErrorCode;
using nlohmann::json;

namespace {

using stripe::field;
using stripe::member_id_from;
using stripe::num;
using stripe::read_subscription;
using stripe::str;

core::UnixTime opt_time_or(const json& j, const char* key, core::UnixTime fallback) {
  return stripe::opt_num(j, key).value_or(fallback);
}

bool is_stripe_id(std::string_view id, std::string_view prefix) { return stripe::is_id(id, prefix); }

std::string money(long long minor, const std::string& currency) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%02lld %s", minor / 100, minor % 100, currency.c_str());
  std::string out = buf;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string browser_id(std::string_view session_token) {
  return session_token.empty() ? std::string() : core::token_hash(session_token);
}

BillingService::BillingService(store::BillingStore& store, store::MemberStore& members,
                               mail::Mailer& mailer, const core::Clock& clock,
                               const core::Config& config, std::unique_ptr<StripeApi> api,
                               Counter count)
    : store_(store), members_(members), mailer_(mailer), clock_(clock), config_(config),
      api_(std::move(api)), count_(std::move(count)), base_url_(config.base_url()) {}

const core::Config::Plan* BillingService::plan(const std::string& id) const {
  for (const auto& p : config_.plans) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const core::Config::GiftPlan* BillingService::gift_plan(int months) const {
  for (const auto& g : config_.gifts) {
    if (g.months == months) return &g;
  }
  return nullptr;
}

std::string BillingService::idempotency_key(std::string_view what) const {
  return "meridian-" + std::string(what) + "-" + core::random_token(18);
}

std::string BillingService::date(core::UnixTime t) const {
  return core::format_long_date(t, config_.timezone);
}

core::Result<std::string> BillingService::start_checkout(const Member& m,
                                                         const std::string& plan_id,
                                                         const std::string& next,
                                                         const std::string& browser) {
  if (!api_) return core::fail(ErrorCode::kForbidden, "payments are not set up here");
  const auto* p = plan(plan_id);
  if (!p) return core::fail(ErrorCode::kInvalidInput, "there is no such plan");
  if (p->stripe_price.empty()) {
    return core::fail(ErrorCode::kInvalidInput, "this plan cannot be bought online");
  }
  for (const auto& s : store_.subscriptions_of(m.id)) {
    auto until = access_until(s, config_.billing_grace_days);
    if (until && *until > clock_.now() && !s.cancel_at_period_end) {
      return core::fail(ErrorCode::kConflict,
                        "you already have a subscription; change it with Manage billing on "
                        "your account page");
    }
  }
  Form form = {{"mode", "subscription"},
               {"line_items[0][price]", p->stripe_price},
               {"line_items[0][quantity]", std::to_string(p->seats > 0 ? p->seats : 1)},
               {"success_url", base_url_ + "/billing/return?session_id={CHECKOUT_SESSION_ID}"},
               {"cancel_url", base_url_ + "/subscribe?canceled=1"},
               {"client_reference_id", std::to_string(m.id)},
               {"metadata[member_id]", std::to_string(m.id)},
               {"metadata[kind]", "subscription"},
               {"metadata[plan]", p->id},
               {"subscription_data[metadata][member_id]", std::to_string(m.id)},
               {"subscription_data[metadata][plan]", p->id}};
  if (auto customer = store_.customer_of(m.id)) {
    form.emplace_back("customer", *customer);
  } else {
    form.emplace_back("customer_email", m.email);
  }
  auto session = api_->post("/v1/checkout/sessions", form, idempotency_key("checkout"));
  if (!session) return std::unexpected(session.error());
  std::string id = str(*session, "id");
  std::string url = str(*session, "url");
  if (!is_stripe_id(id, "cs_") || url.empty()) {
    return core::fail(ErrorCode::kUnavailable, "Stripe answered without a Checkout Session");
  }
  if (auto saved = store_.record_checkout({id, m.id, "subscription", p->id, browser, next,
                                           clock_.now()});
      !saved) {
    return std::unexpected(saved.error());
  }
  return url;
}

core::Result<std::string> BillingService::start_gift_checkout(const Member& buyer,
                                                              const GiftOrder& o,
                                                              const std::string& browser) {
  if (!api_) return core::fail(ErrorCode::kForbidden, "payments are not set up here");
  const auto* g = gift_plan(o.months);
  if (!g || g->stripe_price.empty()) {
    return core::fail(ErrorCode::kInvalidInput, "there is no gift of that length");
  }
  if (!accounts::plausible_email(o.recipient_email)) {
    return core::fail(ErrorCode::kInvalidInput, "the recipient's address does not look right");
  }
  if (o.message.size() > 1000 || o.recipient_name.size() > 200) {
    return core::fail(ErrorCode::kInvalidInput, "the message is too long (1,000 characters)");
  }
  core::UnixTime now = clock_.now();
  if (o.deliver_at > now + 366 * 86400) {
    return core::fail(ErrorCode::kInvalidInput, "choose a delivery date within a year");
  }
  Form form = {{"mode", "payment"},
               {"line_items[0][price]", g->stripe_price},
               {"line_items[0][quantity]", "1"},
               {"success_url", base_url_ + "/billing/return?session_id={CHECKOUT_SESSION_ID}"},
               {"cancel_url", base_url_ + "/subscribe?canceled=1"},
               {"client_reference_id", std::to_string(buyer.id)},
               {"metadata[member_id]", std::to_string(buyer.id)},
               {"metadata[kind]", "gift"},
               {"metadata[gift_months]", std::to_string(o.months)}};
  if (auto customer = store_.customer_of(buyer.id)) {
    form.emplace_back("customer", *customer);
  } else {
    form.emplace_back("customer_email", buyer.email);
  }
  auto session = api_->post("/v1/checkout/sessions", form, idempotency_key("gift"));
  if (!session) return std::unexpected(session.error());
  std::string id = str(*session, "id");
  std::string url = str(*session, "url");
  if (!is_stripe_id(id, "cs_") || url.empty()) {
    return core::fail(ErrorCode::kUnavailable, "Stripe answered without a Checkout Session");
  }
  Gift gift;
  gift.checkout_session = id;
  gift.buyer_id = buyer.id;
  gift.recipient_email = accounts::normalize_email(o.recipient_email);
  gift.recipient_name = o.recipient_name;
  gift.message = o.message;
  gift.months = o.months;
  gift.deliver_at = std::max(o.deliver_at, now);
  // The redeem token is made when the gift is delivered; until then an unusable one.
  if (auto made = store_.create_gift(gift, core::token_hash(core::random_token())); !made) {
    return std::unexpected(made.error());
  }
  if (auto saved = store_.record_checkout({id, buyer.id, "gift", std::to_string(o.months),
                                           browser, "/account", now});
      !saved) {
    return std::unexpected(saved.error());
  }
  return url;
}

core::Result<BillingService::Return> BillingService::checkout_return(const std::string& session_id,
                                                                     const std::string& browser) {
  if (!is_stripe_id(session_id, "cs_")) {
    return core::fail(ErrorCode::kNotFound, "this payment is not one we know");
  }
  auto checkout = store_.find_checkout(session_id);
  if (!checkout) return core::fail(ErrorCode::kNotFound, "this payment is not one we know");
  Return r;
  r.checkout = *checkout;
  r.same_browser = !browser.empty() && core::constant_time_equal(browser, checkout->browser);
  core::UnixTime now = clock_.now();
  if (checkout->kind == "gift") {
    auto gift = store_.gift_by_session(session_id);
    if (gift && gift->paid_at) {
      r.state = "gift";
      r.until = gift->deliver_at;
      return r;
    }
  } else {
    auto member = members_.find_member(checkout->member_id);
    for (const auto& s : store_.subscriptions_of(checkout->member_id)) {
      if (s.access_until && *s.access_until > now && member && member->subscribed(now)) {
        r.state = "active";
        r.until = member->access_until();
        return r;
      }
    }
  }
  // The webhook has not told us yet: ask Stripe whether the payment went through.
  if (!api_) return core::fail(ErrorCode::kUnavailable, "payments are not set up here");
  auto session = api_->get("/v1/checkout/sessions/" + session_id);
  if (!session) return std::unexpected(session.error());
  std::string status = str(*session, "status");
  std::string paid = str(*session, "payment_status");
  r.state = status == "complete" && (paid == "paid" || paid == "no_payment_required")
                ? "confirming"
                : "unpaid";
  return r;
}

core::Result<std::string> BillingService::portal_url(const Member& m) {
  if (!api_) return core::fail(ErrorCode::kForbidden, "payments are not set up here");
  auto customer = store_.customer_of(m.id);
  if (!customer) return core::fail(ErrorCode::kNotFound, "you have no payments to manage");
  auto session = api_->post("/v1/billing_portal/sessions",
                            {{"customer", *customer}, {"return_url", base_url_ + "/account"}},
                            idempotency_key("portal"));
  if (!session) return std::unexpected(session.error());
  std::string url = str(*session, "url");
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return core::fail(ErrorCode::kUnavailable, "Stripe answered without a portal address");
  }
  return url;
}

BillingService::WebhookAnswer BillingService::handle_webhook(std::string_view signature_header,
                                                             std::string_view body) {
  core::UnixTime now = clock_.now();
  auto check = verify_signature(signature_header, body, config_.stripe_webhook_secrets, now);
  if (check != SignatureCheck::kValid) return {400, to_string(check)};
  json event = json::parse(body, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return {400, "not a JSON object"};
  std::string id = str(event, "id");
  std::string type = str(event, "type");
  if (!is_stripe_id(id, "evt_") || type.empty()) return {400, "not a Stripe event"};
  if (auto seen = store_.event_result(id); seen && !seen->starts_with("failed")) {
    return {200, "duplicate"};
  }
  auto result = on_event(event);
  EventRecord record{id, type, result ? *result : "failed: " + result.error().message, now};
  (void)store_.record_event(record);
  if (!result) {
    std::fprintf(stderr, "meridian: billing: event %s (%s) failed: %s\n", id.c_str(),
                 type.c_str(), result.error().message.c_str());
    // Stripe retries what was not acknowledged.
    return {result.error().code == ErrorCode::kUnavailable ? 503 : 500, "failed"};
  }
  if (result->starts_with("unknown customer")) {
    std::fprintf(stderr, "meridian: billing: event %s (%s) names a customer we do not know; kept "
                 "for reconciliation (meridian billing sync)\n", id.c_str(), type.c_str());
  }
  return {200, *result};
}

core::Result<std::string> BillingService::on_event(const json& event) {
  if (!api_) return std::string("ignored: payments not set up");
  std::string type = str(event, "type");
  const json& object = field(field(event, "data"), "object");
  if (type == "checkout.session.completed" || type == "checkout.session.async_payment_succeeded") {
    return on_checkout_completed(object);
  }
  if (type.starts_with("customer.subscription.")) {
    std::string id = str(object, "id");
    if (!is_stripe_id(id, "sub_")) return std::string("ignored: no subscription");
    return refresh_subscription(id, std::nullopt);
  }
  if (type == "invoice.paid" || type == "invoice.payment_succeeded") return on_invoice(object, true);
  if (type == "invoice.payment_failed") return on_invoice(object, false);
  if (type == "charge.refunded") return on_refund(object);
  return std::string("ignored: " + type);
}

std::optional<long long> BillingService::member_for_customer(const std::string& customer,
                                                             const json& metadata) {
  if (!customer.empty()) {
    if (auto id = store_.member_of_customer(customer)) return id;
  }
  // Our own metadata on objects we created through Checkout.
  if (auto id = member_id_from(metadata)) {
    if (members_.find_member(*id)) {
      if (!customer.empty()) {
        if (!store_.link_customer(*id, customer)) return std::nullopt;
      }
      return id;
    }
  }
  return std::nullopt;
}

core::Result<std::string> BillingService::on_checkout_completed(const json& session) {
  std::string session_id = str(session, "id");
  auto checkout = store_.find_checkout(session_id);
  std::string customer = str(session, "customer");
  std::optional<long long> member;
  if (checkout) {
    member = checkout->member_id;
    if (!customer.empty()) {
      if (auto linked = store_.link_customer(*member, customer); !linked) {
        // Acknowledged, not retried for ever: kept in the failed events for a human.
        if (linked.error().code == ErrorCode::kConflict) {
          return std::string("unknown customer: " + customer + " belongs to another member");
        }
        return std::unexpected(linked.error());
      }
    }
  } else {
    member = member_for_customer(customer, field(session, "metadata"));
  }
  if (!member) return std::string("unknown customer");
  if (str(session, "mode") == "payment") {
    // A gift: ask Stripe whether it is paid (the event may be stale).
    auto fresh = api_->get("/v1/checkout/sessions/" + session_id);
    if (!fresh) return std::unexpected(fresh.error());
    if (str(*fresh, "payment_status") != "paid") return std::string("ignored: not paid yet");
    auto gift = store_.gift_by_session(session_id);
    if (!gift) return std::string("ignored: not a gift we sold");
    auto first = store_.mark_gift_paid(session_id, str(*fresh, "payment_intent"), clock_.now());
    if (!first) return std::unexpected(first.error());
    if (*first) {
      if (count_) count_("gift", "", *member);
      Payment p{session_id, *member, "", str(*fresh, "payment_intent"), "gift",
                num(*fresh, "amount_total"), str(*fresh, "currency"), 0, "", clock_.now()};
      (void)store_.record_payment(p);
      mail(*member, "Your gift of " + config_.site_name,
           "Thank you. Your gift of " + std::to_string(gift->months) + " months of All-Access is "
           "paid for. We will send it to " + gift->recipient_email + " on " +
           date(gift->deliver_at) + ".\n\nReceipt: " + money(p.amount, p.currency) + "\n");
      tick();  // a gift for today goes out now
    }
    return std::string("ok");
  }
  std::string sub = str(session, "subscription");
  if (!is_stripe_id(sub, "sub_")) return std::string("ignored: no subscription yet");
  return refresh_subscription(sub, member);
}

core::Result<std::string> BillingService::on_invoice(const json& invoice, bool paid) {
  // Since 2025 the subscription is under parent.subscription_details; before, at the top.
  std::string sub = str(field(field(invoice, "parent"), "subscription_details"), "subscription");
  if (sub.empty()) sub = str(invoice, "subscription");
  if (!is_stripe_id(sub, "sub_")) return std::string("ignored: not a subscription invoice");
  std::string invoice_id = str(invoice, "id");
  auto result = refresh_subscription(sub, std::nullopt);
  if (!result || result->starts_with("unknown customer")) return result;
  auto s = store_.find_subscription(sub);
  if (!s) return result;
  core::UnixTime now = clock_.now();
  if (paid) {
    // The invoice as Stripe has it now, and the payment intent it was paid with (refunds
    // name the payment intent only).
    auto fresh = api_->get("/v1/invoices/" + invoice_id);
    if (!fresh) return std::unexpected(fresh.error());
    if (str(*fresh, "status") != "paid") return std::string("ignored: invoice not paid");
    std::string intent = str(*fresh, "payment_intent");
    if (intent.empty()) {
      auto payments = api_->get("/v1/invoice_payments", {{"invoice", invoice_id}, {"limit", "10"}});
      if (!payments) return std::unexpected(payments.error());
      for (const auto& ip : field(*payments, "data")) {
        if (str(ip, "status") == "paid" || intent.empty()) {
          intent = str(field(ip, "payment"), "payment_intent");
        }
      }
    }
    core::UnixTime paid_at = opt_time_or(field(*fresh, "status_transitions"), "paid_at", now);
    Payment p{invoice_id, s->member_id, sub, intent, "invoice", num(*fresh, "amount_paid"),
              str(*fresh, "currency"), 0, str(*fresh, "hosted_invoice_url"), paid_at};
    if (auto saved = store_.record_payment(p); !saved) return std::unexpected(saved.error());
    // A payment after a refund starts access again (the refund was for an older period).
    if (s->refunded_at && num(*fresh, "created") > *s->refunded_at) {
      s->refunded_at.reset();
      s->access_until = access_until(*s, config_.billing_grace_days);
      if (auto saved = store_.save_subscription(*s); !saved) return std::unexpected(saved.error());
    }
    if (p.amount > 0) {
      if (auto first = store_.claim_notice("receipt:" + invoice_id, now); first && *first) {
        mail(s->member_id, "Receipt from " + config_.site_name,
             "Thank you for your payment of " + money(p.amount, p.currency) + "." +
                 (p.url.empty() ? std::string() : "\n\nYour invoice: " + p.url) +
                 "\n\nYour account: " + base_url_ + "/account\n");
      }
    }
    return result;
  }
  if (auto first = store_.claim_notice("failed:" + invoice_id, now); first && *first) {
    std::string until = s->access_until ? date(*s->access_until) : std::string("now");
    mail(s->member_id, "Your payment to " + config_.site_name + " did not go through",
         "We could not take the payment for your All-Access subscription.\n\nPlease update your "
         "card on Stripe's secure page:\n\n" + base_url_ +
             "/account/billing\n\nYou keep reading until " + until + ".\n");
  }
  return result;
}

core::Result<std::string> BillingService::on_refund(const json& event_charge) {
  // The charge as Stripe has it now: refunds add up, and their events may arrive late.
  std::string charge_id = str(event_charge, "id");
  if (!is_stripe_id(charge_id, "ch_") && !is_stripe_id(charge_id, "py_")) {
    return std::string("ignored: not a charge");
  }
  auto fresh = api_->get("/v1/charges/" + charge_id);
  if (!fresh) {
    if (fresh.error().code == ErrorCode::kNotFound) return std::string("ignored: no such charge");
    return std::unexpected(fresh.error());
  }
  const json& charge = *fresh;
  long long amount = num(charge, "amount");
  long long refunded = num(charge, "amount_refunded");
  std::string intent = str(charge, "payment_intent");
  auto payment = store_.payment_by_intent(intent);
  if (!payment) {
    // Older API versions name the invoice on the charge.
    if (auto in = str(charge, "invoice"); !in.empty()) {
      for (const auto& p : store_.all_payments()) {
        if (p.id == in) payment = p;
      }
    }
  }
  if (!payment) return std::string("ignored: a payment we did not record");
  if (auto saved = store_.set_refunded(payment->id, refunded); !saved) {
    return std::unexpected(saved.error());
  }
  if (refunded < amount || amount <= 0) return std::string("ok: partial refund");
  core::UnixTime now = clock_.now();
  if (payment->kind == "gift") {
    if (auto gift = store_.gift_by_session(payment->id)) {
      if (auto done = store_.refund_gift(gift->id); !done) return std::unexpected(done.error());
    }
    return std::string("ok");
  }
  auto s = store_.find_subscription(payment->subscription_id);
  if (!s) return std::string("ignored: unknown subscription");
  // Only the payment for the current period ends access; refunding an older one does not.
  std::optional<Payment> latest;
  for (const auto& p : store_.payments_of(s->member_id)) {
    if (p.subscription_id == s->id && (!latest || p.paid_at > latest->paid_at)) latest = p;
  }
  if (!latest || latest->id != payment->id) return std::string("ok: an older period refunded");
  auto before = s;
  s->refunded_at = now;
  s->access_until = access_until(*s, config_.billing_grace_days);
  s->updated_at = now;
  if (auto saved = store_.save_subscription(*s); !saved) return std::unexpected(saved.error());
  notify_changes(before, *s);
  return std::string("ok");
}

core::Result<std::string> BillingService::refresh_subscription(
    const std::string& id, std::optional<long long> member_hint) {
  auto sub = api_->get("/v1/subscriptions/" + id);
  if (!sub) {
    if (sub.error().code == ErrorCode::kNotFound) return std::string("ignored: no such subscription");
    return std::unexpected(sub.error());
  }
  return apply_subscription(*sub, member_hint, false, nullptr);
}

core::Result<std::string> BillingService::apply_subscription(const json& j,
                                                             std::optional<long long> member_hint,
                                                             bool dry_run, std::string* change) {
  Subscription s;
  s.id = str(j, "id");
  if (!is_stripe_id(s.id, "sub_")) return std::string("ignored: not a subscription");
  s.customer_id = str(j, "customer");
  auto before = store_.find_subscription(s.id);
  std::optional<long long> member = member_hint;
  if (!member && before) member = before->member_id;
  if (!member) member = member_for_customer(s.customer_id, field(j, "metadata"));
  if (!member) return std::string("unknown customer");
  if (member_hint && !s.customer_id.empty() && !dry_run) {
    if (auto linked = store_.link_customer(*member, s.customer_id); !linked) {
      if (linked.error().code == ErrorCode::kConflict) {
        return std::string("unknown customer: " + s.customer_id + " belongs to another member");
      }
      return std::unexpected(linked.error());
    }
  }
  s.member_id = *member;
  read_subscription(j, s);
  for (const auto& p : config_.plans) {
    if (!p.stripe_price.empty() && p.stripe_price == s.price_id) s.plan_id = p.id;
  }
  if (before) s.refunded_at = before->refunded_at;
  s.access_until = access_until(s, config_.billing_grace_days);
  s.updated_at = clock_.now();
  bool changed = !before || before->status != s.status || before->period_end != s.period_end ||
                 before->access_until != s.access_until ||
                 before->cancel_at_period_end != s.cancel_at_period_end ||
                 before->quantity != s.quantity || before->member_id != s.member_id ||
                 before->price_id != s.price_id;
  if (change && changed) {
    auto show = [&](const std::optional<core::UnixTime>& t) {
      return t ? core::format_rfc3339(*t) : std::string("none");
    };
    auto m = members_.find_member(s.member_id);
    *change = s.id + " (" + (m ? m->email : "member " + std::to_string(s.member_id)) + "): " +
              (before ? before->status : std::string("missing")) + " -> " + s.status +
              ", access until " + show(before ? before->access_until : std::nullopt) + " -> " +
              show(s.access_until);
  }
  if (dry_run || !changed) return std::string(changed ? "changed" : "ok");
  if (auto saved = store_.save_subscription(s); !saved) return std::unexpected(saved.error());
  // Seats follow the quantity: beyond it, the newest invitations go.
  if (const auto* p = plan(s.plan_id); p && p->seats > 0) {
    auto seats = store_.seats_of(s.id);
    int limit = std::max(0, s.quantity - 1);
    for (int i = static_cast<int>(seats.size()) - 1; i >= limit; --i) {
      (void)store_.remove_seat(s.id, seats[static_cast<std::size_t>(i)].id, clock_.now());
    }
  }
  notify_changes(before, s);
  return std::string("ok");
}

void BillingService::notify_changes(const std::optional<Subscription>& before,
                                    const Subscription& after) {
  core::UnixTime now = clock_.now();
  bool live = after.access_until && *after.access_until > now;
  bool was_live = before && before->access_until && *before->access_until > now;
  if (live && (after.status == "active" || after.status == "trialing")) {
    if (auto first = store_.claim_notice("welcome:" + after.id, now); first && *first) {
      if (count_) {
        auto checkout = store_.latest_checkout(after.member_id, "subscription");
        count_("paid", checkout ? checkout->next : std::string(), after.member_id);
      }
      const auto* p = plan(after.plan_id);
      mail(after.member_id, "Welcome to " + config_.site_name + " All-Access",
           "Welcome, you now have All-Access" + (p ? " (" + p->name + ")" : std::string()) +
               ": every article, the full searchable library, and the Daily and Weekly "
               "Review.\n\nYour subscription renews on " + date(after.period_end) +
               ". Manage it from your account page: " + base_url_ + "/account\n");
    }
  }
  if (live && after.cancel_at_period_end && (!before || !before->cancel_at_period_end)) {
    if (auto first = store_.claim_notice(
            "cancel:" + after.id + ":" + std::to_string(after.period_end), now);
        first && *first) {
      if (count_) count_("cancellation", "", after.member_id);
      mail(after.member_id, "Your " + config_.site_name + " subscription is cancelled",
           "Your subscription is cancelled. You keep All-Access until " +
               date(*after.access_until) + ", and nothing more will be charged.\n\nChanged your "
               "mind? Renew from your account page: " + base_url_ + "/account\n");
    }
  }
  if (was_live && !live) {
    if (auto first = store_.claim_notice("ended:" + after.id + ":" +
                                             std::to_string(after.period_end), now);
        first && *first) {
      if (count_) count_("ended", "", after.member_id);
      mail(after.member_id, "Your " + config_.site_name + " subscription has ended",
           "Your All-Access subscription has ended" +
               std::string(after.refunded_at ? " (its payment was refunded)" : "") +
               ". You can still read your free articles each month.\n\nSubscribe again: " +
               base_url_ + "/subscribe\n");
    }
  }
}

void BillingService::mail(long long member_id, const std::string& subject,
                          const std::string& text) {
  if (auto m = members_.find_member(member_id)) mail_to(m->email, subject, text);
}

void BillingService::mail_to(const std::string& to, const std::string& subject,
                             const std::string& text) {
  mail::Message m;
  m.to = to;
  m.subject = subject;
  m.text = "Hello,\n\n" + text + "\n" + config_.site_name + "\n";
  if (auto sent = mailer_.send(m); !sent) {
    std::fprintf(stderr, "meridian: billing: mail to %s not sent: %s\n", to.c_str(),
                 sent.error().message.c_str());
  }
}

core::Result<BillingService::SyncReport> BillingService::sync(bool dry_run) {
  if (!api_) return core::fail(ErrorCode::kForbidden, "billing is not configured ([billing])");
  SyncReport report;
  std::string after;
  for (int page = 0; page < 10000; ++page) {
    Form query = {{"status", "all"}, {"limit", "100"}};
    if (!after.empty()) query.emplace_back("starting_after", after);
    auto list = api_->get("/v1/subscriptions", query);
    if (!list) return std::unexpected(list.error());
    const json& data = field(*list, "data");
    if (!data.is_array() || data.empty()) break;
    for (const auto& sub : data) {
      ++report.seen;
      std::string change;
      auto r = apply_subscription(sub, std::nullopt, dry_run, &change);
      if (!r) return std::unexpected(r.error());
      if (r->starts_with("unknown customer")) {
        report.changes.push_back(str(sub, "id") + ": customer " + str(sub, "customer") +
                                 " is not one of our members (left alone)");
      } else if (!change.empty()) {
        report.changes.push_back(change);
      }
      after = str(sub, "id");
    }
    if (!field(*list, "has_more").is_boolean() || !field(*list, "has_more").get<bool>()) break;
  }
  return report;
}

core::Result<Seat> BillingService::invite_seat(const Member& owner, const std::string& email) {
  std::string address = accounts::normalize_email(email);
  if (!accounts::plausible_email(address)) {
    return core::fail(ErrorCode::kInvalidInput, "that address does not look right");
  }
  if (address == owner.email) {
    return core::fail(ErrorCode::kInvalidInput, "your own seat is already yours");
  }
  auto acct = account(owner);
  if (!acct.current || !acct.plan || acct.plan->seats <= 0 || acct.standing.code == "ended") {
    return core::fail(ErrorCode::kForbidden, "you have no live group subscription");
  }
  std::string token = core::random_token();
  auto seat = store_.add_seat(acct.current->id, address, core::token_hash(token),
                              acct.seat_limit, clock_.now());
  if (!seat) return seat;
  mail_to(address, owner.email + " invited you to " + config_.site_name + " All-Access",
          owner.email + " has a group subscription to " + config_.site_name +
              " and invited you to take one of its seats: every article, the full searchable "
              "library, and the Daily and Weekly Review.\n\nAccept the invitation:\n\n" +
              base_url_ + "/billing/seats/accept?token=" + token + "\n");
  return seat;
}

core::Result<void> BillingService::remove_seat(const Member& owner, long long seat_id) {
  for (const auto& s : store_.subscriptions_of(owner.id)) {
    for (const auto& seat : store_.seats_of(s.id)) {
      if (seat.id == seat_id) return store_.remove_seat(s.id, seat_id, clock_.now());
    }
  }
  return core::fail(ErrorCode::kNotFound, "no such seat in your group");
}

std::optional<Seat> BillingService::peek_seat(const std::string& token) {
  if (token.empty()) return std::nullopt;
  return store_.seat_by_token(core::token_hash(token));
}

core::Result<Seat> BillingService::accept_seat(const std::string& token, const Member& m) {
  auto seat = peek_seat(token);
  if (!seat) return core::fail(ErrorCode::kNotFound, "this invitation is not valid any more");
  auto sub = store_.find_subscription(seat->subscription_id);
  if (!sub || !sub->access_until || *sub->access_until <= clock_.now()) {
    return core::fail(ErrorCode::kConflict, "the group subscription has ended");
  }
  if (sub->member_id == m.id) {
    return core::fail(ErrorCode::kInvalidInput, "this is your own group: you already read all");
  }
  return store_.accept_seat(core::token_hash(token), m.id, clock_.now());
}

std::optional<Gift> BillingService::peek_gift(const std::string& token) {
  if (token.empty()) return std::nullopt;
  auto g = store_.gift_by_token(core::token_hash(token));
  if (!g || !g->sent_at) return std::nullopt;
  return g;
}

core::Result<Gift> BillingService::redeem_gift(const std::string& token, const Member& m) {
  if (token.empty()) return core::fail(ErrorCode::kNotFound, "this gift link is not valid");
  return store_.redeem_gift(core::token_hash(token), m.id, clock_.now());
}

int BillingService::tick() {
  int sent = 0;
  core::UnixTime now = clock_.now();
  for (const auto& g : store_.gifts_due(now)) {
    std::string token = core::random_token();
    auto claimed = store_.mark_gift_sent(g.id, core::token_hash(token), now);
    if (!claimed || !*claimed) continue;
    std::string from = "Someone";
    if (auto buyer = members_.find_member(g.buyer_id)) from = buyer->email;
    mail_to(g.recipient_email, from + " sent you " + std::to_string(g.months) + " months of " +
                                   config_.site_name,
            (g.recipient_name.empty() ? std::string() : g.recipient_name + ",\n\n") + from +
                " has given you " + std::to_string(g.months) + " months of " + config_.site_name +
                " All-Access: every article, the full searchable library, and the Daily and "
                "Weekly Review." + (g.message.empty() ? std::string() : "\n\nTheir message:\n\n" +
                g.message) + "\n\nRedeem your gift:\n\n" + base_url_ +
                "/billing/gift/redeem?token=" + token + "\n");
    ++sent;
  }
  for (const auto& s : store_.all_subscriptions()) {
    if ((s.status != "past_due" && s.status != "unpaid") || !s.access_until) continue;
    if (*s.access_until <= now || *s.access_until - now > 86400) continue;
    if (auto first = store_.claim_notice("ending:" + s.id + ":" + std::to_string(*s.access_until), now);
        first && *first) {
      mail(s.member_id, "Your " + config_.site_name + " access ends tomorrow",
           "We still could not take the payment for your subscription, so your All-Access ends "
           "on " + date(*s.access_until) + ".\n\nUpdate your card on Stripe's secure page: " +
               base_url_ + "/account/billing\n");
      ++sent;
    }
  }
  return sent;
}

BillingService::Account BillingService::account(const Member& m) {
  Account a;
  core::UnixTime now = clock_.now();
  auto subs = store_.subscriptions_of(m.id);
  for (const auto& s : subs) {  // newest first: the first live one, else the newest
    if (s.access_until && *s.access_until > now) {
      a.current = s;
      break;
    }
  }
  if (!a.current && !subs.empty()) a.current = subs.front();
  if (a.current) {
    a.standing = standing(*a.current, config_.billing_grace_days, now);
    a.plan = plan(a.current->plan_id);
    if (a.plan && a.plan->seats > 0 && a.standing.code != "ended") {
      a.seat_limit = std::max(0, a.current->quantity - 1);
      a.seats = store_.seats_of(a.current->id);
    }
  }
  a.can_manage = api_ && store_.customer_of(m.id).has_value();
  if (auto seat = store_.seat_held_by(m.id)) {
    if (auto sub = store_.find_subscription(seat->subscription_id)) {
      a.held_seat = seat;
      a.group_live = sub->access_until && *sub->access_until > now;
      if (auto owner = members_.find_member(sub->member_id)) a.group_owner = owner->email;
    }
  }
  a.payments = store_.payments_of(m.id);
  a.gifts_bought = store_.gifts_bought_by(m.id);
  return a;
}

BillingService::Status BillingService::status() {
  Status s;
  s.enabled = enabled();
  s.webhook_secret_set = !config_.stripe_webhook_secrets.empty();
  const auto& key = config_.stripe_secret_key;
  if (key.size() >= 8) s.key_hint = key.substr(key.size() - 4);
  s.recent = store_.recent_events(10, false);
  s.failed = store_.recent_events(20, true);
  return s;
}

}  // namespace billing
