// HTTP-level pieces of accounts: cookies, CSRF tokens and the client address.
// CSRF: signed-in forms carry HMAC(secret, session-hash); anonymous forms (the wall,
// sign-in) carry a timestamped HMAC valid for a day, bound to the browser's pre-session
// cookie (double submit: a token fetched by someone else's browser is useless in this
// one), and every POST must also come from this site (Origin or Referer, when the
// browser sends one; `Origin: null` never counts as this site). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/net.h"
#include "web/http.h"

namespace web {

inline constexpr const char* kSessionCookie = "meridian_session";
// A random value for a browser without a session, which anonymous CSRF tokens are bound to.
inline constexpr const char* kPreSessionCookie = "meridian_pre";
inline constexpr const char* kCsrfMarker = "__MERIDIAN_CSRF__";

std::string cookie_value(const Request& req, const std::string& name);
std::string session_cookie(const std::string& token, int max_age_seconds, bool secure);
std::string clear_session_cookie(bool secure);
// The pre-session cookie's value when it is well formed, else "".
std::string pre_session_value(const Request& req);
std::string new_pre_session_value();
std::string pre_session_cookie(const std::string& value, bool secure);

std::string csrf_for_session(const std::string& secret, const std::string& session_token);
// `pre_session`: the browser's pre-session cookie value (never empty).
std::string csrf_anonymous(const std::string& secret, core::UnixTime now,
                           const std::string& pre_session);
bool csrf_valid(const std::string& secret, const Request& req, const std::string& token,
                core::UnixTime now);
// This request's CSRF token: the session's, or (anonymous) one bound to the browser's
// pre-session cookie (read here, only when a form needs it), minting that cookie's value
// (req.set_pre_session) when the browser has none.
std::string csrf_token_for(Request& req, const std::string& secret, core::UnixTime now);
// Writes the token where a response body holds kCsrfMarker (pages are cached with the
// marker and filled per request).
void write_csrf_tokens(Request& req, Response& res, const std::string& secret, core::UnixTime now);
// False when the browser says the form came from another site.
bool same_origin(const Request& req, const std::string& base_url);

// The reader's address: the peer, or the last untrusted hop of X-Forwarded-For when the
// peer is a trusted proxy.
std::string client_ip(const Request& req, const std::vector<core::Cidr>& trusted_proxies);

}  // namespace web
