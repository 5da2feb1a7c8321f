// The back office's route table: every /admin route with the least role it needs.
// The site checks the role before a handler runs (site.cpp); tests walk this table
// so that a new route cannot be left unchecked.
#include "web/site.h"

namespace web {

void Site::build_admin_routes() {
  auto get = [this](std::string pattern, Audience who, Handler h) {
    router_.add(Route{"GET", std::move(pattern), who, std::move(h), false, {}});
  };
  auto post = [this](std::string pattern, Audience who, Handler h) {
    router_.add(Route{"POST", std::move(pattern), who, std::move(h), false, {}});
  };
  using A = Audience;
  get("/admin", A::kAuthor, [this](Request& r) { return admin_dashboard(r); });
  get("/admin/articles", A::kAuthor, [this](Request& r) { return admin_articles(r); });
  get("/admin/articles/new", A::kAuthor, [this](Request& r) { return admin_article_new(r); });
  post("/admin/articles", A::kAuthor, [this](Request& r) { return admin_article_save(r); });
  get("/admin/articles/{id}", A::kAuthor, [this](Request& r) { return admin_article_edit(r); });
  post("/admin/articles/{id}", A::kAuthor, [this](Request& r) { return admin_article_save(r); });
  get("/admin/articles/{id}/preview", A::kAuthor,
      [this](Request& r) { return admin_article_preview(r); });
  get("/admin/articles/{id}/revisions", A::kAuthor,
      [this](Request& r) { return admin_revisions(r); });
  post("/admin/articles/{id}/restore", A::kAuthor, [this](Request& r) { return admin_restore(r); });
  post("/admin/articles/{id}/hero", A::kAuthor, [this](Request& r) { return admin_hero_upload(r); });
  post("/admin/articles/{id}/feature", A::kEditor, [this](Request& r) { return admin_feature(r); });
  post("/admin/preview", A::kAuthor, [this](Request& r) { return admin_live_preview(r); });

  get("/admin/taxonomy", A::kEditor, [this](Request& r) { return admin_taxonomy(r); });
  post("/admin/taxonomy", A::kEditor, [this](Request& r) { return admin_taxonomy_post(r); });

  get("/admin/members", A::kAdmin, [this](Request& r) { return admin_members(r); });
  get("/admin/members/export", A::kAdmin, [this](Request& r) { return admin_members_export(r); });
  post("/admin/members/import", A::kAdmin, [this](Request& r) { return admin_members_import(r); });
  post("/admin/members/grant", A::kAdmin, [this](Request& r) { return admin_member_grant(r); });
  get("/admin/members/{id}", A::kAdmin, [this](Request& r) { return admin_member(r); });
  post("/admin/members/{id}/grant", A::kAdmin, [this](Request& r) { return admin_member_grant(r); });
  post("/admin/members/{id}/revoke", A::kAdmin, [this](Request& r) { return admin_member_revoke(r); });
  get("/admin/institutions", A::kAdmin, [this](Request& r) { return admin_institutions(r); });
  post("/admin/institutions", A::kAdmin, [this](Request& r) { return admin_institution_add(r); });
  post("/admin/institutions/{id}/remove", A::kAdmin,
       [this](Request& r) { return admin_institution_remove(r); });
  get("/admin/staff", A::kAdmin, [this](Request& r) { return admin_staff(r); });
  post("/admin/staff", A::kAdmin, [this](Request& r) { return admin_staff_set(r); });
  get("/admin/settings", A::kAdmin, [this](Request& r) { return admin_settings(r); });
  post("/admin/settings", A::kAdmin, [this](Request& r) { return admin_settings_post(r); });

  get("/admin/analytics", A::kEditor, [this](Request& r) { return admin_analytics(r); });
  get("/admin/analytics.csv", A::kEditor, [this](Request& r) { return admin_analytics_csv(r); });

  get("/admin/newsletters", A::kEditor, [this](Request& r) { return admin_newsletters(r); });
  get("/admin/newsletters/open", A::kEditor, [this](Request& r) { return admin_newsletter_open(r); });
  get("/admin/newsletters/{newsletter}/{date}", A::kEditor, [this](Request& r) { return admin_desk(r); });
  post("/admin/newsletters/{newsletter}/{date}", A::kEditor,
       [this](Request& r) { return admin_desk_save(r); });
  get("/admin/newsletters/{newsletter}/{date}/preview", A::kEditor,
      [this](Request& r) { return admin_desk_preview(r); });
  post("/admin/newsletters/{newsletter}/{date}/test", A::kEditor,
       [this](Request& r) { return admin_desk_test(r); });
  post("/admin/newsletters/{newsletter}/{date}/send", A::kEditor,
       [this](Request& r) { return admin_desk_send(r); });
}

}  // namespace web
