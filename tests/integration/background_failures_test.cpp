// Background threads survive a failing store (issue 14, finding 17): the newsletter
// scheduler, the desk's send thread and the send workers catch, log, back off and carry
// on. A store that throws on demand wraps a real SQLite store. Before the fix, the first
// throw ended the whole test binary (std::terminate).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "content/service.h"
#include "core/crypto.h"
#include "core/time.h"
#include "newsletter/scheduler.h"
#include "newsletter/service.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

using namespace std::chrono_literals;

// The newsletter store of a real database, throwing StoreError from the chosen method
// while armed ("*": every method).
class FlakyNewsletters final : public store::NewsletterStore {
 public:
  explicit FlakyNewsletters(store::NewsletterStore& real) : real_(real) {}
  void arm(std::string method) {
    std::lock_guard lock(mu_);
    armed_ = std::move(method);
  }
  void disarm() { arm(""); }
  int throws() const { return throws_; }

  std::optional<store::Edition> find_edition(const std::string& n, const std::string& k) override {
    fail("find_edition");
    return real_.find_edition(n, k);
  }
  core::Result<store::Edition> save_edition(const store::Edition& e, core::UnixTime now) override {
    fail("save_edition");
    return real_.save_edition(e, now);
  }
  std::vector<std::pair<long long, std::string>> audience(const std::string& n, core::UnixTime now,
                                                          int b) override {
    fail("audience");
    return real_.audience(n, now, b);
  }
  int audience_count(const std::string& n, core::UnixTime now, int b) override {
    fail("audience_count");
    return real_.audience_count(n, now, b);
  }
  core::Result<int> enqueue(long long id,
                            const std::vector<std::pair<long long, std::string>>& r) override {
    fail("enqueue");
    return real_.enqueue(id, r);
  }
  // The database's share of an edition (PostgreSQL) reads the queue through claim: it
  // fails as "due" does.
  class FlakyHold final : public SendHold {
   public:
    FlakyHold(FlakyNewsletters& owner, std::unique_ptr<SendHold> real)
        : owner_(owner), real_(std::move(real)) {}
    int sender() const override { return real_->sender(); }
    std::vector<store::Delivery> claim(core::UnixTime now, int limit) override {
      owner_.fail("due");
      return real_->claim(now, limit);
    }
    void release(long long m) override { real_->release(m); }
    core::Result<void> release_senders(const std::vector<int>& ids) override {
      return real_->release_senders(ids);
    }

   private:
    FlakyNewsletters& owner_;
    std::unique_ptr<SendHold> real_;
  };
  core::Result<std::unique_ptr<SendHold>> hold_edition(long long id, int lease) override {
    fail("hold_edition");
    auto hold = real_.hold_edition(id, lease);
    if (!hold || !*hold) return hold;
    return std::unique_ptr<SendHold>(new FlakyHold(*this, std::move(*hold)));
  }
  std::vector<store::Delivery> due(long long id, core::UnixTime now, int limit,
                                   long long after) override {
    fail("due");
    return real_.due(id, now, limit, after);
  }
  core::Result<void> mark_sent(long long id, long long m, core::UnixTime now) override {
    fail("mark_sent");
    return real_.mark_sent(id, m, now);
  }
  core::Result<void> mark_sent_batch(long long id, const std::vector<long long>& m,
                                     core::UnixTime now) override {
    fail("mark_sent_batch");
    return real_.mark_sent_batch(id, m, now);
  }
  core::Result<void> mark_failed(long long id, long long m, const std::string& err, bool p,
                                 core::UnixTime at) override {
    fail("mark_failed");
    return real_.mark_failed(id, m, err, p, at);
  }
  store::DeliveryCounts counts(long long id) override {
    fail("counts");
    return real_.counts(id);
  }
  std::optional<store::Edition> latest_sent_edition(const std::string& n,
                                                    const std::string& before) override {
    fail("latest_sent_edition");
    return real_.latest_sent_edition(n, before);
  }
  std::optional<EditionDraft> edition_draft(const std::string& n, const std::string& k) override {
    fail("edition_draft");
    return real_.edition_draft(n, k);
  }
  core::Result<void> save_edition_draft(const std::string& n, const std::string& k,
                                        const EditionDraft& d, long long m,
                                        core::UnixTime now) override {
    fail("save_edition_draft");
    return real_.save_edition_draft(n, k, d, m, now);
  }
  std::vector<std::pair<std::string, std::string>> scheduled_due(core::UnixTime now) override {
    fail("scheduled_due");
    return real_.scheduled_due(now);
  }
  std::vector<MemberDelivery> deliveries_of(long long m, int limit) override {
    fail("deliveries_of");
    return real_.deliveries_of(m, limit);
  }
  std::vector<EditionStats> recent_editions(const std::string& n, int limit) override {
    fail("recent_editions");
    return real_.recent_editions(n, limit);
  }

