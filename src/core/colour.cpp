#include "core/colour.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace core {

namespace {

double channel(std::string_view hex2) {
  double v = std::stoi(std::string(hex2), nullptr, 16) / 255.0;
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

double luminance(std::string_view c) {
  return 0.2126 * channel(c.substr(1, 2)) + 0.7152 * channel(c.substr(3, 2)) +
         0.0722 * channel(c.substr(5, 2));
}

}  // namespace

std::optional<std::string> parse_hex_colour(std::string_view s) {
  if (s.size() != 7 || s[0] != '#') return std::nullopt;
  std::string out = "#";
  for (char c : s.substr(1)) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

double contrast_ratio(std::string_view a, std::string_view b) {
  double la = luminance(a), lb = luminance(b);
  if (la < lb) std::swap(la, lb);
  return (la + 0.05) / (lb + 0.05);
}

}  // namespace core
