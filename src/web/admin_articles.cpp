// The back office shell and the article editor: list, write, save with revisions,
// publish/schedule/unpublish, preview as each reader state, hero images.
#include <charconv>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "content/teaser.h"
#include "core/text.h"
#include "core/time.h"
#include "importers/jsonl.h"
#include "web/multipart.h"
#include "web/session.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

const char* flash_text(const std::string& code) {
  if (code == "saved") return "Saved.";
  if (code == "published") return "Published. The article is live.";
  if (code == "scheduled") return "Scheduled. It will be published at the time shown.";
  if (code == "unpublished") return "Unpublished. Readers no longer see the article.";
  if (code == "restored") return "Restored that revision as a new save.";
  if (code == "uploaded") return "Image uploaded and set as the hero image.";
  if (code == "done") return "Done.";
  if (code == "test") return "Test sent to your address.";
  if (code == "sending") return "Sending has started. Counts below update as it goes.";
  return nullptr;
}

std::optional<long long> id_param(const Request& req) { return positive_id(req.param("id")); }

std::string display_status(const store::ArticleRow& r, core::UnixTime now) {
  return content::is_live(r.status, r.published_at, now) ? std::string("published")
                                                         : std::string(content::to_string(r.status));
}

}  // namespace

json Site::admin_view(const Request& req, const std::string& title, const std::string& nav) {
  const auto& m = *req.visitor.member;
  json view;
  // The back office's own layout needs only these (not the reading site's navigation).
  view["site"] = {{"name", config_.site_name}, {"css_version", css_version_},
                  {"accent", config_.brand_accent.empty() ? json(false) : json(config_.brand_accent)}};
  view["title"] = title;
  view["nav"] = {{nav, true}};
  view["csrf"] = std::string(kCsrfMarker);
  view["staff"] = {{"email", m.email},
                   {"role", std::string(accounts::to_string(m.role))},
                   {"editor", m.role == accounts::Role::kEditor || m.role == accounts::Role::kAdmin},
                   {"admin", m.role == accounts::Role::kAdmin}};
  if (const char* f = flash_text(req.query_value("flash"))) view["flash"] = f;
  return view;
}

Response Site::render_admin(const std::string& tpl, json& view, int status) {
  view["body"] = templates_.render(tpl, view);
  Response res;
  res.status = status;
  res.body = templates_.render("admin_layout", view);
  res.set_header("Cache-Control", "private, no-store");
  return res;
}

Response Site::admin_error(const Request& req, int status, const std::string& message) {
  json view = admin_view(req, "Not possible", "");
  view["error"] = message;
  view["heading"] = status == 404 ? "Not found" : status == 403 ? "Not allowed" : "Not possible";
  return render_admin("admin_message", view, status);
}

Response Site::admin_dashboard(Request& req) {
  json view = admin_view(req, "Dashboard", "dashboard");
  const auto& m = *req.visitor.member;
  auto& ed = store_.editorial();
  auto count = [&](std::optional<content::Status> st, std::optional<long long> owner) {
    int total = 0;
    store::ArticleFilter f;
    f.status = st;
    f.created_by = owner;
    f.limit = 0;
    ed.list(f, total);
    return total;
  };
  std::optional<long long> owner;
  if (m.role == accounts::Role::kAuthor) owner = m.id;
  view["stats"] = json::array({
      {{"label", "drafts"}, {"value", std::to_string(count(content::Status::kDraft, owner))}},
      {{"label", "scheduled"}, {"value", std::to_string(count(content::Status::kScheduled, owner))}},
      {{"label", "published"}, {"value", std::to_string(count(content::Status::kPublished, owner))}},
  });
  store::ArticleFilter mine;
  mine.created_by = m.id;
  mine.limit = 8;
  int total = 0;
  json recent = json::array();
  for (const auto& r : ed.list(mine, total)) {
    recent.push_back({{"id", r.id}, {"headline", r.headline}, {"status", display_status(r, clock_.now())}});
  }
  view["recent"] = recent;
  if (m.role == accounts::Role::kAdmin) {
    // Account mail the server refused for good is kept, never silently lost.
    auto failed = store_.mail_queue().failed_mail();
    if (failed.count > 0) {
      view["mail_failed"] = {{"count", std::to_string(failed.count)}, {"error", failed.last_error}};
    }
  }
  return render_admin("admin_dashboard", view);
}

