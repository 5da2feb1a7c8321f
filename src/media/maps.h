// Country maps drawn by the site itself: the countries an article is about, filled in the
// accent colour on a regional map, from Natural Earth's 1:50m country shapes (public
// domain; npm world-atlas, compiled into the binary). An article without a picture of its
// own gets one for its page, its cards and its social previews.
//
// A map is named by its key: the Natural Earth names of its countries, slugged, sorted and
// joined by "_" ("ethiopia_kenya"). Pure apart from the one-time parse of the shapes;
// safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace media {

// The size every map is drawn at: the 1.91:1 of social previews.
inline constexpr int kMapWidth = 1200;
inline constexpr int kMapHeight = 630;
// A map shows at most this many countries (more says little).
inline constexpr std::size_t kMapMaxCountries = 6;

struct MapKey {
  std::string key;                 // "ethiopia_kenya"
  std::vector<std::string> names;  // as the publication wrote them, in its order
};

// The map for these country names (as a publication writes them: "Côte d'Ivoire",
// "United States", "DR Congo" …); nullopt when none is a country Natural Earth draws.
// Names it does not know are left out of the map.
std::optional<MapKey> map_for(const std::vector<std::string>& country_names);

// The SVG for a key map_for made; nullopt for a key that names an unknown country, repeats
// one, is out of order or names too many. `accent` is "#rrggbb".
std::optional<std::string> draw_map(std::string_view key, std::string_view accent);

// "Kenya", "Kenya and Ethiopia", "Kenya, Ethiopia and Sudan".
std::string list_names(const std::vector<std::string>& names);

}  // namespace media
