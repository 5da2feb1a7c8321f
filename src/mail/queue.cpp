#include "mail/queue.h"

#include "core/crypto.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace mail {

using nlohmann::json;

std::string to_json(const Message& m) {
  json headers = json::array();
  for (const auto& [k, v] : m.headers) headers.push_back({k, v});
  return json{{"to", m.to}, {"subject", m.subject}, {"text", m.text}, {"html", m.html},
              {"headers", headers}, {"message_id", m.message_id}}
      .dump();
}

core::Result<Message> message_from_json(std::string_view text) {
  try {
    auto j = json::parse(text);
    Message m;
    m.to = j.at("to").get<std::string>();
    m.subject = j.value("subject", "");
    m.text = j.value("text", "");
    m.html = j.value("html", "");
    for (const auto& h : j.value("headers", json::array())) {
      m.headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
    }
    m.message_id = j.value("message_id", "");
    return m;
  } catch (const json::exception& e) {
    return core::fail(core::ErrorCode::kInvalidInput, std::string("queued mail: ") + e.what());
  }
}

std::string mail_config_fingerprint(const core::Config& config) {
  return core::token_hash(config.smtp_url + "\n" + config.mail_ca_file + "\n" + config.mail_from);
}

QueuedMailer::QueuedMailer(store::MailQueueStore& queue, std::unique_ptr<Mailer> smtp,
                           const core::Clock& clock, std::string config_fingerprint)
    : queue_(queue), smtp_(std::move(smtp)), clock_(clock), config_(std::move(config_fingerprint)) {}

QueuedMailer::~QueuedMailer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

core::Result<void> QueuedMailer::send(const Message& m) {
  auto id = queue_.enqueue_mail(to_json(m), clock_.now());
  if (!id) return std::unexpected(id.error());
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
  return {};
}

void QueuedMailer::start() {
  if (thread_.joinable()) return;
  if (int again = queue_.retry_failed_mail(config_, clock_.now()); again > 0) {
    std::fprintf(stderr, "meridian: the mail configuration changed: sending %d kept account "
                         "message(s) again\n", again);
  }
  thread_ = std::thread([this] { run(); });
}

int QueuedMailer::work_once() {
  int sent = 0;
  for (;;) {
    auto now = clock_.now();
    auto batch = queue_.claim_mail(now, now + 120, 16);
    if (batch.empty()) return sent;
    for (const auto& q : batch) {
      auto m = message_from_json(q.payload);
      if (!m) {
        (void)queue_.mail_failed(q.id, m.error().message, true, 0, config_);
        continue;
      }
      auto r = smtp_->send(*m);
      if (r) {
        (void)queue_.mail_sent(q.id);
        ++sent;
        continue;
      }
      bool permanent = r.error().code == core::ErrorCode::kInvalidInput || q.attempts + 1 >= 10;
      long long delay = std::min<long long>(3600, 5LL << std::min(q.attempts, 10));
      if (permanent) {
        std::fprintf(stderr, "meridian: account mail to %s kept unsent: %s\n", m->to.c_str(),
                     r.error().message.c_str());
      }
      (void)queue_.mail_failed(q.id, r.error().message, permanent, clock_.now() + delay, config_);
    }
  }
}

void QueuedMailer::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    woken_ = false;
    lock.unlock();
    try {
      work_once();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "meridian: account mail worker: %s\n", e.what());
    }
    lock.lock();
    // Woken by new mail, else look again for retries every few seconds.
    cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stop_ || woken_; });
  }
}

}  // namespace mail
