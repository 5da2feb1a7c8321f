// The event journal: every counted event is also appended to a small file in the data
// folder (a store into a shared memory mapping of the file: no system call, no fsync)
// before it waits in memory for the next flush. The kernel keeps what was written when the
// process is killed, so the next process on the folder stores what the killed one had not.
//
// A journal has a random source id and numbered generations, one file each in
// DATA/events/ (`SOURCE.N`), and a lock file (`SOURCE.lock`) held while it lives. Each
// flush closes a generation and begins the next; the store records the last generation
// it took from a source in the same transaction as the counts, so a generation found
// again after a crash between that commit and the file's removal is not counted twice.
// A journal whose lock nobody holds belongs to a process that ended: any other takes it
// over (holding its lock meanwhile), stores it and removes it. Every recorder has its own
// journal (a reload and a CLI command beside `serve` do not share one).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace events {

class EventJournal {
 public:
  struct Generation {
    long long number = 0;
    std::string path;  // removed once the store holds its counts
    std::vector<store::EventCount> counts;
  };
  // The journal of a process that ended, held (its lock) until released.
  struct Orphan {
    Orphan() = default;
    Orphan(Orphan&& o) noexcept;
    Orphan& operator=(Orphan&& o) noexcept;
    ~Orphan();
    std::string source;
    std::vector<Generation> generations;  // oldest first
    std::string lock_path;
    int lock_fd = -1;
    // Every generation stored: the files and the lock go.
    void remove();
  };

  // A new journal in DATA/events/; nullptr when the folder cannot be written (the reason
  // on stderr).
  static std::unique_ptr<EventJournal> open(const std::string& data_dir);
  ~EventJournal();
  EventJournal(const EventJournal&) = delete;
  EventJournal& operator=(const EventJournal&) = delete;

  const std::string& source() const { return source_; }
  // Journals in the folder whose process ended, each held by this one until removed or
  // dropped.
  std::vector<Orphan> take_orphans();
  // One event. Not thread-safe: the recorder calls it under its lock.
  void append(std::string_view day, long long article_id, std::string_view kind,
              std::string_view reader_state);
  // Closes the current generation (what was appended since the last rotate) and begins
  // the next. Not thread-safe, as append.
  Generation rotate();
  // The store holds the generation's counts: its file goes.
  static void stored(const Generation& g);
  // Everything this journal closed is stored: its files and lock go (the journal is
  // finished; append does nothing after).
  void retire();

 private:
  EventJournal(int lock_fd, std::string folder, std::string source)
      : lock_fd_(lock_fd), folder_(std::move(folder)), source_(std::move(source)) {}
  bool begin(long long number);
  // Reserves `bytes` of the file and maps them (again, when growing).
  bool map(int fd, std::size_t bytes);
  // Unmaps the current generation and trims its file to what was written.
  void close_current();
  std::string path_of(long long number) const;

  static constexpr std::size_t kInitialBytes = 64 * 1024;
  int lock_fd_;
  int fd_ = -1;
  char* map_ = nullptr;
  std::size_t capacity_ = 0, used_ = 0;
  std::string folder_, source_;
  long long number_ = 0;
  bool failed_ = false;  // the generation could not grow: its later counts stay in memory
  bool warned_ = false;  // said once
};

}  // namespace events
