#include "app/app.h"

#include <filesystem>

#include "core/crypto.h"
#include "core/time.h"

#include <nlohmann/json.hpp>
#include "store/billing_store.h"
#include "store/integration_store.h"
#include "store/editorial_store.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace app {

core::Result<std::unique_ptr<App>> open_app(core::Config config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot create data folder " + config.data_dir + ": " + ec.message());
  }
  if (auto loaded = core::load_config(config, core::process_environment()); !loaded) {
    return std::unexpected(loaded.error());
  }
  core::init_crypto();
  auto a = std::make_unique<App>();
  a->config = std::move(config);
  try {
    if (!a->config.database_url.empty()) {
      a->store = store::postgres::open_postgres_store(a->config.database_url);
    } else {
      a->store = store::sqlite::open_sqlite_store(
          (std::filesystem::path(a->config.data_dir) / "meridian.db").string());
    }
  } catch (const store::StoreError& e) {
    return core::fail(core::ErrorCode::kUnavailable, e.what());
  } catch (const std::invalid_argument& e) {  // a tuning knob out of range
    return core::fail(core::ErrorCode::kInvalidInput, e.what());
  }
  // Settings saved in the back office override the file and the environment.
  if (auto applied = core::apply_settings(a->config, a->store->editorial().settings()); !applied) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "settings saved in the back office: " + applied.error().message);
  }
  a->content = std::make_unique<content::ContentService>(a->store->content(), a->clock,
                                                         a->config.teaser_paragraphs);
  a->recut = std::make_unique<content::Recut>(*a->content, a->store->content(),
                                              a->config.teaser_paragraphs);
  if (a->config.smtp_url.empty()) {
    a->mailer = mail::make_mailer(a->config, a->clock);  // files in DATA/outbox, at once
  } else {
    // Over SMTP through the queue, so no request waits for a mail server.
    auto queued = std::make_unique<mail::QueuedMailer>(
        a->store->mail_queue(), mail::make_mailer(a->config, a->clock), a->clock,
        mail::mail_config_fingerprint(a->config));
    a->mail_queue = queued.get();
    a->mailer = std::move(queued);
  }
  a->accounts = std::make_unique<accounts::AccountService>(a->store->members(), *a->mailer,
                                                           a->clock, a->config);
  a->paywall = std::make_unique<paywall::PaywallService>(a->store->members(), a->clock, a->config);
  a->events = std::make_unique<events::Recorder>(a->store->events(), a->clock, a->config.timezone,
                                                 5, a->config.data_dir);
  newsletter::Options options;
  options.connections = a->config.newsletter_connections;
  options.retry_seconds = a->config.newsletter_retry_seconds;
  options.claim_lease_seconds = a->config.newsletter_claim_lease_seconds;
  options.rate_per_second = a->config.newsletter_rate_per_second;
  App* raw = a.get();
  a->newsletters = std::make_unique<newsletter::NewsletterService>(
      *a->store, a->clock, a->config,
      [raw] { return mail::make_bulk_mailer(raw->config, raw->clock); }, options,
      a->store->members().site_secret());
  int retry = 10;
  if (auto env = core::process_environment(); env.count("MERIDIAN_WEBHOOK_RETRY_SECONDS")) {
    retry = std::max(1, std::atoi(env["MERIDIAN_WEBHOOK_RETRY_SECONDS"].c_str()));
  }
  a->webhooks = std::make_unique<integrations::Webhooks>(a->store->integrations(), a->clock,
                                                         a->config.base_url(), retry);
  a->editorial = std::make_unique<editorial::EditorialService>(
      a->store->editorial(), *a->content, a->clock, a->config, &a->store->redirects());
  // Outgoing webhooks: public facts only (never an article's text). Publication itself is
  // announced by the webhook worker when an article goes live (scheduled ones too); saves
  // of a live article are announced here.
  a->editorial->set_observer([raw](editorial::Action action, const editorial::Saved& saved,
                                   const content::ArticleInput& in) {
    bool live = saved.status == content::Status::kPublished && in.published_at &&
                *in.published_at < raw->clock.now();
    if (!live || action == editorial::Action::kPublish) return;
    nlohmann::json data = {{"id", saved.id},
                           {"slug", saved.slug},
                           {"headline", in.headline},
                           {"dek", in.dek},
                           {"access", std::string(content::to_string(in.access))},
                           {"url", raw->config.base_url() + "/articles/" + saved.slug},
                           {"published_at", core::format_rfc3339(*in.published_at)}};
    raw->webhooks->emit("article.updated", data);
  });
  a->member_admin = std::make_unique<accounts::MemberAdmin>(
      a->store->members(), a->clock, a->config.timezone, [raw](const accounts::Member& m) {
        raw->events->record("subscription", 0, "complimentary");
        raw->webhooks->emit("subscription.started",
                            {{"member_id", m.id},
                             {"email", m.email},
                             {"kind", "complimentary"},
                             {"until", m.comp_until ? core::format_rfc3339(*m.comp_until) : ""}});
      },
      [raw](const accounts::Member& m) {
        raw->webhooks->emit("subscription.ended",
                            {{"member_id", m.id}, {"email", m.email}, {"kind", "complimentary"}});
      });
  std::unique_ptr<billing::StripeApi> stripe;
  if (a->config.billing_enabled()) {
    billing::StripeOptions o;
    o.api_base = a->config.stripe_api_base;
    o.secret_key = a->config.stripe_secret_key;
    o.timeout_ms = a->config.stripe_timeout_ms;
    stripe = billing::make_stripe_api(std::move(o));
  }
  a->billing = std::make_unique<billing::BillingService>(a->store->billing(), a->store->members(),
                                                         *a->mailer, a->clock, a->config,
                                                         std::move(stripe),
                                                         [raw](const std::string& kind,
                                                               const std::string& from,
                                                               long long member_id) {
    // The article a paying reader came from, so analytics can name the articles that sell.
    long long article = 0;
    if (from.starts_with("/articles/")) {
      std::string slug = from.substr(10, from.find_first_of("?#") - 10);
      if (auto ref = raw->store->content().find_article(slug, false)) article = ref->summary.id;
    }
    if (kind == "paid") raw->events->record("subscription", article, "paid");
    if (kind == "gift") raw->events->record("subscription", 0, "gift");
    if (kind == "cancellation") raw->events->record("cancellation", 0, "paid");
    if (kind == "paid" || kind == "ended") {
      auto m = raw->store->members().find_member(member_id);
      raw->webhooks->emit(kind == "paid" ? "subscription.started" : "subscription.ended",
                          {{"member_id", member_id},
                           {"email", m ? m->email : std::string()},
                           {"kind", "paid"}});
    }
  });
  a->api_tokens = std::make_unique<integrations::ApiTokens>(a->store->integrations(), a->clock,
                                                            a->config.api_rate_per_minute);
  a->curator = std::make_unique<curator::CuratorService>(*a->store, a->clock);
  a->alerts = std::make_unique<curator::Alerts>(*a->store, *a->mailer, a->clock, a->config,
                                                a->store->members().site_secret());
  return a;
}

}  // namespace app
