#include "web/admin_api_routes.h"

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

Response json_response(int status, const json& body) {
  Response res;
  res.status = status;
  res.content_type = "application/json; charset=utf-8";
  res.body = body.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  res.set_header("Cache-Control", "no-store");
  return res;
}

std::string join(const json& list) {
  std::string out;
  if (list.is_string()) return list.get<std::string>();
  if (!list.is_array()) return out;
  for (const auto& v : list) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += v.get<std::string>();
  }
  return out;
}

}  // namespace

Response api_error(int status, const std::string& code, const std::string& message) {
  Response res = json_response(status, {{"error", {{"code", code}, {"message", message}}}});
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"meridian\"");
  return res;
}

Handler AdminApiRoutes::api(const char* scope, ApiHandler h) {
  return [this, scope, h = std::move(h)](Request& req) {
    const std::string* auth = req.header("authorization");
    auto caller = auth ? d_.tokens.authenticate(*auth) : std::nullopt;
    if (!caller) {
      return api_error(401, "unauthorized",
                       "send Authorization: Bearer <token>; tokens are made in /admin/integrations");
    }
    Response res;
    if (!caller->may(scope)) {
      res = api_error(403, "forbidden", std::string("this token lacks the scope ") + scope);
    } else if (!d_.tokens.allow(caller->token_id)) {
      res = api_error(429, "rate_limited", "too many calls with this token; try again in a minute");
      res.set_header("Retry-After", "60");
    } else {
      try {
        res = h(req, *caller);
      } catch (const std::exception& e) {
        res = api_error(500, "internal", std::string("the call failed: ") + e.what());
      }
    }
    d_.tokens.audit(*caller, req.method, req.raw_target.substr(0, 500), res.status);
    return res;
  };
}

void AdminApiRoutes::add_routes(Router& router) {
  auto add = [&](const char* method, const char* pattern, Handler h) {
    Route r{method, pattern, Audience::kPublic, std::move(h), false, {}};
    r.external = true;  // a bearer token, not a browser session: no cookies, no CSRF
    router.add(std::move(r));
  };
  using C = integrations::Caller;
  add("GET", "/api/admin/v1/articles",
      api("content:read", [this](Request& r, const C& c) { return list_articles(r, c); }));
  add("POST", "/api/admin/v1/articles",
      api("content:write", [this](Request& r, const C& c) { return save_article(r, c, true); }));
  add("GET", "/api/admin/v1/articles/{id}",
      api("content:read", [this](Request& r, const C& c) { return get_article(r, c); }));
  add("PUT", "/api/admin/v1/articles/{id}",
      api("content:write", [this](Request& r, const C& c) { return save_article(r, c, false); }));
  add("POST", "/api/admin/v1/articles/{id}/publish",
      api("content:write",
          [this](Request& r, const C& c) { return set_status(r, c, editorial::Action::kPublish); }));
  add("POST", "/api/admin/v1/articles/{id}/unpublish",
      api("content:write", [this](Request& r, const C& c) {
        return set_status(r, c, editorial::Action::kUnpublish);
      }));
  add("POST", "/api/admin/v1/media",
      api("content:write", [this](Request& r, const C& c) { return upload_media(r, c); }));
  add("GET", "/api/admin/v1/members",
      api("members:read", [this](Request& r, const C& c) { return list_members(r, c); }));
  add("POST", "/api/admin/v1/members/grant",
      api("members:write", [this](Request& r, const C& c) { return grant(r, c, false); }));
  add("POST", "/api/admin/v1/members/revoke",
      api("members:write", [this](Request& r, const C& c) { return grant(r, c, true); }));

  router.add(Route{"GET", "/admin/integrations", Audience::kAdmin,
                   [this](Request& r) { return integrations_page(r); }, false, {}});
  router.add(Route{"POST", "/admin/integrations/tokens", Audience::kAdmin,
                   [this](Request& r) { return create_token(r); }, false, {}});
  router.add(Route{"POST", "/admin/integrations/tokens/{id}/revoke", Audience::kAdmin,
                   [this](Request& r) { return revoke_token(r); }, false, {}});
  router.add(Route{"POST", "/admin/integrations/webhooks", Audience::kAdmin,
                   [this](Request& r) { return add_webhook(r); }, false, {}});
  router.add(Route{"POST", "/admin/integrations/webhooks/{id}/remove", Audience::kAdmin,
                   [this](Request& r) { return remove_webhook(r); }, false, {}});
}

