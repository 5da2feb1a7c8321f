// HTML allowlist sanitizer (gumbo). Used for Markdown output (which may carry raw
// HTML) and for HTML imported from other systems. Anything not on the list is
// dropped (script, style, iframe with their content) or unwrapped (unknown tags).
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace content {

// Sanitizes a fragment and returns its top-level blocks, each serialized on its own.
// Loose top-level inline content is wrapped in <p>.
std::vector<std::string> sanitize_to_blocks(std::string_view html);
std::string sanitize_html(std::string_view html);
// True for a URL safe to put in href/src: http(s), mailto, or relative.
bool safe_url(std::string_view url);

}  // namespace content
