#include "web/session.h"

#include <charconv>

#include "core/crypto.h"
#include "core/text.h"

namespace web {

std::string cookie_value(const Request& req, const std::string& name) {
  const std::string* header = req.header("cookie");
  if (!header) return {};
  for (const auto& part : core::split(*header, ';')) {
    std::string kv = core::trim(part);
    auto eq = kv.find('=');
    if (eq != std::string::npos && kv.substr(0, eq) == name) return kv.substr(eq + 1);
  }
  return {};
}

std::string session_cookie(const std::string& token, int max_age_seconds, bool secure) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Max-Age=" +
         std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::string clear_session_cookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

std::string pre_session_value(const Request& req) {
  std::string v = cookie_value(req, kPreSessionCookie);
  if (v.size() < 20 || v.size() > 64) return {};
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return {};
  }
  return v;
}

std::string new_pre_session_value() { return core::random_token(18); }

std::string pre_session_cookie(const std::string& value, bool secure) {
  // A week: longer than an anonymous token lives, so an open form does not go stale first.
  return std::string(kPreSessionCookie) + "=" + value + "; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

std::string csrf_for_session(const std::string& secret, const std::string& session_token) {
  return "s." + core::hmac_sha256(secret, "session:" + core::token_hash(session_token));
}

std::string csrf_anonymous(const std::string& secret, core::UnixTime now,
                           const std::string& pre_session) {
  std::string ts = std::to_string(now);
  return "a." + ts + "." + core::hmac_sha256(secret, "anonymous:" + ts + ":" + pre_session);
}

bool csrf_valid(const std::string& secret, const Request& req, const std::string& token,
                core::UnixTime now) {
  if (token.empty() || token.size() > 200) return false;
  if (!req.session_token.empty()) {
    return core::constant_time_equal(token, csrf_for_session(secret, req.session_token));
  }
  if (!token.starts_with("a.")) return false;
  std::string pre = pre_session_value(req);
  if (pre.empty()) return false;  // bound to a cookie this browser does not have
  auto dot = token.find('.', 2);
  if (dot == std::string::npos) return false;
  std::string ts = token.substr(2, dot - 2);
  long long t = 0;
  auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
  if (ec != std::errc() || p != ts.data() + ts.size()) return false;
  if (t > now + 300 || now - t > 86400) return false;
  return core::constant_time_equal(token.substr(dot + 1),
                                   core::hmac_sha256(secret, "anonymous:" + ts + ":" + pre));
}

std::string csrf_token_for(Request& req, const std::string& secret, core::UnixTime now) {
  if (!req.session_token.empty()) return csrf_for_session(secret, req.session_token);
  if (req.pre_session.empty()) req.pre_session = pre_session_value(req);
  if (req.pre_session.empty()) {
    req.pre_session = new_pre_session_value();
    req.set_pre_session = true;
  }
  return csrf_anonymous(secret, now, req.pre_session);
}

void write_csrf_tokens(Request& req, Response& res, const std::string& secret, core::UnixTime now) {
  if (res.body.find(kCsrfMarker) == std::string::npos) return;
  std::string token = csrf_token_for(req, secret, now);
  std::string out;
  out.reserve(res.body.size() + 4 * token.size());
  std::size_t pos = 0;
  const std::size_t n = std::string_view(kCsrfMarker).size();
  for (;;) {
    auto hit = res.body.find(kCsrfMarker, pos);
    if (hit == std::string::npos) break;
    out.append(res.body, pos, hit - pos);
    out += token;
    pos = hit + n;
  }
  out.append(res.body, pos);
  res.body = std::move(out);
  res.csrf_token = std::move(token);
}

bool same_origin(const Request& req, const std::string& base_url) {
  auto origin_of = [](const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? url : url.substr(0, slash);
  };
  std::string mine = origin_of(base_url);
  // Browsers reach a loopback server under either name; both are this site.
  auto equivalent = [&](const std::string& theirs) {
    if (theirs == mine) return true;
    const std::string* host = req.header("host");
    return host && (theirs == "http://" + *host || theirs == "https://" + *host);
  };
  if (const std::string* origin = req.header("origin")) {
    // "null": an opaque origin (a sandboxed frame, a data: page) — never this site.
    return *origin != "null" && equivalent(*origin);
  }
  if (const std::string* referer = req.header("referer")) return equivalent(origin_of(*referer));
  return true;  // no browser evidence either way: the token decides
}

std::string client_ip(const Request& req, const std::vector<core::Cidr>& trusted_proxies) {
  auto trusted = [&](const std::string& ip) {
    auto addr = core::parse_ip(ip);
    if (!addr) return false;
    for (const auto& c : trusted_proxies) {
      if (c.contains(*addr)) return true;
    }
    return false;
  };
  if (trusted_proxies.empty() || !trusted(req.remote_ip)) return req.remote_ip;
  const std::string* xff = req.header("x-forwarded-for");
  if (!xff) return req.remote_ip;
  auto hops = core::split(*xff, ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::string hop = core::trim(*it);
    if (!trusted(hop)) return core::parse_ip(hop) ? hop : req.remote_ip;
  }
  return req.remote_ip;
}

}  // namespace web
