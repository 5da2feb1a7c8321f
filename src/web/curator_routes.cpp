#include "web/curator_routes.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "accounts/service.h"
#include "core/text.h"
#include "core/time.h"

namespace web {

using json = nlohmann::json;
using content::TermKind;

namespace {

constexpr int kPerPage = 20;

bool wants_json(const Request& req) {
  const std::string* accept = req.header("accept");
  return accept && accept->find("application/json") != std::string::npos;
}

std::string plural(int n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void CuratorRoutes::add_routes(Router& router) {
  auto post = [&](std::string pattern, Handler h) {
    router.add(Route{"POST", std::move(pattern), Audience::kReader, std::move(h), false, {}});
  };
  auto get = [&](std::string pattern, Handler h, std::vector<std::string> reads = {}) {
    Route r{"GET", std::move(pattern), Audience::kReader, std::move(h), false, {}};
    r.reads = std::move(reads);
    router.add(std::move(r));
  };
  post("/topics/{slug}/follow", [this](Request& r) { return follow_post(r, TermKind::kTopic); });
  post("/countries/{slug}/follow", [this](Request& r) { return follow_post(r, TermKind::kCountry); });
  post("/authors/{slug}/follow", [this](Request& r) { return follow_post(r, TermKind::kAuthor); });
  post("/articles/{slug}/save", [this](Request& r) { return save_post(r); });
  get("/for-you", [this](Request& r) { return for_you(r); }, {"page"});
  get("/account/following", [this](Request& r) { return following_page(r); });
  post("/account/following", [this](Request& r) { return following_post(r); });
  get("/account/saved", [this](Request& r) { return saved_page(r); }, {"page"});
  get("/account/history", [this](Request& r) { return history_page(r); }, {"page"});
  post("/account/history/clear", [this](Request& r) { return history_clear(r); });
  post("/account/history/keep", [this](Request& r) { return history_keep(r); });
  // From mail: signed links, no session or form token (a mail client posts one-click).
  router.add(Route{"GET", "/alerts/unsubscribe", Audience::kPublic,
                   [this](Request& r) { return alerts_unsubscribe(r, false); }, false, {}});
  router.add(Route{"POST", "/alerts/unsubscribe", Audience::kPublic,
                   [this](Request& r) { return alerts_unsubscribe(r, true); }, false, {}});
}

std::string CuratorRoutes::variant(const Request& req, long long article_id) {
  if (!req.visitor.member) return "";
  long long id = req.visitor.member->id;
  std::vector<long long> terms;
  for (const auto& f : d_.curator.follows(id)) terms.push_back(f.term_id);
  std::sort(terms.begin(), terms.end());
  std::string key = "|f";
  for (long long t : terms) key += ":" + std::to_string(t);
  if (article_id) key += d_.curator.is_saved(id, article_id) ? "|saved" : "|unsaved";
  return key;
}

json CuratorRoutes::follow_button(const Request& req, const content::Term& term,
                                  const std::string& path) {
  json b = {{"name", term.name}, {"action", term_path(term) + "/follow"}, {"next", path}};
  if (!req.visitor.member) {
    b["signed_in"] = false;
    b["register_url"] = "/register?next=" + core::url_encode(path);
    return b;
  }
  b["signed_in"] = true;
  b["following"] = d_.curator.follows_term(req.visitor.member->id, term.kind, term.slug);
  return b;
}

json CuratorRoutes::article_view(const Request& req, const content::ArticleSummary& a) {
  std::string path = "/articles/" + a.slug;
  json v = {{"save_action", path + "/save"}, {"next", path}};
  std::vector<const content::Term*> terms;
  for (const auto* list : {&a.topics, &a.countries, &a.authors}) {
    for (const auto& t : *list) terms.push_back(&t);
  }
  json chips = json::array();
  if (req.visitor.member) {
    long long id = req.visitor.member->id;
    v["signed_in"] = true;
    v["saved"] = d_.curator.is_saved(id, a.id);
    auto follows = d_.curator.follows(id);
    for (const auto* t : terms) {
      bool on = std::any_of(follows.begin(), follows.end(), [&](const store::Follow& f) {
        return f.term.kind == t->kind && f.term.slug == t->slug;
      });
      chips.push_back({{"name", t->name}, {"action", term_path(*t) + "/follow"}, {"following", on},
                       {"next", path}, {"signed_in", true}});
    }
  } else {
    v["signed_in"] = false;
    v["register_url"] = "/register?next=" + core::url_encode(path);
  }
  v["chips"] = chips;
  v["has_chips"] = !chips.empty();
  if (req.visitor.member && req.query_value("registered") == "1") {
    json p = picker(req, &a, path);
    v["has_picker"] = !p.empty();
    v["picker"] = p;
  }
  return v;
}

json CuratorRoutes::picker(const Request& req, const content::ArticleSummary* from,
                           const std::string& next) {
  if (!req.visitor.member) return json::array();
  auto follows = d_.curator.follows(req.visitor.member->id);
  std::vector<content::Term> offer;
  auto add = [&](const content::Term& t) {
    bool taken = std::any_of(follows.begin(), follows.end(), [&](const store::Follow& f) {
      return f.term.kind == t.kind && f.term.slug == t.slug;
    });
    taken = taken || std::any_of(offer.begin(), offer.end(), [&](const content::Term& o) {
      return o.kind == t.kind && o.slug == t.slug;
    });
    if (!taken && offer.size() < 8) offer.push_back(t);
  };
  if (from) {
    for (const auto& t : from->countries) add(t);
  }
  auto topics = d_.content.list_terms(TermKind::kTopic, d_.clock.now());
  std::stable_sort(topics.begin(), topics.end(),
                   [](const auto& x, const auto& y) { return x.articles > y.articles; });
  for (std::size_t i = 0; i < topics.size() && i < 6; ++i) add(topics[i].term);
  json items = json::array();
  for (const auto& t : offer) {
    items.push_back({{"name", t.name}, {"action", term_path(t) + "/follow"}, {"following", false},
                     {"next", next}, {"signed_in", true}});
  }
  return items;
}

json CuratorRoutes::export_json(long long member_id) { return d_.curator.export_json(member_id); }

void CuratorRoutes::opened(const Request& req, long long article_id, bool fully) {
  if (req.visitor.member && article_id) d_.curator.opened(req.visitor.member->id, article_id, fully);
}

json CuratorRoutes::account_view(const Request& req) {
  long long id = req.visitor.member->id;
  std::string notice = req.query_value("notice");
  json picked = notice == "registered" || notice == "confirmed" ? picker(req, nullptr, "/account")
                                                                : json::array();
  int saved = 0, history = 0;
  (void)d_.curator.saved(id, 1, 0, saved);
  (void)d_.curator.history(id, 1, 0, history);
  auto follows = d_.curator.follows(id);
  return {{"following", plural(static_cast<int>(follows.size()), "topic, country or author",
                               "topics, countries and authors")},
          {"saved", plural(saved, "article", "articles")},
          {"history", plural(history, "article", "articles")},
          {"keeps_history", d_.curator.keeps_history(id)},
          {"picker", picked},
          {"has_picker", !picked.empty()}};
}

Response CuratorRoutes::answer(Request& req, const std::string& fallback, json body) {
  if (wants_json(req)) {
    Response res;
    res.content_type = "application/json; charset=utf-8";
    res.body = body.dump();
    res.set_header("Cache-Control", "no-store");
    return res;
  }
  std::string next = req.form_value("next");
  return d_.kit.redirect(next.empty() ? fallback : accounts::safe_next(next));
}

std::optional<int> CuratorRoutes::page_number(const Request& req) {
  std::string p = req.query_value("page");
  if (p.empty()) return 1;
  auto n = positive_id(p);
  if (!n || *n > 100000) return std::nullopt;
  return static_cast<int>(*n);
}

Response CuratorRoutes::follow_post(Request& req, TermKind kind) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::string slug = req.param("slug");
  std::string want = req.form_value("follow");
  if (want != "1" && want != "0") {
    return d_.kit.error_page(400, "Bad request", "Say whether to follow (follow=1) or stop (follow=0).");
  }
  long long id = req.visitor.member->id;
  auto done = core::is_valid_slug(slug)
                  ? (want == "1" ? d_.curator.follow(id, kind, slug) : d_.curator.unfollow(id, kind, slug))
                  : core::fail(core::ErrorCode::kNotFound, "There is no such page.");
  if (!done) {
    if (wants_json(req)) {
      Response res = answer(req, "/", {{"error", done.error().message}});
      res.status = status_for(done.error());
      return res;
    }
    return d_.kit.error_page(status_for(done.error()), "Not followed", done.error().message);
  }
  content::Term t{kind, slug, ""};
  return answer(req, term_path(t), {{"following", want == "1"}});
}

Response CuratorRoutes::save_post(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::string slug = req.param("slug");
  std::string want = req.form_value("save");
  if (want != "1" && want != "0") {
    return d_.kit.error_page(400, "Bad request", "Say whether to save (save=1) or remove (save=0).");
  }
  auto article = core::is_valid_slug(slug) ? d_.content.article_id(slug) : std::nullopt;
  if (!article) return d_.kit.error_page(404, "Article not found", "There is no such article.");
  long long id = req.visitor.member->id;
  auto done = want == "1" ? d_.curator.save(id, *article) : d_.curator.unsave(id, *article);
  if (!done) return d_.kit.error_page(status_for(done.error()), "Not saved", done.error().message);
  return answer(req, "/articles/" + slug, {{"saved", want == "1"}});
}

Response CuratorRoutes::for_you(Request& req) {
  auto page = page_number(req);
  if (!page) return d_.kit.error_page(400, "Bad request", "The page number must be a whole number from 1.");
  auto result = d_.curator.for_you(req.visitor.member->id, *page, kPerPage);
  int pages = std::max(1, (result.total + kPerPage - 1) / kPerPage);
  if (*page > pages) return d_.kit.error_page(404, "Page not found", "There are not that many pages here.");
  json view;
  view["site"] = d_.kit.site_view("/for-you", &req);
  view["page"] = d_.kit.page_meta("For you · " + d_.config.site_name,
                                  "Articles chosen for you from what you follow and read.", "/for-you");
  view["page"]["noindex"] = true;
  std::vector<content::ArticleSummary> list;
  for (const auto& i : result.items) list.push_back(i.article);
  json cards = d_.kit.cards(list);
  for (std::size_t i = 0; i < result.items.size() && i < cards.size(); ++i) {
    if (!result.items[i].reason.empty()) cards[i]["reason"] = result.items[i].reason;
    if (result.items[i].article.access == content::AccessClass::kMetered &&
        (req.visitor.state == paywall::ReaderState::kRegisteredVerified || req.visitor.state == paywall::ReaderState::kRegisteredUnverified)) {
      cards[i]["cost"] = "Uses one of your free articles";
    }
  }
  view["items"] = cards;
  view["has_items"] = !list.empty();
  view["follows_anything"] = result.follows_anything;
  view["pagination"] = pagination("/for-you", *page, pages);
  Response res = d_.kit.render_page("for_you", view, 200);
  res.set_header("Cache-Control", "private, no-store");
  return res;
}

Response CuratorRoutes::following_page(Request& req, const std::string& notice) {
  long long id = req.visitor.member->id;
  json view;
  view["site"] = d_.kit.site_view("/account/following", &req);
  view["page"] = d_.kit.page_meta("Following · " + d_.config.site_name, "What you follow", "/account/following");
  view["page"]["noindex"] = true;
  json rows = json::array();
  for (const auto& f : d_.curator.follows(id)) {
    std::string kind = f.term.kind == TermKind::kCountry ? "Country or region"
                       : f.term.kind == TermKind::kAuthor ? "Author"
                                                          : "Topic";
    std::string key = std::string(content::to_string(f.term.kind)) + ":" + f.term.slug;
    rows.push_back({{"name", f.term.name}, {"url", term_path(f.term)}, {"kind", kind},
                    {"key", key}, {"action", term_path(f.term) + "/follow"},
                    {"since", core::format_long_date(f.since, d_.config.timezone)},
                    {"none", f.alert == store::AlertMode::kNone},
                    {"instant", f.alert == store::AlertMode::kInstant},
                    {"daily", f.alert == store::AlertMode::kDaily}});
  }
  view["follows"] = rows;
  view["has_follows"] = !rows.empty();
  if (!notice.empty()) view["notice"] = notice;
  if (req.query_value("saved") == "1") view["notice"] = "Alert choices saved.";
  Response res = d_.kit.render_page("account_following", view, 200);
  res.set_header("Cache-Control", "private, no-store");
  return res;
}

Response CuratorRoutes::following_post(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  long long id = req.visitor.member->id;
  // One select per follow, named "alert:<kind>:<slug>".
  for (const auto& f : d_.curator.follows(id)) {
    std::string key = "alert:" + std::string(content::to_string(f.term.kind)) + ":" + f.term.slug;
    auto it = req.form.find(key);
    if (it == req.form.end()) continue;
    auto mode = store::parse_alert_mode(it->second);
    if (!mode) {
      return d_.kit.error_page(400, "Bad request",
                               "Alerts are none, instant or daily; nothing was changed.");
    }
  }
  for (const auto& f : d_.curator.follows(id)) {
    std::string key = "alert:" + std::string(content::to_string(f.term.kind)) + ":" + f.term.slug;
    auto it = req.form.find(key);
    if (it == req.form.end()) continue;
    auto mode = *store::parse_alert_mode(it->second);
    if (mode == f.alert) continue;
    if (auto ok = d_.curator.set_alert(id, f.term.kind, f.term.slug, mode); !ok) {
      return d_.kit.error_page(status_for(ok.error()), "Not saved", ok.error().message);
    }
  }
  return d_.kit.redirect("/account/following?saved=1");
}

Response CuratorRoutes::saved_page(Request& req) {
  auto page = page_number(req);
  if (!page) return d_.kit.error_page(400, "Bad request", "The page number must be a whole number from 1.");
  int total = 0;
  auto list = d_.curator.saved(req.visitor.member->id, *page, kPerPage, total);
  json view;
  view["site"] = d_.kit.site_view("/account/saved", &req);
  view["page"] = d_.kit.page_meta("Saved for later · " + d_.config.site_name, "Articles you saved",
                                  "/account/saved");
  view["page"]["noindex"] = true;
  json rows = json::array();
  for (const auto& l : list) {
    rows.push_back({{"headline", l.article.headline}, {"url", "/articles/" + l.article.slug},
                    {"action", "/articles/" + l.article.slug + "/save"},
                    {"when", core::format_long_date(l.at, d_.config.timezone)}});
  }
  view["items"] = rows;
  view["has_items"] = !rows.empty();
  view["count"] = plural(total, "article", "articles");
  int pages = std::max(1, (total + kPerPage - 1) / kPerPage);
  view["pagination"] = pagination("/account/saved", *page, pages);
  Response res = d_.kit.render_page("account_saved", view, 200);
  res.set_header("Cache-Control", "private, no-store");
  return res;
}

Response CuratorRoutes::history_page(Request& req) {
  auto page = page_number(req);
  if (!page) return d_.kit.error_page(400, "Bad request", "The page number must be a whole number from 1.");
  long long id = req.visitor.member->id;
  int total = 0;
  auto list = d_.curator.history(id, *page, kPerPage, total);
  json view;
  view["site"] = d_.kit.site_view("/account/history", &req);
  view["page"] = d_.kit.page_meta("Reading history · " + d_.config.site_name, "What you have read",
                                  "/account/history");
  view["page"]["noindex"] = true;
  json rows = json::array();
  for (const auto& l : list) {
    rows.push_back({{"headline", l.article.headline}, {"url", "/articles/" + l.article.slug},
                    {"when", core::format_display_datetime(l.at, d_.config.timezone)},
                    {"partly", !l.fully}});
  }
  view["items"] = rows;
  view["has_items"] = !rows.empty();
  view["count"] = plural(total, "article", "articles");
  view["keeps_history"] = d_.curator.keeps_history(id);
  if (req.query_value("notice") == "cleared") view["notice"] = "Your reading history is cleared.";
  if (req.query_value("notice") == "off") view["notice"] = "We no longer keep your reading history; what we had is deleted.";
  if (req.query_value("notice") == "on") view["notice"] = "We keep your reading history again from now on.";
  int pages = std::max(1, (total + kPerPage - 1) / kPerPage);
  view["pagination"] = pagination("/account/history", *page, pages);
  Response res = d_.kit.render_page("account_history", view, 200);
  res.set_header("Cache-Control", "private, no-store");
  return res;
}

Response CuratorRoutes::history_clear(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  if (auto ok = d_.curator.clear_history(req.visitor.member->id); !ok) {
    return d_.kit.error_page(status_for(ok.error()), "Not cleared", ok.error().message);
  }
  return d_.kit.redirect("/account/history?notice=cleared");
}

Response CuratorRoutes::history_keep(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  std::string keep = req.form_value("keep");
  if (keep != "1" && keep != "0") {
    return d_.kit.error_page(400, "Bad request", "Say whether to keep your history (keep=1) or not (keep=0).");
  }
  if (auto ok = d_.curator.set_keeps_history(req.visitor.member->id, keep == "1"); !ok) {
    return d_.kit.error_page(status_for(ok.error()), "Not changed", ok.error().message);
  }
  return d_.kit.redirect(std::string("/account/history?notice=") + (keep == "1" ? "on" : "off"));
}

Response CuratorRoutes::alerts_unsubscribe(Request& req, bool confirm) {
  std::string m = req.query_value("m"), key = req.query_value("k"), t = req.query_value("t");
  auto member = positive_id(m);
  std::optional<content::TermKind> kind;
  std::string slug;
  if (key != "daily") {
    auto colon = key.find(':');
    if (colon != std::string::npos) {
      std::string k = key.substr(0, colon);
      slug = key.substr(colon + 1);
      kind = k == "topic" ? std::optional(TermKind::kTopic)
             : k == "country" ? std::optional(TermKind::kCountry)
             : k == "author"  ? std::optional(TermKind::kAuthor)
                              : std::nullopt;
    }
  }
  if (!d_.alerts || !member || (key != "daily" && (!kind || !core::is_valid_slug(slug))) ||
      !d_.alerts->token_valid(*member, key, t)) {
    return d_.kit.message_page(400, "This link is not valid",
                               "Use the link from a recent alert, or change your alerts on your "
                               "account page.",
                               "/account/following", "Your alerts");
  }
  if (!confirm) {
    PageKit::ButtonPage page;
    page.title = "Stop alerts";
    page.description = "Stop email alerts";
    page.path = "/account/following";
    page.heading = key == "daily" ? "Stop your daily alert digests?" : "Stop these alerts?";
    page.message = "You will keep following; only the emails stop. You can turn them on again "
                   "under What you follow.";
    page.action = req.raw_target;
    page.button = "Stop the alerts";
    return d_.kit.button_page(req, page);
  }
  if (key == "daily") {
    for (const auto& f : d_.curator.follows(*member)) {
      if (f.alert != store::AlertMode::kDaily) continue;
      if (auto ok = d_.curator.set_alert(*member, f.term.kind, f.term.slug, store::AlertMode::kNone); !ok) {
        return d_.kit.message_page(503, "Not changed", ok.error().message, "", "");
      }
    }
  } else if (auto ok = d_.curator.set_alert(*member, *kind, slug, store::AlertMode::kNone);
             !ok && ok.error().code != core::ErrorCode::kNotFound) {
    return d_.kit.message_page(503, "Not changed", ok.error().message, "", "");
  }
  return d_.kit.message_page(200, "Alerts stopped", "You will get no more of these emails.",
                             "/account/following", "Your alerts");
}

}  // namespace web
