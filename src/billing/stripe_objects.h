// Reading Stripe's objects (JSON from its API and webhooks) defensively: a field may be
// missing, null, of another type, an expanded object instead of an id, or a number out of
// range; none of that may crash or wrap. Pure; fuzzed (tests/fuzz/fuzz_stripe_objects.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "billing/model.h"

namespace billing::stripe {

// A string field, or the id of an expanded object, or "".
std::string str(const nlohmann::json& j, const char* key);
// A whole number field (integers, or floats that are whole and in range), else fallback.
long long num(const nlohmann::json& j, const char* key, long long fallback = 0);
std::optional<long long> opt_num(const nlohmann::json& j, const char* key);
// The member or null (never throws).
const nlohmann::json& field(const nlohmann::json& j, const char* key);
// metadata.member_id as a positive id.
std::optional<long long> member_id_from(const nlohmann::json& metadata);
// "sub_…", "cs_…", "evt_…": the prefix, then [A-Za-z0-9_], at most 255 bytes.
bool is_id(std::string_view id, std::string_view prefix);

// Stripe's state of a subscription into `s` (status, cancellation, the items' latest
// period end, price, amount, interval, quantity summed over items and kept in 1..100000).
// Leaves the member, plan, refund and access fields alone.
void read_subscription(const nlohmann::json& j, Subscription& s);

}  // namespace billing::stripe
