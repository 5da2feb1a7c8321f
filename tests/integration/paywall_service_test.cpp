// PaywallService on a real SQLite file with an injected clock: monthly credits reset on
// the first of the month in the publication's time zone, never roll over, and unlocked
// articles stay readable.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <atomic>

#include "content/service.h"
#include "core/crypto.h"
#include "core/time.h"
#include "events/recorder.h"
#include "paywall/service.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

class PaywallServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::init_crypto();
    dir_ = test_store::fresh_folder("paywall");
    store_ = test_store::open_new(dir_);
    config_.timezone = "Asia/Tokyo";  // UTC+9: the local month starts at 15:00 UTC the day before
    config_.monthly_credits = 3;
    content::ContentService content(store_->content(), clock_, 3);
    std::string lines;
    for (int i = 0; i < 8; ++i) {
      lines += R"({"slug":"m)" + std::to_string(i) +
               R"(","headline":"H","body":"a\n\nb","access":"metered","published_at":"2025-01-01T00:00:00Z"})" "\n";
    }
    lines += R"({"slug":"p","headline":"P","body":"a\n\nb","access":"premium","published_at":"2025-01-01T00:00:00Z"})" "\n";
    ASSERT_TRUE(content.import_jsonl(lines).has_value());
    auto m = store_->members().create_member("reader@example.org", "", true, clock_.now());
    ASSERT_TRUE(m.has_value());
    member_ = *m;
    service_ = std::make_unique<paywall::PaywallService>(store_->members(), clock_, config_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  long long id(const std::string& slug) { return *store_->content().article_id(slug); }
  paywall::Visitor visitor() {
    return service_->identify(store_->members().find_member(member_.id), "198.51.100.7",
                              store_->versions().members);
  }
  store::UnlockOutcome unlock(const std::string& slug) {
    auto r = service_->unlock(visitor(), id(slug), content::AccessClass::kMetered);
    EXPECT_TRUE(r.has_value());
    return r.value_or(store::UnlockOutcome::kNoCreditsLeft);
  }

  std::filesystem::path dir_;
  // 28 February 2025, 14:00 UTC = 23:00 in Tokyo, still February there.
  core::FixedClock clock_{*core::parse_rfc3339("2025-02-28T14:00:00Z")};
  core::Config config_;
  std::unique_ptr<store::Store> store_;
  accounts::Member member_;
  std::unique_ptr<paywall::PaywallService> service_;
};

}  // namespace

TEST_F(PaywallServiceTest, MonthWindowFollowsThePublicationsZone) {
  auto w = paywall::month_window(clock_.now(), "Asia/Tokyo");
  EXPECT_EQ(w.from, *core::parse_rfc3339("2025-01-31T15:00:00Z"));
  EXPECT_EQ(w.to, *core::parse_rfc3339("2025-02-28T15:00:00Z"));
}

TEST_F(PaywallServiceTest, CreditsResetAtLocalMidnightOnTheFirstAndNeverRollOver) {
  EXPECT_EQ(service_->credits_left(member_), 3);
  EXPECT_EQ(unlock("m0"), store::UnlockOutcome::kUnlocked);
  EXPECT_EQ(unlock("m1"), store::UnlockOutcome::kUnlocked);
  EXPECT_EQ(service_->credits_left(member_), 1);
  EXPECT_EQ(unlock("m1"), store::UnlockOutcome::kAlreadyUnlocked);  // no second charge
  EXPECT_EQ(service_->credits_left(member_), 1);

  // 14:59 UTC is 23:59 in Tokyo: still February.
  clock_.set(*core::parse_rfc3339("2025-02-28T14:59:00Z"));
  EXPECT_EQ(unlock("m2"), store::UnlockOutcome::kUnlocked);
  EXPECT_EQ(unlock("m3"), store::UnlockOutcome::kNoCreditsLeft);

  // 15:00 UTC is midnight on 1 March in Tokyo (still 28 February in UTC): a fresh three.
  clock_.set(*core::parse_rfc3339("2025-02-28T15:00:00Z"));
  EXPECT_EQ(service_->credits_left(member_), 3);
  EXPECT_EQ(unlock("m3"), store::UnlockOutcome::kUnlocked);
  EXPECT_EQ(service_->credits_left(member_), 2);

  // Earlier unlocks stay readable in the new month.
  auto r = service_->reader_for(visitor(), id("m0"), content::AccessClass::kMetered, "");
  EXPECT_TRUE(r.unlocked_this_article);
  EXPECT_TRUE(paywall::decide(r, content::AccessClass::kMetered, clock_.now()).full_text);
}

TEST_F(PaywallServiceTest, UnusedCreditsDoNotRollOver) {
  EXPECT_EQ(unlock("m0"), store::UnlockOutcome::kUnlocked);  // one of three used in February
  clock_.set(*core::parse_rfc3339("2025-03-15T00:00:00Z"));
  EXPECT_EQ(service_->credits_left(member_), 3);  // three, not five
}

