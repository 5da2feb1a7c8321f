#include "billing/housekeeper.h"

#include <cstdio>

#include "core/time.h"

namespace billing {

Housekeeper::Housekeeper(BillingService& service, const core::Clock& clock,
                         const core::Config& config, std::chrono::milliseconds interval)
    : service_(service),
      clock_(clock),
      config_(config),
      loop_("billing", interval, [this] {
        run_once();
        return true;
      }) {}

Housekeeper::~Housekeeper() { stop(); }

void Housekeeper::start() { loop_.start(); }

void Housekeeper::stop() { loop_.stop(); }

void Housekeeper::run_once() {
  try {
    service_.tick();
    if (!service_.enabled()) return;
    core::UnixTime now = clock_.now();
    std::string day = core::format_local_day(now, config_.timezone);
    auto first = service_.store().claim_notice("sync:" + day, now);
    if (!first || !*first) return;
    auto report = service_.sync(false);
    if (!report) {
      std::fprintf(stderr, "meridian: billing: daily sync failed: %s\n",
                   report.error().message.c_str());
      return;
    }
    for (const auto& line : report->changes) {
      std::fprintf(stderr, "meridian: billing: sync repaired %s\n", line.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meridian: billing: housekeeping failed: %s\n", e.what());
  }
}

}  // namespace billing
