#include "web/bin_routes.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace web {

using json = nlohmann::json;

void BinRoutes::add_routes(Router& router) {
  router.add(Route{"POST", "/admin/articles/{id}/delete", Audience::kEditor,
                   [this](Request& r) { return bin(r); }, false, {}});
  router.add(Route{"GET", "/admin/bin", Audience::kEditor, [this](Request& r) { return list(r); },
                   false, {}});
  router.add(Route{"POST", "/admin/bin/{id}/restore", Audience::kEditor,
                   [this](Request& r) { return restore(r); }, false, {}});
  router.add(Route{"POST", "/admin/bin/{id}/purge", Audience::kEditor,
                   [this](Request& r) { return purge(r); }, false, {}});
  router.add(Route{"POST", "/admin/bin/pages/{id}/restore", Audience::kEditor,
                   [this](Request& r) { return restore_page(r); }, false, {}});
  router.add(Route{"POST", "/admin/bin/pages/{id}/purge", Audience::kEditor,
                   [this](Request& r) { return purge_page(r); }, false, {}});
}

void BinRoutes::purge_expired() {
  core::UnixTime cutoff = d_.clock.now() - kBinDays * 86400;
  (void)d_.editorial.purge_bin(cutoff);
  for (const auto& p : d_.pages.pages()) {
    if (p.binned_at != 0 && p.binned_at < cutoff) (void)d_.pages.remove_page(p.id);
  }
}

Response BinRoutes::bin(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  if (!id) return d_.kit.admin_error(req, 404, "There is no such article.");
  if (req.form_value("confirm") != "delete") {
    return d_.kit.admin_error(req, 400,
                              "Tick \u201cMove this article to the bin\u201d to delete it. Nothing "
                              "was changed.");
  }
  auto done = d_.editorial.bin_article(*id, req.visitor.member->id, d_.clock.now());
  if (!done) return d_.kit.admin_error(req, status_for(done.error()), done.error().message);
  purge_expired();
  return d_.kit.redirect("/admin/bin?notice=binned");
}

Response BinRoutes::list(Request& req) {
  purge_expired();
  json view = d_.kit.admin_view(req, "Bin", "articles");
  json rows = json::array();
  for (const auto& b : d_.editorial.binned()) {
    rows.push_back({{"id", std::to_string(b.id)},
                    {"headline", b.headline},
                    {"slug", b.slug},
                    {"was", std::string(content::to_string(b.status_before))},
                    {"when", core::format_display_datetime(b.binned_at, d_.config.timezone)},
                    {"until", core::format_long_date(b.binned_at + kBinDays * 86400, d_.config.timezone)},
                    {"by", b.binned_by}});
  }
  view["items"] = rows;
  json pages = json::array();
  for (const auto& p : d_.pages.pages()) {
    if (p.binned_at == 0) continue;
    pages.push_back({{"id", std::to_string(p.id)},
                     {"title", p.title},
                     {"slug", p.slug},
                     {"when", core::format_display_datetime(p.binned_at, d_.config.timezone)},
                     {"until", core::format_long_date(p.binned_at + kBinDays * 86400, d_.config.timezone)}});
  }
  view["pages"] = pages;
  view["has_pages"] = !pages.empty();
  view["has_items"] = !rows.empty();
  view["empty"] = rows.empty() && pages.empty();
  std::string notice = req.query_value("notice");
  if (notice == "binned") view["notice"] = "Moved to the bin: readers no longer see it anywhere.";
  if (notice == "restored") view["notice"] = "Restored: it is back as it was.";
  if (notice == "purged") view["notice"] = "Deleted for good.";
  return d_.kit.render_admin("admin_bin", view, 200);
}

Response BinRoutes::restore(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  if (!id) return d_.kit.admin_error(req, 404, "This article is not in the bin.");
  auto done = d_.editorial.restore_binned(*id);
  if (!done) return d_.kit.admin_error(req, status_for(done.error()), done.error().message);
  return d_.kit.redirect("/admin/bin?notice=restored");
}

Response BinRoutes::purge(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  if (!id || !d_.editorial.is_binned(*id)) return d_.kit.admin_error(req, 404, "This article is not in the bin.");
  if (req.form_value("confirm") != "delete") {
    return d_.kit.admin_error(req, 400, "Tick \u201cDelete for good\u201d to delete it. Nothing was changed.");
  }
  auto done = d_.editorial.purge_bin(d_.clock.now() + 1, *id);
  if (!done) return d_.kit.admin_error(req, status_for(done.error()), done.error().message);
  return d_.kit.redirect("/admin/bin?notice=purged");
}

Response BinRoutes::restore_page(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  if (!id) return d_.kit.admin_error(req, 404, "This page is not in the bin.");
  auto done = d_.pages.restore_page(*id);
  if (!done) return d_.kit.admin_error(req, status_for(done.error()), done.error().message);
  return d_.kit.redirect("/admin/bin?notice=restored");
}

Response BinRoutes::purge_page(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  bool binned = false;
  for (const auto& p : d_.pages.pages()) binned = binned || (id && p.id == *id && p.binned_at != 0);
  if (!binned) return d_.kit.admin_error(req, 404, "This page is not in the bin.");
  if (req.form_value("confirm") != "delete") {
    return d_.kit.admin_error(req, 400, "Tick \u201cDelete for good\u201d to delete it. Nothing was changed.");
  }
  auto done = d_.pages.remove_page(*id);
  if (!done) return d_.kit.admin_error(req, status_for(done.error()), done.error().message);
  return d_.kit.redirect("/admin/bin?notice=purged");
}

}  // namespace web
