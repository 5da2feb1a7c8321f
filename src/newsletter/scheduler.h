// Sends newsletters on schedule from `meridian serve`: the Daily Review every day at
// [newsletter] daily_at, the Weekly Review and the free newsletter on weekly_day at
// weekly_at, in the publication's time zone. Nothing is scheduled unless configured.
// Sending is idempotent (see NewsletterService), so a restart or a second check never
// sends an edition twice. Owns one thread; stop() or destruction ends it.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/periodic.h"
#include "core/time.h"
#include "newsletter/service.h"

namespace newsletter {

// Minutes after local midnight for "HH:MM"; -1 when malformed or empty.
using core::parse_time_of_day;  // core/time.h
// 0 = Monday … 6 = Sunday; -1 when unknown.
int parse_weekday(const std::string& name);
// Which newsletters are due at `now` (local), given what already ran today.
std::vector<std::string> due_newsletters(const core::Config& config, core::UnixTime now,
                                         const std::map<std::string, std::string>& last_run);

class Scheduler {
 public:
  // `interval`: how often it looks (tests shorten it). A failing look (a busy or broken
  // database) is logged and retried after a back-off; the thread never dies of it.
  Scheduler(NewsletterService& service, const core::Clock& clock, const core::Config& config,
            std::chrono::milliseconds interval = std::chrono::seconds(10));
  ~Scheduler();
  void start();
  void stop();

 private:
  void check_once(core::UnixTime now);
  bool stopping() const { return loop_.stopping(); }
  NewsletterService& service_;
  const core::Clock& clock_;
  const core::Config& config_;
  std::mutex mu_;  // guards last_run_
  std::map<std::string, std::string> last_run_;  // newsletter -> local date it ran
  // Last: stops before the rest goes. A failing look (a busy database) is retried after
  // twice the wait each time, up to five minutes; sending is idempotent, so nothing is
  // sent twice for it.
  core::Periodic loop_;
};

}  // namespace newsletter
