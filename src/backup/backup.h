// Backups of a whole publication while it keeps serving: a consistent snapshot of the
// database (SQLite's VACUUM INTO, taken in one read transaction), the media folder and the
// configuration file, in one archive (ustar, gzip-compressed when the name ends in .gz)
// with manifest.json listing every file with its size and SHA-256. Restore verifies every
// checksum before anything becomes live, into an empty folder only. The scheduler makes
// [backup] backups from `serve` and keeps the newest `keep`. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/periodic.h"
#include "core/result.h"
#include "store/store.h"

namespace backup {

struct FileEntry {
  std::string name;
  std::uint64_t bytes = 0;
  std::string sha256;
};

struct Report {
  std::string archive;
  std::vector<FileEntry> files;
};

core::Result<Report> create(store::Store& store, const core::Config& config,
                            const std::string& archive, const core::Clock& clock);
// `data_dir` must not exist or be empty. The archive is checked whole first.
core::Result<Report> restore(const std::string& archive, const std::string& data_dir);

// "meridian-20261130-094500.tar.gz" for `now`, in [backup] dir.
std::string scheduled_name(core::UnixTime now);

class Scheduler {
 public:
  Scheduler(store::Store& store, const core::Config& config, const core::Clock& clock,
            std::chrono::milliseconds interval = std::chrono::minutes(1));
  ~Scheduler();
  void start();
  void stop();
  // Makes a backup if the newest in [backup] dir is older than every_hours; prunes.
  void run_once();

 private:
  store::Store& store_;
  const core::Config& config_;
  const core::Clock& clock_;
  core::Periodic loop_;  // last: stops before the rest goes
};

}  // namespace backup