 private:
  void fail(const char* method) {
    std::lock_guard lock(mu_);
    if (armed_ == "*" || armed_ == method) {
      ++throws_;
      throw store::StoreError(std::string("injected: database is locked (") + method + ")");
    }
  }
  store::NewsletterStore& real_;
  std::mutex mu_;
  std::string armed_;
  std::atomic<int> throws_{0};
};

class FlakyStore final : public store::Store {
 public:
  explicit FlakyStore(std::unique_ptr<store::Store> real)
      : real_(std::move(real)), newsletters_(real_->newsletters()) {}
  store::ContentStore& content() override { return real_->content(); }
  store::MemberStore& members() override { return real_->members(); }
  store::EventStore& events() override { return real_->events(); }
  store::NewsletterStore& newsletters() override { return newsletters_; }
  store::EditorialStore& editorial() override { return real_->editorial(); }
  store::MailQueueStore& mail_queue() override { return real_->mail_queue(); }
  store::BillingStore& billing() override { return real_->billing(); }
  store::IntegrationStore& integrations() override { return real_->integrations(); }
  store::RedirectStore& redirects() override { return real_->redirects(); }
  store::ImportStore& imports() override { return real_->imports(); }
  store::PageStore& pages() override { return real_->pages(); }
  store::CuratorStore& curator() override { return real_->curator(); }
  Versions versions() override { return real_->versions(); }
  FlakyNewsletters& flaky() { return newsletters_; }

 private:
  std::unique_ptr<store::Store> real_;
  FlakyNewsletters newsletters_;
};

// Counts what would be mailed.
class CountingMailer final : public mail::Mailer {
 public:
  explicit CountingMailer(std::atomic<int>& sent) : sent_(sent) {}
  core::Result<void> send(const mail::Message&) override {
    ++sent_;
    return {};
  }

 private:
  std::atomic<int>& sent_;
};

template <typename F>
bool eventually(F condition, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

class BackgroundFailures : public ::testing::Test {
 protected:
  void SetUp() override {
    core::init_crypto();
    dir_ = test_store::fresh_folder("bgfail");
    store_ = std::make_unique<FlakyStore>(
        test_store::open_new(dir_));
    content::ContentService content(store_->content(), clock_, 3);
    ASSERT_TRUE(content.import_jsonl(
        R"({"slug":"a","headline":"H","body":"a\n\nb","access":"free","published_at":"2026-03-01T08:00:00Z"})"
        "\n"));
    for (const char* email : {"s1@example.org", "s2@example.org"}) {
      ASSERT_TRUE(store_->members().grant(email, "", clock_.now() + 86400 * 365, clock_.now()));
    }
    config_.data_dir = dir_.string();
    config_.site_url = "https://news.example";
    config_.newsletter_daily_at = "00:00";  // due at once
    newsletter::Options options;
    options.connections = 2;
    service_ = std::make_unique<newsletter::NewsletterService>(
        *store_, clock_, config_, [this] { return std::make_unique<CountingMailer>(sent_); },
        options, "secret");
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  core::FixedClock clock_{*core::parse_rfc3339("2026-03-02T09:00:00Z")};
  core::Config config_;
  std::unique_ptr<FlakyStore> store_;
  std::atomic<int> sent_{0};
  std::unique_ptr<newsletter::NewsletterService> service_;
};

}  // namespace

TEST_F(BackgroundFailures, TheSchedulerBacksOffAndCarriesOn) {
  store_->flaky().arm("*");
  newsletter::Scheduler scheduler(*service_, clock_, config_, 20ms);
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return store_->flaky().throws() >= 2; })) << "it looked again";
  store_->flaky().disarm();
  EXPECT_TRUE(eventually([&] { return sent_ >= 2; })) << "the Daily Review went out after all";
  scheduler.stop();
}

TEST_F(BackgroundFailures, TheDeskSendThreadSurvivesAndTheNewsletterCanBeSentAgain) {
  auto ref = service_->resolve("daily", "2026-03-02");
  ASSERT_TRUE(ref);
  store_->flaky().arm("enqueue");
  ASSERT_TRUE(service_->start_send(*ref));
  ASSERT_TRUE(eventually([&] { return !service_->sending("daily"); }));
  EXPECT_EQ(sent_, 0);
  store_->flaky().disarm();
  ASSERT_TRUE(service_->start_send(*ref));
  EXPECT_TRUE(eventually([&] { return !service_->sending("daily") && sent_ == 2; }));
}

TEST_F(BackgroundFailures, ASendWorkerThatCannotReadTheQueueStopsTheSendNotTheProcess) {
  store_->flaky().arm("due");
  auto report = service_->send("daily", "2026-03-02", nullptr, /*wait_for_retries=*/false);
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().message.find("injected"), std::string::npos) << report.error().message;
  store_->flaky().disarm();
  auto again = service_->send("daily", "2026-03-02", nullptr, /*wait_for_retries=*/false);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->totals.sent, 2);
  EXPECT_EQ(sent_, 2);
}
