// Outgoing mail. With [mail] smtp configured, messages go over SMTP (libcurl);
// without it, each message is written as an RFC 5322 .eml file into DATA/outbox/,
// so the embedded default works with no mail server. Mailers are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"

namespace mail {

struct Message {
  std::string to;
  std::string subject;
  std::string text;  // required
  std::string html;  // optional: sent as multipart/alternative when present
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. List-Unsubscribe
  std::string message_id;  // without <>; generated when empty
};

// SMTP failures: kInvalidInput for a permanent (5xx) refusal, kUnavailable otherwise.

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual core::Result<void> send(const Message& message) = 0;
};

// The full RFC 5322 text (CRLF line ends) with Date, From, To, Subject, Message-ID.
std::string format_message(const Message& m, const std::string& from, core::UnixTime now,
                           const std::string& message_id);
std::string quoted_printable(const std::string& text);
// RFC 2047 encoded-word for a header value when it is not plain ASCII.
std::string encode_header(const std::string& value);
// "Name <addr@host>" -> "addr@host".
std::string address_of(const std::string& from);
// The domain of the sender's address, for Message-IDs ("meridian.local" without one).
std::string message_id_domain(const std::string& from);
// A fresh random Message-ID (without <>) in that domain.
std::string new_message_id(const std::string& from);
// curl_global_init, once per process, for every mailer that uses libcurl.
void init_curl();

std::unique_ptr<Mailer> make_outbox_mailer(std::string dir, std::string from,
                                           const core::Clock& clock);
// `url` and `ca_file` as in mail/smtp_security.h.
std::unique_ptr<Mailer> make_smtp_mailer(std::string url, std::string from,
                                         const core::Clock& clock, std::string ca_file = "");
// Picks SMTP or the outbox from the configuration.
std::unique_ptr<Mailer> make_mailer(const core::Config& config, const core::Clock& clock);

// For many messages over one connection (newsletters): libcurl connects (TLS, STARTTLS
// and AUTH as the URL says), then this mailer speaks the mail transactions itself, with
// PIPELINING (RFC 2920) when the server offers it: two round trips a message instead of
// five. Not thread-safe beyond one send at a time (each sending thread has its own).
std::unique_ptr<Mailer> make_bulk_smtp_mailer(std::string url, std::string from,
                                              const core::Clock& clock, std::string ca_file = "");
// Picks the bulk SMTP mailer or the outbox from the configuration.
std::unique_ptr<Mailer> make_bulk_mailer(const core::Config& config, const core::Clock& clock);

}  // namespace mail
