// Configuration: DATA/meridian.toml when present, then MERIDIAN_* environment
// variables on top. Everything has a default, so an empty data folder works.
// A Config is a plain value: read once at start-up, then passed around by const&.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace core {

struct Config {
  std::string data_dir = "./data";
  std::string config_path;  // the configuration file read, if any
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  // [site]
  std::string site_url;  // empty: derived from the listen address
  std::string site_name = "Meridian";
  std::string site_description = "Analysis of global affairs, country by country.";
  std::string timezone = "UTC";
  int teaser_paragraphs = 3;
  // [mail]
  std::string smtp_url;  // empty: mail is written to DATA/outbox
  std::string mail_from = "Meridian <no-reply@localhost>";
  std::string mail_ca_file;  // PEM: a private CA to trust besides the system's
  // [access]
  int monthly_credits = 3;
  int gifts_per_month = 10;
  int gift_days = 14;
  int signin_link_minutes = 20;
  // At most one sign-in link per address in this many seconds; further requests are
  // answered the same way but send nothing (strangers cannot flood or lock out an owner).
  int link_spacing_seconds = 120;
  int session_days = 60;
  // [newsletter]
  int newsletter_connections = 4;
  int newsletter_retry_seconds = 60;
  int newsletter_claim_lease_seconds = 60;  // PostgreSQL: a dead sender's claims wait this long
  double newsletter_rate_per_second = 0;  // 0: unlimited
  std::string newsletter_daily_at;   // "HH:MM" local; empty: not scheduled
  std::string newsletter_weekly_day = "friday";
  std::string newsletter_weekly_at;  // "HH:MM" local; empty: not scheduled
  // [alerts]: readers' email alerts about what they follow (docs/curator.md).
  std::string alerts_digest_at = "07:00";  // "HH:MM" local: the daily digests
  int alerts_interval_seconds = 60;        // how often "as published" alerts are looked for
  // [server]
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is believed
  int threads = 2;
  // Password checks (argon2id, ~64 MiB and tens of milliseconds each) run on their own
  // workers; beyond `password_queue` waiting, sign-in answers 429 at once.
  int password_workers = 2;
  int password_queue = 16;
  bool access_log = true;
  // One line per request: "text" (for people) or "json" (for log shippers).
  std::string log_format = "text";
  int sitemap_urls = 40000;
  int page_cache_mb = 64;    // rendered pages in memory (least recently used go first)  // article URLs per sitemap file (the protocol allows 50,000)

  struct Ad {
    std::string image, link, alt;
  };
  std::vector<Ad> ads;  // [[ads]]: house ad slots shown to non-subscribers
  // Brand (set in /admin/settings): the accent colour ("#rrggbb"; "" the default), and the
  // header's sections in order ("/topics/energy", "/countries/kenya", "/pages/about"; empty:
  // the topics with the most articles).
  std::string brand_accent;
  std::string brand_logo;  // a PNG in the media folder shown instead of the name; "" none
  std::vector<std::string> brand_nav;
  // Links the editors add to the footer after the static pages ("Careers", "Contact"): an
  // address on this site ("/…"), http(s) or mailto:.
  struct Link {
    std::string label, url;
  };
  std::vector<Link> brand_footer;
  struct Plan {
    std::string name, price, period, description;
    std::string id;            // names the plan in forms; default: from the name
    std::string stripe_price;  // the Stripe Price sold (empty: not for sale online)
    int seats = 0;             // group plans: seats bought (the buyer's included)
  };
  std::vector<Plan> plans;  // [[plans]]: shown on /subscribe
  // [[gifts]]: months of All-Access bought for someone else, paid once.
  struct GiftPlan {
    int months = 0;
    std::string price, stripe_price;
  };
  std::vector<GiftPlan> gifts;
  // [backup]: scheduled backups by `serve` into `dir` (empty: none), every `every_hours`,
  // keeping the newest `keep`.
  std::string backup_dir;
  // [media] dir: where uploaded images are kept (empty: DATA/media). Several nodes on one
  // database name one shared folder here (docs/scale-out.md).
  std::string media_dir;
  int backup_every_hours = 24;
  int backup_keep = 7;
  // [api]: admin API calls a token may make per minute.
  int api_rate_per_minute = 300;
  // [metrics]: GET /metrics answers only with `Authorization: Bearer <token>`; empty: 404.
  std::string metrics_token;
  // [database] url: a PostgreSQL connection URI (postgresql://…); empty: SQLite in the
  // data folder.
  std::string database_url;
  // [billing]: Stripe. Without a secret key, subscriptions are granted by staff only.
  std::string stripe_secret_key;
  std::vector<std::string> stripe_webhook_secrets;  // several while rolling secrets
  std::string stripe_api_base = "https://api.stripe.com";
  int billing_grace_days = 3;
  int stripe_timeout_ms = 10000;  // per attempt; three attempts in all
  bool billing_enabled() const { return !stripe_secret_key.empty(); }

  // The public base URL without a trailing slash.
  std::string base_url() const;
};

// Reads the configuration file (MERIDIAN_CONFIG, else DATA/meridian.toml if present) and
// the environment into `config`,
// whose data_dir (and listen address, if given on the command line) is already set.
// `env` is injected for tests; pass environ-derived values in production.
Result<void> load_config(Config& config, const std::map<std::string, std::string>& env);

std::map<std::string, std::string> process_environment();

// Settings an admin edits in the back office (stored in the database), by key:
// site.name, site.description, site.url, site.timezone, site.teaser_paragraphs,
// access.monthly_credits, access.gifts_per_month, ads (JSON: [{"image","link","alt"}]).
// They override meridian.toml and the environment. Unknown keys are ignored (a newer
// version may have written them); a bad value fails with a message naming the setting.
Result<void> apply_settings(Config& config, const std::map<std::string, std::string>& settings);
// The current values of those settings, as apply_settings reads them.
std::map<std::string, std::string> settings_of(const Config& config);

// Parses "HOST:PORT" (or ":PORT", or "PORT").
Result<void> parse_listen(std::string_view spec, Config& config);

}  // namespace core
