#include "content/markdown.h"

#include <algorithm>
#include <string>

#include <md4c-html.h>
#include <md4c.h>

#include "content/sanitize.h"
#include "core/text.h"

namespace content {

namespace {

// The HTML renderer's output, and the source it renders from.
struct HtmlOut {
  std::string html;
  const char* begin = nullptr;
  const char* end = nullptr;    // end of the Markdown
  const char* limit = nullptr;  // end of the padding after it
};

void append(const MD_CHAR* text, MD_SIZE size, void* userdata) {
  auto* out = static_cast<HtmlOut*>(userdata);
  std::size_t n = size;
  // md4c 0.4.8 (Debian 12) can hand over a span of the source that runs past its end
  // (found by fuzz_markdown, not reproducible from the input alone): keep the source's own
  // bytes only. Spans of md4c's own strings (entities, tags) are outside the source.
  if (text >= out->begin && text < out->limit) {
    n = text < out->end ? std::min(n, static_cast<std::size_t>(out->end - text)) : 0;
  }
  out->html.append(text, n);
}

// Bytes after the Markdown, so a parser read past its end stays in our own buffer.
constexpr std::size_t kPadding = 64;

// What md4c parses: well-formed UTF-8 (md4c 0.4.8 trusts a lead byte's length, and an
// invalid sequence made it read past the end of its input: a span reaching beyond it and
// a wild read, both found by fuzz_markdown), with padding after.
std::string md4c_input(std::string_view markdown) {
  std::string source;
  if (core::valid_utf8(markdown)) {
    source.reserve(markdown.size() + kPadding);
    source.append(markdown);
  } else {
    source = core::repair_utf8(markdown);
  }
  source.append(kPadding, '\n');
  return source;
}

struct BlockWalk {
  const char* base = nullptr;
  std::size_t size = 0;
  int depth = 0;
  std::size_t last = 0;  // end offset of the current top-level block's last text
  bool has_text = false;
  std::vector<std::size_t> ends;
};

int enter_block(MD_BLOCKTYPE type, void*, void* userdata) {
  auto* w = static_cast<BlockWalk*>(userdata);
  if (type == MD_BLOCK_DOC) return 0;
  if (w->depth++ == 0) w->has_text = false;
  return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* userdata) {
  auto* w = static_cast<BlockWalk*>(userdata);
  if (type == MD_BLOCK_DOC) return 0;
  if (--w->depth == 0 && w->has_text) {
    std::size_t end = w->last;
    while (end < w->size && w->base[end] != '\n') ++end;
    w->ends.push_back(end < w->size ? end + 1 : end);
  }
  return 0;
}

int span(MD_SPANTYPE, void*, void*) { return 0; }

int text(MD_TEXTTYPE, const MD_CHAR* t, MD_SIZE size, void* userdata) {
  auto* w = static_cast<BlockWalk*>(userdata);
  // Entities and the like may point outside the source; only real source counts.
  if (t >= w->base && t + size <= w->base + w->size) {
    auto end = static_cast<std::size_t>(t - w->base) + size;
    if (!w->has_text || end > w->last) w->last = end;
    w->has_text = true;
  }
  return 0;
}

}  // namespace

std::vector<std::size_t> markdown_block_ends(std::string_view markdown) {
  std::string source = md4c_input(markdown);
  BlockWalk w;
  w.base = source.data();
  w.size = source.size() - kPadding;
  MD_PARSER parser{};
  parser.flags = MD_DIALECT_GITHUB;
  parser.enter_block = enter_block;
  parser.leave_block = leave_block;
  parser.enter_span = span;
  parser.leave_span = span;
  parser.text = text;
  md_parse(source.data(), static_cast<MD_SIZE>(w.size), &parser, &w);
  return w.ends;
}

bool may_define_link_references(std::string_view markdown) {
  std::size_t pos = 0;
  while (pos < markdown.size()) {
    auto end = markdown.find('\n', pos);
    if (end == std::string_view::npos) end = markdown.size();
    auto line = markdown.substr(pos, end - pos);
    auto first = line.find_first_not_of(" \t>");
    if (first != std::string_view::npos && line[first] == '[' &&
        line.find("]:", first) != std::string_view::npos) {
      return true;
    }
    pos = end + 1;
  }
  return false;
}

std::vector<std::string> render_markdown_blocks(std::string_view markdown) {
  std::string source = md4c_input(markdown);
  std::size_t size = source.size() - kPadding;
  HtmlOut out;
  out.begin = source.data();
  out.end = out.begin + size;
  out.limit = out.begin + source.size();
  out.html.reserve(size + size / 4);
  // Raw HTML is allowed through md4c on purpose: the sanitizer below decides what survives.
  md_html(source.data(), static_cast<MD_SIZE>(size), append, &out, MD_DIALECT_GITHUB,
          MD_HTML_FLAG_SKIP_UTF8_BOM);
  return sanitize_to_blocks(out.html);
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
