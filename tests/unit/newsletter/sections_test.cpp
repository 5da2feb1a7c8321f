#include <gtest/gtest.h>

#include "newsletter/sections.h"

TEST(EditionSections, RoundTripThroughJson) {
  newsletter::Sections s;
  s.intro = "Hello";
  s.briefs.push_back({"Ceasefire", "Fragile.", "https://news.example.org/a", "Example"});
  s.radar = {"Grain"};
  s.ahead = {"Summit on Friday"};
  s.items = std::vector<newsletter::ItemNote>{{"b", "Read first"}, {"a", ""}};
  auto back = newsletter::sections_from_json(newsletter::to_json(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->briefs[0].take, "Fragile.");
  ASSERT_TRUE(back->items);
  EXPECT_EQ((*back->items)[0].slug, "b");
  EXPECT_EQ((*back->items)[0].note, "Read first");
  EXPECT_EQ(back->ahead[0], "Summit on Friday");
  EXPECT_FALSE(newsletter::sections_from_json("{\"intro\":")) << "broken JSON";
}

TEST(EditionSections, SourceLinksMustBeWebAddresses) {
  newsletter::Sections s;
  s.briefs.push_back({"X", "", "javascript:alert(1)", ""});
  auto r = newsletter::validate(s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("https://"), std::string::npos);
  s.briefs[0].source_url = "https://ok.example.org/\"><script>";
  EXPECT_FALSE(newsletter::validate(s));
  s.briefs[0].source_url = "";
  s.briefs[0].headline = "";
  EXPECT_FALSE(newsletter::validate(s)) << "a brief needs a headline";
}
