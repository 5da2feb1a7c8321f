// multipart/form-data bodies (file uploads in the back office), RFC 7578.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace web {

struct FormPart {
  std::string name;
  std::string filename;      // empty for plain fields
  std::string content_type;  // as declared by the browser (not trusted)
  std::string_view data;     // points into the body
};

// Parses `body` given the request's Content-Type header; nullopt when the header has
// no boundary or the body is malformed.
std::optional<std::vector<FormPart>> parse_multipart(std::string_view content_type,
                                                     std::string_view body);

}  // namespace web
