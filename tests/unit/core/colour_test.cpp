// Accent colours: parsed strictly, contrast as WCAG 2 computes it, and the settings refuse
// an accent that white text or the page cannot stand beside (AA, 4.5:1).
#include "core/colour.h"

#include <gtest/gtest.h>

#include "core/config.h"

namespace {

TEST(ColourTest, ParsesOnlyHashAndSixHexDigits) {
  EXPECT_EQ(core::parse_hex_colour("#1A5E3a"), "#1a5e3a");
  EXPECT_FALSE(core::parse_hex_colour("1a5e3a"));
  EXPECT_FALSE(core::parse_hex_colour("#1a5e3"));
  EXPECT_FALSE(core::parse_hex_colour("#1a5e3g"));
  EXPECT_FALSE(core::parse_hex_colour("red"));
}

TEST(ColourTest, ContrastRatiosMatchWcag) {
  EXPECT_NEAR(core::contrast_ratio("#000000", "#ffffff"), 21.0, 1e-9);
  EXPECT_NEAR(core::contrast_ratio("#ffffff", "#ffffff"), 1.0, 1e-9);
  EXPECT_NEAR(core::contrast_ratio("#777777", "#ffffff"), 4.48, 0.01);  // the classic near miss
  EXPECT_NEAR(core::contrast_ratio("#8a1c1c", "#ffffff"), core::contrast_ratio("#ffffff", "#8a1c1c"), 1e-12);
}

TEST(ColourTest, SettingsTakeADarkAccentAndRefuseAPaleOne) {
  core::Config c;
  ASSERT_TRUE(core::apply_settings(c, {{"brand.accent", "#1A5E3A"}}));
  EXPECT_EQ(c.brand_accent, "#1a5e3a");
  auto pale = core::apply_settings(c, {{"brand.accent", "#ffcc00"}});
  ASSERT_FALSE(pale);
  EXPECT_NE(pale.error().message.find("AA needs 4.5:1"), std::string::npos) << pale.error().message;
  EXPECT_EQ(c.brand_accent, "#1a5e3a");  // unchanged
  EXPECT_FALSE(core::apply_settings(c, {{"brand.accent", "green"}}));
  ASSERT_TRUE(core::apply_settings(c, {{"brand.accent", ""}}));
  EXPECT_EQ(c.brand_accent, "");
}

TEST(ColourTest, HeaderNavigationIsAListOfSiteAddresses) {
  core::Config c;
  ASSERT_TRUE(core::apply_settings(c, {{"brand.nav", " /countries/kenya\n/topics/energy, /pages/about \n\n"}}));
  EXPECT_EQ(c.brand_nav, (std::vector<std::string>{"/countries/kenya", "/topics/energy", "/pages/about"}));
  auto bad = core::apply_settings(c, {{"brand.nav", "/topics/energy\nhttps://elsewhere.example/"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("https://elsewhere.example/"), std::string::npos);
  EXPECT_FALSE(core::apply_settings(c, {{"brand.nav", "/authors/ann-lee"}}));
  std::string many;
  for (int i = 0; i < 11; ++i) many += "/topics/t" + std::to_string(i) + "\n";
  EXPECT_FALSE(core::apply_settings(c, {{"brand.nav", many}}));
  EXPECT_EQ(c.brand_nav.size(), 3u);
  auto round = core::settings_of(c);
  EXPECT_EQ(round["brand.nav"], "/countries/kenya\n/topics/energy\n/pages/about");
}

TEST(ColourTest, FooterLinksAreLabelledAddressesThatCannotRunScript) {
  core::Config c;
  ASSERT_TRUE(core::apply_settings(
      c, {{"brand.footer", " Careers | https://jobs.example.org/ \n\nWrite to us|mailto:desk@example.org\r\nHistory | /pages/about"}}));
  ASSERT_EQ(c.brand_footer.size(), 3u);
  EXPECT_EQ(c.brand_footer[0].label, "Careers");
  EXPECT_EQ(c.brand_footer[0].url, "https://jobs.example.org/");
  EXPECT_EQ(c.brand_footer[1].url, "mailto:desk@example.org");
  EXPECT_EQ(c.brand_footer[2].url, "/pages/about");
  for (const char* bad : {"Careers https://jobs.example.org", "Careers |", "| /pages/about",
                          "Run | javascript:alert(1)", "Away | //evil.example", "Sneaky | /a\"onmouseover=x",
                          "Mail | mailto:nobody", "Tab | /a\tb"}) {
    auto r = core::apply_settings(c, {{"brand.footer", bad}});
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_EQ(c.brand_footer.size(), 3u);  // a refused value changes nothing
  std::string many;
  for (int i = 0; i < 13; ++i) many += "L" + std::to_string(i) + " | /pages/p" + std::to_string(i) + "\n";
  EXPECT_FALSE(core::apply_settings(c, {{"brand.footer", many}}));
  EXPECT_EQ(core::settings_of(c)["brand.footer"],
            "Careers | https://jobs.example.org/\nWrite to us | mailto:desk@example.org\nHistory | /pages/about");
}

}  // namespace
