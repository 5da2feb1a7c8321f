#include "web/author_routes.h"

#include <nlohmann/json.hpp>

#include "core/text.h"

namespace web {

using json = nlohmann::json;

void AuthorRoutes::add_routes(Router& router) {
  router.add(Route{"GET", "/admin/authors", Audience::kEditor,
                   [this](Request& r) { return list(r, 200, ""); }, false, {}});
  router.add(Route{"POST", "/admin/authors/{slug}", Audience::kEditor,
                   [this](Request& r) { return save(r); }, false, {}});
}

Response AuthorRoutes::list(Request& req, int status, const std::string& error) {
  json view = d_.kit.admin_view(req, "Authors", "authors");
  json rows = json::array();
  for (const auto& t : d_.editorial.terms(content::TermKind::kAuthor)) {
    rows.push_back({{"slug", t.term.slug},
                    {"name", t.term.name},
                    {"count", std::to_string(t.articles) + (t.articles == 1 ? " article" : " articles")},
                    {"bio", d_.content.term_bio(content::TermKind::kAuthor, t.term.slug)}});
  }
  view["authors"] = rows;
  if (!error.empty()) view["error"] = error;
  if (req.query_value("saved") == "1") view["flash"] = "Biography saved.";
  return d_.kit.render_admin("admin_authors", view, status);
}

Response AuthorRoutes::save(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::string bio = core::trim(req.form_value("bio"));
  if (bio.size() > kMaxBioBytes) return list(req, 400, "A biography may be at most 2,000 characters long.");
  if (!core::valid_utf8(bio)) return list(req, 400, "The biography is not valid text.");
  std::string slug = req.param("slug");
  auto saved = d_.editorial.set_term_bio(content::TermKind::kAuthor, slug, bio);
  if (!saved) return list(req, status_for(saved.error()), saved.error().message);
  return d_.kit.redirect("/admin/authors?saved=1#author-" + slug);
}

}  // namespace web
