// The publication's icons, made once with libvips on first request and kept — from the
// uploaded logo when there is one (brand.logo, centred on white), else from
// static/favicon.svg in the accent colour: /favicon.ico (16, 32 and 48 px PNGs in an ICO, for browsers, feed
// readers and bookmarks that ask for it whatever the page names), /apple-touch-icon.png
// (180 px), /icon-192.png and /icon-512.png, and /site.webmanifest naming them. A handler
// module of its own. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "core/config.h"
#include "web/router.h"

namespace web {

class IconRoutes {
 public:
  IconRoutes(const core::Config& config, std::string media_dir)
      : config_(config), media_dir_(std::move(media_dir)) {}
  void add_routes(Router& router);

 private:
  struct Made {
    std::string ico, touch, icon192, icon512;
    bool ok = false;
  };
  const Made& made();
  Response file(const std::string& bytes, const std::string& type);
  const core::Config& config_;
  std::string media_dir_;
  std::once_flag once_;
  Made made_;
};

}  // namespace web
