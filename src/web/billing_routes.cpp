#include "web/billing_routes.h"

#include <nlohmann/json.hpp>

#include "analytics/svg.h"
#include "core/text.h"
#include "core/time.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

std::string money(long long minor, const std::string& currency) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", minor / 100, minor % 100);
  std::string c = currency;
  for (auto& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return std::string(buf) + " " + c;
}

Response json_answer(int status, const json& body) {
  Response res;
  res.status = status;
  res.content_type = "application/json";
  res.body = body.dump() + "\n";
  res.set_header("Cache-Control", "no-store");
  return res;
}

}  // namespace

BillingRoutes::BillingRoutes(const BillingDeps& d)
    : billing_(d.billing), accounts_(d.accounts), events_(d.events), config_(d.config),
      clock_(d.clock), kit_(d.kit) {}

void BillingRoutes::add_routes(Router& router) {
  auto add = [&](const char* method, const char* pattern, Audience who,
                 Response (BillingRoutes::*h)(Request&)) {
    Route r{method, pattern, who, [this, h](Request& req) { return (this->*h)(req); }, false, {}};
    router.add(std::move(r));
  };
  Route subscribe{"GET", "/subscribe", Audience::kPublic,
                  [this](Request& r) { return subscribe_page(r); }, true, {}};
  subscribe.reads = {"plan", "next", "canceled"};
  router.add(std::move(subscribe));
  add("POST", "/billing/checkout", Audience::kPublic, &BillingRoutes::checkout);
  add("GET", "/billing/return", Audience::kPublic, &BillingRoutes::checkout_return);
  add("POST", "/account/billing", Audience::kReader, &BillingRoutes::portal);
  // The link in "payment failed" mail: signs in first if needed, then the portal. Creating
  // a portal session changes nothing, and only this reader's browser is sent there.
  add("GET", "/account/billing", Audience::kReader, &BillingRoutes::portal);
  // Stripe calls this: no browser, no cookie, no Origin; the signature is the authority.
  Route hook{"POST", "/billing/stripe/webhook", Audience::kPublic,
             [this](Request& r) { return webhook(r); }, false, {}};
  hook.external = true;
  router.add(std::move(hook));
  add("POST", "/billing/gift", Audience::kReader, &BillingRoutes::gift_checkout);
  // Opened from mail: the token is the authority; a reader who is not signed in is asked
  // to register or sign in first, keeping the link.
  add("GET", "/billing/gift/redeem", Audience::kPublic, &BillingRoutes::gift_page);
  add("POST", "/billing/gift/redeem", Audience::kPublic, &BillingRoutes::gift_redeem);
  add("POST", "/account/seats", Audience::kReader, &BillingRoutes::seat_invite);
  add("POST", "/account/seats/remove", Audience::kReader, &BillingRoutes::seat_remove);
  add("GET", "/billing/seats/accept", Audience::kPublic, &BillingRoutes::seat_page);
  add("POST", "/billing/seats/accept", Audience::kPublic, &BillingRoutes::seat_accept);
  add("GET", "/admin/billing", Audience::kAdmin, &BillingRoutes::admin_billing);
  add("POST", "/admin/billing/sync", Audience::kAdmin, &BillingRoutes::admin_sync);
}

std::string BillingRoutes::date(core::UnixTime t) const {
  return core::format_long_date(t, config_.timezone);
}

Response BillingRoutes::payment_error(const core::Error& e, const std::string& back) {
  using core::ErrorCode;
  switch (e.code) {
    case ErrorCode::kInvalidInput:
      return kit_.message_page(400, "We could not start the payment", e.message, back, "Back");
    case ErrorCode::kConflict:
      return kit_.message_page(409, "Nothing to pay", e.message, "/account", "Your account");
    case ErrorCode::kNotFound:
      return kit_.message_page(404, "Not found", e.message, back, "Back");
    case ErrorCode::kForbidden:
      return kit_.message_page(403, "Not available", e.message, back, "Back");
    default:
      // Stripe down, slow or refusing our key: nothing was charged and nothing changed.
      std::fprintf(stderr, "meridian: billing: %s\n", e.message.c_str());
      return kit_.message_page(503, "Payments are unavailable for a moment",
                               "Payments are unavailable for a moment, please try again. Nothing "
                               "was charged.",
                               back, "Try again");
  }
}

