#include "events/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>

#include "core/crypto.h"

namespace events {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMagic = "meridian-events 1";

long long parse_number(std::string_view s) {
  long long v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : -1;
}

// One generation's file, its events summed; false when it is not one of ours. Lines are
// written whole with their newline in one write; a line without one (the disk filled
// up) or of another shape is ignored.
bool parse_generation(const fs::path& path, const std::string& source, long long number,
                      std::vector<store::EventCount>& counts) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) ||
      line != std::string(kMagic) + " " + source + " " + std::to_string(number)) {
    return false;
  }
  std::map<std::tuple<std::string, long long, std::string, std::string>, long long> sums;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: not a whole line
    std::string_view v(line);
    std::string_view f[4];
    bool good = true;
    for (int i = 0; i < 3 && good; ++i) {
      auto tab = v.find('\t');
      good = tab != std::string_view::npos;
      if (good) {
        f[i] = v.substr(0, tab);
        v.remove_prefix(tab + 1);
      }
    }
    f[3] = v;
    long long article = good ? parse_number(f[1]) : -1;
    if (!good || article < 0 || f[0].size() != 10 || f[2].empty()) continue;
    ++sums[{std::string(f[0]), article, std::string(f[2]), std::string(f[3])}];
  }
  for (const auto& [k, n] : sums) {
    counts.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), n});
  }
  return true;
}

}  // namespace

EventJournal::Orphan::Orphan(Orphan&& o) noexcept { *this = std::move(o); }

EventJournal::Orphan& EventJournal::Orphan::operator=(Orphan&& o) noexcept {
  if (this != &o) {
    if (lock_fd >= 0) ::close(lock_fd);
    source = std::move(o.source);
    generations = std::move(o.generations);
    lock_path = std::move(o.lock_path);
    lock_fd = o.lock_fd;
    o.lock_fd = -1;
  }
  return *this;
}

EventJournal::Orphan::~Orphan() {
  if (lock_fd >= 0) ::close(lock_fd);
}

void EventJournal::Orphan::remove() {
  for (const auto& g : generations) stored(g);
  generations.clear();
  ::unlink(lock_path.c_str());
  if (lock_fd >= 0) ::close(lock_fd);
  lock_fd = -1;
}

