// HTTP-level pieces of accounts: cookies, CSRF tokens and the client address.
// CSRF: signed-in forms carry HMAC(secret, session-hash); anonymous forms (the wall,
// sign-in) carry a timestamped HMAC valid for a day, and every POST must also come from
// this site (Origin or Referer, when the browser sends one). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/net.h"
#include "web/http.h"

namespace web {

inline constexpr const char* kSessionCookie = "meridian_session";
inline constexpr const char* kCsrfMarker = "__MERIDIAN_CSRF__";

std::string cookie_value(const Request& req, const std::string& name);
std::string session_cookie(const std::string& token, int max_age_seconds, bool secure);
std::string clear_session_cookie(bool secure);

std::string csrf_for_session(const std::string& secret, const std::string& session_token);
std::string csrf_anonymous(const std::string& secret, core::UnixTime now);
bool csrf_valid(const std::string& secret, const Request& req, const std::string& token,
                core::UnixTime now);
// False when the browser says the form came from another site.
bool same_origin(const Request& req, const std::string& base_url);

// The reader's address: the peer, or the last untrusted hop of X-Forwarded-For when the
// peer is a trusted proxy.
std::string client_ip(const Request& req, const std::vector<core::Cidr>& trusted_proxies);

}  // namespace web
