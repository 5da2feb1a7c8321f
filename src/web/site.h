// The reading site: the route table and the handlers for pages, feeds, the public
// API and operations endpoints. Handlers are thin: they ask the store, ask
// paywall::decide, and render. Thread-safe; one Site serves all request threads.
#pragma once

#include <memory>
#include <optional>
#include <nlohmann/json_fwd.hpp>

#include "paywall/paywall.h"
#include "content/article.h"
#include "core/clock.h"
#include "core/config.h"
#include "store/store.h"
#include "web/http.h"
#include "web/page_cache.h"
#include "web/render.h"
#include "web/router.h"

namespace web {

class Site {
 public:
  Site(store::Store& store, const core::Config& config, const core::Clock& clock);

  // Dispatches one request: routing, caching for anonymous readers, errors, logging.
  Response handle(Request& req);
  const Router& router() const { return router_; }

 private:
  struct Paging {
    int page = 1;
    int per_page = 20;
  };

  void build_routes();
  Response dispatch(Request& req, bool& cacheable);

  // Pages (pages.cpp)
  Response home(Request& req);
  Response article(Request& req);
  Response term_index(content::TermKind kind);
  Response term_page(Request& req, content::TermKind kind);
  Response archive_index(Request& req);
  Response archive_month(Request& req);

  // Feeds and discovery (feed_routes.cpp)
  Response site_feed(Request& req, bool atom);
  Response term_feed(Request& req, content::TermKind kind, bool atom);
  Response sitemap(Request& req);
  Response news_sitemap(Request& req);
  Response robots(Request& req);

  // Public JSON API (api.cpp)
  Response api_articles(Request& req);
  Response api_article(Request& req);

  // Shared helpers (views.cpp)
  nlohmann::json site_view(const std::string& current_path);
  nlohmann::json page_meta(const std::string& title, const std::string& description,
                           const std::string& path);
  nlohmann::json card(const content::ArticleSummary& a, bool show_dek = true);
  nlohmann::json cards(const std::vector<content::ArticleSummary>& list);
  nlohmann::json term_links(const std::vector<content::Term>& terms);
  std::string term_url(const content::Term& t) const;
  std::string article_url(const std::string& slug) const;
  Response render_page(const std::string& tpl, nlohmann::json& view, int status = 200);
  Response error_page(int status, const std::string& heading, const std::string& message);
  // Parses ?page=N; returns nullopt (and fills `error`) when it is not a positive integer.
  std::optional<Paging> paging(const Request& req, Response& error);
  std::optional<content::Article> visible_article(const std::string& slug, bool with_gated);
  // The reader of this request. Until accounts exist, everyone is anonymous.
  paywall::Reader reader_for(const Request& req, const content::ArticleSummary& a);

  store::ContentStore& content_;
  store::MemberStore& members_;
  const core::Config& config_;
  const core::Clock& clock_;
  Templates templates_;
  Router router_;
  PageCache cache_;
  std::string css_version_;
  std::string base_url_;
};

}  // namespace web
