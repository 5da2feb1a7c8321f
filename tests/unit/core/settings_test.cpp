#include <gtest/gtest.h>

#include "core/config.h"

TEST(Settings, ApplyValidatedValuesAndNameTheBadOne) {
  core::Config c;
  auto ok = core::apply_settings(c, {{"site.name", "The Review"}, {"site.timezone", "Asia/Tokyo"},
                                     {"access.monthly_credits", "5"},
                                     {"ads", R"([{"image":"/static/a.png","link":"https://x.example","alt":"Ad"}])"}});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(c.site_name, "The Review");
  EXPECT_EQ(c.timezone, "Asia/Tokyo");
  EXPECT_EQ(c.monthly_credits, 5);
  ASSERT_EQ(c.ads.size(), 1u);
  auto bad = core::apply_settings(c, {{"site.name", "Changed"}, {"site.timezone", "Mars/Base"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("Mars/Base"), std::string::npos);
  EXPECT_EQ(c.site_name, "The Review") << "nothing applied when one value is bad";
  EXPECT_FALSE(core::apply_settings(c, {{"access.monthly_credits", "lots"}}));
  EXPECT_FALSE(core::apply_settings(c, {{"ads", R"([{"image":"javascript:x","link":"/","alt":"a"}])"}}));
  auto round = core::settings_of(c);
  core::Config d;
  ASSERT_TRUE(core::apply_settings(d, round));
  EXPECT_EQ(d.timezone, "Asia/Tokyo");
  EXPECT_EQ(d.ads.size(), 1u);
}