Response BillingRoutes::subscribe_page(Request& req) {
  json view;
  view["site"] = kit_.site_view("/subscribe", &req);
  view["page"] = kit_.page_meta("Subscribe · " + config_.site_name,
                                "All-Access: the full library, the Daily and Weekly Review, no ads.",
                                "/subscribe");
  std::string chosen = req.query_value("plan");
  bool online = billing_.enabled();
  json plans = json::array();
  for (const auto& p : config_.plans) {
    plans.push_back({{"id", p.id},
                     {"name", p.name},
                     {"price", p.price},
                     {"period", p.period},
                     {"description", p.description},
                     {"group", p.seats > 0},
                     {"seats", std::to_string(p.seats)},
                     {"chosen", p.id == chosen},
                     {"buyable", online && !p.stripe_price.empty()}});
  }
  view["plans"] = plans;
  json gifts = json::array();
  for (const auto& g : config_.gifts) {
    if (online && !g.stripe_price.empty()) {
      gifts.push_back({{"months", std::to_string(g.months)}, {"price", g.price}});
    }
  }
  view["gifts"] = gifts;
  view["has_gifts"] = !gifts.empty();
  view["online"] = online;
  view["signed_in"] = req.visitor.member.has_value();
  view["next"] = accounts::safe_next(req.query_value("next"));
  view["canceled"] = req.query_value("canceled") == "1";
  view["today"] = core::format_local_day(clock_.now(), config_.timezone);
  view["credits_total"] = std::to_string(config_.monthly_credits);
  return kit_.render_page("subscribe", view, 200);
}

Response BillingRoutes::checkout(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  std::string back = "/subscribe";
  if (!billing_.enabled()) {
    return kit_.message_page(503, "Online payment is not available",
                             "Subscriptions are handled by our staff: write to us and we will "
                             "set up your access.",
                             back, "Back");
  }
  std::string plan_id = req.form_value("plan");
  std::string next = accounts::safe_next(req.form_value("next"));
  const auto* plan = billing_.plan(plan_id);
  if (!plan || plan->stripe_price.empty()) {
    return kit_.message_page(400, "Choose a plan", "That plan is not one we sell online.", back,
                             "See the plans");
  }
  if (req.visitor.member) {
    auto url = billing_.start_checkout(*req.visitor.member, plan_id, next,
                                       billing::browser_id(req.session_token));
    if (!url) return payment_error(url.error(), back);
    return kit_.redirect(*url);
  }
  // Anonymous: the wall's registration (a new address gets an account and this browser
  // a session; a known address gets a sign-in link that brings it back here).
  std::string email = req.form_value("email");
  if (email.empty()) {
    return kit_.message_page(400, "Your email address, please",
                             "Enter your email address with the plan you choose: your "
                             "subscription belongs to your account.",
                             back + "?plan=" + core::url_encode(plan_id), "Back to the plans");
  }
  std::string again = "/subscribe?plan=" + core::url_encode(plan_id) +
                      (next != "/" ? "&next=" + core::url_encode(next) : std::string());
  auto r = accounts_.register_from_wall(email, again, req.client_ip);
  if (!r) {
    return kit_.message_page(r.error().code == core::ErrorCode::kRateLimited ? 429 : 400,
                             "We could not take your address", r.error().message, back, "Back");
  }
  if (!r->created) {
    return kit_.message_page(200, "Check your inbox",
                             "That address already has an account, so we have sent it a sign-in "
                             "link. Open it to come back here and subscribe.",
                             back, "Back to the plans");
  }
  events_.record("registration", 0, "anonymous");
  std::string cookie = kit_.session_cookie_for(r->session_token);
  auto url = billing_.start_checkout(r->member, plan_id, next,
                                     billing::browser_id(r->session_token));
  Response res = url ? kit_.redirect(*url) : payment_error(url.error(), again);
  res.set_header("Set-Cookie", cookie);
  return res;
}

