// Static pages (pages/pages.h) on the reading site — /pages/{slug} and
// /pages/{parent}/{slug} — and in the back office (/admin/pages: the list, a new page,
// edit, delete; editors). A handler module of its own: it sees the page store and the
// site's PageKit. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "pages/pages.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

struct PageDeps {
  store::PageStore& store;
  const core::Config& config;
  const core::Clock& clock;
  PageKit& kit;
};

class PageRoutes {
 public:
  explicit PageRoutes(const PageDeps& d) : d_(d), pages_(d.store) {}
  void add_routes(Router& router);
  // For the site's footer and sitemap.
  pages::Pages& pages() { return pages_; }

 private:
  Response show(Request& req);
  Response preview(Request& req);
  Response render(Request& req, const store::StaticPage& page, const std::string& path, bool draft);
  Response list(Request& req);
  Response editor(Request& req, int status, long long id, const pages::PageInput& in,
                  const std::string& error);
  Response edit(Request& req);
  Response save(Request& req);
  Response remove(Request& req);

  PageDeps d_;
  pages::Pages pages_;
};

}  // namespace web
