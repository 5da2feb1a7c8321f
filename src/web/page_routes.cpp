#include "web/page_routes.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"

namespace web {

using json = nlohmann::json;

namespace {

std::optional<long long> page_id(const Request& req) { return positive_id(req.param("id")); }

pages::PageInput input_of(const store::StaticPage& p, const std::vector<store::StaticPage>& all) {
  pages::PageInput in;
  in.title = p.title;
  in.slug = p.slug;
  for (const auto& q : all) {
    if (q.id == p.parent_id) in.parent = q.slug;
  }
  in.description = p.description;
  in.body_md = p.body_md;
  in.published = p.published;
  in.footer = p.footer;
  return in;
}

}  // namespace

void PageRoutes::add_routes(Router& router) {
  auto get = [&](std::string pattern, Handler h) {
    router.add(Route{"GET", std::move(pattern), Audience::kPublic, std::move(h), true, {}});
  };
  get("/pages/{slug}", [this](Request& r) { return show(r); });
  get("/pages/{slug}/{child}", [this](Request& r) { return show(r); });
  auto staff = [&](const char* method, std::string pattern, Handler h) {
    router.add(Route{method, std::move(pattern), Audience::kEditor, std::move(h), false, {}});
  };
  staff("GET", "/admin/pages", [this](Request& r) { return list(r); });
  staff("GET", "/admin/pages/new",
        [this](Request& r) { return editor(r, 200, 0, pages::PageInput{}, ""); });
  staff("POST", "/admin/pages", [this](Request& r) { return save(r); });
  staff("GET", "/admin/pages/{id}", [this](Request& r) { return edit(r); });
  staff("POST", "/admin/pages/{id}", [this](Request& r) { return save(r); });
  staff("GET", "/admin/pages/{id}/preview", [this](Request& r) { return preview(r); });
  staff("POST", "/admin/pages/{id}/delete", [this](Request& r) { return remove(r); });
}

Response PageRoutes::show(Request& req) {
  auto found = pages_.find(req.param("slug"), req.param("child"), req.content_version);
  if (!found) {
    return d_.kit.error_page(404, "Page not found",
                             "We could not find that page. It may have moved, or the address "
                             "may be mistyped.");
  }
  // A page under a parent has one address: its own.
  if (found->path != req.path) {
    Response res;
    res.status = 301;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "Moved to " + found->path + "\n";
    res.set_header("Location", found->path);
    return res;
  }
  return render(req, found->page, found->path, false);
}

Response PageRoutes::preview(Request& req) {
  auto id = page_id(req);
  auto page = id ? pages_.get(*id) : std::nullopt;
  if (!page) return d_.kit.admin_error(req, 404, "There is no such page.");
  Response res = render(req, *page, pages::path_of(*page, pages_.list()), !page->published);
  res.set_header("Cache-Control", "no-store");
  return res;
}

Response PageRoutes::render(Request& req, const store::StaticPage& page, const std::string& path,
                            bool draft) {
  json view;
  view["site"] = d_.kit.site_view(path, &req);
  view["page"] = d_.kit.page_meta(page.title + " · " + d_.config.site_name, page.description, path);
  if (draft) view["page"]["noindex"] = true;
  view["title"] = page.title;
  view["body"] = page.body_html;
  view["draft"] = draft;
  view["updated"] = core::format_long_date(page.updated_at, d_.config.timezone);
  json children = json::array();
  for (const auto& child : pages_.published(req.content_version)) {
    if (child.page.parent_id == page.id) {
      children.push_back({{"title", child.page.title}, {"url", child.path}});
    }
    if (child.page.id == page.parent_id) {
      view["parent"] = {{"title", child.page.title}, {"url", child.path}};
    }
  }
  view["children"] = children;
  view["has_children"] = !children.empty();
  return d_.kit.render_page("static_page", view, 200);
}

Response PageRoutes::list(Request& req) {
  json view = d_.kit.admin_view(req, "Pages", "pages");
  auto all = pages_.list();
  json rows = json::array();
  for (const auto& p : all) {
    rows.push_back({{"id", p.id},
                    {"title", p.title},
                    {"path", pages::path_of(p, all)},
                    {"published", p.published},
                    {"footer", p.footer > 0 ? std::to_string(p.footer) : std::string()},
                    {"updated", core::format_display_datetime(p.updated_at, d_.config.timezone)}});
  }
  view["pages"] = rows;
  if (req.query_value("deleted") == "1") view["flash"] = "Page deleted.";
  view["count"] = std::to_string(rows.size()) + (rows.size() == 1 ? " page" : " pages");
  return d_.kit.render_admin("admin_pages", view, 200);
}

Response PageRoutes::editor(Request& req, int status, long long id, const pages::PageInput& in,
                            const std::string& error) {
  json view = d_.kit.admin_view(req, id ? "Edit page" : "New page", "pages");
  auto all = pages_.list();
  view["id"] = id ? json(id) : json(false);
  view["action"] = id ? "/admin/pages/" + std::to_string(id) : std::string("/admin/pages");
  json parents = json::array();
  for (const auto& p : all) {
    if (p.id == id) continue;
    parents.push_back({{"slug", p.slug}, {"title", p.title}, {"selected", p.slug == in.parent}});
  }
  view["parents"] = parents;
  view["d"] = {{"title", in.title},
               {"slug", in.slug},
               {"description", in.description},
               {"body", in.body_md},
               {"published", in.published},
               {"footer", in.footer > 0 ? std::to_string(in.footer) : std::string()}};
  for (const auto& p : all) {
    if (p.id == id && id != 0) {
      view["path"] = pages::path_of(p, all);
      view["live"] = p.published;
    }
  }
  if (!error.empty()) view["error"] = error;
  if (error.empty() && req.query_value("saved") == "1") view["flash"] = "Page saved.";
  return d_.kit.render_admin("admin_page_editor", view, status);
}

Response PageRoutes::edit(Request& req) {
  auto id = page_id(req);
  auto all = pages_.list();
  for (const auto& p : all) {
    if (id && p.id == *id) return editor(req, 200, p.id, input_of(p, all), "");
  }
  return d_.kit.admin_error(req, 404, "There is no such page.");
}

Response PageRoutes::save(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  long long id = 0;
  if (!req.param("id").empty()) {
    auto given = page_id(req);
    if (!given) return d_.kit.admin_error(req, 404, "There is no such page.");
    id = *given;
    auto all = pages_.list();  // a page in the bin is not among them
    if (std::none_of(all.begin(), all.end(), [&](const store::StaticPage& p) { return p.id == id; })) {
      return d_.kit.admin_error(req, 404, "There is no such page (or it is in the bin: restore it there).");
    }
  }
  pages::PageInput in;
  in.title = req.form_value("title");
  in.slug = req.form_value("slug");
  in.parent = req.form_value("parent");
  in.description = req.form_value("description");
  in.body_md = req.form_value("body");
  in.published = req.form_value("status") == "published";
  std::string footer = core::trim(req.form_value("footer"));
  if (!footer.empty()) {
    auto [end, ec] = std::from_chars(footer.data(), footer.data() + footer.size(), in.footer);
    if (ec != std::errc() || end != footer.data() + footer.size()) in.footer = -1;
  }
  auto saved = pages_.save(id, in, d_.clock.now());
  // What was typed stays in the form beside the reason.
  if (!saved) return editor(req, status_for(saved.error()), id, in, saved.error().message);
  return d_.kit.redirect("/admin/pages/" + std::to_string(*saved) + "?saved=1");
}

Response PageRoutes::remove(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = page_id(req);
  if (!id) return d_.kit.admin_error(req, 404, "There is no such page.");
  if (req.form_value("confirm") != "yes") {
    return d_.kit.admin_error(req, 400, "Tick “Yes, delete this page” to delete it.");
  }
  // To the bin: restorable for 30 days (web/bin_routes).
  auto done = pages_.bin(*id, d_.clock.now());
  if (!done) return d_.kit.admin_error(req, status_for(done.error()), done.error().message);
  return d_.kit.redirect("/admin/bin?notice=binned");
}

}  // namespace web
