// The personal curator's pages and forms (a handler module; sees the site's PageKit and
// the curator service only):
//   POST /topics/{slug}/follow, /countries/{slug}/follow, /authors/{slug}/follow
//        (follow=1 follows, follow=0 stops; JSON answer for scripts, else back to `next`)
//   GET  /for-you                        the reader's ranked articles, paged
//   POST /articles/{slug}/save           (save=1 saves, save=0 removes)
//   GET  /account/following, POST /account/following   follows and their alerts
//   GET  /account/saved, /account/history
//   POST /account/history/clear, /account/history/keep
//   GET/POST /alerts/unsubscribe?m=&k=&t=   one-click (RFC 8058) from an alert's mail
// and what the site's own pages ask of it: the follow button of a topic, country or
// author page, the save button and follow chips of an article, the cache variant those
// make, recording what a reader opened, the account's export. Thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "content/article.h"
#include "core/config.h"
#include "curator/alerts.h"
#include "curator/service.h"
#include "store/store.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

struct CuratorDeps {
  const core::Config& config;
  const core::Clock& clock;
  PageKit& kit;
  curator::CuratorService& curator;
  store::ContentStore& content;
  curator::Alerts* alerts = nullptr;  // null: alert unsubscribe links are refused
};

class CuratorRoutes {
 public:
  explicit CuratorRoutes(const CuratorDeps& d) : d_(d) {}
  void add_routes(Router& router);

  // What in a page depends on this reader's follows (and, for an article, whether they
  // saved it): part of the personal page cache's key. "" for a reader not signed in.
  std::string variant(const Request& req, long long article_id = 0);
  // The follow button of a topic, country or author page at `path`.
  nlohmann::json follow_button(const Request& req, const content::Term& term, const std::string& path);
  // The article page's save button and follow chips (view["curator"]).
  nlohmann::json article_view(const Request& req, const content::ArticleSummary& a);
  // "More from …" on an article page (curator::related).
  std::vector<content::ArticleSummary> related(long long article_id, int limit) {
    return d_.curator.related(article_id, limit);
  }
  // An article page was shown to this signed-in reader.
  void opened(const Request& req, long long article_id, bool fully);
  // The first-run picker for a reader who just registered: the countries of the article
  // they came from (when `from`), then the most covered topics, minus what they follow.
  nlohmann::json picker(const Request& req, const content::ArticleSummary* from, const std::string& next);
  // /account's "Your reading" section.
  nlohmann::json account_view(const Request& req);
  nlohmann::json export_json(long long member_id);

 private:
  Response follow_post(Request& req, content::TermKind kind);
  Response save_post(Request& req);
  Response for_you(Request& req);
  Response following_page(Request& req, const std::string& notice = "");
  Response following_post(Request& req);
  Response saved_page(Request& req);
  Response history_page(Request& req);
  Response history_clear(Request& req);
  Response history_keep(Request& req);
  Response alerts_unsubscribe(Request& req, bool confirm);
  // A form's answer: JSON for a script, else a redirect to `next` (or `fallback`).
  Response answer(Request& req, const std::string& fallback, nlohmann::json body);
  std::optional<int> page_number(const Request& req);

  CuratorDeps d_;
};

}  // namespace web
