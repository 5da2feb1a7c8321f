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

// Source offsets just past each top-level block of the Markdown (the end of the line
// holding its last text), in order; blocks without text (a rule) have none. Cutting the
// source at one of them leaves the blocks before it parsed exactly as in the whole.
// Offsets are into core::repair_utf8(markdown): the Markdown itself when it is UTF-8.
std::vector<std::size_t> markdown_block_ends(std::string_view markdown);
// Whether the source defines any link reference ("[label]: url"), roughly: a line whose
// first non-space character is "[" and which holds "]:". False means none for certain.
bool may_define_link_references(std::string_view markdown);

}  // namespace content
