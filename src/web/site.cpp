#include "web/site.h"

#include <atomic>

#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "core/crypto.h"
#include "core/version.h"
#include "web/assets.h"
#include "web/billing_routes.h"
#include "web/compression.h"
#include "web/metrics_routes.h"
#include "web/admin_api_routes.h"
#include "web/author_routes.h"
#include "web/register_page_routes.h"
#include "web/curator_routes.h"
#include "web/bin_routes.h"
#include "web/icon_routes.h"
#include "web/map_routes.h"
#include "web/brand_routes.h"
#include "web/member_note_routes.h"
#include "web/page_routes.h"
#include "web/redirect_routes.h"
#include "web/multipart.h"
#include "web/security_headers.h"
#include "web/session.h"

namespace web {

using content::TermKind;

namespace {

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// FNV-1a: stable across runs and builds (std::hash is not), for ETags.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string_view static_asset(std::string_view name) {
  for (const auto* a = assets::kStatic; !a->name.empty(); ++a) {
    if (a->name == name) return a->content;
  }
  return {};
}

// If-None-Match against our ETag, also in its weak form and in the forms we send with a
// compressed body ("…-gz", "…-br").
bool etag_matches(const std::string& inm, const std::string& etag) {
  if (inm == "*") return true;
  std::string_view list = inm;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto one = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.starts_with("W/")) one.remove_prefix(2);
    std::string v(one);
    for (const char* suffix : {"-gz\"", "-br\""}) {
      if (v.size() > 4 && v.ends_with(suffix)) v = v.substr(0, v.size() - 4) + "\"";
    }
    if (v == etag) return true;
  }
  return false;
}

// If-Modified-Since: the page has not changed since the date the client holds.
bool modified_by(const std::string& last_modified, const std::string& ims) {
  auto lm = core::parse_http_date(last_modified);
  auto since = core::parse_http_date(ims);
  return lm && since && *lm <= *since;
}

// A cached page's compressed forms when this reader takes one (made on first demand).
std::shared_ptr<const Encoded> encoded_for(const Request& req, const Response& cached) {
  if (cached.encoded || !cached.lazy_encoded) return cached.encoded;
  const std::string* accept = req.header("accept-encoding");
  if (!accept || negotiate(*accept, true) == Coding::kIdentity) return nullptr;
  return encode_once(*cached.lazy_encoded, cached.body, kCsrfMarker);
}

// A cached page for this reader, everything but its body (the caller shares or fills it).
Response without_body(const Request& req, const Response& cached) {
  Response res;
  res.status = cached.status;
  res.content_type = cached.content_type;
  res.headers = cached.headers;
  res.article_id = cached.article_id;
  res.wall_shown = cached.wall_shown;
  res.encoded = encoded_for(req, cached);
  return res;
}

// Sends the compressed variant the client accepts, with Vary and a per-coding ETag.
void apply_coding(const Request& req, Response& res) {
  if (!res.encoded || (res.status != 200 && res.status != 304)) return;
  bool has_vary = false;
  for (auto& [k, v] : res.headers) {
    if (k == "Vary") {
      v += ", Accept-Encoding";
      has_vary = true;
    }
  }
  if (!has_vary) res.set_header("Vary", "Accept-Encoding");
  const std::string* accept = req.header("accept-encoding");
  const Encoded& e = *res.encoded;
  Coding coding = negotiate(accept ? *accept : std::string(), !e.spliced && !e.br.empty());
  if (coding == Coding::kGzip && !e.spliced && e.gzip.empty()) coding = Coding::kIdentity;
  if (coding == Coding::kIdentity) return;
  const char* name = coding == Coding::kBrotli ? "br" : "gzip";
  for (auto& [k, v] : res.headers) {
    if (k == "ETag" && v.size() > 2) v = v.substr(0, v.size() - 1) + (coding == Coding::kBrotli ? "-br\"" : "-gz\"");
  }
  res.set_header("Content-Encoding", name);
  if (res.status == 304) return;
  if (e.spliced) {
    if (res.csrf_token.empty()) return;  // no token for this reader: the plain page as is
    res.body = splice_gzip(e, res.csrf_token);
    res.shared_body.reset();
  } else {
    // Shared, not copied: an aliasing pointer keeps the encoded page alive.
    res.shared_body = std::shared_ptr<const std::string>(res.encoded,
                                                         coding == Coding::kBrotli ? &e.br : &e.gzip);
    res.body.clear();
  }
}