Response AdminApiRoutes::list_articles(Request& req, const integrations::Caller&) {
  store::ArticleFilter f;
  std::string status = req.query_value("status");
  if (status == "draft") f.status = content::Status::kDraft;
  else if (status == "published") f.status = content::Status::kPublished;
  else if (!status.empty()) return api_error(400, "invalid", "status is draft or published");
  f.text = req.query_value("q");
  auto page = query_number(req, "page", 1, 1, 100000);
  auto per_page = query_number(req, "per_page", 50, 1, 200);
  if (!page || !per_page) return api_error(400, "invalid", "page and per_page are whole numbers");
  f.limit = *per_page;
  f.offset = (*page - 1) * *per_page;
  int total = 0;
  json items = json::array();
  for (const auto& a : d_.articles.list(f, total)) {
    items.push_back({{"id", a.id},
                     {"slug", a.slug},
                     {"headline", a.headline},
                     {"status", std::string(content::to_string(a.status))},
                     {"access", std::string(content::to_string(a.access))},
                     {"published_at", a.published_at ? core::format_rfc3339(*a.published_at) : ""},
                     {"updated_at", core::format_rfc3339(a.updated_at)}});
  }
  return json_response(200, {{"articles", items}, {"total", total}, {"page", *page}});
}

Response AdminApiRoutes::get_article(Request& req, const integrations::Caller&) {
  auto id = positive_id(req.param("id"));
  auto a = id ? d_.articles.article(*id) : std::nullopt;
  if (!a) return api_error(404, "not_found", "no article has that id");
  const auto& in = a->input;
  return json_response(200, {{"id", a->id},
                             {"slug", in.slug},
                             {"headline", in.headline},
                             {"dek", in.dek},
                             {"body", in.body_md},
                             {"authors", in.authors},
                             {"topics", in.topics},
                             {"countries", in.countries},
                             {"type", std::string(content::to_string(in.type))},
                             {"access", std::string(content::to_string(in.access))},
                             {"status", std::string(content::to_string(in.status))},
                             {"published_at", in.published_at ? core::format_rfc3339(*in.published_at) : ""},
                             {"hero_image", in.hero_image},
                             {"hero_alt", in.hero_alt},
                             {"hero_caption", in.hero_caption},
                             {"hero_credit", in.hero_credit},
                             {"seo_title", in.seo_title},
                             {"seo_description", in.seo_description},
                             {"url", d_.config.base_url() + "/articles/" + in.slug}});
}

Response AdminApiRoutes::save_article(Request& req, const integrations::Caller& c, bool create) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return api_error(400, "invalid_json", "send a JSON object (Content-Type: application/json)");
  }
  long long id = 0;
  editorial::Draft d;
  if (!create) {
    auto pid = positive_id(req.param("id"));
    auto existing = pid ? d_.articles.article(*pid) : std::nullopt;
    if (!existing) return api_error(404, "not_found", "no article has that id");
    id = *pid;
    d = d_.editorial.to_draft(existing->input);
  } else {
    d.type = "analysis";
    d.access = "metered";
  }
  auto text = [&](const char* key, std::string& out) {
    if (j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
  };
  text("headline", d.headline);
  text("dek", d.dek);
  text("slug", d.slug);
  text("body", d.body);
  text("body_html", d.body);  // HTML is kept as HTML blocks; the sanitizer applies as always
  text("type", d.type);
  text("access", d.access);
  text("hero_image", d.hero_image);
  text("hero_alt", d.hero_alt);
  text("hero_caption", d.hero_caption);
  text("hero_credit", d.hero_credit);
  text("seo_title", d.seo_title);
  text("seo_description", d.seo_description);
  if (j.contains("authors")) d.authors = join(j["authors"]);
  if (j.contains("topics")) d.topics = join(j["topics"]);
  if (j.contains("countries")) d.countries = join(j["countries"]);
  editorial::Action action = editorial::Action::kSave;
  std::string status = j.value("status", "");
  if (status == "published") {
    action = editorial::Action::kPublish;
  } else if (status == "scheduled") {
    auto at = core::parse_rfc3339(j.value("publish_at", ""));
    if (!at) return api_error(400, "invalid", "a scheduled article needs publish_at (RFC 3339)");
    d.publish_at = core::format_local_datetime(*at, d_.config.timezone);
    action = editorial::Action::kSchedule;
  } else if (status == "draft" && !create) {
    action = editorial::Action::kUnpublish;
  } else if (!status.empty() && status != "draft") {
    return api_error(400, "invalid", "status is draft, published or scheduled");
  }
  auto who = d_.members.find_member(c.acts_as);
  if (!who || who->role == accounts::Role::kReader) {
    return api_error(403, "forbidden", "the admin who made this token no longer has a staff role");
  }
  auto saved = d_.editorial.save(*who, id, d, action);
  if (!saved) {
    int st = status_for(saved.error());
    return api_error(st, st == 400 ? "invalid" : st == 403 ? "forbidden" : "unavailable",
                     saved.error().message);
  }
  return json_response(create ? 201 : 200,
                       {{"id", saved->id},
                        {"slug", saved->slug},
                        {"status", std::string(content::to_string(saved->status))},
                        {"url", d_.config.base_url() + "/articles/" + saved->slug}});
}

