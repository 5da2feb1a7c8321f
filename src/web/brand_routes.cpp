#include "web/brand_routes.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "content/article.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/text.h"
#include "media/images.h"

namespace web {

void BrandRoutes::add_routes(Router& router) {
  router.add(Route{"POST", "/admin/settings/logo", Audience::kAdmin,
                   [this](Request& r) { return logo(r); }, false, {}});
  router.add(Route{"POST", "/admin/settings/ads", Audience::kAdmin,
                   [this](Request& r) { return add_ad(r); }, false, {}});
}

Response BrandRoutes::logo(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::string name;
  if (req.form_value("remove") != "1") {
    auto file = req.files.find("logo");
    if (file == req.files.end() || file->second.empty()) {
      return d_.kit.admin_error(req, 400, "Logo: choose a file to upload.");
    }
    if (file->second.size() > kMaxLogoBytes) {
      return d_.kit.admin_error(req, 400, "Logo: the file is larger than 2 MB.");
    }
    auto png = media::fit(file->second, 600, 96, "png");
    if (!png) {
      return d_.kit.admin_error(req, 400, "Logo: " + png.error().message +
                                              " (SVG, PNG, JPEG or WebP).");
    }
    std::error_code ec;
    std::filesystem::create_directories(d_.media_dir, ec);
    name = "logo-" + core::token_hash(core::random_token(16)).substr(0, 24) + ".png";
    auto path = std::filesystem::path(d_.media_dir) / name;
    {
      std::ofstream out(path, std::ios::binary);
      out.write(png->bytes.data(), static_cast<std::streamsize>(png->bytes.size()));
      if (!out) return d_.kit.admin_error(req, 503, "Logo: cannot write " + path.string() + ".");
    }
  }
  if (auto ok = d_.editorial.save_settings({{"brand.logo", name}}, d_.clock.now()); !ok) {
    return d_.kit.admin_error(req, status_for(ok.error()), ok.error().message);
  }
  if (d_.reload) d_.reload();
  return d_.kit.redirect("/admin/settings?flash=settings");
}

Response BrandRoutes::add_ad(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto file = req.files.find("image");
  if (file == req.files.end() || file->second.empty()) {
    return d_.kit.admin_error(req, 400, "House ad: choose an image to upload.");
  }
  const std::string& bytes = file->second;
  if (bytes.size() > (5u << 20)) return d_.kit.admin_error(req, 400, "House ad: the image is larger than 5 MB.");
  std::string ext = content::image_extension(bytes);
  if (ext.empty()) {
    return d_.kit.admin_error(req, 400, "House ad: only JPEG, PNG, WebP and GIF images can be uploaded.");
  }
  if (auto size = media::measure(bytes); !size) {
    return d_.kit.admin_error(req, 400, "House ad: " + size.error().message + ".");
  }
  std::string name = "ad-" + core::token_hash(core::random_token(16)).substr(0, 24) + "." + ext;
  // The link and description are checked as the settings form checks every ad.
  nlohmann::json ads = nlohmann::json::array();
  for (const auto& a : d_.config.ads) ads.push_back({{"image", a.image}, {"link", a.link}, {"alt", a.alt}});
  ads.push_back({{"image", "/media/" + name},
                 {"link", core::trim(req.form_value("link"))},
                 {"alt", core::trim(req.form_value("alt"))}});
  core::Config check = d_.config;
  if (auto ok = core::apply_settings(check, {{"ads", ads.dump()}}); !ok) {
    return d_.kit.admin_error(req, 400, ok.error().message + ". Nothing was uploaded.");
  }
  std::error_code ec;
  std::filesystem::create_directories(d_.media_dir, ec);
  {
    std::ofstream out(std::filesystem::path(d_.media_dir) / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return d_.kit.admin_error(req, 503, "House ad: cannot write the image.");
  }
  if (auto ok = d_.editorial.save_settings({{"ads", ads.dump()}}, d_.clock.now()); !ok) {
    return d_.kit.admin_error(req, status_for(ok.error()), ok.error().message);
  }
  if (d_.reload) d_.reload();
  return d_.kit.redirect("/admin/settings?flash=settings");
}

}  // namespace web
