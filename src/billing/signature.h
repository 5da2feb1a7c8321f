// Stripe webhook signatures, checked exactly as Stripe specifies, before the body is
// parsed: header `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each v1 the
// HMAC-SHA256 of "<t>.<raw body>" under an endpoint secret (whsec_…), compared in
// constant time; the timestamp within `tolerance` seconds of now. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace billing {

enum class SignatureCheck { kValid, kMissing, kMalformed, kStale, kMismatch };
const char* to_string(SignatureCheck c);

// Valid when any v1 candidate matches under any of `secrets` (several while rolling).
SignatureCheck verify_signature(std::string_view header, std::string_view body,
                                const std::vector<std::string>& secrets, core::UnixTime now,
                                int tolerance = 300);

// The header Stripe would send (tests, the stand-in's own checks).
std::string sign_payload(std::string_view body, std::string_view secret, core::UnixTime t);

}  // namespace billing
