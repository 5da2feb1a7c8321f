// The bulk SMTP mailer (see mailer.h): libcurl opens the connection and does the
// greeting, EHLO, STARTTLS and AUTH (CURLOPT_CONNECT_ONLY); the mail transactions go
// over curl_easy_send/curl_easy_recv, pipelined when the server's EHLO reply (seen
// through the debug callback) lists PIPELINING.
#include <curl/curl.h>
#include <poll.h>

#include <cstring>
#include <mutex>

#include "mail/mailer.h"
#include "mail/smtp_security.h"

namespace mail {

namespace {

constexpr int kTimeoutMs = 30000;

struct Reply {
  int code = 0;
  std::string text;
  bool ok() const { return code >= 200 && code < 400; }
};

// Lines starting with '.' get another (RFC 5321 4.5.2); the body ends with CRLF.
std::string dot_stuffed(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 64);
  if (text.starts_with('.')) out += '.';
  std::size_t pos = 0;
  for (auto hit = text.find("\n.", pos); hit != std::string::npos; hit = text.find("\n.", pos)) {
    out.append(text, pos, hit + 1 - pos);
    out += '.';
    pos = hit + 1;
  }
  out.append(text, pos);
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

int saw_pipelining(CURL*, curl_infotype type, char* data, size_t size, void* userdata) {
  if (type == CURLINFO_HEADER_IN) {
    std::string_view line(data, size);
    // "250-PIPELINING" or "250 PIPELINING" in the EHLO reply.
    if (line.size() >= 14 && line.substr(4, 10) == "PIPELINING") *static_cast<bool*>(userdata) = true;
  }
  return 0;
}

class BulkSmtpMailer final : public Mailer {
 public:
  BulkSmtpMailer(std::string url, std::string from, const core::Clock& clock, std::string ca_file)
      : url_(std::move(url)), from_(std::move(from)), ca_file_(std::move(ca_file)), clock_(clock) {
    init_curl();
  }
  ~BulkSmtpMailer() override {
    if (curl_) {
      (void)write("QUIT\r\n");
      curl_easy_cleanup(curl_);
    }
  }

  core::Result<void> send(const Message& m) override {
    std::lock_guard lock(mu_);
    if (!curl_) {
      if (auto ok = connect(); !ok) return ok;
    }
    std::string body =
        dot_stuffed(format_message(m, from_, clock_.now(),
                                   m.message_id.empty() ? new_message_id(from_) : m.message_id)) +
        ".\r\n";
    std::string mail = "MAIL FROM:<" + address_of(from_) + ">\r\n";
    std::string rcpt = "RCPT TO:<" + m.to + ">\r\n";
    Reply r_mail, r_rcpt, r_data;
    if (pipelining_) {
      if (auto ok = write(mail + rcpt + "DATA\r\n"); !ok) return broken(ok.error().message);
      for (Reply* r : {&r_mail, &r_rcpt, &r_data}) {
        auto got = read_reply();
        if (!got) return broken(got.error().message);
        *r = *got;
      }
    } else {
      // One command at a time, stopping at the first refusal.
      for (auto [cmd, r] : {std::pair{&mail, &r_mail}, std::pair{&rcpt, &r_rcpt}}) {
        if (auto ok = write(*cmd); !ok) return broken(ok.error().message);
        auto got = read_reply();
        if (!got) return broken(got.error().message);
        *r = *got;
        if (!r->ok()) return refused(*r, false);
      }
      if (auto ok = write("DATA\r\n"); !ok) return broken(ok.error().message);
      auto got = read_reply();
      if (!got) return broken(got.error().message);
      r_data = *got;
    }
    if (!r_mail.ok() || !r_rcpt.ok() || r_data.code != 354) {
      const Reply& bad = !r_mail.ok() ? r_mail : !r_rcpt.ok() ? r_rcpt : r_data;
      return refused(bad, r_data.code == 354);
    }
    if (auto ok = write(body); !ok) return broken(ok.error().message);
    auto done = read_reply();
    if (!done) return broken(done.error().message);
    if (!done->ok()) return refused(*done, false);
    return {};
  }

