// "Most read" from the server's own counts, on the store the tier runs on: views summed
// over the days asked, the most first; only visible articles come back, in that order.
#include <gtest/gtest.h>

#include <filesystem>

#include "content/service.h"
#include "core/time.h"
#include "test_store.h"

namespace {

class MostReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("most-read");
    store_ = test_store::open(test_store::location(dir_));
    content::ContentService content(store_->content(), clock_, 3);
    ASSERT_TRUE(content.import_jsonl(
        R"({"slug":"a","headline":"A","body":"x","published_at":"2026-03-01T08:00:00Z"})" "\n"
        R"({"slug":"b","headline":"B","body":"x","published_at":"2026-03-01T08:00:00Z"})" "\n"
        R"({"slug":"draft","headline":"D","body":"x","status":"draft","published_at":"2026-03-01T08:00:00Z"})" "\n"));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  long long id(const std::string& slug) { return *store_->content().article_id(slug); }

  core::FixedClock clock_{*core::parse_rfc3339("2026-03-08T12:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace

TEST_F(MostReadTest, TheMostViewedVisibleArticlesComeFirst) {
  ASSERT_TRUE(store_->events().add_events({
      {"2026-03-07", id("a"), "view", "anonymous", 3},
      {"2026-03-08", id("a"), "view", "registered", 1},
      {"2026-03-08", id("b"), "view", "anonymous", 6},
      {"2026-03-08", id("b"), "wall", "anonymous", 50},      // not a view
      {"2026-02-20", id("a"), "view", "anonymous", 100},     // before the window
      {"2026-03-08", id("draft"), "view", "staff", 9},
  }));
  auto most = store_->events().most_viewed("2026-03-02", "2026-03-08", 10);
  ASSERT_EQ(most.size(), 3u);
  EXPECT_EQ(most[0], std::make_pair(id("draft"), 9LL));
  EXPECT_EQ(most[1], std::make_pair(id("b"), 6LL));
  EXPECT_EQ(most[2], std::make_pair(id("a"), 4LL));
  // The draft is not visible: left out, the order kept.
  auto shown = store_->content().visible_summaries({id("draft"), id("b"), id("a")}, clock_.now());
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].slug, "b");
  EXPECT_EQ(shown[1].slug, "a");
  EXPECT_TRUE(store_->content().visible_summaries({}, clock_.now()).empty());
}
