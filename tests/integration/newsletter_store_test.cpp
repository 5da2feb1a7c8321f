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
