#include "core/config.h"

#include "core/colour.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <charconv>
#include <filesystem>
#include <sstream>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/text.h"
#include "core/time.h"

extern char** environ;

namespace core {

std::string Config::base_url() const {
  std::string url = site_url.empty()
                        ? "http://" + listen_host + ":" + std::to_string(listen_port)
                        : site_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

Result<void> parse_listen(std::string_view spec, Config& config) {
  std::string_view host = config.listen_host, port = spec;
  auto colon = spec.rfind(':');
  if (colon != std::string_view::npos) {
    host = spec.substr(0, colon);
    port = spec.substr(colon + 1);
    if (host.empty()) host = "127.0.0.1";
  }
  int p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p < 0 || p > 65535) {
    return fail(ErrorCode::kInvalidInput,
                "invalid listen address '" + std::string(spec) + "' (expected HOST:PORT)");
  }
  config.listen_host = std::string(host);
  config.listen_port = p;
  return {};
}

namespace {

template <typename T>
void read_value(const toml::table& t, std::string_view section, std::string_view key, T& out) {
  if (auto v = t[section][key].value<T>()) out = *v;
}

}  // namespace

Result<void> load_config(Config& config, const std::map<std::string, std::string>& env) {
  // MERIDIAN_CONFIG names the file (the Debian package: /etc/meridian/meridian.toml);
  // otherwise DATA/meridian.toml, when present.
  auto path = std::filesystem::path(config.data_dir) / "meridian.toml";
  if (auto it = env.find("MERIDIAN_CONFIG"); it != env.end() && !it->second.empty()) {
    path = it->second;
    if (!std::filesystem::is_regular_file(path)) {
      return fail(ErrorCode::kInvalidInput, "MERIDIAN_CONFIG: no such file " + path.string());
    }
  }
  if (std::filesystem::exists(path)) {
    config.config_path = path.string();
    toml::table t;
    try {
      t = toml::parse_file(path.string());
    } catch (const toml::parse_error& e) {
      return fail(ErrorCode::kInvalidInput,
                  path.string() + ": " + std::string(e.description()) + " (line " +
                      std::to_string(e.source().begin.line) + ")");
    }
    read_value(t, "site", "url", config.site_url);
    read_value(t, "site", "name", config.site_name);
    read_value(t, "site", "description", config.site_description);
    read_value(t, "site", "timezone", config.timezone);
    if (auto v = t["site"]["teaser_paragraphs"].value<int64_t>()) {
      config.teaser_paragraphs = static_cast<int>(*v);
    }
    read_value(t, "mail", "smtp", config.smtp_url);
    read_value(t, "mail", "from", config.mail_from);
    read_value(t, "mail", "ca_file", config.mail_ca_file);
    if (auto v = t["server"]["threads"].value<int64_t>()) config.threads = static_cast<int>(*v);
    if (auto v = t["server"]["password_workers"].value<int64_t>()) {
      config.password_workers = static_cast<int>(*v);
    }
    if (auto v = t["server"]["password_queue"].value<int64_t>()) {
      config.password_queue = static_cast<int>(*v);
    }
    for (auto [key, out] : {std::pair{"monthly_credits", &config.monthly_credits},
                            std::pair{"gifts_per_month", &config.gifts_per_month},
                            std::pair{"gift_days", &config.gift_days},
                            std::pair{"signin_link_minutes", &config.signin_link_minutes},
                            std::pair{"link_spacing_seconds", &config.link_spacing_seconds},
                            std::pair{"session_days", &config.session_days}}) {
      if (auto v = t["access"][key].value<int64_t>()) *out = static_cast<int>(*v);
    }
    if (auto v = t["newsletter"]["connections"].value<int64_t>()) {
      config.newsletter_connections = static_cast<int>(*v);
    }
    if (auto v = t["newsletter"]["retry_seconds"].value<int64_t>()) {
      config.newsletter_retry_seconds = static_cast<int>(*v);
    }
    if (auto v = t["newsletter"]["claim_lease_seconds"].value<int64_t>()) {
      config.newsletter_claim_lease_seconds = static_cast<int>(*v);
    }
    read_value(t, "newsletter", "daily_at", config.newsletter_daily_at);
    read_value(t, "newsletter", "weekly_day", config.newsletter_weekly_day);
    read_value(t, "newsletter", "weekly_at", config.newsletter_weekly_at);
    read_value(t, "alerts", "digest_at", config.alerts_digest_at);
    if (auto v = t["alerts"]["interval_seconds"].value<int64_t>()) {
      config.alerts_interval_seconds = static_cast<int>(*v);
    }
    if (auto v = t["newsletter"]["rate_per_second"].value<double>()) {
      config.newsletter_rate_per_second = *v;
    }
    if (auto* arr = t["server"]["trusted_proxies"].as_array()) {
      for (auto& v : *arr) {
        if (auto s = v.value<std::string>()) config.trusted_proxies.push_back(*s);
      }
    }
    if (auto* arr = t["ads"].as_array()) {
      for (auto& v : *arr) {
        if (auto* tbl = v.as_table()) {
          config.ads.push_back({(*tbl)["image"].value_or(std::string()),
                                (*tbl)["link"].value_or(std::string()),
                                (*tbl)["alt"].value_or(std::string())});
        }
      }
    }
    if (auto* arr = t["plans"].as_array()) {
      for (auto& v : *arr) {
        if (auto* tbl = v.as_table()) {
          Config::Plan plan{(*tbl)["name"].value_or(std::string()),
                            (*tbl)["price"].value_or(std::string()),
                            (*tbl)["period"].value_or(std::string()),
                            (*tbl)["description"].value_or(std::string()), "", "", 0};
          plan.id = (*tbl)["id"].value_or(std::string());
          plan.stripe_price = (*tbl)["stripe_price"].value_or(std::string());
          plan.seats = static_cast<int>((*tbl)["seats"].value_or(int64_t{0}));
          config.plans.push_back(std::move(plan));
        }
      }
    }
    if (auto* arr = t["gifts"].as_array()) {
      for (auto& v : *arr) {
        if (auto* tbl = v.as_table()) {
          config.gifts.push_back({static_cast<int>((*tbl)["months"].value_or(int64_t{0})),
                                  (*tbl)["price"].value_or(std::string()),
                                  (*tbl)["stripe_price"].value_or(std::string())});
        }
      }
    }
    read_value(t, "metrics", "token", config.metrics_token);
    read_value(t, "database", "url", config.database_url);
    if (auto v = t["api"]["rate_per_minute"].value<int64_t>()) {
      config.api_rate_per_minute = static_cast<int>(*v);
    }
    read_value(t, "backup", "dir", config.backup_dir);
    read_value(t, "media", "dir", config.media_dir);
    if (auto v = t["backup"]["every_hours"].value<int64_t>()) {
      config.backup_every_hours = static_cast<int>(*v);
    }
    if (auto v = t["backup"]["keep"].value<int64_t>()) config.backup_keep = static_cast<int>(*v);
    read_value(t, "billing", "stripe_secret_key", config.stripe_secret_key);
    read_value(t, "billing", "stripe_api_base", config.stripe_api_base);
    if (auto* arr = t["billing"]["stripe_webhook_secret"].as_array()) {
      for (auto& v : *arr) {
        if (auto s = v.value<std::string>()) config.stripe_webhook_secrets.push_back(*s);
      }
    } else if (auto s = t["billing"]["stripe_webhook_secret"].value<std::string>()) {
      config.stripe_webhook_secrets.push_back(*s);
    }
    if (auto v = t["billing"]["timeout_ms"].value<int64_t>()) {
      config.stripe_timeout_ms = static_cast<int>(*v);
    }
    if (auto v = t["billing"]["grace_days"].value<int64_t>()) {
      config.billing_grace_days = static_cast<int>(*v);
    }
    read_value(t, "server", "access_log", config.access_log);
    read_value(t, "server", "log_format", config.log_format);
    if (auto v = t["server"]["sitemap_urls"].value<int64_t>()) config.sitemap_urls = static_cast<int>(*v);
    if (auto v = t["server"]["page_cache_mb"].value<int64_t>()) config.page_cache_mb = static_cast<int>(*v);
  }
  auto get = [&](const char* name, std::string& out) {
    if (auto it = env.find(name); it != env.end()) out = it->second;
  };
  get("MERIDIAN_SITE_URL", config.site_url);
  get("MERIDIAN_SITE_NAME", config.site_name);
  get("MERIDIAN_SITE_TIMEZONE", config.timezone);
  get("MERIDIAN_MAIL_SMTP", config.smtp_url);
  get("MERIDIAN_MAIL_FROM", config.mail_from);
  get("MERIDIAN_MAIL_CA_FILE", config.mail_ca_file);
  if (auto it = env.find("MERIDIAN_TEASER_PARAGRAPHS"); it != env.end()) {
    config.teaser_paragraphs = std::atoi(it->second.c_str());
  }
  get("MERIDIAN_LOG_FORMAT", config.log_format);
  if (config.log_format != "text" && config.log_format != "json") {
    return fail(ErrorCode::kInvalidInput, "[server] log_format must be text or json");
  }
  if (auto it = env.find("MERIDIAN_ACCESS_LOG"); it != env.end()) {
    config.access_log = it->second != "0" && it->second != "false";
  }
  if (!valid_time_zone(config.timezone)) {
    return fail(ErrorCode::kInvalidInput, "unknown time zone '" + config.timezone +
                                              "' in [site] timezone (use an IANA name such as "
                                              "Europe/London)");
  }
  if (!config.smtp_url.empty() && !config.smtp_url.starts_with("smtp://") &&
      !config.smtp_url.starts_with("smtps://")) {
    return fail(ErrorCode::kInvalidInput,
                "[mail] smtp must be smtp://[user:pass@]host:port (STARTTLS; plain only on "
                "loopback without credentials) or smtps://[user:pass@]host:port (implicit TLS)");
  }
  if (!config.mail_ca_file.empty() && !std::filesystem::is_regular_file(config.mail_ca_file)) {
    return fail(ErrorCode::kInvalidInput,
                "[mail] ca_file: no such file '" + config.mail_ca_file + "'");
  }
  if (config.teaser_paragraphs < 1 || config.teaser_paragraphs > 50) {
    return fail(ErrorCode::kInvalidInput, "[site] teaser_paragraphs must be between 1 and 50");
  }
  if (auto it = env.find("MERIDIAN_LINK_SPACING_SECONDS"); it != env.end()) {
    config.link_spacing_seconds = std::atoi(it->second.c_str());
  }
  if (config.link_spacing_seconds < 1 || config.link_spacing_seconds > 3600) {
    return fail(ErrorCode::kInvalidInput, "[access] link_spacing_seconds must be between 1 and 3600");
  }
  if (auto it = env.find("MERIDIAN_ALERTS_INTERVAL_SECONDS"); it != env.end()) {
    config.alerts_interval_seconds = std::atoi(it->second.c_str());
  }
  if (config.alerts_interval_seconds < 1 || config.alerts_interval_seconds > 86400) {
    return fail(ErrorCode::kInvalidInput, "[alerts] interval_seconds must be between 1 and 86400");
  }
  if (parse_time_of_day(config.alerts_digest_at) < 0) {
    return fail(ErrorCode::kInvalidInput, "[alerts] digest_at must look like 07:00");
  }
  if (auto it = env.find("MERIDIAN_NEWSLETTER_RETRY_SECONDS"); it != env.end()) {
    config.newsletter_retry_seconds = std::atoi(it->second.c_str());
  }
  if (auto it = env.find("MERIDIAN_NEWSLETTER_CLAIM_LEASE_SECONDS"); it != env.end()) {
    config.newsletter_claim_lease_seconds = std::atoi(it->second.c_str());
  }
  if (config.newsletter_claim_lease_seconds < 0 || config.newsletter_claim_lease_seconds > 86400) {
    return fail(ErrorCode::kInvalidInput,
                "[newsletter] claim_lease_seconds must be between 0 and 86400");
  }
  if (config.newsletter_connections < 1 || config.newsletter_connections > 64) {
    return fail(ErrorCode::kInvalidInput, "[newsletter] connections must be between 1 and 64");
  }
  if (auto it = env.find("MERIDIAN_MONTHLY_CREDITS"); it != env.end()) {
    config.monthly_credits = std::atoi(it->second.c_str());
  }
  if (config.monthly_credits < 0 || config.monthly_credits > 100) {
    return fail(ErrorCode::kInvalidInput, "[access] monthly_credits must be between 0 and 100");
  }
  get("MERIDIAN_METRICS_TOKEN", config.metrics_token);
  get("MERIDIAN_DATABASE_URL", config.database_url);
  if (!config.database_url.empty() && !config.database_url.starts_with("postgresql://") &&
      !config.database_url.starts_with("postgres://")) {
    return fail(ErrorCode::kInvalidInput,
                "[database] url must be a PostgreSQL URI (postgresql://user:password@host:5432/db)");
  }
  if (auto it = env.find("MERIDIAN_API_RATE_PER_MINUTE"); it != env.end()) {
    config.api_rate_per_minute = std::atoi(it->second.c_str());
  }
  if (config.api_rate_per_minute < 1 || config.api_rate_per_minute > 100000) {
    return fail(ErrorCode::kInvalidInput, "[api] rate_per_minute must be between 1 and 100000");
  }
  get("MERIDIAN_BACKUP_DIR", config.backup_dir);
  get("MERIDIAN_MEDIA_DIR", config.media_dir);
  if (config.backup_every_hours < 1 || config.backup_every_hours > 24 * 31) {
    return fail(ErrorCode::kInvalidInput, "[backup] every_hours must be between 1 and 744");
  }
  if (config.backup_keep < 1 || config.backup_keep > 1000) {
    return fail(ErrorCode::kInvalidInput, "[backup] keep must be between 1 and 1000");
  }
  if (!config.metrics_token.empty() && config.metrics_token.size() < 16) {
    return fail(ErrorCode::kInvalidInput,
                "[metrics] token must be at least 16 characters (it guards /metrics)");
  }
  get("MERIDIAN_BILLING_STRIPE_SECRET_KEY", config.stripe_secret_key);
  get("MERIDIAN_BILLING_STRIPE_API_BASE", config.stripe_api_base);
  if (auto it = env.find("MERIDIAN_BILLING_STRIPE_WEBHOOK_SECRET"); it != env.end()) {
    // Several secrets (while rolling one) separated by commas.
    config.stripe_webhook_secrets.clear();
    std::string_view rest = it->second;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto one = rest.substr(0, comma);
      if (!one.empty()) config.stripe_webhook_secrets.emplace_back(one);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  if (auto it = env.find("MERIDIAN_BILLING_GRACE_DAYS"); it != env.end()) {
    config.billing_grace_days = std::atoi(it->second.c_str());
  }
  if (auto it = env.find("MERIDIAN_BILLING_TIMEOUT_MS"); it != env.end()) {
    config.stripe_timeout_ms = std::atoi(it->second.c_str());
  }
  if (config.stripe_timeout_ms < 100 || config.stripe_timeout_ms > 60000) {
    return fail(ErrorCode::kInvalidInput, "[billing] timeout_ms must be between 100 and 60000");
  }
  if (config.billing_grace_days < 0 || config.billing_grace_days > 60) {
    return fail(ErrorCode::kInvalidInput, "[billing] grace_days must be between 0 and 60");
  }
  while (config.stripe_api_base.ends_with('/')) config.stripe_api_base.pop_back();
  if (!config.stripe_api_base.starts_with("https://") &&
      !config.stripe_api_base.starts_with("http://127.0.0.1:") &&
      !config.stripe_api_base.starts_with("http://localhost:")) {
    return fail(ErrorCode::kInvalidInput,
                "[billing] stripe_api_base must be an https:// URL (plain http only on loopback, "
                "for a test stand-in)");
  }
  if (config.billing_enabled() && config.stripe_webhook_secrets.empty()) {
    return fail(ErrorCode::kInvalidInput,
                "[billing] stripe_webhook_secret is required with stripe_secret_key: without it "
                "no payment could ever be confirmed");
  }
  if (config.plans.empty()) {
    config.plans = {
        {"All-Access monthly", "$15", "month", "Everything, billed monthly.", "monthly", "", 0},
        {"All-Access annual", "$150", "year", "Everything, two months free.", "annual", "", 0}};
  }
  for (std::size_t i = 0; i < config.plans.size(); ++i) {
    auto& p = config.plans[i];
    if (p.id.empty()) {
      for (char c : p.name) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
          p.id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!p.id.empty() && p.id.back() != '-') {
          p.id += '-';
        }
      }
      while (p.id.ends_with('-')) p.id.pop_back();
      if (p.id.empty()) p.id = "plan-" + std::to_string(i + 1);
    }
    if (p.seats < 0 || p.seats > 10000) {
      return fail(ErrorCode::kInvalidInput, "[[plans]] " + p.id + ": seats must be 0 to 10000");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (config.plans[j].id == p.id) {
        return fail(ErrorCode::kInvalidInput, "[[plans]]: two plans with the id " + p.id);
      }
    }
  }
  for (const auto& g : config.gifts) {
    if (g.months < 1 || g.months > 36) {
      return fail(ErrorCode::kInvalidInput, "[[gifts]] months must be between 1 and 36");
    }
  }
  if (config.sitemap_urls < 1 || config.sitemap_urls > 50000) {
    return fail(ErrorCode::kInvalidInput, "[server] sitemap_urls must be between 1 and 50000");
  }
  if (config.threads < 1 || config.threads > 64) {
    return fail(ErrorCode::kInvalidInput, "[server] threads must be between 1 and 64");
  }
  if (config.page_cache_mb < 1 || config.page_cache_mb > 65536) {
    return fail(ErrorCode::kInvalidInput, "[server] page_cache_mb must be between 1 and 65536");
  }
  if (config.password_workers < 1 || config.password_workers > 16) {
    return fail(ErrorCode::kInvalidInput, "[server] password_workers must be between 1 and 16");
  }
  if (config.password_queue < 0 || config.password_queue > 10000) {
    return fail(ErrorCode::kInvalidInput, "[server] password_queue must be between 0 and 10000");
  }
  return {};
}

