// Billing's background work in `meridian serve`: every `interval` it delivers gifts due
// and sends "access ends tomorrow" reminders (BillingService::tick); once a day it runs
// the Stripe sync, claimed in the store so a restart the same day does not run it again.
// A failing round is logged and the thread carries on. Owns one thread.
#pragma once

#include <chrono>

#include "billing/service.h"
#include "core/periodic.h"

namespace billing {

class Housekeeper {
 public:
  Housekeeper(BillingService& service, const core::Clock& clock, const core::Config& config,
              std::chrono::milliseconds interval = std::chrono::seconds(30));
  ~Housekeeper();
  void start();
  void stop();
  // One round, in this thread (tests).
  void run_once();

 private:
  BillingService& service_;
  const core::Clock& clock_;
  const core::Config& config_;
  core::Periodic loop_;  // last: stops before the rest goes
};

}  // namespace billing
