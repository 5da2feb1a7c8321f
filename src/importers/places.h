// The countries and regions Meridian knows by name, for importers that must tell a
// WordPress tag or a Ghost tag naming a place ("Kenya", "South Korea", "Middle East") from
// one naming a subject. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace importers {

// The place's usual English name when `name` is one (any case; common other names such as
// "Burma", "Ivory Coast", "UK", "USA" included), else nothing.
std::optional<std::string> known_place(std::string_view name);

}  // namespace importers
