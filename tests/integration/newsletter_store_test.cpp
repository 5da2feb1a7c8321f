// The newsletter store on a real SQLite file: scheduled editions come due, and come back
// while retries are due.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/time.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

TEST(NewsletterStore, ScheduledEditionsComeDueAndReturnForRetries) {
  auto dir = std::filesystem::temp_directory_path() / ("meridian-nlstore-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = test_store::open_new(dir);
  auto& ns = store->newsletters();
  core::UnixTime t0 = *core::parse_rfc3339("2026-03-01T06:00:00Z");
  auto a = *store->members().grant("a@example.org", "", t0 + 86400 * 365, t0);
  auto b = *store->members().grant("b@example.org", "", t0 + 86400 * 365, t0);
  store::NewsletterStore::EditionDraft d;
  d.date = "2026-03-01";
  d.sections = "{}";
  d.scheduled_at = t0 + 3600;
  ASSERT_TRUE(ns.save_edition_draft("daily", "2026-03-01", d, 0, t0));
  EXPECT_TRUE(ns.scheduled_due(t0).empty()) << "not before its time";
  auto due = ns.scheduled_due(t0 + 3600);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], (std::pair<std::string, std::string>{"daily", "2026-03-01"}));
  // Sent: one delivered, one waiting for a retry in ten minutes.
  auto e = ns.save_edition({0, "daily", "2026-03-01", "S", "t", "h"}, t0);
  ASSERT_TRUE(e);
  ASSERT_TRUE(ns.enqueue(e->id, {{a.id, a.email}, {b.id, b.email}}));
  ASSERT_TRUE(ns.mark_sent(e->id, a.id, t0 + 3600));
  ASSERT_TRUE(ns.mark_failed(e->id, b.id, "451", false, t0 + 4200));
  EXPECT_TRUE(ns.scheduled_due(t0 + 3700).empty()) << "nothing to do until the retry";
  EXPECT_EQ(ns.scheduled_due(t0 + 4200).size(), 1u) << "the retry is due";
  ASSERT_TRUE(ns.mark_sent_batch(e->id, {b.id}, t0 + 4200));
  EXPECT_TRUE(ns.scheduled_due(t0 + 9000).empty()) << "all sent";
  // Once queued, the stored edition is final.
  auto again = ns.save_edition({0, "daily", "2026-03-01", "Changed", "t2", "h2"}, t0 + 9000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->subject, "S");
  std::filesystem::remove_all(dir);
}

// Senders sharing an edition (PostgreSQL): what a dead sender claimed waits for the lease,
// or is freed at once by the next sender on its folder (which stored its journal first).
TEST(NewsletterStore, ADeadSendersClaimsWaitForTheLeaseOrTheNextSenderOnItsFolder) {
  auto dir = std::filesystem::temp_directory_path() /
             ("meridian-nlclaims-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = test_store::open_new(dir);
  auto& ns = store->newsletters();
  core::UnixTime t0 = *core::parse_rfc3339("2026-03-01T06:00:00Z");
  std::vector<std::pair<long long, std::string>> readers;
  for (int i = 0; i < 10; ++i) {
    auto m = *store->members().grant("r" + std::to_string(i) + "@example.org", "", t0 + 86400, t0);
    readers.emplace_back(m.id, m.email);
  }
  auto e = ns.save_edition({0, "daily", "2026-03-01", "S", "t", "h"}, t0);
  ASSERT_TRUE(e);
  ASSERT_EQ(*ns.enqueue(e->id, readers), 10);
  EXPECT_EQ(*ns.enqueue(e->id, readers), 0) << "queued once";
  auto first = ns.hold_edition(e->id, 60);
  ASSERT_TRUE(first);
  if (!*first) {
    EXPECT_FALSE(test_store::on_postgres()) << "PostgreSQL shares editions";
    std::filesystem::remove_all(dir);
    return;  // SQLite: one sender per folder, under the folder's lock
  }
  auto claimed = (*first)->claim(t0, 4);
  ASSERT_EQ(claimed.size(), 4u);
  int dead = (*first)->sender();
  first->reset();  // the sender dies with 4 claims
  auto second = ns.hold_edition(e->id, 60);
  ASSERT_TRUE(second && *second);
  EXPECT_NE((*second)->sender(), dead);
  auto rest = (*second)->claim(t0 + 10, 100);
  EXPECT_EQ(rest.size(), 6u) << "the dead sender's claims wait for the lease";
  EXPECT_TRUE((*second)->claim(t0 + 10, 100).empty()) << "its own are in its hands";
  // A sender with a short lease takes them once it has passed.
  auto third = ns.hold_edition(e->id, 5);
  ASSERT_TRUE(third && *third);
  EXPECT_TRUE((*third)->claim(t0 + 4, 100).empty());
  auto taken = (*third)->claim(t0 + 5, 100);
  EXPECT_EQ(taken.size(), 4u);
  int third_id = (*third)->sender();
  third->reset();  // and dies too
  // The next sender on the third's folder, having stored its journal, frees them at once.
  auto fourth = ns.hold_edition(e->id, 3600);
  ASSERT_TRUE(fourth && *fourth);
  EXPECT_TRUE((*fourth)->claim(t0 + 20, 100).empty());
  ASSERT_TRUE((*fourth)->release_senders({third_id}));
  auto freed = (*fourth)->claim(t0 + 20, 100);
  ASSERT_EQ(freed.size(), 4u);
  std::vector<long long> sent;
  for (const auto& d : freed) sent.push_back(d.member_id);
  ASSERT_TRUE(ns.mark_sent_batch(e->id, sent, t0 + 20));
  EXPECT_EQ(ns.counts(e->id).pending, 6);
  std::filesystem::remove_all(dir);
}
