// Colours as the settings take them ("#1a5e3a") and their contrast as WCAG 2 measures it,
// so a publication cannot choose an accent its readers cannot read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

// "#rrggbb" (any case) → lower case; nullopt for anything else.
std::optional<std::string> parse_hex_colour(std::string_view s);
// The WCAG 2 contrast ratio of two "#rrggbb" colours (1 to 21).
double contrast_ratio(std::string_view a, std::string_view b);

}  // namespace core
