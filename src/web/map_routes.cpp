#include "web/map_routes.h"

#include <nlohmann/json.hpp>

#include "core/colour.h"
#include "media/images.h"
#include "media/maps.h"

namespace web {

std::optional<MapImage> country_map(const std::vector<content::Term>& countries, const std::string& accent) {
  std::vector<std::string> names;
  for (const auto& c : countries) names.push_back(c.name);
  auto m = media::map_for(names);
  if (!m) return std::nullopt;
  std::string colour = accent.size() == 7 ? accent.substr(1) : std::string(core::kDefaultAccent.substr(1));
  return MapImage{"/maps/" + m->key + ".svg?c=" + colour, "/maps/" + m->key + ".png?c=" + colour,
                  "Map showing " + media::list_names(m->names)};
}

nlohmann::json card_picture(const content::ArticleSummary& a, const std::string& media_dir,
                            const std::string& accent, const std::string& sizes, Fetch fetch, bool maps) {
  nlohmann::json p = {{"lazy", fetch == Fetch::kLazy}, {"priority", fetch == Fetch::kFirst},
                      {"srcset", false}, {"sizes", sizes}};
  if (!a.hero_image.empty()) {
    auto list = media::variants(media_dir, a.hero_image, "jpg");
    if (!list.empty()) {
      p["src"] = "/media/" + list.front().file;
      p["srcset"] = media::srcset(list);
    } else {
      p["src"] = "/media/" + a.hero_image;
    }
    return p;
  }
  if (!maps) return false;
  if (auto m = country_map(a.countries, accent)) {
    p["src"] = m->svg;
    return p;
  }
  return false;
}

Response MapRoutes::serve(const std::string& file) {
  Response res;
  bool svg = file.ends_with(".svg"), png = file.ends_with(".png");
  std::string key = file.substr(0, file.size() - ((svg || png) ? 4 : 0));
  std::shared_ptr<Drawn> d;
  if (svg || png) {
    std::lock_guard lock(mutex_);
    if (auto it = drawn_.find(key); it != drawn_.end()) d = it->second;
  }
  if (!d && (svg || png)) {
    if (auto drawn = media::draw_map(key, core::accent_or_default(config_.brand_accent))) {
      d = std::make_shared<Drawn>();
      d->svg = std::move(*drawn);
      d->encoded = encode(d->svg, "");
      std::lock_guard lock(mutex_);
      if (drawn_.size() >= kMapsKept) drawn_.clear();
      drawn_.emplace(key, d);
    }
  }
  if (!d) {
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "No such map\n";
    return res;
  }
  if (svg) {
    res.content_type = "image/svg+xml";
    res.body = d->svg;
    res.encoded = d->encoded;
  } else {
    std::string bytes;
    {
      std::lock_guard lock(mutex_);
      bytes = d->png;
    }
    std::unique_lock<std::mutex> drawing;  // held while this request draws
    if (bytes.empty()) {
      // Drawing a PNG takes tens of milliseconds: one at a time, and a crowd of requests
      // for maps nobody has asked for yet (every country set is a valid address) waits
      // its turn or is told to come back, instead of taking every core.
      if (png_waiting_.fetch_add(1) >= kPngQueue) {
        png_waiting_.fetch_sub(1);
        res.status = 503;
        res.content_type = "text/plain; charset=utf-8";
        res.body = "Busy drawing maps; try again in a moment\n";
        res.set_header("Retry-After", "2");
        return res;
      }
      drawing = std::unique_lock(png_drawing_);
      png_waiting_.fetch_sub(1);
      {
        std::lock_guard lock(mutex_);
        bytes = d->png;  // drawn while this request waited
      }
    }
    if (bytes.empty()) {
      auto picture = media::fit(d->svg, media::kMapWidth, media::kMapHeight, "png");
      if (!picture) {
        res.status = 500;
        res.content_type = "text/plain; charset=utf-8";
        res.body = "The map could not be drawn\n";
        return res;
      }
      bytes = std::move(picture->bytes);
      std::lock_guard lock(mutex_);
      d->png = bytes;
    }
    res.content_type = "image/png";
    res.body = std::move(bytes);
  }
  // Country shapes do not change; the accent is in the address the pages give.
  res.set_header("Cache-Control", "public, max-age=604800");
  return res;
}

void MapRoutes::add_routes(Router& router) {
  router.add(Route{"GET", "/maps/{file}", Audience::kPublic,
                   [this](Request& r) { return serve(r.param("file")); }, false, {}});
}

}  // namespace web
