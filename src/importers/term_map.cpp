#include "importers/term_map.h"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "core/text.h"
#include "importers/places.h"

namespace importers {

namespace {

core::Result<TermTarget> target(std::string_view value) {
  std::string v = core::trim(value);
  TermTarget t;
  if (v == "drop") {
    t.kind = TermTarget::Kind::kDrop;
  } else if (v.starts_with("topic:")) {
    t = {TermTarget::Kind::kTopic, core::trim(v.substr(6))};
  } else if (v.starts_with("country:")) {
    t = {TermTarget::Kind::kCountry, core::trim(v.substr(8))};
  } else {
    t = {TermTarget::Kind::kTopic, v};
  }
  if (t.kind != TermTarget::Kind::kDrop && core::slugify(t.name).empty()) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "'" + v + "' is not \"drop\", a name, \"topic:NAME\" or \"country:NAME\" "
                      "(a name needs letters or digits)");
  }
  return t;
}

TermTarget find(const std::map<std::string, TermTarget>& m, std::string_view slug,
                std::string_view name) {
  for (std::string key : {std::string(slug), core::slugify(name)}) {
    auto it = m.find(core::to_lower(key));
    if (!key.empty() && it != m.end()) return it->second;
  }
  return {};
}

}  // namespace

core::Result<TermMap> TermMap::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::kNotFound, "cannot read the map file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

core::Result<TermMap> TermMap::parse(std::string_view text, const std::string& path) {
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      path + ", line " + std::to_string(e.source().begin.line) + ": " +
                          std::string(e.description()));
  }
  TermMap map;
  for (auto& [section, node] : t) {
    std::string key(section.str());
    auto* table = node.as_table();
    std::map<std::string, TermTarget>* into = key == "categories" ? &map.categories_
                                              : key == "tags"     ? &map.tags_
                                                                  : nullptr;
    if (!into || !table) {
      return core::fail(core::ErrorCode::kInvalidInput,
                        path + ", line " + std::to_string(node.source().begin.line) + ": [" + key +
                            "] is not a table this file has (it has [categories] and [tags])");
    }
    for (auto& [term, value] : *table) {
      auto line = std::to_string(value.source().begin.line);
      auto s = value.value<std::string>();
      if (!s) {
        return core::fail(core::ErrorCode::kInvalidInput,
                          path + ", line " + line + ": " + std::string(term.str()) +
                              " must be a string");
      }
      auto tt = target(*s);
      if (!tt) return core::fail(core::ErrorCode::kInvalidInput, path + ", line " + line + ": " + tt.error().message);
      // A key is a slug or a name: it is found by either.
      (*into)[core::to_lower(core::trim(term.str()))] = *tt;
      (*into)[core::slugify(term.str())] = *tt;
      map.digest_ += key + "." + std::string(term.str()) + "=" + *s + "\n";
    }
  }
  return map;
}

TermTarget TermMap::category(std::string_view slug, std::string_view name) const {
  return find(categories_, slug, name);
}

TermTarget TermMap::tag(std::string_view slug, std::string_view name) const {
  return find(tags_, slug, name);
}

TermTarget tag_target(const TermMap* map, std::string_view slug, std::string_view name) {
  TermTarget to;
  if (map) to = map->tag(slug, name);
  if (to.kind != TermTarget::Kind::kDefault) return to;
  if (auto place = known_place(name)) return {TermTarget::Kind::kCountry, *place};
  return {TermTarget::Kind::kTopic, std::string(name)};
}

std::string add_term(const TermTarget& target, std::vector<std::string>& topics,
                     std::vector<std::string>& countries) {
  std::string slug = core::slugify(target.name);
  if (target.kind == TermTarget::Kind::kDrop || target.kind == TermTarget::Kind::kDefault ||
      slug.empty()) {
    return {};
  }
  bool country = target.kind == TermTarget::Kind::kCountry;
  (country ? countries : topics).push_back(target.name);
  return (country ? "/countries/" : "/topics/") + slug;
}

}  // namespace importers
