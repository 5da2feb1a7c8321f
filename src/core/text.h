// Small text helpers shared by every capability: escaping, slugs, trimming.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace core {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view s);
// Escapes for XML 1.0 text/attributes and drops characters XML forbids.
std::string xml_escape(std::string_view s);
// Lower-case ASCII slug: letters and digits joined by single hyphens.
// Common Latin-1 accented letters are folded to ASCII ("Côte d'Ivoire" -> "cote-divoire").
std::string slugify(std::string_view s);
bool is_valid_slug(std::string_view s);
std::string trim(std::string_view s);
std::string to_lower(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string url_encode(std::string_view s);
// Decodes %XX; '+' becomes a space only in form/query encoding.
std::string url_decode(std::string_view s, bool plus_as_space = true);
// Removes tags from a fragment of trusted (already sanitized) HTML and collapses spaces.
std::string strip_tags(std::string_view html);
// Shortens plain text at a word boundary, adding an ellipsis when cut.
std::string truncate_words(std::string_view text, std::size_t max_chars);
bool valid_utf8(std::string_view s);
// `s` with each byte that starts no well-formed UTF-8 sequence replaced by U+FFFD.
std::string repair_utf8(std::string_view s);
// One CSV cell (RFC 4180 quoting), defused for spreadsheets (OWASP's rule against formula
// injection): a value starting with = + - @ tab or CR gets a leading "'". Every CSV the
// project writes goes through it.
std::string csv_field(std::string_view value);
// The value csv_field defused, back: a leading "'" before one of those characters goes.
std::string csv_undefuse(std::string_view cell);

}  // namespace core
