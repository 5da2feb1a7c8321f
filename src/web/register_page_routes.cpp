#include "web/register_page_routes.h"

#include <nlohmann/json.hpp>

#include "accounts/member.h"
#include "accounts/service.h"

namespace web {

void RegisterPageRoutes::add_routes(Router& router) {
  router.add(Route{"GET", "/register", Audience::kPublic, [this](Request& r) { return page(r); },
                   false, {}});
}

Response RegisterPageRoutes::page(Request& req) {
  if (req.visitor.member) return d_.kit.redirect("/account");
  nlohmann::json view;
  view["site"] = d_.kit.site_view("/register", &req);
  view["page"] = d_.kit.page_meta("Register · " + d_.config.site_name,
                                  "Register free: choose articles to read every month.", "/register");
  view["page"]["noindex"] = true;
  std::string email = req.query_value("email");
  view["email"] = accounts::plausible_email(email) ? email : std::string();
  view["next"] = accounts::safe_next(req.query_value("next"));
  view["credits_total"] = std::to_string(d_.config.monthly_credits);
  Response res = d_.kit.render_page("register", view, 200);
  res.set_header("Cache-Control", "no-store");
  return res;
}

}  // namespace web
