#include "newsletter/scheduler.h"

#include <gtest/gtest.h>

#include "core/time.h"

using namespace newsletter;

TEST(NewsletterSchedule, ParsesTimesAndDays) {
  EXPECT_EQ(parse_time_of_day("06:30"), 390);
  EXPECT_EQ(parse_time_of_day("24:00"), -1);
  EXPECT_EQ(parse_time_of_day("6:30"), -1);
  EXPECT_EQ(parse_weekday("Friday"), 4);
  EXPECT_EQ(parse_weekday("someday"), -1);
}

TEST(NewsletterSchedule, DueInThePublicationsZoneOncePerDay) {
  core::Config c;
  c.timezone = "Asia/Tokyo";
  c.newsletter_daily_at = "07:00";
  c.newsletter_weekly_day = "friday";
  c.newsletter_weekly_at = "08:00";
  // Friday 6 March 2026, 06:59 in Tokyo = Thursday 21:59 UTC.
  auto before = *core::parse_rfc3339("2026-03-05T21:59:00Z");
  EXPECT_TRUE(due_newsletters(c, before, {}).empty());
  auto seven = *core::parse_rfc3339("2026-03-05T22:00:00Z");
  EXPECT_EQ(due_newsletters(c, seven, {}), (std::vector<std::string>{"daily"}));
  auto eight = *core::parse_rfc3339("2026-03-05T23:00:00Z");
  EXPECT_EQ(due_newsletters(c, eight, {}), (std::vector<std::string>{"daily", "weekly", "free"}));
  std::map<std::string, std::string> ran = {{"daily", "2026-03-06"}, {"weekly", "2026-03-06"}};
  EXPECT_EQ(due_newsletters(c, eight, ran), (std::vector<std::string>{"free"}));
  // Saturday: the daily only.
  auto saturday = *core::parse_rfc3339("2026-03-06T23:00:00Z");
  EXPECT_EQ(due_newsletters(c, saturday, ran), (std::vector<std::string>{"daily"}));
  c.newsletter_daily_at.clear();
  c.newsletter_weekly_at.clear();
  EXPECT_TRUE(due_newsletters(c, eight, {}).empty());
}
