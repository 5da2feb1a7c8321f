#include "content/sanitize.h"

#include <gumbo.h>

#include <cstring>
#include <string>

#include "core/text.h"

namespace content {

namespace {

enum class Rule { kKeep, kUnwrap, kDrop };

struct Allowed {
  const char* tag;
  const char* attrs[4];
};

// Tags kept, with the attributes each may keep. Headings h1 become h2: the page owns h1.
const Allowed kAllowed[] = {
    {"p", {}},          {"h2", {"id"}},       {"h3", {"id"}},        {"h4", {"id"}},
    {"h5", {}},         {"h6", {}},           {"blockquote", {"cite"}}, {"ul", {}},
    {"ol", {"start"}},  {"li", {}},           {"a", {"href", "title"}}, {"em", {}},
    {"strong", {}},     {"b", {}},            {"i", {}},             {"code", {}},
    {"pre", {}},        {"hr", {}},           {"br", {}},            {"table", {}},
    {"thead", {}},      {"tbody", {}},        {"tr", {}},            {"th", {"align", "scope"}},
    {"td", {"align"}},  {"img", {"src", "alt", "title"}}, {"figure", {}}, {"figcaption", {}},
    {"sup", {}},        {"sub", {}},          {"del", {}},           {"s", {}},
    {"abbr", {"title"}}, {"cite", {}},        {"q", {}},             {"dl", {}},
    {"dt", {}},         {"dd", {}},           {"small", {}},         {"mark", {}},
};

const char* const kBlockTags[] = {"p",  "h2", "h3", "h4",    "h5",  "h6",  "blockquote",
                                  "ul", "ol", "pre", "hr",   "table", "figure", "dl"};

const Allowed* find_allowed(std::string_view tag) {
  for (const auto& a : kAllowed) {
    if (tag == a.tag) return &a;
  }
  return nullptr;
}

bool is_block(std::string_view tag) {
  for (auto* b : kBlockTags) {
    if (tag == b) return true;
  }
  return false;
}

// Block-level containers we unwrap; their children become top-level blocks.
bool is_wrapper(std::string_view tag) {
  for (auto* w : {"div", "section", "article", "main", "aside", "header", "footer", "center",
                  "details", "nav", "body", "html"}) {
    if (tag == w) return true;
  }
  return false;
}

bool is_void(std::string_view tag) { return tag == "br" || tag == "hr" || tag == "img"; }

std::string tag_name(const GumboElement& el) {
  if (el.tag == GUMBO_TAG_UNKNOWN) {
    GumboStringPiece piece = el.original_tag;
    gumbo_tag_from_original_text(&piece);
    return core::to_lower(std::string_view(piece.data, piece.length));
  }
  return gumbo_normalized_tagname(el.tag);
}

Rule rule_for(std::string_view tag) {
  if (tag == "script" || tag == "style" || tag == "iframe" || tag == "object" ||
      tag == "embed" || tag == "noscript" || tag == "template" || tag == "svg" ||
      tag == "math" || tag == "form" || tag == "textarea" || tag == "select" ||
      tag == "button" || tag == "input" || tag == "head" || tag == "title" || tag == "frame" ||
      tag == "frameset" || tag == "applet" || tag == "base" || tag == "link" || tag == "meta") {
    return Rule::kDrop;
  }
  if (tag == "h1") return Rule::kKeep;
  return find_allowed(tag) ? Rule::kKeep : Rule::kUnwrap;
}

void serialize(const GumboNode* node, std::string& out);

void serialize_children(const GumboNode* node, std::string& out) {
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    serialize(static_cast<const GumboNode*>(children.data[i]), out);
  }
}

void serialize_element(const GumboNode* node, std::string& out) {
  const GumboElement& el = node->v.element;
  std::string tag = tag_name(el);
  Rule rule = rule_for(tag);
  if (rule == Rule::kDrop) return;
  if (rule == Rule::kUnwrap) {
    serialize_children(node, out);
    return;
  }
  if (tag == "h1") tag = "h2";
  const Allowed* allowed = find_allowed(tag);
  out += '<';
  out += tag;
  for (unsigned i = 0; i < el.attributes.length; ++i) {
    auto* attr = static_cast<const GumboAttribute*>(el.attributes.data[i]);
    std::string name = core::to_lower(attr->name);
    bool ok = false;
    for (const char* a : allowed->attrs) {
      if (a && name == a) ok = true;
    }
    if (!ok) continue;
    std::string value = attr->value;
    if ((name == "href" || name == "src" || name == "cite") && !safe_url(value)) continue;
    if (name == "start") {
      bool digits = !value.empty() && value.size() < 7;
      for (char c : value) digits = digits && c >= '0' && c <= '9';
      if (!digits) continue;
    }
    out += ' ';
    out += name;
    out += "=\"";
    out += core::html_escape(value);
    out += '"';
  }
  if (tag == "a") {
    std::string_view href;
    for (unsigned i = 0; i < el.attributes.length; ++i) {
      auto* attr = static_cast<const GumboAttribute*>(el.attributes.data[i]);
      if (std::strcmp(attr->name, "href") == 0) href = attr->value;
    }
    if (href.starts_with("http://") || href.starts_with("https://")) {
      out += " rel=\"noopener nofollow\"";
    }
  }
  if (tag == "img") out += " loading=\"lazy\"";
  out += '>';
  if (is_void(tag)) return;
  serialize_children(node, out);
  out += "</";
  out += tag;
  out += '>';
}

void serialize(const GumboNode* node, std::string& out) {
  switch (node->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      out += core::html_escape(node->v.text.text);
      break;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      serialize_element(node, out);
      break;
    default:  // comments and the document node
      break;
  }
}

const GumboNode* find_body(const GumboNode* node) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) return nullptr;
  if (node->type == GUMBO_NODE_ELEMENT && node->v.element.tag == GUMBO_TAG_BODY) return node;
  const GumboVector& children = node->type == GUMBO_NODE_DOCUMENT
                                    ? node->v.document.children
                                    : node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    if (auto* b = find_body(static_cast<const GumboNode*>(children.data[i]))) return b;
  }
  return nullptr;
}