Response Site::admin_articles(Request& req) {
  const auto& m = *req.visitor.member;
  json view = admin_view(req, "Articles", "articles");
  store::ArticleFilter f;
  f.text = core::trim(req.query_value("q"));
  std::string status = req.query_value("status");
  if (!status.empty()) {
    f.status = content::parse_status(status);
    if (!f.status) return admin_error(req, 400, "Unknown status: choose draft, scheduled or published.");
  }
  if (m.role == accounts::Role::kAuthor) f.created_by = m.id;
  Response err;
  auto p = paging(req, err, 50);
  if (!p) return err;
  f.limit = p->per_page;
  f.offset = p->offset();
  int total = 0;
  auto rows = store_.editorial().list(f, total);
  bool can_feature = m.role != accounts::Role::kAuthor;
  json list = json::array();
  auto now = clock_.now();
  for (const auto& r : rows) {
    list.push_back({{"id", r.id},
                    {"slug", r.slug},
                    {"headline", r.headline},
                    {"status", display_status(r, now)},
                    {"access", std::string(content::to_string(r.access))},
                    {"authors", r.authors},
                    {"published", r.published_at ? core::format_display_datetime(*r.published_at, config_.timezone) : ""},
                    {"updated", core::format_display_datetime(r.updated_at, config_.timezone)},
                    {"can_feature", can_feature},
                    {"csrf", std::string(kCsrfMarker)},
                    {"feature_value", r.featured ? "0" : "1"},
                    {"feature_label", r.featured ? "Featured · remove" : "Feature"}});
  }
  view["rows"] = list;
  view["total"] = std::to_string(total);
  view["one"] = total == 1;
  view["mine"] = f.created_by.has_value();
  view["can_feature"] = can_feature;
  view["q"] = f.text;
  json statuses = json::array();
  for (const char* s : {"draft", "scheduled", "published"}) {
    statuses.push_back({{"value", s}, {"label", s}, {"selected", status == s}});
  }
  view["statuses"] = statuses;
  p->links(view, "/admin/articles?q=" + core::url_encode(f.text) + "&status=" + status + "&page=",
           total);
  return render_admin("admin_articles", view);
}

std::string Site::preview_fragment(const std::string& markdown) {
  auto split = content::render_body(markdown, config_.teaser_paragraphs);
  std::string html = split.teaser_html;
  if (!split.gated_html.empty()) {
    html += "<p class=\"cut\">Paywall cut: readers without access stop here</p>" + split.gated_html;
  }
  return html;
}

