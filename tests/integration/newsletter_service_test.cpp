// The Daily Review's automatic sections list only articles readers can open when it goes
// out: an article scheduled for later the same day is left out until its time, and an
// edition not yet sent is composed again (so it joins once it is live).
#include <gtest/gtest.h>

#include <filesystem>

#include "content/service.h"
#include "core/time.h"
#include "newsletter/service.h"
#include "test_store.h"

namespace {

class NewsletterServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("newsletter-service");
    store_ = test_store::open(test_store::location(dir_));
    content::ContentService content(store_->content(), clock_, 3);
    // Both analysis, both dated today (UTC): one live since 06:00, one scheduled for 18:00.
    ASSERT_TRUE(content.import_jsonl(
        R"({"slug":"live-this-morning","headline":"Live this morning","body":"a\n\nb","type":"analysis","published_at":"2026-03-02T06:00:00Z"})"
        "\n"
        R"({"slug":"due-this-evening","headline":"Due this evening","body":"a\n\nb","type":"analysis","status":"scheduled","published_at":"2026-03-02T18:00:00Z"})"
        "\n"));
    config_.data_dir = dir_.string();
    config_.site_url = "https://news.example";
    service_ = std::make_unique<newsletter::NewsletterService>(
        *store_, clock_, config_, [] { return std::unique_ptr<mail::Mailer>(); },
        newsletter::Options{}, "secret");
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  core::FixedClock clock_{*core::parse_rfc3339("2026-03-02T09:00:00Z")};
  core::Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<newsletter::NewsletterService> service_;
};

}  // namespace

TEST_F(NewsletterServiceTest, AnArticleScheduledForLaterTodayWaitsForItsTime) {
  auto morning = service_->edition("daily", "2026-03-02");
  ASSERT_TRUE(morning) << morning.error().message;
  EXPECT_NE(morning->html.find("/articles/live-this-morning"), std::string::npos);
  EXPECT_EQ(morning->html.find("due-this-evening"), std::string::npos) << "a link that would 404";
  EXPECT_EQ(morning->text.find("due-this-evening"), std::string::npos);
  auto ref = service_->resolve("daily", "2026-03-02");
  ASSERT_TRUE(ref);
  for (const auto& a : service_->automatic_items(*ref)) EXPECT_NE(a.slug, "due-this-evening");

  // Not sent yet, so composed again: after 18:00 the evening piece is in.
  clock_.set(*core::parse_rfc3339("2026-03-02T18:30:00Z"));
  auto evening = service_->edition("daily", "2026-03-02");
  ASSERT_TRUE(evening);
  EXPECT_NE(evening->html.find("/articles/due-this-evening"), std::string::npos);
  EXPECT_NE(evening->html.find("/articles/live-this-morning"), std::string::npos);
}
