// The send journal: a small append-only file per sending process and edition, where a
// delivery is recorded (one write(2), no fsync) the moment the SMTP server accepts the
// message. The store is then updated in batches. The kernel keeps what was written when
// the process is killed, so a rerun first moves every journalled delivery into the store
// and sends nobody twice; this costs one system call a message instead of a database
// commit. One sender at a time per edition and data folder: open() takes the edition's
// lock (also across processes), so the CLI, the scheduler and the desk can never mail the
// same reader at once. On PostgreSQL, senders on several folders share an edition (each
// with its journal here); a journal names its sender, so the next sender on the folder can
// free the dead one's claims once its journal is stored.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace newsletter {

class SendJournal {
 public:
  // Takes the edition's lock (kConflict when another sender holds it) and reads what
  // earlier senders of the edition journalled but may not have stored (they were killed).
  // `sender`: the database's id for this sender (SendHold::sender), 0 without one.
  static core::Result<std::unique_ptr<SendJournal>> open(const std::string& data_dir,
                                                         long long edition_id, int sender = 0);
  ~SendJournal();
  SendJournal(const SendJournal&) = delete;
  SendJournal& operator=(const SendJournal&) = delete;

  // Member ids found in earlier journals: store them as sent, then call begin().
  const std::vector<long long>& leftovers() const { return leftovers_; }
  // The database's ids of the senders whose journals those were.
  const std::vector<int>& earlier_senders() const { return earlier_senders_; }
  // Removes the earlier journals and starts this sender's own file.
  core::Result<void> begin();
  // Records that the message to `member_id` was accepted. Thread-safe; after begin().
  core::Result<void> append(long long member_id);
  // Deletes this sender's file (call once the store holds every recorded delivery).
  void discard();

 private:
  SendJournal(int lock_fd, std::string folder, std::string prefix, int sender)
      : lock_fd_(lock_fd), sender_(sender), folder_(std::move(folder)), prefix_(std::move(prefix)) {}
  int lock_fd_;
  int sender_;
  int fd_ = -1;
  std::string folder_, prefix_, path_;
  std::vector<long long> leftovers_;
  std::vector<int> earlier_senders_;
  std::vector<std::string> old_files_;
};

}  // namespace newsletter
