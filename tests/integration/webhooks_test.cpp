// The webhook worker with a clock: articles are announced when they go live (scheduled ones
// when their time comes), once each; new members are announced; deliveries that fail are
// retried with back-off, then given up.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "content/service.h"
#include "core/crypto.h"
#include "core/time.h"
#include "integrations/webhooks.h"
#include "store/integration_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

namespace fs = std::filesystem;
constexpr core::UnixTime kNow = 1800000000;

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::init_crypto();
    dir_ = test_store::fresh_folder("webhooks");
    store_ = test_store::open_new(dir_);
    hooks_ = std::make_unique<integrations::Webhooks>(store_->integrations(), clock_,
                                                      "https://example.org", 10);
    std::string secret;
    // Port 9 (discard) on loopback: refused at once, so every attempt fails fast.
    ASSERT_TRUE(hooks_->add_endpoint("http://127.0.0.1:9/hook",
                                     {"article.published", "member.created", "subscription.ended"},
                                     secret));
  }
  void TearDown() override {
    hooks_.reset();
    fs::remove_all(dir_);
  }
  std::vector<std::string> queued(const std::string& type) {
    std::vector<std::string> out;
    for (const auto& d : store_->integrations().recent_deliveries(100)) {
      if (d.type == type) out.push_back(nlohmann::json::parse(d.payload)["data"].value("slug", ""));
    }
    return out;
  }
  void import(const std::string& slug, core::UnixTime published_at) {
    content::ContentService content(store_->content(), clock_, 3);
    std::string line = R"({"slug":")" + slug + R"(","headline":"H","body":"a","access":"free",)" +
                       R"("published_at":")" + core::format_rfc3339(published_at) + "\"}\n";
    ASSERT_TRUE(content.import_jsonl(line));
  }

  fs::path dir_;
  core::FixedClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<integrations::Webhooks> hooks_;
};

TEST_F(WebhooksTest, ArticlesAreAnnouncedWhenTheyGoLiveOnce) {
  import("old-news", kNow - 86400);  // live before the worker started: not news
  hooks_->start();
  hooks_->stop();
  import("now-live", kNow);
  import("scheduled", kNow + 3600);
  hooks_->work_once();
  EXPECT_EQ(queued("article.published"), std::vector<std::string>{"now-live"});
  clock_.set(kNow + 3599);
  hooks_->work_once();
  EXPECT_EQ(queued("article.published").size(), 1u);  // not yet
  clock_.set(kNow + 3600);
  hooks_->work_once();
  hooks_->work_once();
  auto all = queued("article.published");
  ASSERT_EQ(all.size(), 2u);  // newest first
  EXPECT_EQ(all[0], "scheduled");
}

TEST_F(WebhooksTest, NewMembersAreAnnouncedAndFailedDeliveriesBackOffThenStop) {
  ASSERT_TRUE(store_->members().create_member("before@example.org", "", true, kNow));
  hooks_->start();
  hooks_->stop();
  ASSERT_TRUE(store_->members().create_member("after@example.org", "", true, kNow));
  hooks_->work_once();
  auto deliveries = store_->integrations().recent_deliveries(10);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(deliveries[0].payload)["data"]["email"], "after@example.org");
  EXPECT_EQ(deliveries[0].attempts, 1);
  EXPECT_EQ(deliveries[0].state, "pending");
  hooks_->work_once();  // not due yet: 10 s back-off
  EXPECT_EQ(store_->integrations().recent_deliveries(10)[0].attempts, 1);
  for (int i = 0; i < 12; ++i) {
    clock_.set(clock_.now() + 7200);
    hooks_->work_once();
  }
  auto last = store_->integrations().recent_deliveries(10)[0];
  EXPECT_EQ(last.attempts, 10);
  EXPECT_EQ(last.state, "failed");
  EXPECT_FALSE(last.last_error.empty());
}

TEST_F(WebhooksTest, ComplimentaryAccessRunningOutIsAnEnding) {
  ASSERT_TRUE(store_->members().grant("short@example.org", "", kNow + 100, kNow));
  ASSERT_TRUE(store_->members().grant("long@example.org", "", kNow + 100000, kNow));
  hooks_->start();
  hooks_->stop();
  auto ended = [&] {
    std::vector<std::string> out;
    for (const auto& d : store_->integrations().recent_deliveries(100)) {
      if (d.type == "subscription.ended") {
        out.push_back(nlohmann::json::parse(d.payload)["data"]["email"].get<std::string>());
      }
    }
    return out;
  };
  hooks_->work_once();
  EXPECT_TRUE(ended().empty());
  clock_.set(kNow + 100);
  hooks_->work_once();
  hooks_->work_once();
  EXPECT_EQ(ended(), std::vector<std::string>{"short@example.org"});  // once
}

}  // namespace

// A reload starts the new worker before the old one stops (and, on a shared database,
// several nodes run one each): a happening both find is queued once, and a delivery one
// worker has claimed is not sent by the other until its lease runs out.
TEST_F(WebhooksTest, TwoWorkersQueueAndSendEachHappeningOnce) {
  hooks_->start();
  hooks_->stop();
  integrations::Webhooks second(store_->integrations(), clock_, "https://example.org", 10);
  ASSERT_TRUE(store_->members().create_member("one@example.org", "", true, kNow));
  import("both-see-it", kNow);
  // The first worker reads its cursors, the second does its round, then the first goes
  // on from what it read: both find the same member and article.
  auto& store = store_->integrations();
  std::vector<std::pair<std::string, long long>> read;
  for (const char* name : {"members", "articles", "articles_id"}) read.emplace_back(name, store.cursor(name));
  second.work_once();
  EXPECT_EQ(queued("member.created").size(), 1u);
  for (const auto& [name, value] : read) ASSERT_TRUE(store.set_cursor(name, value));
  hooks_->work_once();
  EXPECT_EQ(queued("member.created").size(), 1u);
  EXPECT_EQ(queued("article.published"), std::vector<std::string>{"both-see-it"});

  ASSERT_TRUE(store.enqueue("evt_x", "member.created", "{}", kNow, ""));
  auto first = store.claim_deliveries(kNow + 60, 10, kNow + 180);
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(store.claim_deliveries(kNow + 61, 10, kNow + 181).empty());  // all held
  auto after_lease = store.claim_deliveries(kNow + 180, 10, kNow + 300);    // a killed worker's
  EXPECT_EQ(after_lease.size(), first.size());
}
