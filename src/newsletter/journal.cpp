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

core::Result<std::unique_ptr<SendJournal>> SendJournal::open(const std::string& data_dir,
                                                            long long edition_id, int sender) {
  auto dir = std::filesystem::path(data_dir) / "newsletter-journal";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto lock_path = (dir / ("edition-" + std::to_string(edition_id) + ".lock")).string();
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot open " + lock_path + ": " + std::strerror(errno));
  }
  // flock locks belong to the open file: a second sender in this process conflicts too.
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return core::fail(core::ErrorCode::kConflict,
                      "this edition is being sent by another process right now; try again when it "
                      "has finished");
  }
  std::string prefix = "edition-" + std::to_string(edition_id) + "-";
  std::unique_ptr<SendJournal> j(new SendJournal(lock_fd, dir.string(), prefix, sender));
  // With the lock held, every journal of this edition belongs to a sender that ended.
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(".log")) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      long long id = 0;
      auto [p, err] = std::from_chars(line.data(), line.data() + line.size(), id);
      // Only whole lines count: a line is written with its newline in one write.
      if (err == std::errc() && p == line.data() + line.size() && !in.eof()) {
        j->leftovers_.push_back(id);
      }
    }
    j->old_files_.push_back(entry.path().string());
    // "edition-E-PID.sSENDER.log": a sender the database knew.
    auto s = name.rfind(".s");
    int id = 0;
    if (s != std::string::npos && s > prefix.size()) {
      auto digits = std::string_view(name).substr(s + 2, name.size() - 4 - (s + 2));
      auto [p, err] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
      if (err == std::errc() && p == digits.data() + digits.size() && id > 0) {
        j->earlier_senders_.push_back(id);
      }
    }
  }
  return j;
}

core::Result<void> SendJournal::begin() {
  for (const auto& f : old_files_) ::unlink(f.c_str());
  old_files_.clear();
  std::string name = prefix_ + std::to_string(::getpid());
  if (sender_ > 0) name += ".s" + std::to_string(sender_);
  path_ = (std::filesystem::path(folder_) / (name + ".log")).string();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot open the send journal " + path_ + ": " + std::strerror(errno));
  }
  return {};
}

SendJournal::~SendJournal() {
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the edition's lock
}

core::Result<void> SendJournal::append(long long member_id) {
  char line[24];
  auto [end, ec] = std::to_chars(line, line + sizeof line - 1, member_id);
  *end++ = '\n';
  auto n = static_cast<std::size_t>(end - line);
  // O_APPEND writes this small are whole and never interleave between threads.
  if (fd_ < 0 || ::write(fd_, line, n) != static_cast<ssize_t>(n)) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot write the send journal " + path_ + ": " + std::strerror(errno));
  }
  return {};
}

void SendJournal::discard() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace newsletter
