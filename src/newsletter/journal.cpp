#include "newsletter/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace newsletter {

namespace {

std::filesystem::path folder(const std::string& data_dir) {
  return std::filesystem::path(data_dir) / "newsletter-journal";
}

std::string prefix(long long edition_id) { return "edition-" + std::to_string(edition_id) + "-"; }

}  // namespace

core::Result<std::unique_ptr<SendJournal>> SendJournal::open(const std::string& data_dir,
                                                            long long edition_id) {
  std::error_code ec;
  std::filesystem::create_directories(folder(data_dir), ec);
  auto path = (folder(data_dir) / (prefix(edition_id) + std::to_string(::getpid()) + ".log")).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot open the send journal " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return core::fail(core::ErrorCode::kUnavailable, "the send journal " + path + " is in use");
  }
  return std::unique_ptr<SendJournal>(new SendJournal(fd, path));
}

SendJournal::~SendJournal() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

core::Result<void> SendJournal::append(long long member_id) {
  char line[24];
  auto [end, ec] = std::to_chars(line, line + sizeof line - 1, member_id);
  *end++ = '\n';
  auto n = static_cast<std::size_t>(end - line);
  // O_APPEND writes this small are whole and never interleave between threads.
  if (::write(fd_, line, n) != static_cast<ssize_t>(n)) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot write the send journal " + path_ + ": " + std::strerror(errno));
  }
  return {};
}

void SendJournal::discard() { ::unlink(path_.c_str()); }

SendJournal::Leftovers SendJournal::leftovers(const std::string& data_dir, long long edition_id) {
  Leftovers out;
  std::error_code ec;
  std::string want = prefix(edition_id);
  for (const auto& entry : std::filesystem::directory_iterator(folder(data_dir), ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(want) || !name.ends_with(".log")) continue;
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    // A live sender holds its lock: its deliveries reach the store through it.
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
      ::close(fd);
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      long long id = 0;
      auto [p, err] = std::from_chars(line.data(), line.data() + line.size(), id);
      // A line cut short by the kill has no newline and may be partial: getline still
      // returns it, but only whole numbers followed by the newline were acknowledged.
      if (err == std::errc() && p == line.data() + line.size() && !in.eof()) out.member_ids.push_back(id);
    }
    ::close(fd);
    out.files.push_back(entry.path().string());
  }
  return out;
}

void SendJournal::remove_files(const std::vector<std::string>& files) {
  for (const auto& f : files) ::unlink(f.c_str());
}

}  // namespace newsletter