Response AdminApiRoutes::set_status(Request& req, const integrations::Caller& c,
                                    editorial::Action action) {
  auto pid = positive_id(req.param("id"));
  auto existing = pid ? d_.articles.article(*pid) : std::nullopt;
  if (!existing) return api_error(404, "not_found", "no article has that id");
  auto who = d_.members.find_member(c.acts_as);
  if (!who || who->role == accounts::Role::kReader) {
    return api_error(403, "forbidden", "the admin who made this token no longer has a staff role");
  }
  auto saved = d_.editorial.save(*who, *pid, d_.editorial.to_draft(existing->input), action);
  if (!saved) return api_error(status_for(saved.error()), "refused", saved.error().message);
  return json_response(200, {{"id", saved->id},
                             {"slug", saved->slug},
                             {"status", std::string(content::to_string(saved->status))}});
}

Response AdminApiRoutes::upload_media(Request& req, const integrations::Caller&) {
  // The image itself is the body (any Content-Type); recognised by its bytes.
  auto name = d_.editorial.store_image(req.body);
  if (!name) {
    int st = status_for(name.error());
    return api_error(st, st == 400 ? "invalid" : "unavailable", name.error().message);
  }
  return json_response(201, {{"name", *name},
                             {"url", d_.config.base_url() + "/media/" + *name},
                             {"hero_image", *name}});
}

Response AdminApiRoutes::list_members(Request& req, const integrations::Caller&) {
  store::MemberStore::MemberFilter f;
  f.text = req.query_value("q");
  f.state = req.query_value("state");
  f.now = d_.clock.now();
  auto page = query_number(req, "page", 1, 1, 100000);
  auto per_page = query_number(req, "per_page", 50, 1, 200);
  if (!page || !per_page) return api_error(400, "invalid", "page and per_page are whole numbers");
  f.limit = *per_page;
  f.offset = (*page - 1) * *per_page;
  int total = 0;
  json items = json::array();
  for (const auto& m : d_.members.search_members(f, total)) {
    auto until = m.access_until();
    items.push_back({{"id", m.id},
                     {"email", m.email},
                     {"name", m.name},
                     {"state", accounts::member_state(m, f.now)},
                     {"verified", m.verified()},
                     {"access_until", until && *until > f.now ? core::format_rfc3339(*until) : ""},
                     {"created_at", core::format_rfc3339(m.created_at)}});
  }
  return json_response(200, {{"members", items}, {"total", total}, {"page", *page}});
}

Response AdminApiRoutes::grant(Request& req, const integrations::Caller&, bool revoke) {
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("email") || !j["email"].is_string()) {
    return api_error(400, "invalid_json", "send {\"email\": …" +
                                              std::string(revoke ? "}" : ", \"until\": \"YYYY-MM-DD\"}"));
  }
  auto m = revoke ? d_.member_admin.revoke(j["email"].get<std::string>())
                  : d_.member_admin.grant(j["email"].get<std::string>(), j.value("name", ""),
                                          j.value("until", ""));
  if (!m) {
    int st = status_for(m.error());
    return api_error(st, st == 404 ? "not_found" : "invalid", m.error().message);
  }
  auto until = m->comp_until;
  return json_response(200, {{"id", m->id},
                             {"email", m->email},
                             {"complimentary_until", until ? core::format_rfc3339(*until) : ""}});
}