Response BillingRoutes::checkout_return(Request& req) {
  std::string session_id = req.query_value("session_id");
  auto r = billing_.checkout_return(session_id, billing::browser_id(req.session_token));
  json view;
  view["site"] = kit_.site_view("", &req);
  view["page"] = kit_.page_meta("Your subscription · " + config_.site_name, "Your subscription",
                                "/billing/return");
  view["page"]["noindex"] = true;
  if (!r) {
    if (r.error().code == core::ErrorCode::kNotFound) {
      return kit_.message_page(404, "We do not know this payment", r.error().message, "/subscribe",
                               "See the plans");
    }
    // Stripe unreachable: ask again shortly.
    view["confirming"] = true;
    view["page"]["refresh"] = "5";
  } else {
    const auto& ret = *r;
    // The browser that started Checkout, or the same reader signed in again.
    view["same_browser"] = ret.same_browser ||
                           (req.visitor.member && req.visitor.member->id == ret.checkout.member_id);
    view["next"] = ret.checkout.next;
    view["has_next"] = ret.checkout.next != "/" && !ret.checkout.next.empty();
    if (ret.state == "active") {
      view["active"] = true;
      if (ret.until) view["until"] = date(*ret.until);
    } else if (ret.state == "confirming") {
      view["confirming"] = true;
      view["page"]["refresh"] = "3";
    } else if (ret.state == "gift") {
      view["gift"] = true;
      if (ret.until) view["deliver_on"] = date(*ret.until);
    } else {
      view["unpaid"] = true;
    }
  }
  Response res = kit_.render_page("billing_return", view, 200);
  res.set_header("Cache-Control", "no-store");
  return res;
}

Response BillingRoutes::portal(Request& req) {
  if (req.method == "POST") {
    if (auto bad = kit_.check_csrf(req)) return *bad;
  }
  auto url = billing_.portal_url(*req.visitor.member);
  if (!url) return payment_error(url.error(), "/account");
  return kit_.redirect(*url);
}

Response BillingRoutes::webhook(Request& req) {
  const std::string* signature = req.header("stripe-signature");
  auto answer = billing_.handle_webhook(signature ? *signature : std::string_view(), req.body);
  return json_answer(answer.status, {{"received", answer.status < 300}, {"result", answer.message}});
}

Response BillingRoutes::gift_checkout(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  billing::BillingService::GiftOrder order;
  order.months = std::atoi(req.form_value("months").c_str());
  order.recipient_email = req.form_value("recipient_email");
  order.recipient_name = req.form_value("recipient_name");
  order.message = req.form_value("message");
  order.deliver_at = clock_.now();
  if (std::string day = req.form_value("deliver_on"); !day.empty()) {
    auto t = core::parse_local_datetime(day + "T09:00", config_.timezone);
    if (!t) {
      return kit_.message_page(400, "Choose a delivery date",
                               "The delivery date must be a day such as 2026-12-24.",
                               "/subscribe", "Back");
    }
    order.deliver_at = std::max(*t, clock_.now());
  }
  auto url = billing_.start_gift_checkout(*req.visitor.member, order,
                                          billing::browser_id(req.session_token));
  if (!url) return payment_error(url.error(), "/subscribe");
  return kit_.redirect(*url);
}

Response BillingRoutes::sign_in_first(const Request& req, const std::string& heading,
                                      const std::string& message, const std::string& email) {
  json view;
  view["site"] = kit_.site_view("", &req);
  view["page"] = kit_.page_meta(heading + " · " + config_.site_name, message, req.path);
  view["page"]["noindex"] = true;
  view["heading"] = heading;
  view["message"] = message;
  view["email"] = email;
  std::string here = req.path + "?token=" + core::url_encode(req.query_value("token"));
  view["next"] = here;
  view["signin_url"] = "/signin?next=" + core::url_encode(here);
  Response res = kit_.render_page("billing_link", view, 200);
  res.set_header("Cache-Control", "no-store");
  res.set_header("Referrer-Policy", "no-referrer");
  return res;
}

