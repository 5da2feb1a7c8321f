// Redirects in the back office (/admin/redirects: the list, add or replace one, remove
// one) and on the reading site: an address the site cannot answer, or one with a query a
// redirect names exactly, is answered 301 to its new place (redirects/redirects.h). A
// handler module of its own: it sees the redirect store and the site's PageKit.
// Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "redirects/redirects.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

struct RedirectDeps {
  store::RedirectStore& store;
  const core::Config& config;
  const core::Clock& clock;
  PageKit& kit;
};

class RedirectRoutes {
 public:
  explicit RedirectRoutes(const RedirectDeps& d) : d_(d), redirects_(d.store) {}
  void add_routes(Router& router);
  // A 301 to where `req`'s address has moved, if it has. `missing`: nothing on the site
  // answers the address (else only an exact match with its query counts).
  std::optional<Response> moved(const Request& req, bool missing);

 private:
  Response page(Request& req, int status, const std::string& error, const std::string& from,
                const std::string& to);
  Response add(Request& req);
  Response remove(Request& req);

  RedirectDeps d_;
  redirects::Redirects redirects_;
};

}  // namespace web
