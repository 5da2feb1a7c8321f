#include "importers/jsonl.h"

#include <algorithm>
#include <tuple>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"

namespace importers {

using content::ArticleInput;
using core::ErrorCode;
using core::fail;
using nlohmann::json;

namespace {

// JSON nesting deeper than this is refused before parsing (an article is one flat object
// with lists of names).
constexpr int kMaxDepth = 8;
constexpr std::size_t kMaxLineBytes = content::kMaxBodyBytes * 2 + (1u << 20);

core::Result<void> check_text(const std::string& value, const char* key, std::size_t max_bytes) {
  if (value.size() > max_bytes) {
    return fail(ErrorCode::kInvalidInput, std::string("field '") + key + "' is " +
                                              std::to_string(value.size()) +
                                              " bytes; the limit is " + std::to_string(max_bytes));
  }
  if (value.find('\0') != std::string::npos) {
    return fail(ErrorCode::kInvalidInput,
                std::string("field '") + key + "' contains a NUL character");
  }
  return {};
}

core::Result<std::string> get_string(const json& obj, const char* key, bool required,
                                     std::size_t max_bytes) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return fail(ErrorCode::kInvalidInput, std::string("missing field '") + key + "'");
    return std::string();
  }
  if (!it->is_string()) {
    return fail(ErrorCode::kInvalidInput, std::string("field '") + key + "' must be a string");
  }
  auto value = it->get<std::string>();
  if (auto ok = check_text(value, key, max_bytes); !ok) return std::unexpected(ok.error());
  return value;
}

// The deepest nesting of arrays and objects in a JSON text, outside strings.
int json_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  return deepest;
}

core::Result<std::vector<std::string>> get_names(const json& obj, const char* key) {
  std::vector<std::string> names;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return names;
  if (it->is_string()) {  // be lenient: a single name
    names.push_back(core::trim(it->get<std::string>()));
  } else if (it->is_array()) {
    if (it->size() > content::kMaxNames) {
      return fail(ErrorCode::kInvalidInput, std::string("field '") + key + "' has " +
                                                std::to_string(it->size()) +
                                                " names; the limit is " +
                                                std::to_string(content::kMaxNames));
    }
    for (const auto& v : *it) {
      if (!v.is_string()) {
        return fail(ErrorCode::kInvalidInput,
                    std::string("field '") + key + "' must be a list of names (strings)");
      }
      names.push_back(core::trim(v.get<std::string>()));
    }
  } else {
    return fail(ErrorCode::kInvalidInput,
                std::string("field '") + key + "' must be a list of names (strings)");
  }
  std::vector<std::string> out;
  for (auto& n : names) {
    if (auto ok = check_text(n, key, content::kMaxNameBytes); !ok) return std::unexpected(ok.error());
    if (n.empty()) {
      return fail(ErrorCode::kInvalidInput, std::string("field '") + key + "' has an empty name");
    }
    if (core::slugify(n).empty()) {
      return fail(ErrorCode::kInvalidInput, std::string("field '") + key + "': name '" + n +
                                                "' has no letters or digits");
    }
    bool dup = false;
    for (auto& o : out) dup = dup || core::slugify(o) == core::slugify(n);
    if (!dup) out.push_back(std::move(n));
  }
  return out;
}

core::Result<std::optional<core::UnixTime>> get_time(const json& obj, const char* key) {
  auto s = get_string(obj, key, false, 64);
  if (!s) return std::unexpected(s.error());
  if (s->empty()) return std::optional<core::UnixTime>();
  auto t = core::parse_rfc3339(*s);
  if (!t) {
    return fail(ErrorCode::kInvalidInput, std::string("field '") + key +
                                              "' is not an RFC 3339 time: '" + *s +
                                              "' (expected e.g. 2025-03-01T09:30:00Z)");
  }
  return std::optional<core::UnixTime>(*t);
}

}  // namespace