 private:
  core::Result<void> connect() {
    curl_ = curl_easy_init();
    if (!curl_) return core::fail(core::ErrorCode::kUnavailable, "SMTP: curl init failed");
    pipelining_ = false;
    inbuf_.clear();
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    if (auto ok = apply_smtp_security(curl_, url_, ca_file_); !ok) {
      curl_easy_cleanup(curl_);
      curl_ = nullptr;
      return ok;
    }
    curl_easy_setopt(curl_, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, saw_pipelining);
    curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, &pipelining_);
    curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);  // feeds the debug callback only
    CURLcode rc = curl_easy_perform(curl_);
    curl_easy_setopt(curl_, CURLOPT_VERBOSE, 0L);
    if (rc != CURLE_OK || curl_easy_getinfo(curl_, CURLINFO_ACTIVESOCKET, &fd_) != CURLE_OK ||
        fd_ == CURL_SOCKET_BAD) {
      long code = 0;
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
      curl_easy_cleanup(curl_);
      curl_ = nullptr;
      return core::fail(code >= 500 ? core::ErrorCode::kInvalidInput : core::ErrorCode::kUnavailable,
                        std::string("SMTP: ") + curl_easy_strerror(rc));
    }
    return {};
  }

  bool wait_for(short events) {
    pollfd p{fd_, events, 0};
    return ::poll(&p, 1, kTimeoutMs) > 0;
  }

  core::Result<void> write(std::string_view data) {
    while (!data.empty()) {
      size_t n = 0;
      CURLcode rc = curl_easy_send(curl_, data.data(), data.size(), &n);
      if (rc == CURLE_AGAIN) {
        if (!wait_for(POLLOUT)) return core::fail(core::ErrorCode::kUnavailable, "SMTP: send timed out");
        continue;
      }
      if (rc != CURLE_OK) {
        return core::fail(core::ErrorCode::kUnavailable, std::string("SMTP: ") + curl_easy_strerror(rc));
      }
      data.remove_prefix(n);
    }
    return {};
  }

  // One reply, possibly several lines ("250-…" then "250 …").
  core::Result<Reply> read_reply() {
    Reply r;
    for (;;) {
      auto eol = inbuf_.find("\r\n");
      while (eol != std::string::npos) {
        std::string line = inbuf_.substr(0, eol);
        inbuf_.erase(0, eol + 2);
        if (line.size() < 3) return core::fail(core::ErrorCode::kUnavailable, "SMTP: bad reply");
        r.code = std::atoi(line.substr(0, 3).c_str());
        r.text += line + " ";
        if (line.size() == 3 || line[3] == ' ') return r;
        eol = inbuf_.find("\r\n");
      }
      char buf[4096];
      size_t n = 0;
      CURLcode rc = curl_easy_recv(curl_, buf, sizeof buf, &n);
      if (rc == CURLE_AGAIN) {
        if (!wait_for(POLLIN)) return core::fail(core::ErrorCode::kUnavailable, "SMTP: no reply");
        continue;
      }
      if (rc != CURLE_OK || n == 0) {
        return core::fail(core::ErrorCode::kUnavailable, "SMTP: connection closed");
      }
      inbuf_.append(buf, n);
    }
  }

  // The connection is in an unknown state: drop it; the next message reconnects.
  core::Result<void> broken(const std::string& why) {
    curl_easy_cleanup(curl_);
    curl_ = nullptr;
    return core::fail(core::ErrorCode::kUnavailable, why);
  }

  // The server said no: end the transaction (and any open DATA), keep the connection.
  core::Result<void> refused(const Reply& r, bool in_data) {
    if (in_data) {
      // DATA was accepted although a recipient was not: send an empty message's end and
      // discard whatever the server answers.
      if (!write(".\r\n") || !read_reply()) return broken("SMTP: " + r.text);
    }
    if (!write("RSET\r\n") || !read_reply()) return broken("SMTP: " + r.text);
    return core::fail(r.code >= 500 ? core::ErrorCode::kInvalidInput : core::ErrorCode::kUnavailable,
                      "SMTP: " + r.text);
  }

  std::string url_;
  std::string from_;
  std::string ca_file_;
  const core::Clock& clock_;
  std::mutex mu_;
  CURL* curl_ = nullptr;
  curl_socket_t fd_ = CURL_SOCKET_BAD;
  bool pipelining_ = false;
  std::string inbuf_;
};

}  // namespace

std::unique_ptr<Mailer> make_bulk_smtp_mailer(std::string url, std::string from,
                                              const core::Clock& clock, std::string ca_file) {
  return std::make_unique<BulkSmtpMailer>(std::move(url), std::move(from), clock,
                                          std::move(ca_file));
}

std::unique_ptr<Mailer> make_bulk_mailer(const core::Config& config, const core::Clock& clock) {
  if (config.smtp_url.empty()) return make_mailer(config, clock);
  return make_bulk_smtp_mailer(config.smtp_url, config.mail_from, clock, config.mail_ca_file);
}

}  // namespace mail
