#include "web/multipart.h"

#include <algorithm>
#include <cctype>

namespace web {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of `key="..."` (or key=token) in a header's parameters.
std::string header_param(std::string_view header, std::string_view key) {
  std::string lowered = lower(header);
  std::size_t pos = 0;
  while ((pos = lowered.find(key, pos)) != std::string::npos) {
    bool boundary_ok = pos == 0 || lowered[pos - 1] == ';' || lowered[pos - 1] == ' ';
    std::size_t eq = pos + key.size();
    if (boundary_ok && eq < header.size() && header[eq] == '=') {
      std::size_t v = eq + 1;
      if (v < header.size() && header[v] == '"') {
        auto end = header.find('"', v + 1);
        if (end == std::string_view::npos) return {};
        return std::string(header.substr(v + 1, end - v - 1));
      }
      auto end = header.find(';', v);
      std::string value(header.substr(v, end == std::string_view::npos ? header.npos : end - v));
      while (!value.empty() && value.back() == ' ') value.pop_back();
      return value;
    }
    pos = eq;
  }
  return {};
}

}  // namespace

std::optional<std::vector<FormPart>> parse_multipart(std::string_view content_type,
                                                     std::string_view body) {
  if (!lower(content_type).starts_with("multipart/form-data")) return std::nullopt;
  std::string boundary = header_param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) return std::nullopt;
  std::string delim = "--" + boundary;
  std::vector<FormPart> parts;
  auto pos = body.find(delim);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += delim.size();
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return std::nullopt;
    FormPart part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    std::size_t line_start = 0;
    while (line_start <= headers.size()) {
      auto line_end = headers.find("\r\n", line_start);
      std::string_view line = headers.substr(
          line_start, line_end == std::string_view::npos ? headers.npos : line_end - line_start);
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name = lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-disposition") {
          part.name = header_param(value, "name");
          part.filename = header_param(value, "filename");
        } else if (name == "content-type") {
          part.content_type = std::string(value);
        }
      }
      if (line_end == std::string_view::npos) break;
      line_start = line_end + 2;
    }
    std::size_t data_start = headers_end + 4;
    auto next = body.find("\r\n" + delim, data_start);
    if (next == std::string_view::npos) return std::nullopt;
    part.data = body.substr(data_start, next - data_start);
    parts.push_back(std::move(part));
    pos = next + 2 + delim.size();
  }
}

}  // namespace web
