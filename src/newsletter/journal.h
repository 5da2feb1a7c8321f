// The send journal: a small append-only file per sending process and edition, where a
// delivery is recorded (one write(2), no fsync) the moment the SMTP server accepts the
// message. The store is then updated in batches. The kernel keeps what was written when
// the process is killed, so a rerun first moves every journalled delivery into the store
// and sends nobody twice; this costs one system call a message instead of a database
// commit. Files of live processes are locked and left alone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace newsletter {

class SendJournal {
 public:
  // Opens DATA/newsletter-journal/<edition>-<pid>.log, locked for this process.
  static core::Result<std::unique_ptr<SendJournal>> open(const std::string& data_dir,
                                                         long long edition_id);
  ~SendJournal();
  SendJournal(const SendJournal&) = delete;
  SendJournal& operator=(const SendJournal&) = delete;

  // Records that the message to `member_id` was accepted. Thread-safe.
  core::Result<void> append(long long member_id);
  // Deletes the file (call once the store holds every recorded delivery).
  void discard();

  // Deliveries recorded for the edition by processes that ended (crashed or killed)
  // before the store had them, and the files they came from (delete with remove_files
  // once the store has them).
  struct Leftovers {
    std::vector<long long> member_ids;
    std::vector<std::string> files;
  };
  static Leftovers leftovers(const std::string& data_dir, long long edition_id);
  static void remove_files(const std::vector<std::string>& files);

 private:
  SendJournal(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace newsletter
