// Calls to Stripe's API: form-encoded bodies as Stripe expects, `Authorization: Bearer`,
// a pinned Stripe-Version, an Idempotency-Key on every POST (the same key on each retry),
// timeouts, and retries with back-off on 429, 5xx and network errors. The secret key is
// never put in an error message. Thread-safe (one libcurl handle per call).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace billing {

// The Stripe API version every request pins: billing periods live on subscription items.
inline constexpr const char* kStripeVersion = "2026-02-25.clover";

using Form = std::vector<std::pair<std::string, std::string>>;
// application/x-www-form-urlencoded, keys like line_items[0][price] kept as given.
std::string form_encode(const Form& form);

class StripeApi {
 public:
  virtual ~StripeApi() = default;
  // kInvalidInput: Stripe refused the request (4xx, its message); kNotFound: 404;
  // kUnavailable: Stripe could not be reached or kept failing after retries.
  virtual core::Result<nlohmann::json> post(const std::string& path, const Form& form,
                                            const std::string& idempotency_key) = 0;
  virtual core::Result<nlohmann::json> get(const std::string& path, const Form& query = {}) = 0;
};

struct StripeOptions {
  std::string api_base;
  std::string secret_key;
  int attempts = 3;         // in all, the first included
  int backoff_ms = 300;     // doubled after each failure
  long timeout_ms = 10000;  // per attempt
};

std::unique_ptr<StripeApi> make_stripe_api(StripeOptions options);

}  // namespace billing
