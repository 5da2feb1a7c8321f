// The articles' bin in the back office (editors): "Delete" on an article's editor moves it
// to the bin — a draft seen nowhere (site, search, feeds, sitemaps, newsletters, caches all
// follow the content version) — where it can be restored to the status it had for 30
// days; after that, or at once on request, it is deleted for good.
//   POST /admin/articles/{id}/delete   (confirm=delete)
//   GET  /admin/bin
//   POST /admin/bin/{id}/restore
//   POST /admin/bin/{id}/purge         (confirm=delete)
// and static pages likewise ("Delete" on a page's editor moves it here, unpublished and out
// of the footer): POST /admin/bin/pages/{id}/restore, /admin/bin/pages/{id}/purge.
// A handler module of its own: it sees the editorial store and the site's PageKit.
// Thread-safe.
#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "store/editorial_store.h"
#include "store/page_store.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

inline constexpr core::UnixTime kBinDays = 30;

struct BinDeps {
  const core::Config& config;
  const core::Clock& clock;
  store::EditorialStore& editorial;
  store::PageStore& pages;
  PageKit& kit;
};

class BinRoutes {
 public:
  explicit BinRoutes(const BinDeps& d) : d_(d) {}
  void add_routes(Router& router);

 private:
  Response bin(Request& req);
  Response list(Request& req);
  Response restore(Request& req);
  Response purge(Request& req);
  Response restore_page(Request& req);
  Response purge_page(Request& req);
  void purge_expired();
  BinDeps d_;
};

}  // namespace web