std::mutex log_mutex;
const std::string kUnmatched = "unmatched";

constexpr std::size_t kMaxTargetBytes = 8192;
// Reader forms are small; only staff routes (uploads, CSV imports) take more, up to the
// server's limit.
constexpr std::size_t kMaxFormBytes = 256 * 1024;
// The admin API takes whole articles (bodies up to 2 MiB) as JSON.
constexpr std::size_t kMaxApiBytes = 4 * 1024 * 1024;

bool allowed(Audience audience, const std::optional<accounts::Member>& m) {
  using accounts::Role;
  switch (audience) {
    case Audience::kPublic: return true;
    case Audience::kReader: return m.has_value();
    case Audience::kAuthor: return m && m->role != Role::kReader;
    case Audience::kEditor: return m && (m->role == Role::kEditor || m->role == Role::kAdmin);
    case Audience::kAdmin: return m && m->role == Role::kAdmin;
  }
  return false;
}

// JSON string contents: quotes, backslashes and control characters escaped; bytes that
// are not valid UTF-8 cannot occur (targets are checked) except in the raw target,
// where they are replaced.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x80) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// A request id unique within the process and unlikely to repeat across restarts: a
// random prefix and a counter.
std::string next_request_id() {
  static const std::string prefix = core::random_token(6).substr(0, 8);
  static std::atomic<unsigned long long> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

// "2026-11-30T10:00:00Z GET /articles/x 200 8789B 123us 203.0.113.9 hit id=ab12-7"
void log_text(const Request& req, const Response& res, long long micros, const char* cache,
              const std::string& ts) {
  std::string text;
  text.reserve(120 + req.raw_target.size());
  text += ts;
  text += ' ';
  text += req.method;
  text += ' ';
  // Control characters and spaces in the target would break the line apart.
  for (unsigned char c : req.raw_target) {
    if (c <= 0x20 || c == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      text += buf;
    } else {
      text += static_cast<char>(c);
    }
  }
  text += ' ' + std::to_string(res.status) + ' ' + std::to_string(res.body_size()) + "B " +
          std::to_string(micros) + "us ";
  text += req.client_ip.empty() ? req.remote_ip : req.client_ip;
  text += ' ';
  text += cache;
  text += " id=";
  text += req.id;
  text += '\n';
  std::lock_guard lock(log_mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

void log_request(const Request& req, const Response& res, long long micros, const char* cache,
                 bool json) {
  // One JSON object a line, built by hand: this runs on every request.
  std::string text;
  text.reserve(200 + req.raw_target.size());
  text += "{\"ts\":\"";
  // Formatted once a second per thread (the date library's formatting is not cheap).
  thread_local std::time_t last_second = 0;
  thread_local std::string last_text;
  std::time_t now = std::time(nullptr);
  if (now != last_second) {
    last_second = now;
    last_text = core::format_rfc3339(now);
  }
  if (!json) {
    log_text(req, res, micros, cache, last_text);
    return;
  }
  text += last_text;
  text += "\",\"method\":";
  append_json_string(text, req.method);
  text += ",\"path\":";
  append_json_string(text, req.raw_target);
  text += ",\"status\":" + std::to_string(res.status) + ",\"bytes\":" +
          std::to_string(res.body_size()) + ",\"us\":" + std::to_string(micros) + ",\"ip\":";
  append_json_string(text, req.client_ip.empty() ? req.remote_ip : req.client_ip);
  text += ",\"cache\":\"";
  text += cache;
  text += "\",\"id\":\"";
  text += req.id;
  text += "\"}\n";
  std::lock_guard lock(log_mutex);
  // stdout is block-buffered (see AccessLog): no write system call per request.
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

AccessLog::AccessLog() : thread_([this] {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(200));
    std::lock_guard out(log_mutex);
    std::fflush(stdout);
  }
}) {
  // Once per process: a reload builds a second site while the first finishes.
  static std::once_flag once;
  std::call_once(once, [] {
    static char buffer[1 << 16];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
  });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard out(log_mutex);
  std::fflush(stdout);
}

Site::Site(const SiteDeps& d)
    : store_(d.store), content_(d.store.content()), members_(d.store.members()), config_(d.config),
      clock_(d.clock), accounts_(d.accounts), paywall_(d.paywall), events_(d.events),
      newsletters_(d.newsletters), editorial_(d.editorial), member_admin_(d.member_admin),
      reload_(d.reload), recut_(d.recut),
      // Three quarters of [server] page_cache_mb for pages every anonymous reader shares.
      cache_(static_cast<std::size_t>(d.config.page_cache_mb) * (3u << 20) / 4),
      personal_cache_(static_cast<std::size_t>(d.config.page_cache_mb) * (1u << 20) / 4),
      base_url_(d.config.base_url()) {
  std::string all_static;
  for (const auto* a = assets::kStatic; !a->name.empty(); ++a) all_static += a->content;
  css_version_ = hex64(fnv1a(all_static)).substr(0, 10);
  for (const auto* a = assets::kStatic; !a->name.empty(); ++a) {
    std::string name(a->name);
    bool text = name.ends_with(".css") || name.ends_with(".js") || name.ends_with(".svg");
    if (auto e = text ? encode(a->content, "") : nullptr) static_encoded_[name] = e;
  }
  secret_ = members_.site_secret();
  https_ = base_url_.starts_with("https://");
  for (const auto& p : config_.trusted_proxies) {
    auto c = core::parse_cidr(p);
    if (!c) throw std::runtime_error("[server] trusted_proxies: not an address range: " + p);
    trusted_proxies_.push_back(*c);
  }
  if (d.billing && d.billing->enabled()) form_targets_ = payment_form_targets(config_.stripe_api_base);
  if (d.billing) {
    billing_routes_ = std::make_unique<BillingRoutes>(
        BillingDeps{*d.billing, accounts_, events_, config_, clock_, *this});
  }
  metrics_routes_ = std::make_unique<MetricsRoutes>(MetricsDeps{
      metrics_, store_, config_,
      [this] {
        std::vector<Metrics::Family> out;
        out.push_back({"meridian_page_cache_bytes", "Bytes held by the page caches.", "gauge",
                       {{"{cache=\"shared\"}", static_cast<double>(cache_.bytes())},
                        {"{cache=\"personal\"}", static_cast<double>(personal_cache_.bytes())}}});
        out.push_back({"meridian_page_cache_entries", "Pages held by the page caches.", "gauge",
                       {{"{cache=\"shared\"}", static_cast<double>(cache_.entries())},
                        {"{cache=\"personal\"}", static_cast<double>(personal_cache_.entries())}}});
        return out;
      },
      [this] {
        return error_page(404, "Page not found",
                          "We could not find that page. It may have moved, or the address may "
                          "be mistyped.");
      }});
  if (d.api_tokens) {
    admin_api_routes_ = std::make_unique<AdminApiRoutes>(
        AdminApiDeps{*d.api_tokens, d.webhooks, editorial_, store_.editorial(), members_, member_admin_,
                     config_, clock_, *this});
  }
  redirect_routes_ = std::make_unique<RedirectRoutes>(
      RedirectDeps{store_.redirects(), config_, clock_, *this});
  page_routes_ = std::make_unique<PageRoutes>(PageDeps{store_.pages(), config_, clock_, *this});
  member_note_routes_ = std::make_unique<MemberNoteRoutes>(MemberNoteDeps{members_, clock_, *this});
  author_routes_ = std::make_unique<AuthorRoutes>(AuthorDeps{store_.editorial(), content_, *this});
  register_page_routes_ = std::make_unique<RegisterPageRoutes>(RegisterPageDeps{config_, *this});
  if (!d.curator) throw std::logic_error("web::Site needs the curator service");
  icon_routes_ = std::make_unique<IconRoutes>(config_, editorial_.media_dir());
  map_routes_ = std::make_unique<MapRoutes>(config_);
  brand_routes_ = std::make_unique<BrandRoutes>(
      BrandDeps{config_, clock_, store_.editorial(), editorial_.media_dir(), *this, reload_});
  bin_routes_ = std::make_unique<BinRoutes>(BinDeps{config_, clock_, store_.editorial(), store_.pages(), *this});
  curator_routes_ = std::make_unique<CuratorRoutes>(CuratorDeps{config_, clock_, *this, *d.curator, content_, d.alerts});
  build_routes();
}

Site::~Site() = default;

std::string Site::session_cookie_for(const std::string& session_token) {
  return session_cookie(session_token, config_.session_days * 86400, https_);
}

void Site::build_routes() {
  // `reads`: the query parameters the handler uses (the page cache keys on these alone).
  auto get = [this](std::string pattern, Handler h, bool cacheable = true,
                    std::vector<std::string> reads = {}) {
    Route r{"GET", std::move(pattern), Audience::kPublic, std::move(h), cacheable, {}};
    r.reads = std::move(reads);
    router_.add(std::move(r));
  };
  const std::vector<std::string> paged = {"page"};
  const std::vector<std::string> search_keys = {"q",    "topic", "country", "type",    "year",
                                                "from", "to",    "sort",    "page",    "per_page"};
  auto post = [this](std::string pattern, Handler h, Audience who = Audience::kPublic) {
    router_.add(Route{"POST", std::move(pattern), who, std::move(h), false, {}});
  };
  get("/", [this](Request& r) { return home(r); });
  // A topic, country or author page: its follow button depends on the reader's follows.
  auto term_route = [this, &paged](std::string pattern, TermKind kind) {
    Route r{"GET", std::move(pattern), Audience::kPublic,
            [this, kind](Request& q) { return term_page(q, kind); }, true,
            [this](Request& q) { return variant_key(q) + curator_routes_->variant(q); }};
    r.reads = paged;
    router_.add(std::move(r));
  };
  Route article_route{"GET", "/articles/{slug}", Audience::kPublic,
                    [this](Request& r) { return article(r); }, true,
                    [this](Request& r) {
                      // One light read; the page itself is rendered only on a miss.
                      std::string slug = r.param("slug");
                      auto ref = core::is_valid_slug(slug) ? article_ref(slug, r.content_version)
                                                           : std::nullopt;
                      if (!ref) return std::string("missing");
                      auto reader = paywall_.reader_for(r.visitor, ref->id, ref->access,
                                                        r.query_value("gift"));
                      auto d = paywall::decide(reader, ref->access, clock_.now());
                      bool gifts = paywall::can_send_gifts(r.visitor) &&
                                   ref->access != content::AccessClass::kFree;
                      // variant_key: state and institution; then whether signed in (the
                      // header differs) and the decision itself.
                      return variant_key(r) + (r.visitor.member ? "|member" : "|guest") + "|" +
                             (d.full_text ? "full" : "teaser") + "|" +
                             paywall::to_string(d.wall) + "|" + std::to_string(d.credits_left) +
                             "|" + (gifts ? std::to_string(paywall_.gifts_left(*r.visitor.member))
                                          : "-") +
                             curator_routes_->variant(r, ref->id);
                    }};
  article_route.reads = {"gift", "registered"};
  router_.add(std::move(article_route));
  post("/articles/{slug}/unlock", [this](Request& r) { return unlock_post(r); }, Audience::kReader);
  post("/articles/{slug}/gift", [this](Request& r) { return gift_post(r); }, Audience::kReader);
  get("/topics", [this](Request& r) { return term_index(r, TermKind::kTopic); });
  term_route("/topics/{slug}", TermKind::kTopic);
  get("/topics/{slug}/feed.xml", [this](Request& r) { return term_feed(r, TermKind::kTopic, false); });
  get("/topics/{slug}/atom.xml", [this](Request& r) { return term_feed(r, TermKind::kTopic, true); });
  get("/countries", [this](Request& r) { return term_index(r, TermKind::kCountry); });
  term_route("/countries/{slug}", TermKind::kCountry);
  get("/countries/{slug}/feed.xml",
      [this](Request& r) { return term_feed(r, TermKind::kCountry, false); });
  get("/countries/{slug}/atom.xml",
      [this](Request& r) { return term_feed(r, TermKind::kCountry, true); });
  get("/authors", [this](Request& r) { return term_index(r, TermKind::kAuthor); });
  term_route("/authors/{slug}", TermKind::kAuthor);
  get("/archive", [this](Request& r) { return archive_index(r); });
  get("/archive/{year}", [this](Request& r) { return archive_index(r); });
  get("/archive/{year}/{month}", [this](Request& r) { return archive_month(r); }, true, paged);
  get("/feed.xml", [this](Request& r) { return site_feed(r, false); });
  get("/atom.xml", [this](Request& r) { return site_feed(r, true); });
  get("/sitemap.xml", [this](Request& r) { return sitemap(r); });
  get("/sitemaps/{file}", [this](Request& r) { return sitemap_file(r); });
  get("/news-sitemap.xml", [this](Request& r) { return news_sitemap(r); });
  get("/robots.txt", [this](Request& r) { return robots(r); });
  get("/api/v1/articles", [this](Request& r) { return api_articles(r); }, true,
      {"page", "per_page", "topic", "country", "author"});
  get("/api/v1/articles/{slug}", [this](Request& r) { return api_article(r); }, false);
  if (billing_routes_) {
    billing_routes_->add_routes(router_);
  } else {
    get("/subscribe", [this](Request&) {
      return message_page(200, "Subscribe", "Subscriptions are handled by our staff: write to us.");
    });
  }
  get("/search", [this](Request& r) { return search_page(r); }, true, search_keys);
  get("/api/v1/search", [this](Request& r) { return api_search(r); }, true, search_keys);

  post("/register", [this](Request& r) { return register_post(r); });
  get("/signin", [this](Request& r) { return signin_page(r); }, false);
  // Password checks and hashing (argon2id) run on their own workers: Site::heavy.
  router_.add(Route{"POST", "/signin", Audience::kPublic,
                    [this](Request& r) { return signin_post(r); }, false, {}, /*heavy=*/true});
  get("/signin/confirm", [this](Request& r) { return signin_confirm_page(r); }, false);
  post("/signin/confirm", [this](Request& r) { return signin_confirm_post(r); });
  get("/verify", [this](Request& r) { return verify_page(r); }, false);
  post("/verify", [this](Request& r) { return verify_post(r); });
  post("/account/verify", [this](Request& r) { return verify_resend(r); }, Audience::kReader);
  post("/signout", [this](Request& r) { return signout_post(r, false); }, Audience::kReader);
  post("/signout-everywhere", [this](Request& r) { return signout_post(r, true); },
       Audience::kReader);
  router_.add(Route{"GET", "/account", Audience::kReader,
                    [this](Request& r) { return account_page(r); }, false, {}});
  router_.add(Route{"GET", "/account/export", Audience::kReader,
                    [this](Request& r) { return account_export(r); }, false, {}});
  router_.add(Route{"POST", "/account/password", Audience::kReader,
                    [this](Request& r) { return account_password(r); }, false, {},
                    /*heavy=*/true});
  post("/account/email", [this](Request& r) { return account_email(r); }, Audience::kReader);
  // The emailed link is the authority (it proves the new address, or the current address's
  // approval), as for sign-in links.
  get("/account/email/approve", [this](Request& r) { return email_approve_page(r); }, false);
  post("/account/email/approve", [this](Request& r) { return email_approve_post(r); });
  get("/account/email/confirm", [this](Request& r) { return email_confirm_page(r); }, false);
  post("/account/email/confirm", [this](Request& r) { return email_confirm_post(r); });
  post("/account/delete", [this](Request& r) { return account_delete(r); }, Audience::kReader);
  post("/account/newsletters", [this](Request& r) { return account_newsletters(r); },
       Audience::kReader);
  // RFC 8058 one-click: the POST carries no cookie and no CSRF token; the signed link is
  // the authority, and it can only switch its own reader's newsletter off.
  get("/newsletters/unsubscribe", [this](Request& r) { return unsubscribe(r, false); }, false);
  get("/newsletters/{newsletter}/{key}", [this](Request& r) { return edition_page(r); });
  post("/newsletters/unsubscribe", [this](Request& r) { return unsubscribe(r, true); });

  get("/media/{file}", [this](Request& r) { return media(r); }, false);
  metrics_routes_->add_routes(router_);
  if (admin_api_routes_) admin_api_routes_->add_routes(router_);
  redirect_routes_->add_routes(router_);
  page_routes_->add_routes(router_);
  member_note_routes_->add_routes(router_);
  author_routes_->add_routes(router_);
  register_page_routes_->add_routes(router_);
  curator_routes_->add_routes(router_);
  bin_routes_->add_routes(router_);
  icon_routes_->add_routes(router_);
  map_routes_->add_routes(router_);
  brand_routes_->add_routes(router_);
  build_admin_routes();

  auto static_file = [this](const std::string& file, const char* cache_control) {
    Response res;
    auto content = static_asset(file);
    if (content.empty()) {
      res.status = 404;
      res.content_type = "text/plain; charset=utf-8";
      res.body = "Not found\n";
      return res;
    }
    res.content_type = file.ends_with(".css")   ? "text/css; charset=utf-8"
                       : file.ends_with(".js")  ? "text/javascript; charset=utf-8"
                       : file.ends_with(".svg") ? "image/svg+xml"
                       : file.ends_with(".woff2") ? "font/woff2"
                                                : "application/octet-stream";
    res.body = std::string(content);
    res.set_header("Cache-Control", cache_control);
    if (auto it = static_encoded_.find(file); it != static_encoded_.end()) res.encoded = it->second;
    return res;
  };
  get("/static/{file}", [static_file](Request& r) {
    return static_file(r.param("file"), "public, max-age=31536000, immutable");
  }, false);
  get("/healthz", [this](Request&) {
    Response res;
    res.content_type = "application/json";
    nlohmann::json body = {{"status", "ok"},
                           {"articles", content_.count_articles()},
                           {"schema_version", content_.schema_version()},
                           {"version", core::version()}};
    res.body = body.dump() + "\n";
    res.set_header("Cache-Control", "no-store");
    return res;
  }, false);
}

void Site::identify(Request& req) {
  req.client_ip = client_ip(req, trusted_proxies_);
  auto versions = store_.versions();
  std::optional<accounts::Member> member;
  std::string token = cookie_value(req, kSessionCookie);
  if (!token.empty()) {
    member = accounts_.member_for_session(token, versions.members);
    if (member) req.session_token = token;
  }
  req.content_version = versions.content;
  req.members_version = versions.members;
  req.visitor = paywall_.identify(std::move(member), req.client_ip, versions.members);
  if (req.method == "POST") {
    const std::string* type = req.header("content-type");
    if (type && type->starts_with("application/x-www-form-urlencoded")) {
      req.form = parse_query(req.body);
    }
  }
}

bool Site::read_multipart(Request& req) {
  const std::string* type = req.header("content-type");
  if (req.method != "POST" || !type || !type->starts_with("multipart/form-data")) return true;
  if (auto parts = parse_multipart(*type, req.body)) {
    for (auto& part : *parts) {
      if (part.filename.empty()) {
        req.form.emplace(part.name, std::string(part.data));
      } else if (!part.data.empty()) {
        req.files[part.name] = std::string(part.data);
      }
    }
  }
  return valid_text(req.form);
}

std::string Site::variant_key(Request& req) {
  std::string key = paywall::to_string(req.visitor.state);
  if (!req.visitor.institution.empty()) key += "|inst";
  if (req.visitor.member) key += "|member";
  return key;
}

std::string Site::state_name(const Request& req) const {
  return paywall::to_string(req.visitor.state);
}

void Site::finish_personal(Request& req, Response& res) {
  // Pages for a signed-in reader or an institution are theirs alone.
  res.replace_header("Cache-Control", "private, no-store");
  fill_csrf(req, res);
}

bool valid_text(const std::multimap<std::string, std::string>& fields) {
  for (const auto& [k, v] : fields) {
    if (!core::valid_utf8(k) || !core::valid_utf8(v) || v.find('\0') != std::string::npos) {
      return false;
    }
  }
  return true;
}

bool Site::heavy(const Request& req) const {
  if (req.method != "POST") return false;
  Request probe;
  probe.method = req.method;
  probe.path = req.path;
  bool exists = false;
  const Route* route = router_.match(probe, exists);
  return route && route->heavy;
}

void Site::fill_csrf(Request& req, Response& res) {
  write_csrf_tokens(req, res, secret_, clock_.now());
}

// A cached page with this browser's CSRF token: a reader who takes gzip gets the cached
// compressed pieces spliced around the token (apply_coding) and the plain page is never
// copied; others get the plain page with the token written in.
void Site::fill_csrf_from(Request& req, const Response& cached, Response& res) {
  res = without_body(req, cached);
  res.csrf_marker = true;
  const std::string* accept = req.header("accept-encoding");
  if (res.encoded && res.encoded->spliced &&
      negotiate(accept ? *accept : std::string(), false) == Coding::kGzip) {
    res.csrf_token = csrf_token_for(req, secret_, clock_.now());
    return;
  }
  res.body = cached.body;
  fill_csrf(req, res);
}

Response Site::handle(Request& req) {
  auto started = std::chrono::steady_clock::now();
  req.id = next_request_id();
  std::string failure;  // what threw, for the log
  const char* cache_state = "bypass";
  Response res;
  std::shared_ptr<const Response> shared;
  const Route* matched = nullptr;
  try {
    if (req.raw_target.size() > kMaxTargetBytes) {
      res = error_page(414, "Address too long", "The address of this request is too long.");
    } else if (!core::valid_utf8(req.path) || req.path.find('\0') != std::string::npos ||
        req.path.empty() || req.path[0] != '/') {
      res = error_page(400, "Bad request", "The address of this request is not valid.");
    } else {
      identify(req);
      bool path_exists = false;
      const Route* route = router_.match(req, path_exists);
      matched = route;
      if (!valid_text(req.query) || !valid_text(req.form)) {
        res = error_page(400, "Bad request",
                         "This request contains text that is not valid UTF-8, so we did not use "
                         "it.");
      } else if (auto moved = redirect_routes_->moved(req, /*missing=*/false)) {
        res = std::move(*moved);  // an old address with its query, named exactly (/?p=22)
      } else if (req.method == "OPTIONS" && path_exists) {
        res.status = 204;
        res.set_header("Allow", router_.allowed(req.path));
        res.set_header("Cache-Control", "no-store");
      } else if (!route) {
        if (path_exists) {
          res = error_page(405, "Method not allowed", "This address cannot be used that way.");
          res.set_header("Allow", router_.allowed(req.path));
        } else {
          res = error_page(404, "Page not found",
                           "We could not find that page. It may have moved, or the address may "
                           "be mistyped.");
        }
      } else if (req.method == "POST" && !route->external && !same_origin(req, base_url_)) {
        res = error_page(403, "Form rejected",
                         "This form was sent from another site, so we did not act on it.");
      } else if (route->audience != Audience::kPublic && !req.visitor.member) {
        res = redirect("/signin?next=" + core::url_encode(req.path));
      } else if (!allowed(route->audience, req.visitor.member)) {
        res = error_page(403, "Not allowed",
                         "Your account cannot open this page. If you work on the newsroom, ask "
                         "an administrator for the right role.");
      } else if (req.body.size() > (route->external ? kMaxApiBytes : kMaxFormBytes) &&
                 route->audience < Audience::kAuthor) {
        res = error_page(413, "Too much data", "This form sent more data than it may.");
      } else if (!read_multipart(req)) {  // uploads: read only once the caller may use the route
        res = error_page(400, "Bad request",
                         "This form contains text that is not valid UTF-8, so we did not use it.");
      } else {
        bool get = req.method == "GET" || req.method == "HEAD";
        bool anonymous = req.visitor.state == paywall::ReaderState::kAnonymous &&
                         req.session_token.empty() && req.query.find("gift") == req.query.end();
        long long version = 0;
        core::UnixTime now = clock_.now();
        if (route->cacheable && get) {
          version = req.content_version * 1000003 + (anonymous ? 0 : req.members_version);
          // Only the parameters the route reads: junk in the query is not another page.
          std::string key = page_cache_key(req, route->reads);
          if (!anonymous) {
            key += "\x1f" + (route->variant ? route->variant(req) : variant_key(req));
          }
          PageCache& cache = anonymous ? cache_ : personal_cache_;
          shared = cache.get(key, version, now);
          cache_state = shared ? "hit" : "miss";
          metrics_.observe_cache(anonymous ? "shared" : "personal", cache_state);
          if (!shared) {
            res = route->handler(req);
            if (res.status == 200) {
              if (anonymous) {
                res.set_header("ETag", "\"" + hex64(fnv1a(res.body)) + "\"");
                bool has_lm = false;
                for (auto& [k, v] : res.headers) has_lm = has_lm || k == "Last-Modified";
                if (!has_lm) {
                  auto lm = content_.last_modified(now);
                  if (lm > 0) res.set_header("Last-Modified", core::format_rfc822(lm));
                }
                res.set_header("Cache-Control", "public, max-age=60, stale-while-revalidate=600");
                res.set_header("Vary", "Cookie");
              }
              core::UnixTime expires = now + 60;
              if (auto next = content_.next_publication_after(now); next && *next < expires) {
                expires = *next;
              }
              res.csrf_marker = res.body.find(kCsrfMarker) != std::string::npos;
              // Compressed once, here; each request only picks (or splices) a variant.
              if (compressible(res.content_type)) res.lazy_encoded = std::make_shared<LazyEncoded>();
              if (anonymous && res.csrf_marker) {
                // A form bound to one browser's cookie: not for a CDN or a shared 304.
                res.replace_header("Cache-Control", "private, no-cache");
                res.remove_header("ETag");
              }
              shared = std::make_shared<const Response>(std::move(res));
              cache.put(key, shared, version, expires);
            } else if (anonymous && res.status == 404) {
              res.set_header("Cache-Control", "public, max-age=60");
            }
          }
          if (shared && !anonymous) {
            res = *shared;
            res.encoded = encoded_for(req, *shared);  // before the page is made personal
            shared.reset();
            finish_personal(req, res);
          } else if (shared && shared->csrf_marker) {
            fill_csrf_from(req, *shared, res);
            shared.reset();
          }
        } else {
          res = route->handler(req);
          if (!anonymous) {
            finish_personal(req, res);
          } else {
            fill_csrf(req, res);
            bool has_cc = false;
            for (auto& [k, v] : res.headers) has_cc = has_cc || k == "Cache-Control";
            if (!has_cc) res.set_header("Cache-Control", "no-store");
          }
        }
      }
      // A page that is not here (no route, or an old article slug): perhaps it moved.
      if (res.status == 404 && !shared) {
        if (auto moved = redirect_routes_->moved(req, /*missing=*/true)) res = std::move(*moved);
      }
    }
  } catch (const store::StoreUnavailable& e) {
    failure = e.what();
    res = error_page(503, "Back in a moment",
                     "The publication cannot reach its database just now. Please try again in "
                     "a few seconds.");
    res.set_header("Retry-After", "5");
    shared.reset();
  } catch (const std::exception& e) {
    failure = e.what();
    res = error_page(500, "Something went wrong",
                     "The page could not be shown. Please try again in a moment. If it keeps "
                     "happening, tell us this reference: " + req.id + ".");
    shared.reset();
  }
  if (shared) {
    // Conditional GET against the shared entry.
    const std::string* inm = req.header("if-none-match");
    std::string etag;
    for (auto& [k, v] : shared->headers) {
      if (k == "ETag") etag = v;
    }
    std::string last_modified;
    for (auto& [k, v] : shared->headers) {
      if (k == "Last-Modified") last_modified = v;
    }
    const std::string* ims = req.header("if-modified-since");
    bool not_modified = inm ? (!etag.empty() && etag_matches(*inm, etag))
                            : (ims && !last_modified.empty() && modified_by(last_modified, *ims));
    if (not_modified) {
      res = Response{};
      res.status = 304;
      res.content_type = shared->content_type;
      res.headers = shared->headers;
      res.encoded = encoded_for(req, *shared);
    } else {
      // The body is shared with the cache entry, not copied.
      res = without_body(req, *shared);
      res.shared_body = std::shared_ptr<const std::string>(shared, &shared->body);
    }
  }
  if (req.set_pre_session) {
    res.set_header("Set-Cookie", pre_session_cookie(req.pre_session, https_));
  }
  apply_coding(req, res);
  res.set_header("X-Request-Id", req.id);
  if (res.status >= 500) {  // one line for every 5xx, with what failed when we know
    std::fprintf(stderr, "meridian: request %s: %s %s answered %d%s%s\n", req.id.c_str(),
                 req.method.c_str(), req.raw_target.c_str(), res.status,
                 failure.empty() ? "" : ": ", failure.c_str());
  }
  add_security_headers(req, res, https_, form_targets_);
  if (res.article_id && res.status == 200) {
    curator_routes_->opened(req, res.article_id, !res.wall_shown);
    events_.record("view", res.article_id, state_name(req));
    if (res.wall_shown) events_.record("wall", res.article_id, state_name(req));
  }
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  double seconds = static_cast<double>(micros) / 1e6;
  const std::string& pattern = matched ? matched->pattern : kUnmatched;
  metrics_.observe_request(pattern, req.method, res.status, seconds);
  if (matched && (pattern == "/search" || pattern == "/api/v1/search")) {
    metrics_.observe_search(seconds);
  }
  if (matched && matched->external && pattern == "/billing/stripe/webhook") {
    metrics_.observe_webhook(res.status);
  }
  if (config_.access_log) log_request(req, res, micros, cache_state, config_.log_format == "json");
  return res;
}

}  // namespace web
