#include "web/icon_routes.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/colour.h"
#include "media/images.h"
#include "web/assets.h"

namespace web {

namespace {

std::string_view favicon_svg() {
  for (const auto* a = assets::kStatic; !a->name.empty(); ++a) {
    if (a->name == "favicon.svg") return a->content;
  }
  return {};
}

}  // namespace

const IconRoutes::Made& IconRoutes::made() {
  std::call_once(once_, [this] {
    // The mark in the publication's accent colour.
    std::string svg(favicon_svg());
    if (!config_.brand_accent.empty()) {
      for (auto at = svg.find("#8a1c1c"); at != std::string::npos; at = svg.find("#8a1c1c", at + 1)) {
        svg.replace(at, 7, config_.brand_accent);
      }
    }
    std::string logo;
    if (!config_.brand_logo.empty()) {
      std::ifstream in(std::filesystem::path(media_dir_) / config_.brand_logo, std::ios::binary);
      if (in) logo.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto make = [&](int px) -> core::Result<media::Picture> {
      return logo.empty() ? media::resize(svg, px, "png", px) : media::icon(logo, px, "#ffffff");
    };
    auto png = [&](int px) -> std::string {
      auto p = make(px);
      return p ? p->bytes : std::string();
    };
    std::vector<media::Picture> small;
    for (int px : {16, 32, 48}) {
      auto p = make(px);
      if (p) small.push_back(std::move(*p));
    }
    made_.touch = png(180);
    made_.icon192 = png(192);
    made_.icon512 = png(512);
    made_.ok = small.size() == 3 && !made_.touch.empty() && !made_.icon192.empty() && !made_.icon512.empty();
    if (made_.ok) {
      made_.ico = media::ico(small);
    } else {
      std::fprintf(stderr, "meridian: the icons could not be made from favicon.svg\n");
    }
  });
  return made_;
}

Response IconRoutes::file(const std::string& bytes, const std::string& type) {
  Response res;
  if (bytes.empty()) {
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "no icon\n";
    return res;
  }
  res.content_type = type;
  res.body = bytes;
  res.set_header("Cache-Control", "public, max-age=86400");
  return res;
}

void IconRoutes::add_routes(Router& router) {
  auto get = [&](std::string pattern, Handler h) {
    router.add(Route{"GET", std::move(pattern), Audience::kPublic, std::move(h), false, {}});
  };
  get("/favicon.ico", [this](Request&) { return file(made().ico, "image/x-icon"); });
  get("/apple-touch-icon.png", [this](Request&) { return file(made().touch, "image/png"); });
  get("/icon-192.png", [this](Request&) { return file(made().icon192, "image/png"); });
  get("/icon-512.png", [this](Request&) { return file(made().icon512, "image/png"); });
  get("/site.webmanifest", [this](Request&) {
    nlohmann::json m = {
        {"name", config_.site_name},
        {"short_name", config_.site_name},
        {"start_url", "/"},
        {"display", "browser"},
        {"background_color", "#fbfaf7"},
        {"theme_color", core::accent_or_default(config_.brand_accent)},
        {"icons", nlohmann::json::array({{{"src", "/icon-192.png"}, {"sizes", "192x192"}, {"type", "image/png"}},
                                         {{"src", "/icon-512.png"}, {"sizes", "512x512"}, {"type", "image/png"}}})}};
    return file(m.dump(), "application/manifest+json");
  });
}

}  // namespace web
