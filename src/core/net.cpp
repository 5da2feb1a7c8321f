#include "core/net.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace core {

std::optional<IpAddress> parse_ip(std::string_view text) {
  std::string s(text);
  IpAddress ip;
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], &v4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(ip.bytes.data(), &v6, 16);
    return ip;
  }
  return std::nullopt;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  int max = v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || ptr != p.data() + p.size() || p.empty() || prefix < 0 ||
        prefix > max) {
      return std::nullopt;
    }
  }
  Cidr c;
  c.prefix = v4 ? prefix + 96 : prefix;
  c.network = *ip;
  // Zero the host bits so "10.1.2.3/8" means 10.0.0.0/8.
  for (int bit = c.prefix; bit < 128; ++bit) {
    c.network.bytes[static_cast<std::size_t>(bit / 8)] &=
        static_cast<unsigned char>(~(0x80 >> (bit % 8)));
  }
  return c;
}

bool Cidr::contains(const IpAddress& ip) const {
  int full = prefix / 8;
  for (int i = 0; i < full; ++i) {
    if (ip.bytes[static_cast<std::size_t>(i)] != network.bytes[static_cast<std::size_t>(i)]) {
      return false;
    }
  }
  int rest = prefix % 8;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (ip.bytes[static_cast<std::size_t>(full)] & mask) ==
         (network.bytes[static_cast<std::size_t>(full)] & mask);
}

}  // namespace core
