// Colours as the settings take them ("#1a5e3a") and their contrast as WCAG 2 measures it,
// so a publication cannot choose an accent its readers cannot read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

// The accent a publication has until its editors choose one (static/site.css's --accent).
inline constexpr std::string_view kDefaultAccent = "#8a1c1c";
// The accent chosen in the settings ("" for none), else the default.
inline std::string accent_or_default(const std::string& chosen) {
  return chosen.empty() ? std::string(kDefaultAccent) : chosen;
}

// "#rrggbb" (any case) → lower case; nullopt for anything else.
std::optional<std::string> parse_hex_colour(std::string_view s);
// The WCAG 2 contrast ratio of two "#rrggbb" colours (1 to 21).
double contrast_ratio(std::string_view a, std::string_view b);

}  // namespace core
