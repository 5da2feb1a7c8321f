#include "importers/wordpress_content.h"

#include <array>
#include <vector>

#include "content/sanitize.h"
#include "content/teaser.h"
#include "core/text.h"

namespace importers {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string link(std::string_view url) {
  std::string u = core::html_escape(core::trim(url));
  return "<p><a href=\"" + u + "\">" + u + "</a></p>";
}

bool is_url(std::string_view s) {
  if (!s.starts_with("http://") && !s.starts_with("https://")) return false;
  for (char c : s) {
    if (is_space(c) || c == '<' || c == '>' || c == '"') return false;
  }
  return s.size() > 8;
}

// Removes Gutenberg's block delimiters (<!-- wp:name {...} -->, <!-- /wp:name -->,
// <!-- wp:name /-->): they carry the editor's structure, not the reader's text.
std::string strip_block_comments(std::string_view s, bool& had_blocks) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto open = s.find("<!--", pos);
    if (open == std::string_view::npos) break;
    std::size_t i = open + 4;
    while (i < s.size() && is_space(s[i])) ++i;
    std::string_view rest = s.substr(i);
    auto close = s.find("-->", i);
    if (close == std::string_view::npos) break;
    if (rest.starts_with("wp:") || rest.starts_with("/wp:")) {
      had_blocks = true;
      out.append(s.substr(pos, open - pos));
      pos = close + 3;
      // The delimiter's own line goes with it.
      if (pos < s.size() && s[pos] == '\n') ++pos;
    } else {
      out.append(s.substr(pos, close + 3 - pos));
      pos = close + 3;
    }
  }
  out.append(s.substr(pos));
  return out;
}

std::string attr_value(std::string_view attrs, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = attrs.find(key, pos)) != std::string_view::npos) {
    bool starts = pos == 0 || is_space(attrs[pos - 1]);
    std::size_t i = pos + key.size();
    if (starts && i < attrs.size() && attrs[i] == '=') {
      ++i;
      if (i < attrs.size() && (attrs[i] == '"' || attrs[i] == '\'')) {
        char q = attrs[i];
        auto end = attrs.find(q, i + 1);
        if (end == std::string_view::npos) return {};
        return std::string(attrs.substr(i + 1, end - i - 1));
      }
      auto end = i;
      while (end < attrs.size() && !is_space(attrs[end])) ++end;
      return std::string(attrs.substr(i, end - i));
    }
    pos += key.size();
  }
  return {};
}

// [caption ...]<a><img></a> The caption[/caption] → a figure with its caption.
std::string caption_figure(std::string_view attrs, std::string_view inner) {
  std::string caption = attr_value(attrs, "caption");
  std::string_view media = inner;
  auto img = inner.find("<img");
  if (img != std::string_view::npos) {
    auto end = inner.find('>', img);
    if (end != std::string_view::npos) {
      ++end;
      auto a_close = inner.find("</a>", end);
      if (a_close != std::string_view::npos && core::trim(inner.substr(end, a_close - end)).empty()) {
        end = a_close + 4;
      }
      media = inner.substr(0, end);
      if (caption.empty()) caption = core::trim(inner.substr(end));
    }
  }
  std::string out = "<figure>" + std::string(core::trim(media));
  if (!caption.empty()) out += "<figcaption>" + caption + "</figcaption>";
  return out + "</figure>";
}

struct Shortcode {
  std::string_view name;
  bool encloses;  // has [/name]
};
constexpr std::array<Shortcode, 7> kShipped = {{{"caption", true}, {"wp_caption", true},
                                                {"embed", true}, {"video", false},
                                                {"audio", false}, {"gallery", false},
                                                {"playlist", false}}};

const Shortcode* shipped(std::string_view s) {
  for (const auto& sc : kShipped) {
    if (s.starts_with(sc.name) && s.size() > sc.name.size()) {
      char next = s[sc.name.size()];
      if (next == ']' || next == ' ' || next == '/' || next == '\t') return &sc;
    }
  }
  return nullptr;
}

std::string replace_shortcodes(std::string_view s) {
  std::string out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto open = s.find('[', pos);
    if (open == std::string_view::npos) break;
    out.append(s.substr(pos, open - pos));
    // [[caption]] is WordPress's way of writing the shortcode itself as text.
    if (open + 1 < s.size() && s[open + 1] == '[') {
      auto close = s.find("]]", open);
      if (close != std::string_view::npos && shipped(s.substr(open + 2))) {
        out.append(s.substr(open + 1, close - open));
        pos = close + 2;
        continue;
      }
    }
    const Shortcode* sc = shipped(s.substr(open + 1));
    auto tag_end = sc ? s.find(']', open) : std::string_view::npos;
    if (!sc || tag_end == std::string_view::npos) {
      out += '[';
      pos = open + 1;
      continue;
    }
    std::string_view attrs = s.substr(open + 1 + sc->name.size(), tag_end - open - 1 - sc->name.size());
    if (attrs.ends_with("/")) attrs.remove_suffix(1);
    pos = tag_end + 1;
    std::string_view inner;
    std::string closing = "[/" + std::string(sc->name) + "]";
    auto close = s.find(closing, pos);
    bool enclosed = close != std::string_view::npos &&
                    (sc->encloses || s.substr(pos, close - pos).find('[') == std::string_view::npos);
    if (enclosed) {
      inner = s.substr(pos, close - pos);
      pos = close + closing.size();
    }
    if (sc->name == "caption" || sc->name == "wp_caption") {
      out += caption_figure(attrs, inner);
    } else if (sc->name == "embed") {
      if (is_url(core::trim(inner))) out += link(inner);
    } else if (sc->name == "video" || sc->name == "audio") {
      std::string src = attr_value(attrs, "src");
      for (const char* k : {"mp4", "m4v", "webm", "ogv", "mp3", "ogg", "m4a", "wav"}) {
        if (src.empty()) src = attr_value(attrs, k);
      }
      if (src.empty() && is_url(core::trim(inner))) src = core::trim(inner);
      if (!src.empty()) out += link(src);
    }
    // gallery, playlist: pictures the attachment list holds; nothing to show inline.
  }
  if (pos < s.size()) out.append(s.substr(pos));
  return out;
}

