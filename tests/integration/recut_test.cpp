// Cutting teasers again after the setting changes (issue 14, finding 19): in the
// background, batch by batch, resuming from whatever is still cut otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "content/recut.h"
#include "core/time.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

std::string body() { return "One.\\n\\nTwo.\\n\\nThree.\\n\\nFour.\\n\\nFive."; }

class RecutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("recut");
    store_ = test_store::open_new(dir_);
    content::ContentService at3(store_->content(), clock_, 3);
    std::string lines;
    for (int i = 0; i < 600; ++i) {  // more than two batches
      lines += R"({"slug":"a-)" + std::to_string(i) + R"(","headline":"H","body":")" + body() +
               R"(","published_at":"2025-01-01T00:00:00Z"})" "\n";
    }
    ASSERT_TRUE(at3.import_jsonl(lines));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string teaser(const std::string& slug) {
    return store_->content().find_article(slug, false)->teaser_html;
  }

  std::filesystem::path dir_;
  core::FixedClock clock_{*core::parse_rfc3339("2025-06-01T00:00:00Z")};
  std::unique_ptr<store::Store> store_;
};

}  // namespace

TEST_F(RecutTest, EveryArticleIsCutAgainAtTheNewLength) {
  EXPECT_NE(teaser("a-0").find("Three."), std::string::npos);
  EXPECT_EQ(store_->content().count_cut_otherwise(3), 0);
  EXPECT_EQ(store_->content().count_cut_otherwise(1), 600);
  content::ContentService at1(store_->content(), clock_, 1);
  content::Recut recut(at1, store_->content(), 1);
  recut.start();
  recut.wait();
  auto p = recut.progress();
  EXPECT_FALSE(p.running);
  EXPECT_EQ(p.done, 600);
  EXPECT_EQ(p.total, 600);
  EXPECT_EQ(store_->content().count_cut_otherwise(1), 0);
  EXPECT_EQ(teaser("a-599").find("Two."), std::string::npos) << teaser("a-599");
  EXPECT_NE(store_->content().find_article("a-599", true)->gated_html->find("Two."), std::string::npos);
}

TEST_F(RecutTest, StoppedPartWayItResumesWhereItStopped) {
  content::ContentService at1(store_->content(), clock_, 1);
  {
    content::Recut recut(at1, store_->content(), 1);
    recut.start();
  }  // stopped (destroyed) after the batch in hand
  int left = store_->content().count_cut_otherwise(1);
  EXPECT_LT(left, 600);
  content::Recut again(at1, store_->content(), 1);
  again.start();
  again.wait();
  EXPECT_EQ(again.progress().total, left);
  EXPECT_EQ(store_->content().count_cut_otherwise(1), 0);
}

TEST_F(RecutTest, NothingToDoStartsNothing) {
  content::ContentService at3(store_->content(), clock_, 3);
  content::Recut recut(at3, store_->content(), 3);
  recut.start();
  EXPECT_FALSE(recut.progress().running);
}
