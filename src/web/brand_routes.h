// The publication's logo (admins, from /admin/settings): an uploaded SVG, PNG, JPEG or
// WebP is drawn by libvips into a PNG at most 600 × 96 px, kept in the media folder under
// a random name, and named by the "brand.logo" setting; the header shows it instead of
// the name, and the icons are made from it. An SVG itself is never kept or served (it
// could carry script). "Remove" goes back to the name and the mark.
//   POST /admin/settings/logo   (multipart: logo=<file>; or remove=1)
//   POST /admin/settings/ads    (multipart: image=<file>, link, alt): a new house ad whose
//        image is uploaded and checked like a hero image (JPEG, PNG, WebP or GIF, decoded,
//        up to 5 MB), appended to the ads.
// A handler module of its own. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "store/editorial_store.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

inline constexpr std::size_t kMaxLogoBytes = 2u << 20;

struct BrandDeps {
  const core::Config& config;
  const core::Clock& clock;
  store::EditorialStore& editorial;
  std::string media_dir;
  PageKit& kit;
  std::function<void()> reload;  // applies saved settings (serve); empty elsewhere
};

class BrandRoutes {
 public:
  explicit BrandRoutes(BrandDeps d) : d_(std::move(d)) {}
  void add_routes(Router& router);

 private:
  Response logo(Request& req);
  Response add_ad(Request& req);
  BrandDeps d_;
};

}  // namespace web
