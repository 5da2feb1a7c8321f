// Mustache templates, parsed once at start-up (a syntax error fails start-up).
// Views are nlohmann::json values; all {{x}} output is HTML-escaped, only
// {{{x}}} (used for sanitized article HTML and JSON-LD) is not.
// Thread-safe: each thread renders with its own copy of the parsed templates.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace web {

class Templates {
 public:
  Templates();  // throws std::runtime_error on a template error
  std::string render(const std::string& name, const nlohmann::json& view) const;
  // Renders `name`, then the layout around it with the result as `body`.
  std::string page(const std::string& name, nlohmann::json& view) const;
};

}  // namespace web
