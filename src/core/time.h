// Time formats used by import/export, feeds and pages, and time-zone arithmetic
// for the publication's local calendar (archives, monthly credits, schedules).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace core {

// Parses RFC 3339 ("2025-03-01T09:30:00Z", "2025-03-01T09:30:00.123+02:00").
std::optional<UnixTime> parse_rfc3339(std::string_view s);
// Parses a plain date "YYYY-MM-DD" as midnight UTC.
std::optional<UnixTime> parse_date(std::string_view s);
std::string format_rfc3339(UnixTime t);  // always UTC with "Z"
std::string format_rfc822(UnixTime t);   // for RSS and Last-Modified (HTTP-date)
std::optional<UnixTime> parse_http_date(std::string_view s);

struct LocalDate {
  int year;
  unsigned month;
  unsigned day;
};

// Returns true when the IANA zone name is known to the system tz database.
bool valid_time_zone(std::string_view tz);
LocalDate local_date(UnixTime t, std::string_view tz);
// First instant of the given local month in zone tz (month may overflow into next year).
UnixTime local_month_start(int year, unsigned month, std::string_view tz);
UnixTime local_day_start(int year, unsigned month, unsigned day, std::string_view tz);
// "06:30" → minutes after midnight (390); -1 unless exactly HH:MM with HH < 24, MM < 60.
int parse_time_of_day(std::string_view hhmm);
// "12 March 2025" in the publication's zone.
std::string format_long_date(UnixTime t, std::string_view tz);
std::string month_name(unsigned month);
// "YYYY-MM-DDTHH:MM" (an HTML datetime-local value) in zone tz, and back.
std::optional<UnixTime> parse_local_datetime(std::string_view s, std::string_view tz);
std::string format_local_datetime(UnixTime t, std::string_view tz);
// "1 December 2026, 14:05" in zone tz: how the back office shows a moment.
std::string format_display_datetime(UnixTime t, std::string_view tz);
// "YYYY-MM-DD" of the local day.
std::string format_local_day(UnixTime t, std::string_view tz);

}  // namespace core
