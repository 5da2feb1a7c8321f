#include "web/site.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "web/assets.h"

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

std::mutex log_mutex;

constexpr std::size_t kMaxTargetBytes = 8192;

void log_request(const Request& req, const Response& res, long long micros, const char* cache) {
  nlohmann::json line = {{"ts", core::format_rfc3339(std::time(nullptr))},
                         {"method", req.method},
                         {"path", req.raw_target},
                         {"status", res.status},
                         {"bytes", res.body.size()},
                         {"us", micros},
                         {"ip", req.remote_ip},
                         {"cache", cache}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::lock_guard lock(log_mutex);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

Site::Site(store::Store& store, const core::Config& config, const core::Clock& clock)
    : content_(store.content()), members_(store.members()), config_(config), clock_(clock), base_url_(config.base_url()) {
  css_version_ = hex64(fnv1a(static_asset("site.css"))).substr(0, 10);
  build_routes();
}

void Site::build_routes() {
  auto get = [this](std::string pattern, Handler h, bool cacheable = true) {
    router_.add(Route{"GET", std::move(pattern), Audience::kPublic, std::move(h), cacheable});
  };
  get("/", [this](Request& r) { return home(r); });
  get("/articles/{slug}", [this](Request& r) { return article(r); });
  get("/topics", [this](Request&) { return term_index(TermKind::kTopic); });
  get("/topics/{slug}", [this](Request& r) { return term_page(r, TermKind::kTopic); });
  get("/topics/{slug}/feed.xml", [this](Request& r) { return term_feed(r, TermKind::kTopic, false); });
  get("/topics/{slug}/atom.xml", [this](Request& r) { return term_feed(r, TermKind::kTopic, true); });
  get("/countries", [this](Request&) { return term_index(TermKind::kCountry); });
  get("/countries/{slug}", [this](Request& r) { return term_page(r, TermKind::kCountry); });
  get("/countries/{slug}/feed.xml",
      [this](Request& r) { return term_feed(r, TermKind::kCountry, false); });
  get("/countries/{slug}/atom.xml",
      [this](Request& r) { return term_feed(r, TermKind::kCountry, true); });
  get("/authors", [this](Request&) { return term_index(TermKind::kAuthor); });
  get("/authors/{slug}", [this](Request& r) { return term_page(r, TermKind::kAuthor); });
  get("/archive", [this](Request& r) { return archive_index(r); });
  get("/archive/{year}", [this](Request& r) { return archive_index(r); });
  get("/archive/{year}/{month}", [this](Request& r) { return archive_month(r); });
  get("/feed.xml", [this](Request& r) { return site_feed(r, false); });
  get("/atom.xml", [this](Request& r) { return site_feed(r, true); });
  get("/sitemap.xml", [this](Request& r) { return sitemap(r); });
  get("/news-sitemap.xml", [this](Request& r) { return news_sitemap(r); });
  get("/robots.txt", [this](Request& r) { return robots(r); });
  get("/api/v1/articles", [this](Request& r) { return api_articles(r); });
  get("/api/v1/articles/{slug}", [this](Request& r) { return api_article(r); });
  get("/static/{file}", [](Request& r) {
    Response res;
    auto content = static_asset(r.param("file"));
    if (content.empty()) {
      res.status = 404;
      res.content_type = "text/plain; charset=utf-8";
      res.body = "Not found\n";
      return res;
    }
    res.content_type = r.param("file").ends_with(".css") ? "text/css; charset=utf-8"
                                                         : "application/octet-stream";
    res.body = std::string(content);
    res.set_header("Cache-Control", "public, max-age=31536000, immutable");
    return res;
  }, false);
  get("/healthz", [this](Request&) {
    Response res;
    res.content_type = "application/json";
    nlohmann::json body = {{"status", "ok"},
                           {"articles", content_.count_articles()},
                           {"schema_version", content_.schema_version()}};
    res.body = body.dump() + "\n";
    res.set_header("Cache-Control", "no-store");
    return res;
  }, false);
}

Response Site::handle(Request& req) {
  auto started = std::chrono::steady_clock::now();
  const char* cache_state = "bypass";
  Response res;
  std::shared_ptr<const Response> shared;
  try {
    if (req.raw_target.size() > kMaxTargetBytes) {
      res = error_page(414, "Address too long", "The address of this request is too long.");
    } else if (!core::valid_utf8(req.path) || req.path.find('\0') != std::string::npos ||
        req.path.empty() || req.path[0] != '/') {
      res = error_page(400, "Bad request", "The address of this request is not valid.");
    } else {
      bool path_exists = false;
      const Route* route = router_.match(req, path_exists);
      if (!route) {
        if (path_exists) {
          res = error_page(405, "Method not allowed", "This address cannot be used that way.");
          res.set_header("Allow", "GET, HEAD");
        } else {
          res = error_page(404, "Page not found",
                           "We could not find that page. It may have moved, or the address may "
                           "be mistyped.");
        }
      } else {
        // Until accounts exist every reader is anonymous, so every public GET may be shared.
        bool cacheable = route->cacheable && (req.method == "GET" || req.method == "HEAD");
        long long version = 0;
        core::UnixTime now = clock_.now();
        if (cacheable) {
          version = content_.content_version();
          shared = cache_.get(req.raw_target, version, now);
          cache_state = shared ? "hit" : "miss";
        }
        if (!shared) {
          res = route->handler(req);
          if (cacheable && res.status == 200) {
            res.set_header("ETag", "\"" + hex64(fnv1a(res.body)) + "\"");
            bool has_lm = false;
            for (auto& [k, v] : res.headers) has_lm = has_lm || k == "Last-Modified";
            if (!has_lm) {
              auto lm = content_.last_modified(now);
              if (lm > 0) res.set_header("Last-Modified", core::format_rfc822(lm));
            }
            res.set_header("Cache-Control", "public, max-age=60, stale-while-revalidate=600");
            core::UnixTime expires = now + 60;
            if (auto next = content_.next_publication_after(now); next && *next < expires) {
              expires = *next;
            }
            shared = std::make_shared<const Response>(std::move(res));
            cache_.put(req.raw_target, shared, version, expires);
          } else if (cacheable && res.status == 404) {
            res.set_header("Cache-Control", "public, max-age=60");
          }
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error handling %s %s: %s\n", req.method.c_str(),
                 req.raw_target.c_str(), e.what());
    res = error_page(500, "Something went wrong",
                     "The page could not be shown. Please try again in a moment.");
    shared.reset();
  }
  if (shared) {
    // Conditional GET against the shared entry.
    const std::string* inm = req.header("if-none-match");
    std::string etag;
    for (auto& [k, v] : shared->headers) {
      if (k == "ETag") etag = v;
    }
    if (inm && !etag.empty() && (*inm == etag || *inm == "W/" + etag || *inm == "*")) {
      res = Response{};
      res.status = 304;
      res.content_type = shared->content_type;
      res.headers = shared->headers;
    } else {
      res = *shared;
    }
  }
  if (config_.access_log) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    log_request(req, res, micros, cache_state);
  }
  return res;
}

}  // namespace web
