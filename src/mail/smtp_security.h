// How Meridian talks to its mail server, decided from [mail] smtp alone and applied to
// every libcurl handle that sends mail (account mail and the bulk newsletter mailer):
//   smtps://host:465               implicit TLS;
//   smtp://user:pass@host:587      STARTTLS required (the default whenever credentials
//                                  are given, and for any host that is not loopback);
//   smtp://127.0.0.1:25            plain, on loopback only (a local relay).
// Certificates are always verified; [mail] ca_file adds a private CA (internal relays,
// tests). Credentials never cross the wire before TLS is up.
#pragma once

#include <string>

#include "core/result.h"

typedef void CURL;

namespace mail {

enum class SmtpTransport { kImplicitTls, kStartTls, kPlainLoopback };

struct SmtpSecurity {
  SmtpTransport transport = SmtpTransport::kStartTls;
  bool credentials = false;
  std::string host;
};

// kInvalidInput naming the problem for a URL that is not smtp:// or smtps:// with a host.
core::Result<SmtpSecurity> smtp_security(const std::string& url);
// Sets the TLS options on `curl` for `url` (CURLOPT_USE_SSL, verification, CAINFO).
core::Result<void> apply_smtp_security(CURL* curl, const std::string& url,
                                       const std::string& ca_file);

}  // namespace mail
