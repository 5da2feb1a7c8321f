#include "core/time.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace core {

namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<UnixTime> civil_to_unix(int y, int mo, int d, int h, int mi, int se) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto days = date::sys_days(ymd).time_since_epoch().count();
  return static_cast<UnixTime>(days) * 86400 + h * 3600 + mi * 60 + std::min(se, 59);
}

const date::time_zone* zone(std::string_view tz) {
  try {
    return date::locate_zone(tz.empty() ? std::string_view("UTC") : tz);
  } catch (const std::exception&) {
    return date::locate_zone("UTC");
  }
}

const std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",
                                             "May",     "June",     "July",      "August",
                                             "September", "October", "November", "December"};

}  // namespace

std::optional<UnixTime> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20) return std::nullopt;
  int y, mo, d, h, mi, se;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!parse_int(s.substr(0, 4), y) || !parse_int(s.substr(5, 2), mo) ||
      !parse_int(s.substr(8, 2), d) || !parse_int(s.substr(11, 2), h) ||
      !parse_int(s.substr(14, 2), mi) || !parse_int(s.substr(17, 2), se))
    return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  if (i >= s.size()) return std::nullopt;
  int offset = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    if (i + 1 != s.size()) return std::nullopt;
  } else if (s[i] == '+' || s[i] == '-') {
    if (s.size() != i + 6 || s[i + 3] != ':') return std::nullopt;
    int oh, om;
    if (!parse_int(s.substr(i + 1, 2), oh) || !parse_int(s.substr(i + 4, 2), om)) {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  auto t = civil_to_unix(y, mo, d, h, mi, se);
  if (!t) return std::nullopt;
  return *t - offset;
}

std::optional<UnixTime> parse_date(std::string_view s) {
  int y, mo, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!parse_int(s.substr(0, 4), y) || !parse_int(s.substr(5, 2), mo) ||
      !parse_int(s.substr(8, 2), d))
    return std::nullopt;
  return civil_to_unix(y, mo, d, 0, 0, 0);
}

std::string format_rfc3339(UnixTime t) {
  date::sys_seconds tp{std::chrono::seconds{t}};
  return date::format("%Y-%m-%dT%H:%M:%SZ", tp);
}

std::string format_rfc822(UnixTime t) {
  date::sys_seconds tp{std::chrono::seconds{t}};
  return date::format("%a, %d %b %Y %H:%M:%S GMT", tp);
}

std::optional<UnixTime> parse_http_date(std::string_view s) {
  // IMF-fixdate only: "Sun, 06 Nov 1994 08:49:37 GMT".
  if (s.size() != 29) return std::nullopt;
  static const char* mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int d, y, h, mi, se, mo = 0;
  auto mon = s.substr(8, 3);
  for (int i = 0; i < 12; ++i) {
    if (mon == mons[i]) mo = i + 1;
  }
  if (mo == 0 || !parse_int(s.substr(5, 2), d) || !parse_int(s.substr(12, 4), y) ||
      !parse_int(s.substr(17, 2), h) || !parse_int(s.substr(20, 2), mi) ||
      !parse_int(s.substr(23, 2), se))
    return std::nullopt;
  return civil_to_unix(y, mo, d, h, mi, se);
}

bool valid_time_zone(std::string_view tz) {
  try {
    date::locate_zone(tz);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

LocalDate local_date(UnixTime t, std::string_view tz) {
  auto zt = date::make_zoned(zone(tz), date::sys_seconds{std::chrono::seconds{t}});
  auto ld = date::floor<date::days>(zt.get_local_time());
  date::year_month_day ymd{ld};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

UnixTime local_day_start(int year, unsigned month, unsigned day, std::string_view tz) {
  while (month > 12) {
    month -= 12;
    ++year;
  }
  date::local_days ld{date::year{year} / date::month{month} / date::day{day}};
  // choose::earliest resolves the rare zones whose midnight is skipped or repeated.
  auto zt = date::make_zoned(zone(tz), ld, date::choose::earliest);
  return zt.get_sys_time().time_since_epoch().count();
}

UnixTime local_month_start(int year, unsigned month, std::string_view tz) {
  return local_day_start(year, month, 1, tz);
}

std::string month_name(unsigned month) {
  return month >= 1 && month <= 12 ? kMonths[month - 1] : "";
}

std::string format_long_date(UnixTime t, std::string_view tz) {
  auto d = local_date(t, tz);
  return std::to_string(d.day) + " " + month_name(d.month) + " " + std::to_string(d.year);
}

std::string format_display_datetime(UnixTime t, std::string_view tz) {
  return format_long_date(t, tz) + ", " + format_local_datetime(t, tz).substr(11, 5);
}

std::optional<UnixTime> parse_local_datetime(std::string_view s, std::string_view tz) {
  // "2026-11-29T09:30", optionally with ":SS".
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  int y, mo, d, h, mi, se = 0;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      !parse_int(s.substr(0, 4), y) || !parse_int(s.substr(5, 2), mo) ||
      !parse_int(s.substr(8, 2), d) || !parse_int(s.substr(11, 2), h) ||
      !parse_int(s.substr(14, 2), mi) || (s.size() == 19 && (s[16] != ':' || !parse_int(s.substr(17, 2), se)))) {
    return std::nullopt;
  }
  date::year_month_day ymd{date::year{y} / date::month{static_cast<unsigned>(mo)} /
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0) return std::nullopt;
  date::local_seconds lt = date::local_days{ymd} + std::chrono::hours{h} +
                           std::chrono::minutes{mi} + std::chrono::seconds{se};
  auto zt = date::make_zoned(zone(tz), lt, date::choose::earliest);
  return zt.get_sys_time().time_since_epoch().count();
}

std::string format_local_datetime(UnixTime t, std::string_view tz) {
  auto zt = date::make_zoned(zone(tz), date::sys_seconds{std::chrono::seconds{t}});
  return date::format("%Y-%m-%dT%H:%M", date::floor<std::chrono::minutes>(zt.get_local_time()));
}

std::string format_local_day(UnixTime t, std::string_view tz) {
  auto d = local_date(t, tz);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

int parse_time_of_day(std::string_view hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (hhmm[i] < '0' || hhmm[i] > '9') return -1;
  }
  int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0'), m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

}  // namespace core