bool only_space(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

bool safe_url(std::string_view url) {
  std::string u = core::to_lower(core::trim(url));
  // Reject control characters that browsers strip before parsing the scheme.
  for (char c : u) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  auto colon = u.find(':');
  if (colon == std::string::npos) return true;  // relative
  auto first_sep = u.find_first_of("/?#");
  if (first_sep != std::string::npos && first_sep < colon) return true;  // "a/b:c" is relative
  std::string scheme = u.substr(0, colon);
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

std::vector<std::string> sanitize_to_blocks(std::string_view html) {
  std::vector<std::string> blocks;
  GumboOutput* output = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  const GumboNode* body = find_body(output->root);
  if (body) {
    std::string loose;  // inline content between blocks, wrapped in <p>
    auto flush = [&] {
      if (!only_space(loose)) blocks.push_back("<p>" + core::trim(loose) + "</p>");
      loose.clear();
    };
    const GumboVector& children = body->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      auto* child = static_cast<const GumboNode*>(children.data[i]);
      bool block = false;
      if (child->type == GUMBO_NODE_ELEMENT) {
        std::string tag = tag_name(child->v.element);
        block = is_block(tag) || tag == "h1";
        if (!block && is_wrapper(tag)) {
          // An unknown wrapper (div, section, article): its children are blocks too.
          std::string inner;
          serialize_children(child, inner);
          auto nested = sanitize_to_blocks(inner);
          if (!nested.empty()) {
            flush();
            for (auto& n : nested) blocks.push_back(std::move(n));
            continue;
          }
        }
      }
      if (block) {
        flush();
        std::string out;
        serialize(child, out);
        if (!out.empty()) blocks.push_back(std::move(out));
      } else {
        serialize(child, loose);
      }
    }
    flush();
  }
  gumbo_destroy_output(&kGumboDefaultOptions, output);
  return blocks;
}

std::string sanitize_html(std::string_view html) {
  std::string out;
  for (const auto& b : sanitize_to_blocks(html)) {
    out += b;
    out += '\n';
  }
  return out;
}

}  // namespace content