Response AdminApiRoutes::integrations_page(Request& req) {
  json view = d_.kit.admin_view(req, "Integrations", "integrations");
  json tokens = json::array();
  for (const auto& t : d_.tokens.store().tokens()) {
    tokens.push_back({{"id", std::to_string(t.id)},
                      {"name", t.name},
                      {"scopes", t.scopes},
                      {"created", core::format_display_datetime(t.created_at, d_.config.timezone)},
                      {"last_used", t.last_used_at ? core::format_display_datetime(*t.last_used_at, d_.config.timezone) : "never"},
                      {"revoked", t.revoked_at.has_value()}});
  }
  view["tokens"] = tokens;
  view["has_tokens"] = !tokens.empty();
  json scopes = json::array();
  for (const auto& s : integrations::all_scopes()) scopes.push_back(s);
  view["scopes"] = scopes;
  json audit = json::array();
  for (const auto& a : d_.tokens.store().recent_audit(50)) {
    audit.push_back({{"at", core::format_display_datetime(a.at, d_.config.timezone)},
                     {"token", a.token_name},
                     {"call", a.method + " " + a.path},
                     {"status", std::to_string(a.status)}});
  }
  view["audit"] = audit;
  view["has_audit"] = !audit.empty();
  view["base"] = d_.config.base_url();
  json endpoints = json::array();
  for (const auto& e : d_.tokens.store().endpoints()) {
    endpoints.push_back({{"id", std::to_string(e.id)}, {"url", e.url}, {"events", e.events},
                         {"secret", e.secret}});
  }
  view["endpoints"] = endpoints;
  view["has_endpoints"] = !endpoints.empty();
  json events = json::array();
  for (const auto& e : integrations::webhook_events()) events.push_back(e);
  view["events"] = events;
  json deliveries = json::array();
  for (const auto& d : d_.tokens.store().recent_deliveries(30)) {
    deliveries.push_back({{"at", core::format_display_datetime(d.created_at, d_.config.timezone)},
                          {"type", d.type},
                          {"url", d.url},
                          {"state", d.state},
                          {"attempts", std::to_string(d.attempts)},
                          {"result", d.last_error.empty() ? (d.last_status ? std::to_string(d.last_status) : "") : d.last_error}});
  }
  view["deliveries"] = deliveries;
  view["has_deliveries"] = !deliveries.empty();
  return d_.kit.render_admin("admin_integrations", view, 200);
}

Response AdminApiRoutes::create_token(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::vector<std::string> scopes;
  for (const auto& [k, v] : req.form) {
    if (k == "scope") scopes.push_back(v);
  }
  auto token = d_.tokens.create(req.form_value("name"), scopes, req.visitor.member->id);
  if (!token) return d_.kit.admin_error(req, 400, token.error().message);
  json view = d_.kit.admin_view(req, "New API token", "integrations");
  view["name"] = req.form_value("name");
  view["token"] = *token;
  view["base"] = d_.config.base_url();
  Response res = d_.kit.render_admin("admin_token_created", view, 200);
  res.set_header("Referrer-Policy", "no-referrer");
  return res;
}

Response AdminApiRoutes::add_webhook(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  if (!d_.webhooks) return d_.kit.admin_error(req, 503, "Outgoing webhooks are not available here.");
  std::vector<std::string> events;
  for (const auto& [k, v] : req.form) {
    if (k == "event") events.push_back(v);
  }
  std::string secret;
  auto id = d_.webhooks->add_endpoint(req.form_value("url"), events, secret);
  if (!id) return d_.kit.admin_error(req, 400, id.error().message);
  return d_.kit.redirect("/admin/integrations");
}

Response AdminApiRoutes::remove_webhook(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  auto done = id ? d_.tokens.store().remove_endpoint(*id)
                 : core::Result<void>(core::fail(core::ErrorCode::kNotFound, "no such endpoint"));
  if (!done) return d_.kit.admin_error(req, 404, done.error().message);
  return d_.kit.redirect("/admin/integrations");
}

Response AdminApiRoutes::revoke_token(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  if (!id) return d_.kit.admin_error(req, 404, "There is no such token.");
  auto done = d_.tokens.revoke(*id);
  if (!done) return d_.kit.admin_error(req, 404, done.error().message);
  return d_.kit.redirect("/admin/integrations");
}

}  // namespace web
