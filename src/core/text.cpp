#include "core/text.h"

#include <cctype>
#include <cstdint>

namespace core {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;  // not allowed in XML 1.0
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Folds the UTF-8 encodings of common Latin letters with diacritics to ASCII.
const char* fold_latin(unsigned char b1, unsigned char b2) {
  if (b1 == 0xC3) {
    static const char* table[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    if (b2 >= 0x80 && b2 < 0xC0) return table[b2 - 0x80];
  }
  if (b1 == 0xC5 && (b2 == 0x9F || b2 == 0x9E)) return "s";  // ş
  if (b1 == 0xC4 && (b2 == 0xB1)) return "i";                 // ı
  if (b1 == 0xC5 && (b2 == 0x81 || b2 == 0x82)) return "l";  // ł
  return nullptr;
}

}  // namespace

std::string slugify(std::string_view s) {
  std::string out;
  bool pending_dash = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::string piece;
    if (std::isalnum(c) && c < 0x80) {
      piece = static_cast<char>(std::tolower(c));
    } else if (c == '\'') {
      continue;  // "d'Ivoire" -> "divoire"
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0x98 || static_cast<unsigned char>(s[i + 2]) == 0x99)) {
      i += 2;
      continue;  // ‘ and ’ too: "Indonesia’s" -> "indonesias"
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      const char* folded = fold_latin(c, static_cast<unsigned char>(s[i + 1]));
      if (folded) {
        piece = folded;
        ++i;
      } else {
        // Skip the rest of an unknown multi-byte sequence; treat it as a separator.
        while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) ++i;
      }
    }
    if (piece.empty()) {
      if (!out.empty()) pending_dash = true;
      continue;
    }
    if (pending_dash) out += '-';
    pending_dash = false;
    out += piece;
  }
  if (out.size() > 96) {
    out.resize(96);
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out;
}

bool is_valid_slug(std::string_view s) {
  if (s.empty() || s.size() > 120 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    parts.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 0x80) {
      out += ch;
    } else if (c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string url_decode(std::string_view s, bool plus_as_space) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_as_space) {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 &&
               hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

namespace {

// Tags inside a line of text: no word break where they open or close ("Lake
// <em>Turkana</em>, May" reads "Lake Turkana, May").
bool inline_tag(std::string_view tag) {
  if (tag.starts_with("/")) tag.remove_prefix(1);
  std::size_t end = 0;
  while (end < tag.size() && std::isalnum(static_cast<unsigned char>(tag[end]))) ++end;
  std::string name;
  for (char ch : tag.substr(0, end)) name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static const std::string_view kInline[] = {"a",    "abbr", "b",     "bdi", "bdo", "cite", "code",
                                             "data", "dfn",  "em",    "i",   "kbd", "mark", "q",
                                             "s",    "samp", "small", "span", "strong", "sub",
                                             "sup",  "time", "u",     "var"};
  for (auto n : kInline) {
    if (name == n) return true;
  }
  return false;
}

}  // namespace

std::string strip_tags(std::string_view html) {
  std::string out;
  bool in_tag = false;
  bool space = false;
  std::size_t tag_start = 0;
  for (std::size_t i = 0; i < html.size(); ++i) {
    char c = html[i];
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        if (!inline_tag(html.substr(tag_start, i - tag_start))) space = true;
      }
      continue;
    }
    if (c == '<') {
      in_tag = true;
      tag_start = i + 1;
      continue;
    }
    if (c == '&') {
      // Decode the few entities our own escaper produces.
      static const std::pair<std::string_view, char> ents[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
      bool done = false;
      for (auto& [e, ch] : ents) {
        if (html.substr(i, e.size()) == e) {
          if (space && !out.empty()) out += ' ';
          space = false;
          out += ch;
          i += e.size() - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string truncate_words(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  std::size_t cut = text.rfind(' ', max_chars);
  if (cut == std::string_view::npos || cut < max_chars / 2) cut = max_chars;
  // Never cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == ';')) {
    out.pop_back();
  }
  return out + "…";
}

namespace {
bool formula_start(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }
}  // namespace

std::string csv_field(std::string_view value) {
  std::string cell;
  if (!value.empty() && formula_start(value[0])) cell += '\'';
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_undefuse(std::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' && formula_start(cell[1])) cell.remove_prefix(1);
  return std::string(cell);
}

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (Unicode 15, table 3-7: no overlong
// forms, no surrogates U+D800..U+DFFF, nothing above U+10FFFF, no stray continuation
// bytes), or 0 when there is none.
std::size_t utf8_length_at(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t extra;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    extra = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    extra = 2;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    extra = 3;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // C0, C1 (overlong), F5..FF, or a continuation byte
  }
  if (s.size() - i <= extra) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return extra + 1;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_length_at(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_length_at(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for each byte that starts no sequence
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace core
