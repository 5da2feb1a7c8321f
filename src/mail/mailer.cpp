#include "mail/mailer.h"

#include "mail/smtp_security.h"

#include <curl/curl.h>

#include <cstring>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "core/crypto.h"
#include "core/time.h"

namespace mail {

std::string quoted_printable(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.resize(text.size() * 3 + text.size() / 24 * 3 + 16);  // worst case: every byte escaped
  char* o = out.data();
  std::size_t line_len = 0;
  auto room = [&](std::size_t n) {  // soft line break before a piece that would not fit
    if (line_len + n > 75) {
      *o++ = '=';
      *o++ = '\r';
      *o++ = '\n';
      line_len = 0;
    }
  };
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      // Trailing whitespace before a line break must be encoded.
      if (o != out.data() && (o[-1] == ' ' || o[-1] == '\t')) {
        char last = *--o;
        *o++ = '=';
        *o++ = last == ' ' ? '2' : '0';
        *o++ = last == ' ' ? '0' : '9';
      }
      *o++ = '\r';
      *o++ = '\n';
      line_len = 0;
    } else if (c == '\r') {
      continue;
    } else if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      room(1);
      *o++ = ch;
      ++line_len;
    } else {
      room(3);
      *o++ = '=';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
      line_len += 3;
    }
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
}

std::string encode_header(const std::string& value) {
  bool ascii = true;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20) ascii = false;
  }
  if (ascii) return value;
  return "=?UTF-8?B?" + [&] {
    // Standard base64 (not url-safe) for encoded-words.
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    while (i + 2 < value.size()) {
      unsigned n = (static_cast<unsigned char>(value[i]) << 16) |
                   (static_cast<unsigned char>(value[i + 1]) << 8) |
                   static_cast<unsigned char>(value[i + 2]);
      out += tbl[n >> 18];
      out += tbl[(n >> 12) & 63];
      out += tbl[(n >> 6) & 63];
      out += tbl[n & 63];
      i += 3;
    }
    if (i < value.size()) {
      unsigned n = static_cast<unsigned char>(value[i]) << 16;
      if (i + 1 < value.size()) n |= static_cast<unsigned char>(value[i + 1]) << 8;
      out += tbl[n >> 18];
      out += tbl[(n >> 12) & 63];
      out += i + 1 < value.size() ? tbl[(n >> 6) & 63] : '=';
      out += '=';
    }
    return out;
  }() + "?=";
}

std::string address_of(const std::string& from) {
  auto lt = from.find('<');
  auto gt = from.find('>', lt == std::string::npos ? 0 : lt);
  if (lt != std::string::npos && gt != std::string::npos) return from.substr(lt + 1, gt - lt - 1);
  return from;
}

namespace {

std::string display_from(const std::string& from) {
  auto lt = from.find('<');
  if (lt == std::string::npos || lt == 0) return from;
  std::string name = from.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return encode_header(name) + " " + from.substr(lt);
}

}  // namespace