TEST_F(PaywallServiceTest, PremiumAndUnverifiedCannotSpendCredits) {
  auto premium = service_->unlock(visitor(), id("p"), content::AccessClass::kPremium);
  EXPECT_FALSE(premium.has_value());
  auto other = store_->members().create_member("new@example.org", "", false, clock_.now());
  auto v = service_->identify(*other, "198.51.100.7", store_->versions().members);
  EXPECT_EQ(v.state, paywall::ReaderState::kRegisteredUnverified);
  EXPECT_FALSE(service_->unlock(v, id("m5"), content::AccessClass::kMetered).has_value());
}

TEST_F(PaywallServiceTest, InstitutionsAndGrantsMakeSubscribers) {
  ASSERT_TRUE(store_->members().add_institution("Uni", {"203.0.113.0/24", "2001:db8::/32"},
                                                clock_.now()).has_value());
  auto version = store_->versions().members;
  EXPECT_EQ(service_->identify(std::nullopt, "203.0.113.9", version).state,
            paywall::ReaderState::kSubscriber);
  EXPECT_EQ(service_->identify(std::nullopt, "2001:db8::1", version).institution, "Uni");
  EXPECT_EQ(service_->identify(std::nullopt, "203.0.114.9", version).state,
            paywall::ReaderState::kAnonymous);
  auto until = clock_.now() + 86400;
  ASSERT_TRUE(store_->members().grant("reader@example.org", "", until, clock_.now()).has_value());
  EXPECT_EQ(visitor().state, paywall::ReaderState::kSubscriber);
  clock_.set(until);  // the grant's end is exclusive
  EXPECT_EQ(visitor().state, paywall::ReaderState::kRegisteredVerified);
}

TEST_F(PaywallServiceTest, GiftLinksOpenOneArticleUntilTheyExpire) {
  ASSERT_TRUE(store_->members().grant("reader@example.org", "", clock_.now() + 400 * 86400,
                                      clock_.now()).has_value());
  auto token = service_->create_gift(visitor(), id("p"));
  ASSERT_TRUE(token.has_value());
  paywall::Visitor anonymous;
  EXPECT_TRUE(service_->reader_for(anonymous, id("p"), content::AccessClass::kPremium, *token)
                  .holds_gift_for_this_article);
  EXPECT_FALSE(service_->reader_for(anonymous, id("m0"), content::AccessClass::kMetered, *token)
                   .holds_gift_for_this_article);
  clock_.set(clock_.now() + 15 * 86400);  // default lifetime is 14 days
  EXPECT_FALSE(service_->reader_for(anonymous, id("p"), content::AccessClass::kPremium, *token)
                   .holds_gift_for_this_article);
}

TEST_F(PaywallServiceTest, GiftAllowancePerMonth) {
  config_.gifts_per_month = 2;
  ASSERT_TRUE(store_->members().grant("reader@example.org", "", clock_.now() + 400 * 86400,
                                      clock_.now()).has_value());
  EXPECT_TRUE(service_->create_gift(visitor(), id("m0")).has_value());
  EXPECT_TRUE(service_->create_gift(visitor(), id("m1")).has_value());
  EXPECT_FALSE(service_->create_gift(visitor(), id("m2")).has_value());
}

TEST_F(PaywallServiceTest, RacingGiftRequestsNeverExceedTheAllowance) {
  // Issue 14, finding 22: the check and the insert are one transaction.
  config_.gifts_per_month = 3;
  ASSERT_TRUE(store_->members().grant("reader@example.org", "", clock_.now() + 400 * 86400,
                                      clock_.now()).has_value());
  auto v = visitor();
  std::atomic<int> made{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      if (service_->create_gift(v, id("m" + std::to_string(t % 8)))) ++made;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 3);
}

TEST(EventRecorder, CountsAreSummedAndWrittenOnFlush) {
  auto dir = std::filesystem::temp_directory_path() / ("meridian-events-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = test_store::open_new(dir);
  core::FixedClock clock(*core::parse_rfc3339("2025-02-28T16:00:00Z"));
  {
    events::Recorder rec(store->events(), clock, "Asia/Tokyo", 3600);
    for (int i = 0; i < 5; ++i) rec.record("view", 7, "anonymous");
    rec.record("wall", 7, "anonymous");
    rec.record("view", 7, "subscriber");
  }  // destruction flushes
  auto events = store->events().events_for_article(7);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) EXPECT_EQ(e.day, "2025-03-01");  // Tokyo's date
  EXPECT_EQ(events[0].kind, "view");
  EXPECT_EQ(events[0].reader_state, "anonymous");
  EXPECT_EQ(events[0].count, 5);
  std::filesystem::remove_all(dir);
}