constexpr std::array<std::string_view, 26> kBlockStarts = {
    "<p", "<div", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<ul", "<ol", "<li", "<dl",
    "<pre", "<blockquote", "<figure", "<table", "<hr", "<section", "<address", "<form",
    "<iframe", "<script", "<style", "<object", "<!--", "<math"};

bool starts_block(std::string_view chunk) {
  for (auto tag : kBlockStarts) {
    if (chunk.size() >= tag.size() && core::to_lower(chunk.substr(0, tag.size())) == tag) {
      if (tag == "<!--" || chunk.size() == tag.size()) return true;
      char next = chunk[tag.size()];
      if (next == '>' || next == ' ' || next == '/' || next == '\n' || next == '\t') return true;
    }
  }
  return false;
}

// What wpautop does to classic-editor text, in short: a blank line ends a paragraph, a line
// break inside one is <br>, a chunk that already starts with a block tag is left alone, and
// a URL alone in its paragraph is an embed (shown here as a link).
std::string paragraphs(std::string_view s) {
  std::string out;
  std::vector<std::string> chunks;
  std::string current;
  for (std::string_view line : core::split(s, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (core::trim(line).empty()) {
      if (!current.empty()) chunks.push_back(std::move(current));
      current.clear();
    } else {
      if (!current.empty()) current += '\n';
      current.append(line);
    }
  }
  if (!current.empty()) chunks.push_back(std::move(current));
  for (auto& chunk : chunks) {
    std::string c = core::trim(chunk);
    if (is_url(c)) {
      out += link(c);
    } else if (starts_block(c)) {
      out.append(c);
    } else {
      out += "<p>";
      for (char ch : c) {
        if (ch == '\n') out += "<br>\n";
        else out += ch;
      }
      out += "</p>";
    }
    out += "\n\n";
  }
  return out;
}

// A URL alone on a line of block content (Gutenberg's embed blocks keep one so) → a link.
std::string embed_lines(std::string_view s) {
  std::string out;
  bool first = true;
  for (const auto& line : core::split(s, '\n')) {
    if (!first) out += '\n';
    first = false;
    out += is_url(core::trim(line)) ? link(line) : line;
  }
  return out;
}

std::string convert(std::string_view part, bool blocks) {
  std::string s = replace_shortcodes(part);
  return blocks ? embed_lines(s) : paragraphs(s);
}

}  // namespace

WordPressBody wordpress_html(std::string_view content) {
  bool blocks = false;
  std::string text = strip_block_comments(content, blocks);
  WordPressBody body;
  // <!--more--> or <!--more Custom link text-->; only the first counts, as in WordPress.
  auto more = text.find("<!--more");
  auto more_end = more == std::string::npos ? std::string::npos : text.find("-->", more);
  std::string before = more_end == std::string::npos ? text : text.substr(0, more);
  std::string after = more_end == std::string::npos ? "" : text.substr(more_end + 3);
  body.has_more = more_end != std::string::npos;
  // <!--nextpage--> splits a post into pages; here it is one page.
  for (auto* s : {&before, &after}) {
    for (std::size_t p; (p = s->find("<!--nextpage-->")) != std::string::npos;) s->replace(p, 15, "\n\n");
  }
  body.before_more = convert(before, blocks);
  body.after_more = convert(after, blocks);
  return body;
}

namespace {

// A sanitized block as a raw HTML block of the body source: no blank line inside it (one
// would end the HTML block), except in a block that is a <pre>, which ends only at </pre>.
// A blank line inside a <pre> held by another block stays, written as a character reference.
std::string as_html_block(std::string block) {
  if (block.starts_with("<pre")) return block;
  bool keeps_lines = block.find("<pre") != std::string::npos;
  std::string out;
  out.reserve(block.size());
  for (const auto& line : core::split(block, '\n')) {
    if (!core::trim(line).empty()) {
      if (!out.empty()) out += '\n';
      out += line;
    } else if (keeps_lines && !out.empty()) {
      out += "&#10;";
    }
  }
  return out;
}

void append_blocks(std::string& out, std::string_view html) {
  for (auto& block : content::sanitize_to_blocks(html)) {
    std::string b = as_html_block(std::move(block));
    if (b.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += b;
  }
}

}  // namespace

std::string html_body(std::string_view before, std::string_view after, bool cut) {
  std::string out;
  append_blocks(out, before);
  if (!cut) {
    append_blocks(out, after);
    return out;
  }
  std::string rest;
  append_blocks(rest, after);
  if (rest.empty()) return out;
  if (!out.empty()) out += "\n\n";
  out += content::kPaywallMarker;
  out += "\n\n";
  return out + rest;
}

}  // namespace importers
