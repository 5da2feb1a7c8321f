#include "core/time.h"

#include <gtest/gtest.h>

using namespace core;

TEST(Rfc3339, ParsesUtcAndOffsets) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2025-03-01T09:30:00Z"), 1740821400);
  EXPECT_EQ(parse_rfc3339("2025-03-01T11:30:00+02:00"), 1740821400);
  EXPECT_EQ(parse_rfc3339("2025-03-01T04:30:00.250-05:00"), 1740821400);
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {"", "2025-03-01", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
                          "2025-03-01T25:00:00Z", "2025-03-01T09:30:00", "yesterday",
                          "2025-03-01T09:30:00+2:00", "2025-03-01T09:30:00Zjunk"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(Rfc3339, FormatsRoundTrip) {
  EXPECT_EQ(format_rfc3339(1740821400), "2025-03-01T09:30:00Z");
  EXPECT_EQ(parse_rfc3339(format_rfc3339(1234567890)), 1234567890);
}

TEST(HttpDate, FormatsAndParses) {
  EXPECT_EQ(format_rfc822(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
}

TEST(LocalCalendar, MonthStartsInThePublicationsZone) {
  // Midnight 1 March 2025 in Tokyo (UTC+9) is 15:00 UTC on 28 February.
  EXPECT_EQ(local_month_start(2025, 3, "Asia/Tokyo"), *parse_rfc3339("2025-02-28T15:00:00Z"));
  // New York is on EST (UTC-5) on 1 January.
  EXPECT_EQ(local_month_start(2025, 1, "America/New_York"),
            *parse_rfc3339("2025-01-01T05:00:00Z"));
  // Month 13 rolls into January of the next year.
  EXPECT_EQ(local_month_start(2024, 13, "UTC"), *parse_rfc3339("2025-01-01T00:00:00Z"));
}

TEST(LocalCalendar, LocalDateAcrossMidnight) {
  auto t = *parse_rfc3339("2025-02-28T16:00:00Z");
  auto tokyo = local_date(t, "Asia/Tokyo");
  EXPECT_EQ(tokyo.month, 3u);
  EXPECT_EQ(tokyo.day, 1u);
  auto utc = local_date(t, "UTC");
  EXPECT_EQ(utc.month, 2u);
  EXPECT_EQ(format_long_date(t, "Asia/Tokyo"), "1 March 2025");
}

TEST(LocalCalendar, ValidatesZoneNames) {
  EXPECT_TRUE(valid_time_zone("Europe/London"));
  EXPECT_FALSE(valid_time_zone("Mars/Olympus"));
}