Response Site::editor_page(Request& req, long long id, const editorial::Draft& d,
                           const std::string& error, int status) {
  const auto& m = *req.visitor.member;
  json view = admin_view(req, id ? "Edit article" : "New article", "articles");
  if (!error.empty()) view["error"] = error;
  view["id"] = id ? json(id) : json(false);
  view["action"] = id ? "/admin/articles/" + std::to_string(id) : std::string("/admin/articles");
  view["can_publish"] = editorial::may_publish(m);
  // Editors may move an article to the bin (web/bin_routes); a binned one says so.
  view["can_delete"] = id && (m.role == accounts::Role::kEditor || m.role == accounts::Role::kAdmin);
  if (id && store_.editorial().is_binned(id)) {
    view["binned"] = true;
    view["can_delete"] = false;
  }
  view["timezone"] = config_.timezone;
  view["teaser_paragraphs"] = std::to_string(config_.teaser_paragraphs);
  view["d"] = {{"headline", d.headline}, {"dek", d.dek}, {"slug", d.slug}, {"body", d.body},
               {"authors", d.authors}, {"topics", d.topics}, {"countries", d.countries},
               {"corrections", d.corrections}, {"hero_image", d.hero_image},
               {"hero_alt", d.hero_alt}, {"hero_caption", d.hero_caption},
               {"hero_credit", d.hero_credit}, {"seo_title", d.seo_title},
               {"seo_description", d.seo_description},
               // Folded away unless one of them is filled in.
               {"seo_open", !d.seo_title.empty() || !d.seo_description.empty()},
               {"publish_at", d.publish_at}, {"featured", d.featured}};
  view["has_hero"] = !d.hero_image.empty();
  json topic_options = json::array();  // the topics field's suggestions (one name at a time)
  for (const auto& t : content_.list_terms(content::TermKind::kTopic, clock_.now())) {
    topic_options.push_back(t.term.name);
  }
  view["topic_options"] = topic_options;
  view["preview_html"] = preview_fragment(d.body);
  json types = json::array();
  for (auto t : {content::ArticleType::kAnalysis, content::ArticleType::kFeature,
                 content::ArticleType::kBriefing, content::ArticleType::kReview}) {
    std::string v(content::to_string(t));
    types.push_back({{"value", v}, {"label", std::string(content::display_name(t))},
                     {"selected", v == d.type}});
  }
  view["types"] = types;
  json accesses = json::array();
  for (const char* a : {"metered", "free", "premium"}) {
    accesses.push_back({{"value", a},
                        {"label", std::string(a) == "metered" ? "Metered (registered readers may unlock)"
                                  : std::string(a) == "free"  ? "Free for everyone"
                                                              : "Premium (subscribers only)"},
                        {"selected", (d.access.empty() ? std::string("metered") : d.access) == a}});
  }
  view["accesses"] = accesses;
  view["scripts"] = true;
  if (id) {
    if (auto a = store_.editorial().article(id)) {
      auto now = clock_.now();
      std::string st(content::to_string(a->input.status));
      bool live = content::is_live(a->input.status, a->input.published_at, now);
      if (live) st = "published";
      view["status"] = st;
      if (a->input.published_at) {
        view["published"] = core::format_display_datetime(*a->input.published_at, config_.timezone);
        view["published_label"] = live ? "published" : a->input.status == content::Status::kScheduled ? "goes live" : "was published";
      }
      if (live) view["live_url"] = article_url(a->input.slug);
    }
  }
  return render_admin("admin_editor", view, status);
}

Response Site::admin_article_new(Request& req) {
  editorial::Draft d;
  const auto& m = *req.visitor.member;
  d.authors = m.name;
  d.type = "analysis";
  d.access = "metered";
  return editor_page(req, 0, d);
}

std::optional<store::EditableArticle> Site::editable(Request& req, Response& error) {
  auto id = id_param(req);
  std::optional<store::EditableArticle> a;
  if (id) a = store_.editorial().article(*id);
  if (!a) {
    error = admin_error(req, 404, "There is no such article.");
    return std::nullopt;
  }
  const auto& m = *req.visitor.member;
  if (m.role == accounts::Role::kAuthor && a->created_by != m.id) {
    error = admin_error(req, 403, "Authors can open only their own articles.");
    return std::nullopt;
  }
  return a;
}

Response Site::admin_article_edit(Request& req) {
  Response err;
  auto a = editable(req, err);
  if (!a) return err;
  return editor_page(req, a->id, editorial_.to_draft(a->input));
}

