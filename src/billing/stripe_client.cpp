#include "billing/stripe_client.h"

#include <curl/curl.h>

#include <chrono>
#include <thread>

#include "core/text.h"

namespace billing {

std::string form_encode(const Form& form) {
  std::string out;
  for (const auto& [k, v] : form) {
    if (!out.empty()) out += '&';
    out += core::url_encode(k);
    out += '=';
    out += core::url_encode(v);
  }
  return out;
}

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Reply {
  long status = 0;
  std::string body;
  bool should_retry_header = false;  // Stripe-Should-Retry: true
  bool should_not_retry = false;     // Stripe-Should-Retry: false
};

std::size_t header_line(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  for (auto& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto* r = static_cast<Reply*>(out);
  if (line.starts_with("stripe-should-retry:")) {
    r->should_retry_header = line.find("true") != std::string::npos;
    r->should_not_retry = line.find("false") != std::string::npos;
  }
  return size * n;
}

class CurlStripeApi final : public StripeApi {
 public:
  explicit CurlStripeApi(StripeOptions o) : o_(std::move(o)) {}

  core::Result<nlohmann::json> post(const std::string& path, const Form& form,
                                    const std::string& idempotency_key) override {
    return call("POST", path, form_encode(form), idempotency_key);
  }

  core::Result<nlohmann::json> get(const std::string& path, const Form& query) override {
    std::string target = path;
    if (!query.empty()) target += "?" + form_encode(query);
    return call("GET", target, "", "");
  }

 private:
  core::Result<nlohmann::json> call(const char* method, const std::string& target,
                                    const std::string& body, const std::string& key) {
    std::string last_error = "no answer";
    int delay = o_.backoff_ms;
    for (int attempt = 1; attempt <= o_.attempts; ++attempt) {
      if (attempt > 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        delay *= 2;
      }
      Reply r;
      std::string curl_error;
      if (!perform(method, target, body, key, r, curl_error)) {
        last_error = curl_error;
        continue;  // network error or timeout: retried (the idempotency key makes it safe)
      }
      nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
      if (r.status >= 200 && r.status < 300) {
        if (j.is_discarded() || !j.is_object()) {
          return core::fail(core::ErrorCode::kUnavailable, "Stripe answered with something "
                                                           "that is not a JSON object");
        }
        return j;
      }
      std::string message;
      if (j.is_object() && j.contains("error") && j["error"].is_object()) {
        message = j["error"].value("message", "");
      }
      if (message.empty()) message = "HTTP " + std::to_string(r.status);
      bool retry = r.status == 429 || r.status >= 500 || r.status == 409 || r.should_retry_header;
      if (r.should_not_retry) retry = false;
      if (retry) {
        last_error = "Stripe: " + message;
        continue;
      }
      if (r.status == 404) return core::fail(core::ErrorCode::kNotFound, "Stripe: " + message);
      if (r.status == 401 || r.status == 403) {
        return core::fail(core::ErrorCode::kUnavailable,
                          "Stripe refused the API key ([billing] stripe_secret_key)");
      }
      return core::fail(core::ErrorCode::kInvalidInput, "Stripe: " + message);
    }
    return core::fail(core::ErrorCode::kUnavailable,
                      std::string("Stripe is unavailable (") + method + " " +
                          target.substr(0, target.find('?')) + "): " + last_error);
  }

  bool perform(const char* method, const std::string& target, const std::string& body,
               const std::string& key, Reply& r, std::string& error) {
    CURL* curl = curl_easy_init();
    if (!curl) {
      error = "cannot start an HTTP client";
      return false;
    }
    std::string url = o_.api_base + target;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Authorization: Bearer " + o_.secret_key).c_str());
    headers = curl_slist_append(headers, (std::string("Stripe-Version: ") + kStripeVersion).c_str());
    headers = curl_slist_append(headers, "Accept: application/json");
    if (!key.empty()) headers = curl_slist_append(headers, ("Idempotency-Key: " + key).c_str());
    if (std::string(method) == "POST") {
      headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "Meridian/1 (+billing)");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_line);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min<long>(o_.timeout_ms, 5000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o_.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      error = curl_easy_strerror(rc);
      return false;
    }
    return true;
  }

  StripeOptions o_;
};

}  // namespace

std::unique_ptr<StripeApi> make_stripe_api(StripeOptions options) {
  return std::make_unique<CurlStripeApi>(std::move(options));
}

}  // namespace billing
