// Country maps as pictures: /maps/{key}.svg for pages and cards, /maps/{key}.png (1200 ×
// 630, drawn from the SVG by libvips) for social previews — media::draw_map in the
// publication's accent colour, each made once and kept (at most kMapsKept of them). The
// view models ask country_map for an article's map and card_picture for a card's. A handler module of its own.
// Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "content/article.h"
#include "core/config.h"
#include "web/compression.h"
#include "web/router.h"

namespace web {

struct MapImage {
  std::string svg;  // "/maps/ethiopia_kenya.svg?c=8a1c1c" (the colour: a new address when it changes)
  std::string png;  // the same as PNG
  std::string alt;  // "Map showing Kenya and Ethiopia"
};

// The map of these countries in `accent`; nullopt when none is a country the maps know.
std::optional<MapImage> country_map(const std::vector<content::Term>& countries, const std::string& accent);

// How a card's picture is fetched: first of all (the page's largest picture), as the page
// loads (on screen at once), or as it scrolls into view.
enum class Fetch { kFirst, kEager, kLazy };

// A card's picture for a view: the article's hero image (its responsive JPEG copies) or
// else its countries' map (unless `maps` is false); false when it has neither. `sizes`
// is the srcset's sizes.
nlohmann::json card_picture(const content::ArticleSummary& a, const std::string& media_dir,
                            const std::string& accent, const std::string& sizes, Fetch fetch,
                            bool maps = true);

class MapRoutes {
 public:
  explicit MapRoutes(const core::Config& config) : config_(config) {}
  void add_routes(Router& router);

  static constexpr std::size_t kMapsKept = 512;
  // PNGs are drawn one at a time; at most this many requests wait for their turn.
  static constexpr int kPngQueue = 8;

 private:
  struct Drawn {
    std::string svg;
    std::shared_ptr<const Encoded> encoded;
    std::string png;
  };
  Response serve(const std::string& file);
  const core::Config& config_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Drawn>, std::less<>> drawn_;
  std::mutex png_drawing_;
  std::atomic<int> png_waiting_{0};
};

}  // namespace web
