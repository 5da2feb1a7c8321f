#include "mail/smtp_security.h"

#include <curl/curl.h>

#include <memory>

#include "core/net.h"
#include "core/text.h"

namespace mail {

namespace {

struct UrlPart {
  char* value = nullptr;
  ~UrlPart() { curl_free(value); }
};

bool loopback(const std::string& host) {
  if (host == "localhost") return true;
  std::string h = host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto ip = core::parse_ip(h);
  if (!ip) return false;
  static const core::Cidr v4 = *core::parse_cidr("127.0.0.0/8");
  static const core::Cidr v6 = *core::parse_cidr("::1/128");
  return v4.contains(*ip) || v6.contains(*ip);
}

}  // namespace

core::Result<SmtpSecurity> smtp_security(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "[mail] smtp: not a URL (expected smtp://host:port or smtps://host:port)");
  }
  UrlPart scheme, host, user;
  curl_url_get(u.get(), CURLUPART_SCHEME, &scheme.value, 0);
  curl_url_get(u.get(), CURLUPART_HOST, &host.value, 0);
  curl_url_get(u.get(), CURLUPART_USER, &user.value, 0);
  std::string s = scheme.value ? core::to_lower(scheme.value) : "";
  SmtpSecurity out;
  out.host = host.value ? host.value : "";
  out.credentials = user.value && *user.value;
  if (out.host.empty()) return core::fail(core::ErrorCode::kInvalidInput, "[mail] smtp: no host");
  if (s == "smtps") {
    out.transport = SmtpTransport::kImplicitTls;
  } else if (s == "smtp") {
    out.transport = out.credentials || !loopback(out.host) ? SmtpTransport::kStartTls
                                                           : SmtpTransport::kPlainLoopback;
  } else {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "[mail] smtp: the scheme must be smtp:// (STARTTLS, or plain on loopback) "
                      "or smtps:// (implicit TLS), not '" + s + "://'");
  }
  return out;
}

core::Result<void> apply_smtp_security(CURL* curl, const std::string& url,
                                       const std::string& ca_file) {
  auto sec = smtp_security(url);
  if (!sec) return std::unexpected(sec.error());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  switch (sec->transport) {
    case SmtpTransport::kImplicitTls:
      break;  // the smtps:// scheme: TLS from the first byte
    case SmtpTransport::kStartTls:
      // Upgrade or give up: never EHLO-then-AUTH in the clear.
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      break;
    case SmtpTransport::kPlainLoopback:
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
      break;
  }
  return {};
}

}  // namespace mail
