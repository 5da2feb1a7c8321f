// Event counts survive a killed process (the journal in the data folder) and are never
// counted twice, on the store the tier runs on.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/time.h"
#include "events/journal.h"
#include "events/recorder.h"
#include "test_store.h"

namespace {

class EventJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::init_crypto();
    dir_ = test_store::fresh_folder("event-journal");
    location_ = test_store::location(dir_);
    store_ = test_store::open(location_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  long long views(long long article) {
    long long n = 0;
    for (const auto& e : store_->events().events_for_article(article)) {
      if (e.kind == "view") n += e.count;
    }
    return n;
  }

  std::filesystem::path dir_;
  std::string location_;
  std::unique_ptr<store::Store> store_;
  core::FixedClock clock_{*core::parse_rfc3339("2026-06-01T12:00:00Z")};
};

}  // namespace

TEST_F(EventJournalTest, CountsOfAKilledProcessAreStoredByTheNextOne) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The killed process: its own store, seven views counted, then SIGKILL before any flush.
    auto store = test_store::open(location_);
    events::Recorder rec(store->events(), clock_, "UTC", 3600, dir_.string());
    for (int i = 0; i < 7; ++i) rec.record("view", 42, "anonymous");
    ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(views(42), 0);
  {
    events::Recorder rec(store_->events(), clock_, "UTC", 3600, dir_.string());
    rec.record("view", 42, "registered");
    rec.flush();
    EXPECT_EQ(views(42), 8);
  }
  // A third start finds nothing left to add.
  { events::Recorder rec(store_->events(), clock_, "UTC", 3600, dir_.string()); }
  EXPECT_EQ(views(42), 8);
}

TEST_F(EventJournalTest, AKilledProcessLosesNothingPastTheJournalsFirstMapping) {
  // 12,000 events are about 300 KB of journal: the file's mapping grows three times.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = test_store::open(location_);
    events::Recorder rec(store->events(), clock_, "UTC", 3600, dir_.string());
    for (int i = 0; i < 12000; ++i) rec.record("view", i % 2 ? 7 : 1234567, "subscriber");
    ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  {
    events::Recorder rec(store_->events(), clock_, "UTC", 3600, dir_.string());
    rec.flush();
  }
  EXPECT_EQ(views(7), 6000);
  EXPECT_EQ(views(1234567), 6000);
  // The journal folder holds nothing but what a clean stop leaves: nothing.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "events"));
}

TEST_F(EventJournalTest, AGenerationStoredJustBeforeACrashIsNotAddedAgain) {
  {
    auto journal = events::EventJournal::open(dir_.string());
    ASSERT_TRUE(journal);
    for (int i = 0; i < 3; ++i) journal->append("2026-06-01", 5, "view", "subscriber");
    auto g = journal->rotate();
    g.counts = {{"2026-06-01", 5, "view", "subscriber", 3}};
    ASSERT_TRUE(store_->events().add_events_once(g.counts, journal->source(), g.number));
    // Killed here: the store has the counts, the closed file is still on disk.
    ASSERT_TRUE(std::filesystem::exists(g.path));
  }
  EXPECT_EQ(views(5), 3);
  {
    events::Recorder rec(store_->events(), clock_, "UTC", 3600, dir_.string());
    rec.record("view", 5, "subscriber");
  }
  EXPECT_EQ(views(5), 4);
}

TEST_F(EventJournalTest, ALiveRecordersJournalIsNotTakenOver) {
  events::Recorder server(store_->events(), clock_, "UTC", 3600, dir_.string());
  server.record("view", 9, "anonymous");
  {
    // A command started beside the server: its own journal, and the server's left alone.
    events::Recorder command(store_->events(), clock_, "UTC", 3600, dir_.string());
    command.record("view", 9, "registered");
  }
  EXPECT_EQ(views(9), 1);
  auto third = events::EventJournal::open(dir_.string());
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->take_orphans().empty());
  third->append("2026-06-01", 9, "view", "anonymous");
  third.reset();  // killed: an orphan now, taken over by the server's next flush
  server.flush();
  EXPECT_EQ(views(9), 3);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "events")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2u);  // the server's lock and current generation
}

TEST_F(EventJournalTest, ACleanStopLeavesNothingBehind) {
  {
    events::Recorder rec(store_->events(), clock_, "UTC", 3600, dir_.string());
    rec.record("view", 3, "anonymous");
    rec.flush();
    rec.record("view", 3, "anonymous");
  }
  EXPECT_EQ(views(3), 2);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "events"));
}

TEST_F(EventJournalTest, AForeignFileInTheFolderIsLeftAlone) {
  std::filesystem::create_directories(dir_ / "events");
  {
    std::ofstream f(dir_ / "events" / "notes.3");
    f << "not a journal\n";
  }
  {
    events::Recorder rec(store_->events(), clock_, "UTC", 3600, dir_.string());
    rec.record("view", 11, "anonymous");
  }
  EXPECT_EQ(views(11), 1);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "events" / "notes.3"));
}