core::Result<ArticleInput> parse_article_line(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return fail(ErrorCode::kInvalidInput, "the line is " + std::to_string(line.size()) +
                                              " bytes; the limit is " +
                                              std::to_string(kMaxLineBytes));
  }
  if (json_depth(line) > kMaxDepth) {
    return fail(ErrorCode::kInvalidInput, "JSON nested more than " + std::to_string(kMaxDepth) +
                                              " levels deep (an article is one object)");
  }
  json obj;
  try {
    obj = json::parse(line);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for huge numbers
    std::string what = e.what();
    auto pos = what.find("parse error");
    return fail(ErrorCode::kInvalidInput,
                "not valid JSON (" + (pos == std::string::npos ? what : what.substr(pos)) + ")");
  }
  if (!obj.is_object()) return fail(ErrorCode::kInvalidInput, "expected a JSON object");

  ArticleInput a;
  auto headline = get_string(obj, "headline", true, content::kMaxHeadlineBytes);
  if (!headline) return std::unexpected(headline.error());
  a.headline = core::trim(*headline);
  if (a.headline.empty()) return fail(ErrorCode::kInvalidInput, "field 'headline' is empty");

  auto slug = get_string(obj, "slug", false, content::kMaxSlugBytes);
  if (!slug) return std::unexpected(slug.error());
  a.slug = slug->empty() ? core::slugify(a.headline) : *slug;
  if (!core::is_valid_slug(a.slug)) {
    return fail(ErrorCode::kInvalidInput,
                "field 'slug' must be lower-case letters, digits and single hyphens: '" +
                    a.slug + "'");
  }
  auto dek = get_string(obj, "dek", false, content::kMaxDekBytes);
  if (!dek) return std::unexpected(dek.error());
  a.dek = core::trim(*dek);
  auto body = get_string(obj, "body", true, content::kMaxBodyBytes);
  if (!body) return std::unexpected(body.error());
  a.body_md = *body;
  auto corrections = get_string(obj, "corrections", false, content::kMaxCorrectionsBytes);
  if (!corrections) return std::unexpected(corrections.error());
  a.corrections = core::trim(*corrections);
  auto hero = get_string(obj, "hero_image", false, 200);
  if (!hero) return std::unexpected(hero.error());
  if (!hero->empty() && !content::is_media_name(*hero)) {
    return fail(ErrorCode::kInvalidInput,
                "field 'hero_image' must be a file name in the media folder: '" + *hero + "'");
  }
  a.hero_image = *hero;
  for (auto [key, out, max] :
       {std::tuple{"hero_alt", &a.hero_alt, content::kMaxAltBytes},
        std::tuple{"hero_caption", &a.hero_caption, content::kMaxCaptionBytes},
        std::tuple{"hero_credit", &a.hero_credit, content::kMaxCreditBytes},
        std::tuple{"seo_title", &a.seo_title, content::kMaxSeoTitleBytes},
        std::tuple{"seo_description", &a.seo_description, content::kMaxDekBytes}}) {
    auto value = get_string(obj, key, false, max);
    if (!value) return std::unexpected(value.error());
    *out = core::trim(*value);
  }

  for (auto [key, out] : {std::pair{"authors", &a.authors}, std::pair{"topics", &a.topics},
                          std::pair{"countries", &a.countries}}) {
    auto names = get_names(obj, key);
    if (!names) return std::unexpected(names.error());
    *out = std::move(*names);
  }

  auto type = get_string(obj, "type", false, 64);
  if (!type) return std::unexpected(type.error());
  if (!type->empty()) {
    auto t = content::parse_article_type(*type);
    if (!t) {
      return fail(ErrorCode::kInvalidInput, "field 'type' must be one of analysis, feature, "
                                            "briefing, review; got '" + *type + "'");
    }
    a.type = *t;
  }
  auto access = get_string(obj, "access", false, 64);
  if (!access) return std::unexpected(access.error());
  if (!access->empty()) {
    auto ac = content::parse_access_class(*access);
    if (!ac) {
      return fail(ErrorCode::kInvalidInput,
                  "field 'access' must be one of free, metered, premium; got '" + *access + "'");
    }
    a.access = *ac;
  }
  auto status = get_string(obj, "status", false, 64);
  if (!status) return std::unexpected(status.error());
  if (!status->empty()) {
    auto st = content::parse_status(*status);
    if (!st) {
      return fail(ErrorCode::kInvalidInput,
                  "field 'status' must be one of draft, scheduled, published; got '" + *status +
                      "'");
    }
    a.status = *st;
  }
  auto published = get_time(obj, "published_at");
  if (!published) return std::unexpected(published.error());
  a.published_at = *published;
  auto updated = get_time(obj, "updated_at");
  if (!updated) return std::unexpected(updated.error());
  a.updated_at = *updated;
  if (a.status != content::Status::kDraft && !a.published_at) {
    return fail(ErrorCode::kInvalidInput,
                "missing field 'published_at' (required unless status is draft)");
  }
  if (auto it = obj.find("featured"); it != obj.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return fail(ErrorCode::kInvalidInput, "field 'featured' must be true or false");
    }
    a.featured = it->get<bool>();
  }
  return a;
}

core::Result<ParsedFile> parse_jsonl(std::string_view text) {
  ParsedFile file;
  std::size_t pos = 0;
  int line_no = 0;
  if (!core::valid_utf8(text)) {
    // Find the line for a useful message.
    int n = 1;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == '\n') {
        if (!core::valid_utf8(text.substr(start, i - start))) {
          return fail(ErrorCode::kInvalidInput,
                      "line " + std::to_string(n) + ": not valid UTF-8 text");
        }
        start = i + 1;
        ++n;
      }
    }
  }
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (core::trim(line).empty()) continue;
    auto a = parse_article_line(line);
    if (!a) {
      return fail(ErrorCode::kInvalidInput,
                  "line " + std::to_string(line_no) + ": " + a.error().message);
    }
    file.articles.push_back(std::move(*a));
  }
  return file;
}

std::string to_jsonl_line(const ArticleInput& a) {
  json obj = json::object();
  obj["slug"] = a.slug;
  obj["headline"] = a.headline;
  obj["dek"] = a.dek;
  obj["body"] = a.body_md;
  obj["authors"] = a.authors;
  obj["topics"] = a.topics;
  obj["countries"] = a.countries;
  obj["type"] = std::string(content::to_string(a.type));
  obj["access"] = std::string(content::to_string(a.access));
  obj["status"] = std::string(content::to_string(a.status));
  if (a.published_at) obj["published_at"] = core::format_rfc3339(*a.published_at);
  if (a.updated_at) obj["updated_at"] = core::format_rfc3339(*a.updated_at);
  if (!a.corrections.empty()) obj["corrections"] = a.corrections;
  if (a.featured) obj["featured"] = true;
  if (!a.hero_image.empty()) obj["hero_image"] = a.hero_image;
  for (auto [key, value] : {std::pair{"hero_alt", &a.hero_alt}, std::pair{"hero_caption", &a.hero_caption},
                            std::pair{"hero_credit", &a.hero_credit}, std::pair{"seo_title", &a.seo_title},
                            std::pair{"seo_description", &a.seo_description}}) {
    if (!value->empty()) obj[key] = *value;
  }
  return obj.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace importers
