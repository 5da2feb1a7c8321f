// The articles' bin on the database the tier runs on: a binned article is a draft nobody
// sees and the back office's list leaves out, restored to the status it had; purging takes
// only what was binned before the cut-off (30 days, in the web module), or one article.
#include <gtest/gtest.h>

#include <filesystem>

#include "content/service.h"
#include "core/time.h"
#include "store/editorial_store.h"
#include "test_store.h"

namespace {

class BinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("bin");
    store_ = test_store::open(test_store::location(dir_));
    content::ContentService content(store_->content(), clock_, 3);
    ASSERT_TRUE(content.import_jsonl(
        R"({"slug":"live","headline":"Live","body":"x","published_at":"2026-03-01T08:00:00Z","featured":true})" "\n"
        R"({"slug":"later","headline":"Later","body":"x","status":"scheduled","published_at":"2026-04-01T08:00:00Z"})" "\n"
        R"({"slug":"other","headline":"Other","body":"x","published_at":"2026-03-02T08:00:00Z"})" "\n"));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  long long id(const std::string& slug) { return *store_->content().article_id(slug); }
  int listed() {
    int total = 0;
    store_->editorial().list({}, total);
    return total;
  }

  core::FixedClock clock_{*core::parse_rfc3339("2026-03-08T12:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace

TEST_F(BinTest, BinnedArticlesAreSeenNowhereAndComeBackAsTheyWere) {
  auto& ed = store_->editorial();
  long long version = store_->versions().content;
  ASSERT_TRUE(ed.bin_article(id("live"), 0, 1000));
  ASSERT_TRUE(ed.bin_article(id("later"), 0, 2000));
  EXPECT_GT(store_->versions().content, version);
  auto again = ed.bin_article(id("live"), 0, 3000);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(ed.bin_article(999999, 0, 3000).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(store_->content().find_article("live", false)->summary.status, content::Status::kDraft);
  store::ArticleQuery q;
  q.now = clock_.now();
  auto visible = store_->content().list_articles(q);
  ASSERT_EQ(visible.total, 1);
  EXPECT_EQ(visible.items[0].slug, "other");
  EXPECT_EQ(listed(), 1);
  auto bin = ed.binned();
  ASSERT_EQ(bin.size(), 2u);
  EXPECT_EQ(bin[0].slug, "later");  // newest first
  EXPECT_EQ(bin[0].status_before, content::Status::kScheduled);
  EXPECT_EQ(bin[1].status_before, content::Status::kPublished);

  ASSERT_TRUE(ed.restore_binned(id("live")));
  EXPECT_EQ(store_->content().find_article("live", false)->summary.status, content::Status::kPublished);
  EXPECT_FALSE(ed.is_binned(id("live")));
  EXPECT_EQ(ed.restore_binned(id("live")).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(listed(), 2);
}

TEST_F(BinTest, PurgingTakesOnlyWhatIsOldEnoughOrTheOneAskedFor) {
  auto& ed = store_->editorial();
  long long later = id("later"), other = id("other");
  ASSERT_TRUE(ed.bin_article(id("live"), 0, 1000));
  ASSERT_TRUE(ed.bin_article(later, 0, 5000));
  ASSERT_TRUE(ed.bin_article(other, 0, 6000));
  EXPECT_EQ(*ed.purge_bin(1000), 0);  // strictly before the cut-off
  EXPECT_EQ(*ed.purge_bin(1001), 1);
  EXPECT_FALSE(store_->content().article_id("live"));
  EXPECT_EQ(*ed.purge_bin(9000, other), 1);  // one article, whatever the others
  EXPECT_FALSE(store_->content().article_id("other"));
  EXPECT_TRUE(ed.is_binned(later));
  EXPECT_EQ(ed.binned().size(), 1u);
}
