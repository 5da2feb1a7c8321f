// Newsletters: the Daily Review and Weekly Review (subscribers) and the free newsletter
// (verified registered readers). An edition is composed once per newsletter and date (or
// ISO week) and stored; sending enqueues one delivery per current reader in the store
// (primary key edition + reader, so nobody is queued twice), then works the queue with
// several SMTP connections, marking each delivery sent right after the server accepts
// it. Rerunning after a crash sends only what is still pending.
#pragma once

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "mail/mailer.h"
#include "newsletter/sections.h"
#include "store/store.h"

namespace newsletter {

bool valid_newsletter(const std::string& name);
// "2026-11-29" for daily and free, "2026-W48" for weekly.
std::string edition_key(const std::string& newsletter, core::UnixTime day_start,
                        const std::string& tz);

struct SendReport {
  int queued = 0;   // new deliveries added by this run
  int sent = 0;     // sent by this run
  int failed = 0;   // permanently failed in this run
  store::DeliveryCounts totals;  // for the edition, after the run
};

struct Options {
  int connections = 4;
  int retry_seconds = 60;  // first retry after a temporary failure; doubles each time
  int max_attempts = 5;
  int max_bounces = 3;     // hard bounces after which an address is no longer mailed
  double rate_per_second = 0;  // 0: as fast as the server takes them
  // Sharing an edition (PostgreSQL): how long what a dead sender claimed waits before
  // others take it (it may have journalled acceptances in a folder nobody reads again).
  int claim_lease_seconds = 60;
};

// One edition: its newsletter, key (date or ISO week), and the local day it is for.
struct EditionRef {
  std::string newsletter, key;
  core::UnixTime day_start = 0;
  std::string date;  // YYYY-MM-DD
};

class NewsletterService {
 public:
  using MailerFactory = std::function<std::unique_ptr<mail::Mailer>()>;
  NewsletterService(store::Store& store, const core::Clock& clock, const core::Config& config,
                    MailerFactory mailers, Options options, std::string secret);
  ~NewsletterService();  // waits for sends started from the desk

  // The edition for `date` (YYYY-MM-DD; empty: today in the publication's zone).
  core::Result<EditionRef> resolve(const std::string& newsletter, const std::string& date) const;
  // The candidates for the automatic section, in automatic order.
  std::vector<content::ArticleSummary> automatic_items(const EditionRef& ref);
  // The desk's sections for an edition (empty when nobody has written any).
  Sections sections(const EditionRef& ref);
  // kConflict once the edition has gone out.
  core::Result<void> save_sections(const EditionRef& ref, const Sections& s,
                                   std::optional<core::UnixTime> scheduled_at, long long member_id);
  // The edition as it would be sent now (not stored).
  store::Edition compose(const EditionRef& ref, const Sections& sections);
  // One "[Test]" message to a staff member; not recorded as a delivery.
  // kInvalidInput naming the problem while [site] url is unset (links would be wrong).
  core::Result<void> ready_to_send() const;
  core::Result<void> send_test(const EditionRef& ref, long long member_id, const std::string& email);
  // Sends in the background (the desk's "Send now"); kConflict while one is running.
  core::Result<void> start_send(const EditionRef& ref);
  bool sending(const std::string& newsletter);
  // How many readers the newsletter would go to now.
  int audience_size(const std::string& newsletter) {
    return store_.newsletters().audience_count(newsletter, clock_.now(), options_.max_bounces);
  }
  // (newsletter, date) of editions the desk scheduled for now or earlier, not yet sent
  // (or with retries due).
  std::vector<std::pair<std::string, std::string>> scheduled_due(core::UnixTime now) {
    return store_.newsletters().scheduled_due(now);
  }

  // Composes and stores the edition for `date` (YYYY-MM-DD; empty: today in the
  // publication's zone); once a reader is queued for it, returns it unchanged.
  core::Result<store::Edition> edition(const std::string& newsletter, const std::string& date);
  // The message one reader receives: the automatic section leads with items carrying
  // `followed` (the reader's followed term ids; newsletter/personal.h).
  mail::Message message_for(const store::Edition& e, long long member_id, const std::string& email,
                            const std::vector<long long>& followed = {});
  // With wait_for_retries, temporary failures are retried (with back-off sleeps) within
  // this call; without, they stay queued for the next call (the server's scheduler).
  core::Result<SendReport> send(const std::string& newsletter, const std::string& date,
                                const std::function<void(int done, int total)>& progress,
                                bool wait_for_retries = true);

  std::string unsubscribe_url(long long member_id, const std::string& newsletter);
  bool unsubscribe_token_valid(long long member_id, const std::string& newsletter,
                               const std::string& token);

 private:

  store::Store& store_;
  const core::Clock& clock_;
  const core::Config& config_;
  MailerFactory mailers_;
  Options options_;
  std::string secret_;
  std::mutex bg_mu_;
  std::set<std::string> running_;
  std::vector<std::thread> background_;
};

}  // namespace newsletter
