#include "billing/stripe_objects.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace billing::stripe {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  const json& v = field(j, key);
  if (v.is_string()) return v.get<std::string>();
  const json& id = field(v, "id");
  if (id.is_string()) return id.get<std::string>();
  return {};
}

std::optional<long long> opt_num(const json& j, const char* key) {
  const json& v = field(j, key);
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number_unsigned()) {
    auto u = v.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) return std::nullopt;
    return static_cast<long long>(u);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    // Only whole numbers well inside the range convert (no undefined float-to-int casts).
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<long long>(d);
  }
  return std::nullopt;
}

long long num(const json& j, const char* key, long long fallback) {
  return opt_num(j, key).value_or(fallback);
}

const json& field(const json& j, const char* key) {
  static const json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

std::optional<long long> member_id_from(const json& metadata) {
  std::string v = str(metadata, "member_id");
  long long id = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || id <= 0) return std::nullopt;
  return id;
}

bool is_id(std::string_view id, std::string_view prefix) {
  if (!id.starts_with(prefix) || id.size() > 255 || id.size() <= prefix.size()) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

void read_subscription(const json& j, Subscription& s) {
  s.status = str(j, "status");
  const json& cancel = field(j, "cancel_at_period_end");
  s.cancel_at_period_end = cancel.is_boolean() && cancel.get<bool>();
  s.cancel_at = opt_num(j, "cancel_at");
  s.ended_at = opt_num(j, "ended_at");
  s.created = num(j, "created");
  long long quantity = 0;
  const json& items = field(field(j, "items"), "data");
  if (items.is_array()) {
    for (const auto& item : items) {
      s.period_end = std::max<core::UnixTime>(s.period_end, num(item, "current_period_end"));
      const json& price = field(item, "price");
      if (s.price_id.empty()) {
        s.price_id = str(price, "id");
        s.unit_amount = std::clamp<long long>(num(price, "unit_amount"), 0, 1'000'000'000'000);
        s.currency = str(price, "currency");
        s.interval = str(field(price, "recurring"), "interval");
      }
      quantity += std::clamp<long long>(num(item, "quantity", 1), 0, 100000);
    }
  }
  s.quantity = static_cast<int>(std::clamp<long long>(quantity, 1, 100000));
}

}  // namespace billing::stripe
