// Scheduled backups on a real SQLite file: made when the newest is old enough, named by
// time, pruned to [backup] keep; each restores whole.
#include <gtest/gtest.h>

#include <filesystem>

#include "backup/archive.h"
#include "backup/backup.h"
#include "core/crypto.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

namespace fs = std::filesystem;

TEST(BackupScheduler, MakesDueBackupsAndKeepsTheNewest) {
  SKIP_ON_POSTGRES();  // snapshots are SQLite's; PostgreSQL is backed up with pg_dump
  core::init_crypto();
  fs::path dir = fs::temp_directory_path() / ("meridian-backup-sched-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "data");
  auto store = store::sqlite::open_sqlite_store((dir / "data" / "meridian.db").string());
  ASSERT_TRUE(store->members().create_member("a@example.org", "", true, 1800000000));
  core::Config config;
  config.data_dir = (dir / "data").string();
  config.backup_dir = (dir / "backups").string();
  config.backup_every_hours = 24;
  config.backup_keep = 2;
  core::FixedClock clock(1800000000);
  backup::Scheduler scheduler(*store, config, clock);
  auto archives = [&] {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(config.backup_dir)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  };
  scheduler.run_once();
  ASSERT_EQ(archives().size(), 1u);
  EXPECT_EQ(archives()[0].filename().string(), backup::scheduled_name(1800000000));
  scheduler.run_once();  // not due yet
  EXPECT_EQ(archives().size(), 1u);
  for (int day = 1; day <= 3; ++day) {
    // The newest backup is a day old: due again.
    for (const auto& a : archives()) {
      fs::last_write_time(a, fs::last_write_time(a) - std::chrono::hours(25));
    }
    clock.set(1800000000 + day * 86400);
    scheduler.run_once();
  }
  auto kept = archives();
  ASSERT_EQ(kept.size(), 2u);  // pruned to keep = 2, the newest
  EXPECT_EQ(kept.back().filename().string(), backup::scheduled_name(1800000000 + 3 * 86400));
  auto restored = backup::restore(kept.back().string(), (dir / "restored").string());
  ASSERT_TRUE(restored) << restored.error().message;
  auto again = store::sqlite::open_sqlite_store((dir / "restored" / "meridian.db").string());
  EXPECT_TRUE(again->members().find_member_by_email("a@example.org"));
  fs::remove_all(dir);
}

TEST(BackupArchive, EntryNamesThatWouldEscapeAreUnsafe) {
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "a//b", "a\\b", "./a", "a/"}) {
    EXPECT_FALSE(backup::safe_entry_name(bad)) << bad;
  }
  for (const char* good : {"meridian.db", "media/hero-1.jpg", "a/b/c"}) {
    EXPECT_TRUE(backup::safe_entry_name(good)) << good;
  }
}

}  // namespace
