// IP address ranges (CIDR) for institutional access and trusted proxies. Pure.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace core {

struct IpAddress {
  std::array<unsigned char, 16> bytes{};  // IPv4 is stored as ::ffff:a.b.c.d
};

std::optional<IpAddress> parse_ip(std::string_view text);

struct Cidr {
  IpAddress network;
  int prefix = 0;  // in the 128-bit space
  bool contains(const IpAddress& ip) const;
};

// "10.0.0.0/8", "2001:db8::/32" or a single address. nullopt when malformed.
std::optional<Cidr> parse_cidr(std::string_view text);

}  // namespace core
