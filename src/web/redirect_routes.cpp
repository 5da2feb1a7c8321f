#include "web/redirect_routes.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace web {

using json = nlohmann::json;

void RedirectRoutes::add_routes(Router& router) {
  router.add(Route{"GET", "/admin/redirects", Audience::kEditor,
                   [this](Request& r) { return page(r, 200, "", "", ""); }, false, {}});
  router.add(Route{"POST", "/admin/redirects", Audience::kEditor,
                   [this](Request& r) { return add(r); }, false, {}});
  router.add(Route{"POST", "/admin/redirects/remove", Audience::kEditor,
                   [this](Request& r) { return remove(r); }, false, {}});
}

std::optional<Response> RedirectRoutes::moved(const Request& req, bool missing) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  auto to = redirects_.find(req.raw_target, req.content_version, missing);
  if (!to) return std::nullopt;
  Response res;
  res.status = 301;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "Moved to " + *to + "\n";
  res.set_header("Location", *to);
  // Browsers keep a 301 for good: an hour, so a corrected redirect takes over soon.
  res.set_header("Cache-Control", "public, max-age=3600");
  return res;
}

Response RedirectRoutes::page(Request& req, int status, const std::string& error,
                              const std::string& from, const std::string& to) {
  json view = d_.kit.admin_view(req, "Redirects", "redirects");
  json rows = json::array();
  for (const auto& r : redirects_.list()) {
    rows.push_back({{"from", r.from},
                    {"to", r.to},
                    {"origin", r.origin},
                    {"created", core::format_display_datetime(r.created_at, d_.config.timezone)}});
  }
  view["redirects"] = rows;
  view["count"] = std::to_string(rows.size()) + (rows.size() == 1 ? " redirect" : " redirects");
  view["from"] = from;
  view["to"] = to;
  if (!error.empty()) view["error"] = error;
  return d_.kit.render_admin("admin_redirects", view, status);
}

Response RedirectRoutes::add(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::string from = req.form_value("from"), to = req.form_value("to");
  auto done = redirects_.add(from, to, "admin", d_.clock.now());
  // What was typed stays in the form beside the reason.
  if (!done) return page(req, status_for(done.error()), done.error().message, from, to);
  return d_.kit.redirect("/admin/redirects");
}

Response RedirectRoutes::remove(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto done = redirects_.remove(req.form_value("from"));
  if (!done) return page(req, status_for(done.error()), done.error().message, "", "");
  return d_.kit.redirect("/admin/redirects");
}

}  // namespace web