std::unique_ptr<EventJournal> EventJournal::open(const std::string& data_dir) {
  std::error_code ec;
  fs::path dir = fs::path(data_dir) / "events";
  fs::create_directories(dir, ec);
  std::string source, lock_path;
  int lock_fd = -1;
  // Another process may take a lock file for an orphan's in the moment between its
  // creation and its lock: a new id then.
  for (int tries = 0; tries < 3 && lock_fd < 0; ++tries) {
    source = core::random_token(12);
    lock_path = (dir / (source + ".lock")).string();
    lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (lock_fd >= 0 && ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock_fd);
      lock_fd = -1;
    }
  }
  if (lock_fd < 0) {
    std::fprintf(stderr, "meridian: event counts kept in memory only: cannot lock %s: %s\n",
                 lock_path.c_str(), std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<EventJournal> j(new EventJournal(lock_fd, dir.string(), std::move(source)));
  if (!j->begin(1)) return nullptr;
  return j;
}

std::vector<EventJournal::Orphan> EventJournal::take_orphans() {
  std::vector<Orphan> out;
  std::error_code ec;
  std::map<std::string, std::vector<std::pair<long long, fs::path>>> files;
  std::vector<std::string> locks;
  for (const auto& entry : fs::directory_iterator(folder_, ec)) {
    auto name = entry.path().filename().string();
    auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) continue;
    auto source = name.substr(0, dot), rest = name.substr(dot + 1);
    if (source == source_) continue;
    if (rest == "lock") {
      locks.push_back(source);
    } else if (auto n = parse_number(rest); n > 0) {
      files[source].emplace_back(n, entry.path());
    }
  }
  for (const auto& source : locks) {
    Orphan o;
    o.source = source;
    o.lock_path = (fs::path(folder_) / (source + ".lock")).string();
    o.lock_fd = ::open(o.lock_path.c_str(), O_RDWR | O_CLOEXEC);
    // Held by a live process (a server beside this command, or the server before a
    // reload that is still finishing requests): not an orphan.
    if (o.lock_fd < 0 || ::flock(o.lock_fd, LOCK_EX | LOCK_NB) != 0) continue;
    auto& mine = files[source];
    std::sort(mine.begin(), mine.end());
    for (const auto& [n, path] : mine) {
      Generation g{n, path.string(), {}};
      // Gone since the folder was read: its process stored it and ended meanwhile.
      if (std::error_code gone; !fs::exists(path, gone)) continue;
      if (!parse_generation(path, source, n, g.counts)) {
        std::fprintf(stderr, "meridian: %s is not an event journal; left alone\n",
                     path.string().c_str());
        continue;
      }
      o.generations.push_back(std::move(g));
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string EventJournal::path_of(long long number) const {
  return (fs::path(folder_) / (source_ + "." + std::to_string(number))).string();
}

bool EventJournal::begin(long long number) {
  auto path = path_of(number);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::string header = std::string(kMagic) + " " + source_ + " " + std::to_string(number) + "\n";
  if (fd < 0 || !map(fd, kInitialBytes)) {
    std::fprintf(stderr, "meridian: event counts kept in memory only: cannot write %s: %s\n",
                 path.c_str(), std::strerror(errno));
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
    return false;
  }
  std::memcpy(map_, header.data(), header.size());
  used_ = header.size();
  number_ = number;
  failed_ = false;
  return true;
}

bool EventJournal::map(int fd, std::size_t bytes) {
  // Blocks reserved up front: a store into a mapped page the disk has no room for would
  // kill the process (SIGBUS) instead of failing a write.
  if (int err = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)); err != 0) {
    errno = err;
    return false;
  }
  void* at = map_ ? ::mremap(map_, capacity_, bytes, MREMAP_MAYMOVE)
                  : ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (at == MAP_FAILED) return false;
  fd_ = fd;
  map_ = static_cast<char*>(at);
  capacity_ = bytes;
  return true;
}

void EventJournal::close_current() {
  if (fd_ < 0) return;
  ::munmap(map_, capacity_);
  // What was written, without the reserved tail (a killed process leaves the tail: zero
  // bytes after the last whole line, which the reader ignores).
  if (::ftruncate(fd_, static_cast<off_t>(used_)) != 0) {
    std::fprintf(stderr, "meridian: cannot trim the event journal: %s\n", std::strerror(errno));
  }
  ::close(fd_);
  fd_ = -1;
  map_ = nullptr;
  capacity_ = used_ = 0;
}

EventJournal::~EventJournal() {
  close_current();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // what is left is an orphan for the next process
}

void EventJournal::append(std::string_view day, long long article_id, std::string_view kind,
                          std::string_view reader_state) {
  if (fd_ < 0 || failed_) return;
  char line[256];
  char* p = line;
  char* end = line + sizeof line;
  auto put = [&](std::string_view s) {
    if (static_cast<std::size_t>(end - p) < s.size() + 1) return false;
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '\t';
    return true;
  };
  if (!put(day)) return;
  auto [q, ec] = std::to_chars(p, end - 1, article_id);
  if (ec != std::errc()) return;
  p = q;
  *p++ = '\t';
  if (!put(kind) || !put(reader_state)) return;
  p[-1] = '\n';
  auto n = static_cast<std::size_t>(p - line);
  // A store into the shared mapping: no system call, and the kernel keeps the page when
  // the process is killed.
  if (used_ + n > capacity_ && !map(fd_, capacity_ * 2)) {
    failed_ = true;  // until the next generation
    if (!warned_) {
      warned_ = true;
      std::fprintf(stderr, "meridian: cannot grow the event journal: %s (counts kept in memory)\n",
                   std::strerror(errno));
    }
    return;
  }
  std::memcpy(map_ + used_, line, n);
  used_ += n;
}

EventJournal::Generation EventJournal::rotate() {
  Generation g;
  g.number = number_;
  if (fd_ < 0) return g;
  close_current();
  g.path = path_of(number_);
  begin(number_ + 1);
  return g;
}

void EventJournal::stored(const Generation& g) {
  if (!g.path.empty()) ::unlink(g.path.c_str());
}

void EventJournal::retire() {
  close_current();
  ::unlink(path_of(number_).c_str());
  ::unlink((fs::path(folder_) / (source_ + ".lock")).c_str());
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

}  // namespace events
