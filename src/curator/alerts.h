// Email alerts about new analysis on what a reader follows: "as published" (every round,
// one message per article) or a daily digest (one message a day at [alerts] digest_at,
// listing what was published in the day before it). Messages go through the server's
// mailer — the durable account-mail queue when SMTP is configured — with RFC 8058
// one-click unsubscribe. An article is recorded as alerted to a reader before its message
// is handed over, so nobody gets the same article twice, whichever process runs the round.
// Only headline, dek and link are sent, never article text. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/periodic.h"
#include "mail/mailer.h"
#include "store/store.h"

namespace curator {

struct AlertReport {
  int instant = 0;  // messages about one article
  int digests = 0;  // digest messages
};

class Alerts {
 public:
  Alerts(store::Store& store, mail::Mailer& mailer, const core::Clock& clock,
         const core::Config& config, std::string secret);
  ~Alerts();

  // Instant alerts due now; with `digest`, also the daily digests whose window ends at
  // `digest_end` (the latest digest time at or before now when unset).
  AlertReport run_once(bool digest, std::optional<core::UnixTime> digest_end = std::nullopt);
  // The server's loop: instant alerts every [alerts] interval_seconds, digests once a day
  // from digest_at (a restart the same day sends nothing twice: the window is fixed).
  void start();

  // `key`: "topic:water" (that follow's alerts) or "daily" (all of a reader's digests).
  std::string unsubscribe_url(long long member_id, const std::string& key) const;
  bool token_valid(long long member_id, const std::string& key, const std::string& token) const;

  // The latest digest time at or before `now` (today's or yesterday's digest_at).
  core::UnixTime digest_time(core::UnixTime now) const;

 private:
  int send_instant();
  int send_digests(core::UnixTime end);
  std::string token(long long member_id, const std::string& key) const;

  store::Store& store_;
  mail::Mailer& mailer_;
  const core::Clock& clock_;
  const core::Config& config_;
  std::string secret_;
  std::mutex run_mu_;  // one round at a time in this process
  core::UnixTime last_digest_ = 0;
  std::unique_ptr<core::Periodic> loop_;
};

}  // namespace curator
