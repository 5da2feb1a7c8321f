#include "newsletter/scheduler.h"

#include <date/date.h>

#include <cstdio>

#include "core/text.h"
#include "core/time.h"

namespace newsletter {

int parse_weekday(const std::string& name) {
  static const char* days[] = {"monday", "tuesday", "wednesday", "thursday",
                               "friday", "saturday", "sunday"};
  std::string n = core::to_lower(name);
  for (int i = 0; i < 7; ++i) {
    if (n == days[i]) return i;
  }
  return -1;
}

std::vector<std::string> due_newsletters(const core::Config& config, core::UnixTime now,
                                         const std::map<std::string, std::string>& last_run) {
  std::vector<std::string> due;
  auto d = core::local_date(now, config.timezone);
  core::UnixTime midnight = core::local_day_start(d.year, d.month, d.day, config.timezone);
  int minutes = static_cast<int>((now - midnight) / 60);
  char today[16];
  std::snprintf(today, sizeof today, "%04d-%02u-%02u", d.year, d.month, d.day);
  auto not_yet = [&](const std::string& n) {
    auto it = last_run.find(n);
    return it == last_run.end() || it->second != today;
  };
  int daily = parse_time_of_day(config.newsletter_daily_at);
  if (daily >= 0 && minutes >= daily && not_yet("daily")) due.push_back("daily");
  int weekly = parse_time_of_day(config.newsletter_weekly_at);
  int weekday = parse_weekday(config.newsletter_weekly_day);
  date::year_month_day ymd{date::year{d.year}, date::month{d.month}, date::day{d.day}};
  int today_weekday = (date::weekday{date::sys_days{ymd}}.iso_encoding() + 6) % 7;  // Monday 0
  if (weekly >= 0 && weekday == today_weekday && minutes >= weekly) {
    if (not_yet("weekly")) due.push_back("weekly");
    if (not_yet("free")) due.push_back("free");
  }
  return due;
}

Scheduler::Scheduler(NewsletterService& service, const core::Clock& clock,
                     const core::Config& config, std::chrono::milliseconds interval)
    : service_(service),
      clock_(clock),
      config_(config),
      loop_("newsletter scheduler", interval,
            [this] {
              check_once(clock_.now());
              return true;
            },
            std::chrono::minutes(5)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() { loop_.start(); }

void Scheduler::stop() { loop_.stop(); }

void Scheduler::check_once(core::UnixTime now) {
  std::map<std::string, std::string> last_run;
  {
    std::lock_guard lock(mu_);
    last_run = last_run_;
  }
  for (const auto& n : due_newsletters(config_, now, last_run)) {
    // No back-off sleeps here (they would hold up shutdown): pending retries go out on
    // a later check, when they are due.
    auto report = service_.send(n, "", nullptr, /*wait_for_retries=*/false);
    auto d = core::local_date(now, config_.timezone);
    char today[16];
    std::snprintf(today, sizeof today, "%04d-%02u-%02u", d.year, d.month, d.day);
    if (report) {
      std::fprintf(stderr, "meridian: sent %s: %d sent, %d failed, %d pending\n", n.c_str(),
                   report->totals.sent, report->totals.failed, report->totals.pending);
      if (report->totals.pending == 0) {
        std::lock_guard lock(mu_);
        last_run_[n] = today;
      }
    } else {
      std::fprintf(stderr, "meridian: %s not sent: %s\n", n.c_str(),
                   report.error().message.c_str());
    }
    if (stopping()) return;
  }
  // Editions the desk scheduled for a time.
  for (const auto& [n, date] : service_.scheduled_due(now)) {
    auto report = service_.send(n, date, nullptr, /*wait_for_retries=*/false);
    if (report) {
      std::fprintf(stderr, "meridian: sent scheduled %s %s: %d sent, %d failed, %d pending\n",
                   n.c_str(), date.c_str(), report->totals.sent, report->totals.failed,
                   report->totals.pending);
    } else {
      std::fprintf(stderr, "meridian: scheduled %s %s not sent: %s\n", n.c_str(), date.c_str(),
                   report.error().message.c_str());
    }
    if (stopping()) return;
  }
}

}  // namespace newsletter