Response BillingRoutes::gift_page(Request& req) {
  std::string token = req.query_value("token");
  auto gift = billing_.peek_gift(token);
  if (!gift) {
    return kit_.message_page(404, "This gift link is not valid",
                             "Use the link from your gift email exactly as it came.", "/",
                             "Home");
  }
  std::string what = std::to_string(gift->months) + " months of " + config_.site_name +
                     " All-Access";
  if (gift->redeemed_by) {
    return kit_.message_page(409, "This gift was already redeemed",
                             "The " + what + " were added to an account already.", "/", "Home");
  }
  if (!req.visitor.member) {
    return sign_in_first(req, "A gift for you: " + what,
                         "Register or sign in, then add the gift to your account.",
                         gift->recipient_email);
  }
  return kit_.button_page(req, {"Your gift · " + config_.site_name, what, "/billing/gift/redeem",
                                "A gift for you: " + what,
                                "Add it to the account of " + req.visitor.member->email +
                                    ". It starts when any access you already have ends.",
                                "/billing/gift/redeem", "Add the gift to my account", token});
}

Response BillingRoutes::gift_redeem(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  if (!req.visitor.member) {
    return kit_.redirect("/billing/gift/redeem?token=" + core::url_encode(req.form_value("token")));
  }
  auto g = billing_.redeem_gift(req.form_value("token"), *req.visitor.member);
  if (!g) {
    int status = g.error().code == core::ErrorCode::kNotFound ? 404
                 : g.error().code == core::ErrorCode::kConflict ? 409 : 503;
    return kit_.message_page(status, "The gift was not added", g.error().message, "/", "Home");
  }
  events_.record("subscription", 0, "gift");
  return kit_.message_page(200, "Your gift is on your account",
                           "You now have All-Access until " + date(g->ends_at) + ".", "/",
                           "Start reading");
}

Response BillingRoutes::seat_invite(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  auto seat = billing_.invite_seat(*req.visitor.member, req.form_value("email"));
  if (!seat) {
    int status = seat.error().code == core::ErrorCode::kInvalidInput ? 400
                 : seat.error().code == core::ErrorCode::kConflict    ? 409
                 : seat.error().code == core::ErrorCode::kForbidden   ? 403 : 503;
    return kit_.message_page(status, "Invitation not sent", seat.error().message, "/account",
                             "Back to your account");
  }
  return kit_.message_page(200, "Invitation sent",
                           "We sent " + seat->email + " a link to take a seat in your group.",
                           "/account", "Back to your account");
}

Response BillingRoutes::seat_remove(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  long long id = std::atoll(req.form_value("seat").c_str());
  auto done = billing_.remove_seat(*req.visitor.member, id);
  if (!done) {
    return kit_.message_page(404, "Seat not removed", done.error().message, "/account",
                             "Back to your account");
  }
  return kit_.redirect("/account");
}

Response BillingRoutes::seat_page(Request& req) {
  std::string token = req.query_value("token");
  auto seat = billing_.peek_seat(token);
  if (!seat) {
    return kit_.message_page(404, "This invitation is not valid any more",
                             "Ask the person who invited you to send a new one.", "/", "Home");
  }
  if (!req.visitor.member) {
    return sign_in_first(req, "Join a group subscription",
                         "Register or sign in, then take your seat.", seat->email);
  }
  return kit_.button_page(req, {"Join a group · " + config_.site_name, "Take your seat",
                                "/billing/seats/accept", "Join a group subscription",
                                "Take a seat with the account of " + req.visitor.member->email +
                                    ": you read everything while the group subscription lasts.",
                                "/billing/seats/accept", "Take my seat", token});
}

Response BillingRoutes::seat_accept(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  if (!req.visitor.member) {
    return kit_.redirect("/billing/seats/accept?token=" +
                         core::url_encode(req.form_value("token")));
  }
  auto seat = billing_.accept_seat(req.form_value("token"), *req.visitor.member);
  if (!seat) {
    int status = seat.error().code == core::ErrorCode::kNotFound ? 404
                 : seat.error().code == core::ErrorCode::kUnavailable ? 503 : 409;
    return kit_.message_page(status, "Seat not taken", seat.error().message, "/", "Home");
  }
  return kit_.message_page(200, "You have All-Access",
                           "Your seat in the group is yours: every article is open to you.", "/",
                           "Start reading");
}