Response Site::admin_article_save(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  long long id = 0;
  if (!req.param("id").empty()) {
    Response err;
    auto a = editable(req, err);
    if (!a) return err;
    id = a->id;
    if (store_.editorial().is_binned(id)) {
      return admin_error(req, 409, "This article is in the bin: restore it from the bin before changing it.");
    }
  }
  editorial::Draft d;
  d.headline = req.form_value("headline");
  d.dek = req.form_value("dek");
  d.slug = req.form_value("slug");
  d.body = req.form_value("body");
  d.authors = req.form_value("authors");
  d.topics = req.form_value("topics");
  d.countries = req.form_value("countries");
  d.type = req.form_value("type");
  d.access = req.form_value("access");
  d.corrections = req.form_value("corrections");
  d.hero_image = req.form_value("hero_image");
  d.hero_alt = req.form_value("hero_alt");
  d.hero_caption = req.form_value("hero_caption");
  d.hero_credit = req.form_value("hero_credit");
  d.seo_title = req.form_value("seo_title");
  d.seo_description = req.form_value("seo_description");
  d.publish_at = req.form_value("publish_at");
  d.featured = req.form_value("featured") == "1";
  std::string action_name = req.form_value("action");
  auto action = editorial::parse_action(action_name.empty() ? "save" : action_name);
  if (!action) return editor_page(req, id, d, "Unknown action.", 400);
  // A hero image chosen in the form, new article or not: kept (and named in the form's
  // hidden field) even when the save below is refused, so nothing has to be chosen twice.
  if (auto file = req.files.find("hero_file"); file != req.files.end()) {
    auto name = editorial_.store_image(file->second);
    if (!name) {
      return editor_page(req, id, d, name.error().message + " Nothing was saved; choose another file.",
                         status_for(name.error()));
    }
    d.hero_image = *name;
  }
  if (!editorial::may_publish(*req.visitor.member) && id) {
    // Authors cannot change the home-page flag; keep what an editor set.
    if (auto a = store_.editorial().article(id)) d.featured = a->input.featured;
  }
  auto saved = editorial_.save(*req.visitor.member, id, d, *action);
  if (!saved) return editor_page(req, id, d, saved.error().message, status_for(saved.error()));
  const char* flash = *action == editorial::Action::kPublish    ? "published"
                      : *action == editorial::Action::kSchedule  ? "scheduled"
                      : *action == editorial::Action::kUnpublish ? "unpublished"
                                                                 : "saved";
  return redirect("/admin/articles/" + std::to_string(saved->id) + "?flash=" + flash);
}

Response Site::admin_article_preview(Request& req) {
  Response err;
  auto a = editable(req, err);
  if (!a) return err;
  std::string as = req.query_value("as");
  if (as.empty()) as = "anonymous";
  paywall::Reader reader;
  Request as_req = req;  // the page chrome follows the previewed reader too
  as_req.visitor = paywall::Visitor{};
  as_req.session_token.clear();
  if (as == "anonymous") {
    reader.state = paywall::ReaderState::kAnonymous;
  } else if (as == "registered") {
    // A verified registered reader with a full month of credits, who has not unlocked it.
    reader.state = paywall::ReaderState::kRegisteredVerified;
    reader.credits_left = config_.monthly_credits;
    as_req.visitor.state = reader.state;
    as_req.visitor.member = *req.visitor.member;
  } else if (as == "subscriber") {
    reader.state = paywall::ReaderState::kSubscriber;
    as_req.visitor.state = reader.state;
    as_req.visitor.member = *req.visitor.member;
  } else {
    return admin_error(req, 400, "Preview as anonymous, registered or subscriber.");
  }
  auto article = content_.find_article(a->input.slug, false);
  if (!article) return admin_error(req, 404, "There is no such article.");
  json states = json::array();
  for (auto [v, l] : {std::pair{"anonymous", "anonymous reader"},
                      std::pair{"registered", "registered reader"},
                      std::pair{"subscriber", "subscriber"}}) {
    states.push_back({{"value", v}, {"label", l}, {"current", as == v}});
  }
  auto now = clock_.now();
  bool live = content::is_live(a->input.status, a->input.published_at, now);
  json preview = {{"id", a->id},
                  {"as_label", as == "anonymous" ? "an anonymous reader"
                               : as == "registered" ? "a registered reader with credits left"
                                                    : "a subscriber"},
                  {"not_live", !live},
                  {"states", states}};
  if (!article->summary.published_at) article->summary.published_at = now;
  Response res = render_article(as_req, *article, reader, &preview);
  res.set_header("Cache-Control", "private, no-store");
  res.set_header("X-Robots-Tag", "noindex");
  return res;
}

