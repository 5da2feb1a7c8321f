#include "billing/signature.h"

#include <charconv>
#include <cstdlib>

#include "core/crypto.h"

namespace billing {

const char* to_string(SignatureCheck c) {
  switch (c) {
    case SignatureCheck::kValid: return "valid";
    case SignatureCheck::kMissing: return "no Stripe-Signature header";
    case SignatureCheck::kMalformed: return "malformed Stripe-Signature header";
    case SignatureCheck::kStale: return "timestamp outside the tolerance";
    case SignatureCheck::kMismatch: return "no signature matches";
  }
  return "?";
}

SignatureCheck verify_signature(std::string_view header, std::string_view body,
                                const std::vector<std::string>& secrets, core::UnixTime now,
                                int tolerance) {
  if (header.empty()) return SignatureCheck::kMissing;
  std::string_view timestamp;
  std::vector<std::string_view> candidates;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = item.substr(0, eq);
    auto value = item.substr(eq + 1);
    if (key == "t") {
      timestamp = value;
    } else if (key == "v1") {
      candidates.push_back(value);
    }
  }
  core::UnixTime t = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), t);
  if (timestamp.empty() || ec != std::errc() || end != timestamp.data() + timestamp.size()) {
    return SignatureCheck::kMalformed;
  }
  if (candidates.empty()) return SignatureCheck::kMalformed;
  if (std::llabs(now - t) > tolerance) return SignatureCheck::kStale;
  std::string signed_payload;
  signed_payload.reserve(timestamp.size() + 1 + body.size());
  signed_payload.append(timestamp).append(".").append(body);
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    std::string expected = core::hmac_sha256_hex(secret, signed_payload);
    for (auto c : candidates) {
      if (core::constant_time_equal(expected, c)) return SignatureCheck::kValid;
    }
  }
  return SignatureCheck::kMismatch;
}

std::string sign_payload(std::string_view body, std::string_view secret, core::UnixTime t) {
  std::string ts = std::to_string(t);
  std::string payload = ts + "." + std::string(body);
  return "t=" + ts + ",v1=" + core::hmac_sha256_hex(secret, payload);
}

}  // namespace billing
