// Wiring: the one place that picks concrete implementations (the SQLite store,
// the system clock) and hands them to the services. The CLI and the server both
// start from an App.
#pragma once

#include <memory>

#include "accounts/admin.h"
#include "accounts/service.h"
#include "billing/service.h"
#include "integrations/api_tokens.h"
#include "integrations/webhooks.h"
#include "content/recut.h"
#include "content/service.h"
#include "curator/alerts.h"
#include "curator/service.h"
#include "editorial/service.h"
#include "events/recorder.h"
#include "mail/mailer.h"
#include "mail/queue.h"
#include "newsletter/service.h"
#include "paywall/service.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "store/store.h"

namespace app {

struct App {
  core::Config config;
  core::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<content::ContentService> content;
  // Teasers cut with another setting, cut again in the background (serve starts it).
  std::unique_ptr<content::Recut> recut;
  std::unique_ptr<mail::Mailer> mailer;
  mail::QueuedMailer* mail_queue = nullptr;  // the mailer, when SMTP is configured
  std::unique_ptr<accounts::AccountService> accounts;
  std::unique_ptr<paywall::PaywallService> paywall;
  std::unique_ptr<events::Recorder> events;
  std::unique_ptr<newsletter::NewsletterService> newsletters;
  std::unique_ptr<editorial::EditorialService> editorial;
  std::unique_ptr<accounts::MemberAdmin> member_admin;
  std::unique_ptr<billing::BillingService> billing;
  std::unique_ptr<integrations::ApiTokens> api_tokens;
  // Outgoing webhooks (serve starts the worker; other commands only queue).
  std::unique_ptr<integrations::Webhooks> webhooks;
  std::unique_ptr<curator::CuratorService> curator;
  // Readers' email alerts (serve starts the loop; `meridian alerts send` runs one round).
  std::unique_ptr<curator::Alerts> alerts;
};

// Creates the data folder if needed, reads configuration, opens and migrates the store.
core::Result<std::unique_ptr<App>> open_app(core::Config config);

}  // namespace app
