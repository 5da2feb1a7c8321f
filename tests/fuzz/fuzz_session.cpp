// Cookies, CSRF tokens, and the `next` redirect check. Invariants: a forged anonymous
// token never validates; safe_next only ever returns a same-origin path.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "accounts/service.h"
#include "core/crypto.h"
#include "web/session.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bool ready = [] { return core::init_crypto(), true; }();
  (void)ready;
  std::string in(reinterpret_cast<const char*>(data), size);
  auto half = in.size() / 2;
  web::Request req;
  req.headers["cookie"] = in.substr(0, half);
  std::string token = in.substr(half);
  (void)web::cookie_value(req, web::kSessionCookie);
  (void)web::pre_session_value(req);
  if (web::csrf_valid("fuzz-secret", req, token, 1700000000)) std::abort();
  (void)web::same_origin(req, "https://news.example");

  std::string next = accounts::safe_next(in);
  if (next.empty() || next[0] != '/' || next.starts_with("//")) std::abort();
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f) std::abort();
  }
  return 0;
}