Response Site::admin_live_preview(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  Response res;
  res.body = preview_fragment(req.form_value("body"));
  res.set_header("Cache-Control", "no-store");
  return res;
}

Response Site::admin_revisions(Request& req) {
  Response err;
  auto a = editable(req, err);
  if (!a) return err;
  json view = admin_view(req, "Revisions", "articles");
  view["id"] = a->id;
  view["headline"] = a->input.headline;
  json list = json::array();
  bool first = true;
  for (const auto& r : store_.editorial().revisions(a->id)) {
    std::string headline, words = "";
    if (auto in = importers::parse_article_line(r.snapshot)) {
      headline = in->headline;
      words = std::to_string(content::render_body(in->body_md, config_.teaser_paragraphs).word_count);
    }
    list.push_back({{"id", r.id},
                    {"article_id", a->id},
                    {"saved", core::format_display_datetime(r.saved_at, config_.timezone)},
                    {"by", r.member_email.empty() ? std::string("(import)") : r.member_email},
                    {"action", r.action},
                    {"headline", headline},
                    {"words", words},
                    {"current", first},
                    {"csrf", std::string(kCsrfMarker)}});
    first = false;
  }
  view["revisions"] = list;
  return render_admin("admin_revisions", view);
}

Response Site::admin_restore(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  Response err;
  auto a = editable(req, err);
  if (!a) return err;
  auto r = editorial_.restore(*req.visitor.member, a->id,
                              positive_id(req.form_value("revision")).value_or(0));
  if (!r) return admin_error(req, status_for(r.error()), r.error().message);
  return redirect("/admin/articles/" + std::to_string(a->id) + "?flash=restored");
}

Response Site::admin_hero_upload(Request& req) {
  Response err;
  auto a = editable(req, err);
  if (!a) return err;
  if (auto bad = check_csrf(req)) return *bad;
  auto file = req.files.find("hero");
  if (file == req.files.end()) {
    return editor_page(req, a->id, editorial_.to_draft(a->input),
                       "Hero image: choose a file to upload.", 400);
  }
  auto name = editorial_.store_image(file->second);
  if (!name) {
    return editor_page(req, a->id, editorial_.to_draft(a->input), name.error().message,
                       status_for(name.error()));
  }
  auto draft = editorial_.to_draft(a->input);
  draft.hero_image = *name;
  auto saved = editorial_.save(*req.visitor.member, a->id, draft, editorial::Action::kSave);
  if (!saved) return editor_page(req, a->id, draft, saved.error().message, status_for(saved.error()));
  return redirect("/admin/articles/" + std::to_string(a->id) + "?flash=uploaded");
}

Response Site::admin_feature(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto id = id_param(req);
  if (!id) return admin_error(req, 404, "There is no such article.");
  auto r = store_.editorial().set_featured(*id, req.form_value("featured") == "1");
  if (!r) return admin_error(req, status_for(r.error()), r.error().message);
  return redirect("/admin/articles?flash=done");
}

Response Site::media(Request& req) {
  std::string name = req.param("file");
  Response res;
  std::string type = editorial::EditorialService::media_type(name);
  std::string data;
  if (content::is_media_name(name) && !type.empty()) {
    std::ifstream in(std::filesystem::path(editorial_.media_dir()) / name, std::ios::binary);
    if (in) data.assign(std::istreambuf_iterator<char>(in), {});
  }
  if (data.empty()) {
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "Not found\n";
    return res;
  }
  res.content_type = type;
  res.body = std::move(data);
  // Names are random and never reused: the file under a name never changes.
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  return res;
}

}  // namespace web
