// Markdown to sanitized HTML (md4c, GitHub dialect, then the allowlist sanitizer).
// Rendering happens once, at import or publish; pages serve the stored result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace content {

// Top-level sanitized HTML blocks of the rendered Markdown.
std::vector<std::string> render_markdown_blocks(std::string_view markdown);
std::string render_markdown(std::string_view markdown);

}  // namespace content
