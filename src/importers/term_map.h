// The `--map FILE.toml` of an import: what each category and tag of the old site becomes,
// overriding the defaults (categories → topics, tags → countries when they name a place,
// else topics). Keys are the old slug (WordPress's nicename, Ghost's tag slug) or name:
//
//   [categories]
//   uncategorized = "drop"          # not carried over
//   world-news = "World"            # a topic, renamed (two keys with one name: merged)
//   africa-desk = "country:Africa"  # a country or region
//   [tags]
//   kenya-polls = "country:Kenya"
//   long-reads = "topic:In depth"
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace importers {

struct TermTarget {
  enum class Kind { kDefault, kDrop, kTopic, kCountry } kind = Kind::kDefault;
  std::string name;
};

class TermMap {
 public:
  // Reads and checks the file: an unknown table or a value that is not "drop", a name,
  // "topic:NAME" or "country:NAME" is refused naming its line.
  static core::Result<TermMap> load(const std::string& path);
  static core::Result<TermMap> parse(std::string_view text, const std::string& path);

  // What the category or tag with this slug and name becomes (kDefault: not mapped).
  TermTarget category(std::string_view slug, std::string_view name) const;
  TermTarget tag(std::string_view slug, std::string_view name) const;
  // Changes when the file's meaning does (part of an import's digest).
  const std::string& digest() const { return digest_; }

 private:
  std::map<std::string, TermTarget> categories_, tags_;
  std::string digest_;
};

// What a tag of the old site becomes: the map's word (`map` may be null), else a country
// when it names a place Meridian knows, else a topic of that name.
TermTarget tag_target(const TermMap* map, std::string_view slug, std::string_view name);
// Puts a mapped category or tag on the article and returns the page it lives at here
// (/topics/x, /countries/x); "" when it is dropped or has no letters or digits to name it.
std::string add_term(const TermTarget& target, std::vector<std::string>& topics,
                     std::vector<std::string>& countries);

}  // namespace importers