namespace {

Result<int> setting_int(const std::string& name, const std::string& value, int lo, int hi) {
  int v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < lo || v > hi) {
    return fail(ErrorCode::kInvalidInput, name + ": a whole number from " + std::to_string(lo) +
                                              " to " + std::to_string(hi));
  }
  return v;
}

bool http_url(const std::string& s) {
  return (s.starts_with("https://") || s.starts_with("http://")) && s.size() > 8 &&
         s.find_first_of(" \"<>") == std::string::npos;
}

}  // namespace

Result<void> apply_settings(Config& config, const std::map<std::string, std::string>& settings) {
  Config next = config;
  for (const auto& [key, value] : settings) {
    if (key == "site.name") {
      if (value.empty() || value.size() > 100) {
        return fail(ErrorCode::kInvalidInput, "Site name: 1 to 100 characters");
      }
      next.site_name = value;
    } else if (key == "site.description") {
      if (value.size() > 300) return fail(ErrorCode::kInvalidInput, "Description: at most 300 characters");
      next.site_description = value;
    } else if (key == "site.url") {
      if (!value.empty() && !http_url(value)) {
        return fail(ErrorCode::kInvalidInput, "Site address: a URL starting with https:// or http://");
      }
      next.site_url = value;
    } else if (key == "site.timezone") {
      if (!valid_time_zone(value)) {
        return fail(ErrorCode::kInvalidInput,
                    "Time zone: '" + value + "' is not a known zone (use a name like Europe/London)");
      }
      next.timezone = value;
    } else if (key == "site.teaser_paragraphs") {
      auto v = setting_int("Teaser length", value, 1, 50);
      if (!v) return std::unexpected(v.error());
      next.teaser_paragraphs = *v;
    } else if (key == "access.monthly_credits") {
      auto v = setting_int("Monthly free articles", value, 0, 100);
      if (!v) return std::unexpected(v.error());
      next.monthly_credits = *v;
    } else if (key == "access.gifts_per_month") {
      auto v = setting_int("Gift links a month", value, 0, 1000);
      if (!v) return std::unexpected(v.error());
      next.gifts_per_month = *v;
    } else if (key == "brand.accent") {
      if (value.empty()) {
        next.brand_accent.clear();
        continue;
      }
      auto c = parse_hex_colour(value);
      if (!c) return fail(ErrorCode::kInvalidInput, "Accent colour: a colour like #8a1c1c");
      // White text on it (buttons, badges) and it as text on the page (links, kickers).
      double on_white = contrast_ratio(*c, "#ffffff"), on_paper = contrast_ratio(*c, "#fbfaf7");
      double worst = std::min(on_white, on_paper);
      if (worst < 4.5) {
        char ratio[16];
        std::snprintf(ratio, sizeof ratio, "%.1f", worst);
        return fail(ErrorCode::kInvalidInput,
                    "Accent colour: " + *c + " has a contrast of only " + ratio +
                        ":1 with white text and the page; AA needs 4.5:1, so choose a darker colour");
      }
      next.brand_accent = *c;
    } else if (key == "brand.logo") {
      bool ok = value.empty() || (value.size() <= 100 && value.ends_with(".png") &&
                                  value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") ==
                                      std::string::npos &&
                                  value.find('.') == value.size() - 4);
      if (!ok) return fail(ErrorCode::kInvalidInput, "Logo: not a picture of this publication");
      next.brand_logo = value;
    } else if (key == "brand.nav") {
      std::vector<std::string> items;
      std::string item;
      auto flush = [&]() -> Result<void> {
        std::string t = item;
        item.clear();
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
        std::size_t b = 0;
        while (b < t.size() && std::isspace(static_cast<unsigned char>(t[b]))) ++b;
        t = t.substr(b);
        if (t.empty()) return {};
        bool ok = false;
        for (const char* prefix : {"/topics/", "/countries/", "/pages/"}) {
          if (t.starts_with(prefix)) ok = is_valid_slug(t.substr(std::string_view(prefix).size()));
        }
        if (!ok) {
          return fail(ErrorCode::kInvalidInput,
                      "Header navigation: '" + t + "' is not /topics/…, /countries/… or /pages/…");
        }
        items.push_back(t);
        return {};
      };
      for (char ch : value + ",") {
        if (ch == ',' || ch == '\n') {
          if (auto ok = flush(); !ok) return ok;
        } else {
          item += ch;
        }
      }
      if (items.size() > 10) return fail(ErrorCode::kInvalidInput, "Header navigation: at most 10 items");
      next.brand_nav = std::move(items);
    } else if (key == "brand.footer") {
      // One link per line: "Label | address".
      std::vector<Config::Link> links;
      std::istringstream lines(value);
      std::string line;
      while (std::getline(lines, line)) {
        std::string t = trim(line);
        if (t.empty()) continue;
        auto bar = t.find('|');
        std::string label = bar == std::string::npos ? std::string() : trim(t.substr(0, bar));
        std::string url = bar == std::string::npos ? std::string() : trim(t.substr(bar + 1));
        if (label.empty() || url.empty()) {
          return fail(ErrorCode::kInvalidInput, "Footer links: '" + t + "' is not \"Label | address\"");
        }
        if (label.size() > 60) return fail(ErrorCode::kInvalidInput, "Footer links: '" + label + "' is longer than 60 characters");
        bool plain = url.find_first_of(" \t\r\"'<>\\") == std::string::npos;
        bool ok = plain && (http_url(url) || (url.starts_with("/") && !url.starts_with("//")) ||
                            (url.starts_with("mailto:") && url.find('@') != std::string::npos));
        if (!ok) {
          return fail(ErrorCode::kInvalidInput,
                      "Footer links: '" + url + "' is not an address on this site (/…), http(s):// or mailto:");
        }
        links.push_back({label, url});
      }
      if (links.size() > 12) return fail(ErrorCode::kInvalidInput, "Footer links: at most 12");
      next.brand_footer = std::move(links);
    } else if (key == "ads") {
      std::vector<Config::Ad> ads;
      try {
        for (const auto& a : nlohmann::json::parse(value)) {
          Config::Ad ad{a.value("image", ""), a.value("link", ""), a.value("alt", "")};
          if (ad.image.empty() && ad.link.empty()) continue;
          bool image_ok = http_url(ad.image) || (ad.image.starts_with("/") && !ad.image.starts_with("//") &&
                                                 ad.image.find_first_of(" \"<>") == std::string::npos);
          bool link_ok = http_url(ad.link) || (ad.link.starts_with("/") && !ad.link.starts_with("//") &&
                                               ad.link.find_first_of(" \"<>") == std::string::npos);
          if (!image_ok || !link_ok) {
            return fail(ErrorCode::kInvalidInput,
                        "House ads: the image and the link must be web addresses (https://…) or paths "
                        "on this site (/…)");
          }
          if (ad.alt.empty()) {
            return fail(ErrorCode::kInvalidInput, "House ads: describe each image (alternative text)");
          }
          ads.push_back(std::move(ad));
        }
      } catch (const nlohmann::json::exception&) {
        return fail(ErrorCode::kInvalidInput, "House ads: not a list of ads");
      }
      next.ads = std::move(ads);
    }
  }
  config = std::move(next);
  return {};
}

std::map<std::string, std::string> settings_of(const Config& config) {
  nlohmann::json ads = nlohmann::json::array();
  for (const auto& a : config.ads) ads.push_back({{"image", a.image}, {"link", a.link}, {"alt", a.alt}});
  return {{"site.name", config.site_name},
          {"site.description", config.site_description},
          {"site.url", config.site_url},
          {"site.timezone", config.timezone},
          {"site.teaser_paragraphs", std::to_string(config.teaser_paragraphs)},
          {"access.monthly_credits", std::to_string(config.monthly_credits)},
          {"access.gifts_per_month", std::to_string(config.gifts_per_month)},
          {"ads", ads.dump()},
          {"brand.accent", config.brand_accent},
          {"brand.logo", config.brand_logo},
          {"brand.nav", [&] {
             std::string out;
             for (const auto& n : config.brand_nav) out += (out.empty() ? "" : "\n") + n;
             return out;
           }()},
          {"brand.footer", [&] {
             std::string out;
             for (const auto& l : config.brand_footer) out += (out.empty() ? "" : "\n") + l.label + " | " + l.url;
             return out;
           }()}};
}

}  // namespace core
