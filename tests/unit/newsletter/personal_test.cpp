// Each reader's copy of an edition: items carrying a followed term first, each group in
// the edition's order; markers never left in the text; editions without markers as they are.
#include "newsletter/personal.h"

#include <gtest/gtest.h>

namespace {

std::string body() {
  using newsletter::item_close;
  using newsletter::item_open;
  return "Intro\n" + item_open({1, 5}) + "* A\n" + item_close() + item_open({2}) + "* B\n" +
         item_close() + item_open({}) + "* C\n" + item_close() + item_open({2, 3}) + "* D\n" +
         item_close() + "Radar\n";
}

TEST(PersonalTest, NothingFollowedKeepsTheOrderAndDropsTheMarks) {
  EXPECT_EQ(newsletter::reorder(body(), {}), "Intro\n* A\n* B\n* C\n* D\nRadar\n");
}

TEST(PersonalTest, FollowedItemsLeadInTheirOwnOrder) {
  EXPECT_EQ(newsletter::reorder(body(), {2}), "Intro\n* B\n* D\n* A\n* C\nRadar\n");
  EXPECT_EQ(newsletter::reorder(body(), {3, 5}), "Intro\n* A\n* D\n* B\n* C\nRadar\n");
  EXPECT_EQ(newsletter::reorder(body(), {99}), "Intro\n* A\n* B\n* C\n* D\nRadar\n");
}

TEST(PersonalTest, IdsMatchWholeNotByPrefix) {
  std::string b = newsletter::item_open({12}) + "x" + newsletter::item_close() +
                  newsletter::item_open({1}) + "y" + newsletter::item_close();
  EXPECT_EQ(newsletter::reorder(b, {1}), "yx");
}

TEST(PersonalTest, AnEditionWithoutMarksIsUnchanged) {
  std::string old = "Intro\n* A\n* B\n";
  EXPECT_EQ(newsletter::reorder(old, {1}), old);
  store::Edition e;
  e.text = body();
  e.html = "<p>" + body() + "</p>";
  auto mine = newsletter::for_reader(e, {2});
  EXPECT_EQ(mine.text, "Intro\n* B\n* D\n* A\n* C\nRadar\n");
  EXPECT_EQ(mine.html, "<p>Intro\n* B\n* D\n* A\n* C\nRadar\n</p>");
}

TEST(PersonalTest, AnUnclosedMarkLosesNoText) {
  std::string b = "Intro " + newsletter::item_open({1}) + "tail without end";
  std::string out = newsletter::reorder(b, {1});
  EXPECT_EQ(out.find('\x1e'), std::string::npos);
  EXPECT_NE(out.find("Intro"), std::string::npos);
}

}  // namespace
