// Form decoding: application/x-www-form-urlencoded and multipart/form-data. The first
// line of the input is the Content-Type, the rest the body. Parts must lie in the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "web/http.h"
#include "web/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view type = nl == std::string_view::npos ? in : in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  (void)web::parse_query(body);
  if (auto parts = web::parse_multipart(type, body)) {
    for (const auto& p : *parts) {
      if (!p.data.empty() && (p.data.data() < body.data() ||
                              p.data.data() + p.data.size() > body.data() + body.size())) {
        std::abort();  // a part outside the body it was cut from
      }
    }
  }
  return 0;
}