std::string format_message(const Message& m, const std::string& from, core::UnixTime now,
                           const std::string& message_id) {
  std::string out;
  out += "Date: " + core::format_rfc822(now).substr(0, 25) + " +0000\r\n";
  out += "From: " + display_from(from) + "\r\n";
  out += "To: " + m.to + "\r\n";
  out += "Subject: " + encode_header(m.subject) + "\r\n";
  out += "Message-ID: <" + message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  for (const auto& [k, v] : m.headers) out += k + ": " + v + "\r\n";
  if (m.html.empty()) {
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += quoted_printable(m.text);
    out += "\r\n";
    return out;
  }
  // "=_" cannot occur in quoted-printable text ('=' is always followed by two hex digits
  // or a line break there), so a fixed boundary is safe and costs no randomness.
  const std::string boundary = "=_meridian_alternative";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(m.text) + "\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(m.html) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

std::string message_id_domain(const std::string& from) {
  std::string address = address_of(from);
  auto at = address.find('@');
  return at == std::string::npos ? "meridian.local" : address.substr(at + 1);
}

std::string new_message_id(const std::string& from) {
  return core::random_token(16) + "@" + message_id_domain(from);
}

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

class OutboxMailer final : public Mailer {
 public:
  OutboxMailer(std::string dir, std::string from, const core::Clock& clock)
      : dir_(std::move(dir)), from_(std::move(from)), clock_(clock) {}

  core::Result<void> send(const Message& m) override {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return core::fail(core::ErrorCode::kUnavailable, "cannot create " + dir_);
    auto now = clock_.now();
    std::string id = m.message_id.empty() ? new_message_id(from_) : m.message_id;
    std::string text = format_message(m, from_, now, id);
    // Sortable name; written to a temporary name first so readers never see half a file.
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%020lld",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()));
    std::string name = std::string(stamp) + "-" + core::random_token(6) + ".eml";
    auto tmp = std::filesystem::path(dir_) / (name + ".tmp");
    {
      std::ofstream out(tmp, std::ios::binary);
      out << text;
      if (!out) return core::fail(core::ErrorCode::kUnavailable, "cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, std::filesystem::path(dir_) / name, ec);
    if (ec) return core::fail(core::ErrorCode::kUnavailable, "cannot write " + name);
    return {};
  }

 private:
  std::string dir_;
  std::string from_;
  const core::Clock& clock_;
};

struct Upload {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t read_upload(char* buf, std::size_t size, std::size_t n, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  std::size_t left = up->data->size() - up->pos;
  std::size_t len = std::min(left, size * n);
  std::memcpy(buf, up->data->data() + up->pos, len);
  up->pos += len;
  return len;
}

class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(std::string url, std::string from, const core::Clock& clock, std::string ca_file)
      : url_(std::move(url)), from_(std::move(from)), ca_file_(std::move(ca_file)), clock_(clock) {
    init_curl();
  }
  ~SmtpMailer() override {
    if (curl_) curl_easy_cleanup(curl_);
  }

  // One easy handle, reused: libcurl keeps the SMTP connection open between messages.
  core::Result<void> send(const Message& m) override {
    std::lock_guard lock(mu_);
    std::string id = m.message_id.empty() ? new_message_id(from_) : m.message_id;
    std::string text = format_message(m, from_, clock_.now(), id);
    if (!curl_) curl_ = curl_easy_init();
    CURL* curl = curl_;
    if (!curl) return core::fail(core::ErrorCode::kUnavailable, "curl init failed");
    Upload up{&text};
    std::string mail_from = "<" + address_of(from_) + ">";
    std::string rcpt = "<" + m.to + ">";
    curl_slist* rcpts = curl_slist_append(nullptr, rcpt.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    if (auto ok = apply_smtp_security(curl, url_, ca_file_); !ok) {
      curl_slist_free_all(rcpts);
      return ok;
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpts);
    if (rc != CURLE_OK) {
      // Start afresh next time: the connection may be in an unknown state.
      curl_easy_cleanup(curl_);
      curl_ = nullptr;
      return core::fail(code >= 500 ? core::ErrorCode::kInvalidInput : core::ErrorCode::kUnavailable,
                        std::string("SMTP: ") + curl_easy_strerror(rc) + " (" +
                            std::to_string(code) + ")");
    }
    return {};
  }

 private:
  std::string url_;
  std::string from_;
  std::string ca_file_;
  const core::Clock& clock_;
  std::mutex mu_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<Mailer> make_outbox_mailer(std::string dir, std::string from,
                                           const core::Clock& clock) {
  return std::make_unique<OutboxMailer>(std::move(dir), std::move(from), clock);
}

std::unique_ptr<Mailer> make_smtp_mailer(std::string url, std::string from,
                                         const core::Clock& clock, std::string ca_file) {
  return std::make_unique<SmtpMailer>(std::move(url), std::move(from), clock, std::move(ca_file));
}

std::unique_ptr<Mailer> make_mailer(const core::Config& config, const core::Clock& clock) {
  if (!config.smtp_url.empty()) {
    return make_smtp_mailer(config.smtp_url, config.mail_from, clock, config.mail_ca_file);
  }
  return make_outbox_mailer((std::filesystem::path(config.data_dir) / "outbox").string(),
                            config.mail_from, clock);
}

}  // namespace mail
