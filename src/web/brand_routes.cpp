#include "web/brand_routes.h"

#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "media/images.h"

namespace web {

void BrandRoutes::add_routes(Router& router) {
  router.add(Route{"POST", "/admin/settings/logo", Audience::kAdmin,
                   [this](Request& r) { return logo(r); }, false, {}});
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

}  // namespace web
