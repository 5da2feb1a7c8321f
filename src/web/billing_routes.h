// The billing pages and endpoints: /subscribe and Checkout, the return page, the
// customer portal, the Stripe webhook, group seats, gifts, and /admin/billing. A handler
// module of its own: it sees the billing and account services and the site's PageKit,
// nothing else. Thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "accounts/service.h"
#include "billing/service.h"
#include "core/clock.h"
#include "core/config.h"
#include "events/recorder.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

struct BillingDeps {
  billing::BillingService& billing;
  accounts::AccountService& accounts;
  events::Recorder& events;
  const core::Config& config;
  const core::Clock& clock;
  PageKit& kit;
};

class BillingRoutes {
 public:
  explicit BillingRoutes(const BillingDeps& deps);
  // Adds this module's routes to the site's one route table.
  void add_routes(Router& router);
  // The billing part of the account page (plan, status, seats, payments, gifts).
  nlohmann::json account_view(const accounts::Member& m);
  // The money part of /admin/analytics for `days` (local YYYY-MM-DD, oldest first): paid
  // subscriptions and cancellations per day, MRR per day from our mirror of Stripe's
  // subscriptions (annual plans / 12), as an SVG chart with its table.
  nlohmann::json money_view(const std::vector<std::string>& days,
                            const std::vector<long long>& paid_per_day,
                            const std::vector<long long>& cancellations_per_day);
  // Why the account cannot be deleted yet (a subscription that will charge again), if so.
  std::optional<std::string> blocks_deletion(const accounts::Member& m);
  // The back office's member page: plan, Stripe status, period end, customer, payments,
  // seats.
  nlohmann::json member_view(const accounts::Member& m);

 private:
  Response subscribe_page(Request& req);
  Response checkout(Request& req);
  Response checkout_return(Request& req);
  Response portal(Request& req);
  Response webhook(Request& req);
  Response gift_checkout(Request& req);
  Response gift_page(Request& req);
  Response gift_redeem(Request& req);
  Response seat_invite(Request& req);
  Response seat_remove(Request& req);
  Response seat_page(Request& req);
  Response seat_accept(Request& req);
  Response admin_billing(Request& req);
  Response admin_sync(Request& req);
  // The page shown when Stripe cannot be reached or refuses: never a 500.
  Response payment_error(const core::Error& e, const std::string& back);
  // A page an emailed link opens when nobody is signed in: register or sign in first.
  Response sign_in_first(const Request& req, const std::string& heading,
                         const std::string& message, const std::string& email);
  std::string date(core::UnixTime t) const;

  billing::BillingService& billing_;
  accounts::AccountService& accounts_;
  events::Recorder& events_;
  const core::Config& config_;
  const core::Clock& clock_;
  PageKit& kit_;
};

}  // namespace web
