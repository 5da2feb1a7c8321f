// Account mail (sign-in links, confirmations) over SMTP without making the reader wait:
// QueuedMailer::send stores the message in the database and returns; a worker sends it,
// retrying temporary failures with back-off (from 5 s, doubling, up to an hour, ten
// attempts). A permanent refusal (a 5xx: authentication required, a bad password, an
// unknown recipient) is kept, never dropped: the back office shows it, and it is sent
// again once the mail configuration changes (start-up or reload with another [mail]).
// Stored mail survives a restart. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "mail/mailer.h"
#include "store/store.h"

namespace mail {

std::string to_json(const Message& m);
// A hash of what decides whether mail can go out ([mail] smtp, ca_file, from).
std::string mail_config_fingerprint(const core::Config& config);
core::Result<Message> message_from_json(std::string_view json);

class QueuedMailer final : public Mailer {
 public:
  // `config_fingerprint` names the mail configuration (see mail_config_fingerprint).
  QueuedMailer(store::MailQueueStore& queue, std::unique_ptr<Mailer> smtp, const core::Clock& clock,
               std::string config_fingerprint);
  ~QueuedMailer() override;  // stops the worker; what is left stays queued

  core::Result<void> send(const Message& message) override;
  // Starts the worker (the server does; one-off commands only queue), first making mail
  // that failed for good under another configuration due again.
  void start();
  // Sends what is due now, in this thread; returns how many went out.
  int work_once();

 private:
  void run();
  store::MailQueueStore& queue_;
  std::unique_ptr<Mailer> smtp_;
  const core::Clock& clock_;
  std::string config_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace mail