json BillingRoutes::account_view(const accounts::Member& m) {
  auto a = billing_.account(m);
  json v;
  v["online"] = billing_.enabled();
  v["can_manage"] = a.can_manage;
  if (a.current) {
    const auto& s = *a.current;
    v["has_subscription"] = true;
    v["plan"] = a.plan ? a.plan->name : (s.price_id.empty() ? "All-Access" : s.price_id);
    const auto& st = a.standing;
    std::string status;
    if (st.code == "renews") status = "Active, renewing on " + date(*st.date);
    else if (st.code == "cancels") status = "Active, cancels on " + date(*st.date);
    else if (st.code == "past_due")
      status = "Payment failed — update your card (access until " + date(*st.date) + ")";
    else if (st.code == "incomplete") status = "Payment not completed";
    else status = "Ended";
    v["status"] = status;
    v["past_due"] = st.code == "past_due";
    v["ended"] = st.code == "ended";
    if (a.plan && a.plan->seats > 0 && st.code != "ended") {
      json seats = json::array();
      for (const auto& seat : a.seats) {
        seats.push_back({{"id", std::to_string(seat.id)},
                         {"email", seat.email},
                         {"accepted", seat.accepted_at.has_value()}});
      }
      v["group"] = {{"seats", seats},
                    {"limit", std::to_string(a.seat_limit)},
                    {"used", std::to_string(a.seats.size())},
                    {"can_invite", static_cast<int>(a.seats.size()) < a.seat_limit}};
    }
  }
  if (a.held_seat) {
    v["member_of_group"] = {{"owner", a.group_owner}, {"live", a.group_live}};
  }
  json payments = json::array();
  for (const auto& p : a.payments) {
    payments.push_back({{"date", date(p.paid_at)},
                        {"amount", money(p.amount, p.currency)},
                        {"what", p.kind == "gift" ? "Gift" : "Subscription"},
                        {"refunded", p.refunded > 0},
                        {"url", p.url}});
  }
  v["payments"] = payments;
  v["has_payments"] = !payments.empty();
  json gifts = json::array();
  for (const auto& g : a.gifts_bought) {
    gifts.push_back({{"months", std::to_string(g.months)},
                     {"to", g.recipient_email},
                     {"state", g.refunded        ? std::string("refunded")
                               : g.redeemed_at   ? "redeemed"
                               : g.sent_at       ? "sent " + date(*g.sent_at)
                                                 : "to be sent " + date(g.deliver_at)}});
  }
  v["gifts"] = gifts;
  v["has_gifts"] = !gifts.empty();
  return v;
}

json BillingRoutes::money_view(const std::vector<std::string>& days,
                               const std::vector<long long>& paid_per_day,
                               const std::vector<long long>& cancellations_per_day) {
  json v;
  if (days.empty()) return v;
  auto subs = billing_.subscriptions();
  std::vector<long long> mrr(days.size(), 0);
  std::string currency = "usd";
  for (std::size_t i = 0; i < days.size(); ++i) {
    auto start = core::parse_local_datetime(days[i] + "T00:00", config_.timezone);
    if (!start) continue;
    core::UnixTime t = *start + 86400 - 1;  // the day's end
    for (const auto& s : subs) {
      if (s.created > t || s.status == "incomplete" || s.status == "incomplete_expired") continue;
      // Paying until it ended (or, ended without a date, until we learnt of it).
      core::UnixTime end = s.ended_at ? *s.ended_at
                           : s.access_until ? *s.access_until
                                            : s.updated_at;
      if (s.refunded_at) end = std::min(end, *s.refunded_at);
      if (end <= t) continue;
      long long amount = s.unit_amount * s.quantity;
      mrr[i] += s.interval == "year" ? amount / 12 : amount;
      if (!s.currency.empty()) currency = s.currency;
    }
  }
  std::vector<long long> mrr_units(mrr.size());
  for (std::size_t i = 0; i < mrr.size(); ++i) mrr_units[i] = mrr[i] / 100;
  v["mrr_svg"] = analytics::line_chart(
      "Monthly recurring revenue per day (" + money(0, currency).substr(5) + ", whole units)", days,
      {{"MRR", mrr_units, "#0b4f8a"}});
  v["flow_svg"] = analytics::line_chart("Paid subscriptions started and cancelled per day", days,
                                        {{"Paid subscriptions", paid_per_day, "#1d6b35"},
                                         {"Cancellations", cancellations_per_day, "#8a1c1c"}});
  json rows = json::array();
  for (std::size_t i = days.size(); i-- > 0;) {
    rows.push_back({{"day", days[i]},
                    {"paid", std::to_string(i < paid_per_day.size() ? paid_per_day[i] : 0)},
                    {"cancelled", std::to_string(i < cancellations_per_day.size()
                                                     ? cancellations_per_day[i] : 0)},
                    {"mrr", money(mrr[i], currency)}});
  }
  v["rows"] = rows;
  v["mrr_now"] = money(mrr.back(), currency);
  return v;
}

