#include "content/markdown.h"

#include <md4c-html.h>

#include "content/sanitize.h"

namespace content {

namespace {

void append(const MD_CHAR* text, MD_SIZE size, void* userdata) {
  static_cast<std::string*>(userdata)->append(text, size);
}

}  // namespace

std::vector<std::string> render_markdown_blocks(std::string_view markdown) {
  std::string html;
  html.reserve(markdown.size() + markdown.size() / 4);
  // Raw HTML is allowed through md4c on purpose: the sanitizer below decides what survives.
  md_html(markdown.data(), static_cast<MD_SIZE>(markdown.size()), append, &html,
          MD_DIALECT_GITHUB, MD_HTML_FLAG_SKIP_UTF8_BOM);
  return sanitize_to_blocks(html);
}

std::string render_markdown(std::string_view markdown) {
  std::string out;
  for (const auto& b : render_markdown_blocks(markdown)) {
    out += b;
    out += '\n';
  }
  return out;
}

}  // namespace content
