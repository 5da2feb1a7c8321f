#include "integrations/webhooks.h"

#include <curl/curl.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/time.h"

namespace integrations {

using nlohmann::json;

const std::vector<std::string>& webhook_events() {
  static const std::vector<std::string> e = {"article.published", "article.updated",
                                             "member.created", "subscription.started",
                                             "subscription.ended"};
  return e;
}

namespace {

constexpr int kMaxAttempts = 10;

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

}  // namespace

Webhooks::Webhooks(store::IntegrationStore& store, const core::Clock& clock, std::string base_url,
                   int retry_seconds)
    : store_(store),
      clock_(clock),
      base_url_(std::move(base_url)),
      retry_seconds_(retry_seconds),
      loop_("webhooks", std::chrono::seconds(1), [this] {
        work_once();
        return true;
      }) {}

Webhooks::~Webhooks() { stop(); }

void Webhooks::emit(const std::string& type, const json& data, const std::string& once_key) {
  core::UnixTime now = clock_.now();
  std::string id = "evt_" + core::random_token(12);
  json event = {{"id", id}, {"type", type}, {"created", core::format_rfc3339(now)}, {"data", data}};
  auto n = store_.enqueue(id, type, event.dump(), now, once_key);
  if (!n) {
    std::fprintf(stderr, "meridian: webhook %s not queued: %s\n", type.c_str(),
                 n.error().message.c_str());
    return;
  }
  if (*n > 0) loop_.wake();
}

core::Result<long long> Webhooks::add_endpoint(const std::string& url,
                                               const std::vector<std::string>& events,
                                               std::string& secret_out) {
  if (!(url.starts_with("https://") || url.starts_with("http://")) || url.size() > 2000 ||
      url.find_first_of(" \t\r\n") != std::string::npos) {
    return core::fail(core::ErrorCode::kInvalidInput, "the address must be an http(s):// URL");
  }
  std::string joined;
  for (const auto& e : events) {
    bool known = false;
    for (const auto& k : webhook_events()) known = known || k == e;
    if (!known) return core::fail(core::ErrorCode::kInvalidInput, "unknown event " + e);
    joined += (joined.empty() ? "" : " ") + e;
  }
  if (joined.empty()) return core::fail(core::ErrorCode::kInvalidInput, "choose at least one event");
  secret_out = "whsec_" + core::random_token(24);
  return store_.add_endpoint(url, joined, secret_out, clock_.now());
}

void Webhooks::start() {
  if (loop_.running()) return;
  // Members already there are not news: announce only those who come after.
  if (store_.cursor("members") == 0) {
    long long last = store_.last_member_id();
    (void)store_.set_cursor("members", last > 0 ? last : -1);
  }
  if (store_.cursor("articles") == 0) (void)store_.set_cursor("articles", clock_.now() - 1);
  if (store_.cursor("comp_ended") == 0) (void)store_.set_cursor("comp_ended", clock_.now());
  loop_.start();
}

void Webhooks::stop() { loop_.stop(); }

int Webhooks::work_once() {
  long long cursor = store_.cursor("members");
  if (cursor != 0) {
    for (const auto& [id, email, created] : store_.members_after(std::max(cursor, 0LL), 100)) {
      emit("member.created", {{"id", id}, {"email", email}, {"created_at", core::format_rfc3339(created)}},
           "member.created:" + std::to_string(id));
      (void)store_.set_cursor("members", id);
    }
  }
  core::UnixTime now = clock_.now();
  // The last article announced, by (published_at, id): one published in the same second
  // as the last look is still found, and none twice.
  if (long long since = store_.cursor("articles"); since > 0) {
    long long since_id = store_.cursor("articles_id");
    auto live = store_.articles_live_between(since, since_id, now, 100);
    for (const auto& a : live) {
      emit("article.published", {{"id", a.id},
                                 {"slug", a.slug},
                                 {"headline", a.headline},
                                 {"dek", a.dek},
                                 {"access", a.access},
                                 {"url", base_url_ + "/articles/" + a.slug},
                                 {"published_at", core::format_rfc3339(a.published_at)}},
           "article.published:" + std::to_string(a.id) + ":" + std::to_string(a.published_at));
      (void)store_.set_cursor("articles", a.published_at);
      (void)store_.set_cursor("articles_id", a.id);
    }
  }
  // Complimentary access running out is an ending too (revocations are told at once).
  if (long long since = store_.cursor("comp_ended"); since > 0) {
    long long since_id = store_.cursor("comp_ended_id");
    for (const auto& [id, email, until] : store_.comp_ended_between(since, since_id, now, 100)) {
      emit("subscription.ended", {{"member_id", id},
                                  {"email", email},
                                  {"kind", "complimentary"},
                                  {"until", core::format_rfc3339(until)}},
           "comp.ended:" + std::to_string(id) + ":" + std::to_string(until));
      (void)store_.set_cursor("comp_ended", until);
      (void)store_.set_cursor("comp_ended_id", id);
    }
  }
  // Claimed ten at a time, each claim held for longer than ten sends can take (a send
  // gives up after 10 s): another worker (a reload, another node) takes others, and what a
  // killed worker held is due again when the lease ends.
  int delivered = 0;
  for (int round = 0; round < 5; ++round) {
    core::UnixTime claimed_at = clock_.now();
    auto batch = store_.claim_deliveries(claimed_at, 10, claimed_at + 120);
    for (const auto& d : batch) {
      int status = 0;
      std::string error;
      bool ok = send(d, status, error);
      std::optional<core::UnixTime> retry;
      if (!ok && d.attempts + 1 < kMaxAttempts) {
        long long delay = static_cast<long long>(retry_seconds_) << std::min(d.attempts, 12);
        retry = clock_.now() + std::min<long long>(delay, 3600);
      }
      (void)store_.record_attempt(d.id, ok, status, error, retry, clock_.now());
      delivered += ok;
    }
    if (batch.size() < 10) break;
  }
  return delivered;
}

bool Webhooks::send(const store::WebhookDelivery& d, int& status, std::string& error) {
  CURL* curl = curl_easy_init();
  if (!curl) {
    error = "cannot start an HTTP client";
    return false;
  }
  std::string t = std::to_string(clock_.now());
  std::string signature = "t=" + t + ",v1=" + core::hmac_sha256_hex(d.secret, t + "." + d.payload);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("Meridian-Signature: " + signature).c_str());
  headers = curl_slist_append(headers, ("Meridian-Event: " + d.type).c_str());
  headers = curl_slist_append(headers, ("Meridian-Delivery: " + std::to_string(d.id)).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, d.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d.payload.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(d.payload.size()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Meridian-Webhooks/1");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  status = static_cast<int>(code);
  if (rc != CURLE_OK) {
    error = curl_easy_strerror(rc);
    return false;
  }
  if (code < 200 || code >= 300) {
    error = "HTTP " + std::to_string(code);
    return false;
  }
  return true;
}

}  // namespace integrations