std::optional<std::string> BillingRoutes::blocks_deletion(const accounts::Member& m) {
  auto a = billing_.account(m);
  if (a.current && (a.standing.code == "renews" || a.standing.code == "past_due")) {
    return "Your subscription would still be charged. Cancel it first with \"Manage billing\" "
           "(you keep reading until the end of the period), then delete your account.";
  }
  return std::nullopt;
}

json BillingRoutes::member_view(const accounts::Member& m) {
  auto a = billing_.account(m);
  json v = account_view(m);
  if (a.current) {
    const auto& s = *a.current;
    v["stripe_status"] = s.status;
    v["period_end"] = s.period_end ? date(s.period_end) : std::string("—");
    v["customer"] = s.customer_id;
    // Live keys open the live dashboard; test keys the test one.
    bool test = config_.stripe_secret_key.starts_with("sk_test_");
    v["customer_url"] = std::string("https://dashboard.stripe.com/") + (test ? "test/" : "") +
                        "customers/" + core::url_encode(s.customer_id);
    v["subscription_id"] = s.id;
    v["quantity"] = std::to_string(s.quantity);
  }
  return v;
}

Response BillingRoutes::admin_billing(Request& req) {
  json view = kit_.admin_view(req, "Billing", "billing");
  auto st = billing_.status();
  view["enabled"] = st.enabled;
  view["webhook_secret_set"] = st.webhook_secret_set;
  view["key_hint"] = st.key_hint;
  view["api_base"] = config_.stripe_api_base;
  json plans = json::array();
  for (const auto& p : config_.plans) {
    plans.push_back({{"id", p.id}, {"name", p.name}, {"price", p.price}, {"period", p.period},
                     {"stripe_price", p.stripe_price.empty() ? "—" : p.stripe_price},
                     {"seats", p.seats > 0 ? std::to_string(p.seats) : "—"}});
  }
  view["plans"] = plans;
  auto events = [&](const std::vector<billing::EventRecord>& list) {
    json out = json::array();
    for (const auto& e : list) {
      out.push_back({{"id", e.id}, {"type", e.type}, {"result", e.result},
                     {"at", core::format_local_datetime(e.received_at, config_.timezone)}});
    }
    return out;
  };
  view["recent"] = events(st.recent);
  view["has_recent"] = !st.recent.empty();
  if (!st.recent.empty()) view["last"] = view["recent"][0];
  view["failed"] = events(st.failed);
  view["has_failed"] = !st.failed.empty();
  core::UnixTime now = clock_.now();
  long long mrr = 0;
  int live = 0;
  std::string currency;
  for (const auto& s : billing_.subscriptions()) {
    if (!s.access_until || *s.access_until <= now || s.cancel_at_period_end) continue;
    if (s.status != "active" && s.status != "trialing" && s.status != "past_due") continue;
    ++live;
    long long amount = s.unit_amount * s.quantity;
    mrr += s.interval == "year" ? amount / 12 : amount;
    currency = s.currency;
  }
  view["live"] = std::to_string(live);
  view["mrr"] = money(mrr, currency.empty() ? "usd" : currency);
  if (auto r = req.query_value("synced"); !r.empty()) view["flash"] = "Sync finished: " + r;
  return kit_.render_admin("admin_billing", view, 200);
}

Response BillingRoutes::admin_sync(Request& req) {
  if (auto bad = kit_.check_csrf(req)) return *bad;
  auto report = billing_.sync(false);
  if (!report) return kit_.admin_error(req, 503, "Sync failed: " + report.error().message);
  json view = kit_.admin_view(req, "Billing sync", "billing");
  view["seen"] = std::to_string(report->seen);
  json changes = json::array();
  for (const auto& c : report->changes) changes.push_back(c);
  view["changes"] = changes;
  view["has_changes"] = !changes.empty();
  return kit_.render_admin("admin_billing_sync", view, 200);
}

}  // namespace web
