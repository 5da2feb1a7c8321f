// Fuzzes what a webhook delivery reaches before and after its signature: the
// Stripe-Signature parser (first line of the input is the header, the rest the body), then
// the readers of Stripe's objects on whatever JSON the body holds (missing fields, wrong
// types, huge or fractional numbers, expanded objects).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "billing/signature.h"
#include "billing/stripe_objects.h"
#include "core/crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bool ready = (core::init_crypto(), true);
  (void)ready;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  std::string_view header = input.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  (void)billing::verify_signature(header, body, {"whsec_fuzz", "whsec_other"}, 1796000000);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return 0;
  using namespace billing::stripe;
  billing::Subscription s;
  read_subscription(j, s);
  read_subscription(field(field(j, "data"), "object"), s);
  (void)str(j, "id");
  (void)is_id(str(j, "id"), "evt_");
  (void)member_id_from(field(j, "metadata"));
  (void)num(field(j, "data"), "amount_refunded");
  return 0;
}
