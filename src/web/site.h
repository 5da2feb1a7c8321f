// The reading site: the route table and the handlers for pages, feeds, the public
// API and operations endpoints. Handlers are thin: they ask the store, ask
// paywall::decide, and render. Thread-safe; one Site serves all request threads.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <optional>
#include <nlohmann/json_fwd.hpp>

#include "accounts/admin.h"
#include "accounts/service.h"
#include "billing/service.h"
#include "integrations/api_tokens.h"
#include "integrations/webhooks.h"
#include "events/recorder.h"
#include "feeds/feeds.h"
#include "newsletter/service.h"
#include "paywall/paywall.h"
#include "paywall/service.h"
#include "content/article.h"
#include "content/recut.h"
#include "editorial/service.h"
#include "core/clock.h"
#include "core/config.h"
#include "curator/alerts.h"
#include "curator/service.h"
#include "search/search.h"
#include "store/store.h"
#include "web/http.h"
#include "web/page_cache.h"
#include "web/metrics.h"
#include "web/page_kit.h"
#include "web/render.h"
#include "web/router.h"

namespace web {

// The services a site needs, owned elsewhere (src/app or a test).
struct SiteDeps {
  store::Store& store;
  const core::Config& config;
  const core::Clock& clock;
  accounts::AccountService& accounts;
  paywall::PaywallService& paywall;
  events::Recorder& events;
  newsletter::NewsletterService& newsletters;
  editorial::EditorialService& editorial;
  accounts::MemberAdmin& member_admin;
  // Asks the process to reload its settings (serve); empty elsewhere.
  std::function<void()> reload;
  // Teasers being cut again after a change of the setting (serve); null elsewhere.
  const content::Recut* recut = nullptr;
  // Payments (the billing module's routes); null: /subscribe lists plans only.
  billing::BillingService* billing = nullptr;
  // The admin API's tokens (the admin API module's routes); null: no admin API.
  integrations::ApiTokens* api_tokens = nullptr;
  integrations::Webhooks* webhooks = nullptr;
  // The personal curator (follows, For you, saved, history).
  curator::CuratorService* curator = nullptr;
  curator::Alerts* alerts = nullptr;  // for its unsubscribe links; null: none
};

// Every key and value well-formed UTF-8 without NUL (the check at the boundary: form and
// query decoding).
bool valid_text(const std::multimap<std::string, std::string>& fields);
// The query parameter `key` as a whole number in [lo, hi]: `fallback` when absent, nullopt
// when malformed or out of range (the caller answers 400). The one place page numbers
// and page sizes are parsed.
std::optional<int> query_number(const Request& req, const std::string& key, int fallback, int lo,
                                int hi);

// Flushes the buffered request log a few times a second, and at shutdown.
class AccessLog {
 public:
  AccessLog();
  ~AccessLog();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

class BillingRoutes;
class MetricsRoutes;
class AdminApiRoutes;
class RedirectRoutes;
class PageRoutes;
class MemberNoteRoutes;
class AuthorRoutes;
class RegisterPageRoutes;
class CuratorRoutes;
class BinRoutes;
class IconRoutes;
class MapRoutes;
class BrandRoutes;

class Site final : public PageKit {
 public:
  explicit Site(const SiteDeps& deps);
  ~Site() override;

  // Dispatches one request: routing, caching for anonymous readers, errors, logging.
  Response handle(Request& req);
  const Router& router() const { return router_; }
  // Whether the request's route is slow by design (password hashing): the server runs
  // those on workers of their own.
  bool heavy(const Request& req) const;

 private:
  struct Paging {
    int page = 1;
    int per_page = 20;
    int offset() const { return (page - 1) * per_page; }
    // Sets view["prev"] and view["next"] to `base` + page number where such pages exist.
    void links(nlohmann::json& view, const std::string& base, int total) const;
  };

  void build_routes();
  void build_admin_routes();
  void identify(Request& req);
  // Fills req.form and req.files from a multipart body; false when a text field is not
  // valid UTF-8.
  bool read_multipart(Request& req);
  // The part of a page's cache key that depends on who is asking.
  std::string variant_key(Request& req);
  Response serve_cached(Request& req, const Route& route, bool shared);
  void finish_personal(Request& req, Response& res);

  // Pages (pages.cpp)
  Response home(Request& req);
  Response article(Request& req);
  // The article page for this reader; `preview` (the back office) adds the preview bar
  // and leaves the view uncounted.
  Response render_article(Request& req, const content::Article& teaser,
                          const paywall::Reader& reader, const nlohmann::json* preview = nullptr);
  Response term_index(Request& req, content::TermKind kind);
  Response term_page(Request& req, content::TermKind kind);
  Response archive_index(Request& req);
  Response archive_month(Request& req);

  // Feeds and discovery (feed_routes.cpp)
  Response site_feed(Request& req, bool atom);
  Response term_feed(Request& req, content::TermKind kind, bool atom);
  Response sitemap(Request& req);
  Response sitemap_file(Request& req);
  std::vector<feeds::SitemapUrl> sitemap_pages(core::UnixTime now);
  // One file's worth of article URLs (file counts from 1); `total` is every visible article.
  std::vector<feeds::SitemapUrl> sitemap_articles(core::UnixTime now, int file, int& total);
  Response news_sitemap(Request& req);
  Response robots(Request& req);

  // Accounts and the reader's choices (account_routes.cpp)
  Response register_post(Request& req);
  Response signin_page(Request& req);
  Response signin_post(Request& req);
  Response signin_confirm_page(Request& req);
  Response signin_confirm_post(Request& req);
  Response verify_page(Request& req);
  Response verify_post(Request& req);
  Response verify_resend(Request& req);
  Response signout_post(Request& req, bool everywhere);
  Response account_page(Request& req);
  Response account_password(Request& req);
  Response account_email(Request& req);
  Response email_approve_page(Request& req);
  Response email_approve_post(Request& req);
  Response email_confirm_page(Request& req);
  Response email_confirm_post(Request& req);
  Response account_export(Request& req);
  Response account_delete(Request& req);
  Response account_newsletters(Request& req);
  Response unsubscribe(Request& req, bool confirm);
  Response edition_page(Request& req);
  Response render_edition(Request& req, const store::Edition& e);
  Response unlock_post(Request& req);
  Response gift_post(Request& req);
  // Rejects a POST whose CSRF token is missing or wrong (403 page), else nullopt.
  std::optional<Response> check_csrf(Request& req) override;
  // The page an emailed link opens: what it will do, and a button that does it.
  Response button_page(const Request& req, const ButtonPage& page) override;
  Response message_page(int status, const std::string& heading, const std::string& message,
                        const std::string& link_url = "", const std::string& link_text = "") override;
  Response redirect(const std::string& location) override;
  std::string session_cookie_for(const std::string& session_token) override;
  // This reader's CSRF token where the page has the marker (web::write_csrf_tokens).
  void fill_csrf(Request& req, Response& res);
  // `res` from a cached page that holds the marker, for this reader (site.cpp).
  void fill_csrf_from(Request& req, const Response& cached, Response& res);

  // Search (search_routes.cpp)
  Response search_page(Request& req);
  Response api_search(Request& req);
  std::optional<std::string> search_request(const Request& req, search::SearchRequest& out,
                                            int max_per_page);

  // Public JSON API (api.cpp)
  Response api_articles(Request& req);
  Response api_article(Request& req);

  // Back office: shell and articles (admin_articles.cpp)
  nlohmann::json admin_view(const Request& req, const std::string& title, const std::string& nav) override;
  Response render_admin(const std::string& tpl, nlohmann::json& view, int status = 200) override;
  Response admin_error(const Request& req, int status, const std::string& message) override;
  Response admin_dashboard(Request& req);
  Response admin_articles(Request& req);
  Response admin_article_new(Request& req);
  Response admin_article_edit(Request& req);
  Response admin_article_save(Request& req);
  Response admin_article_preview(Request& req);
  Response admin_live_preview(Request& req);
  Response admin_revisions(Request& req);
  Response admin_restore(Request& req);
  Response admin_hero_upload(Request& req);
  Response admin_feature(Request& req);
  Response media(Request& req);
  Response editor_page(Request& req, long long id, const editorial::Draft& d,
                       const std::string& error = "", int status = 200);
  std::string preview_fragment(const std::string& markdown);
  // The article named by {id} if this staff member may open it, else fills `error`.
  std::optional<store::EditableArticle> editable(Request& req, Response& error);

  // Back office: the newsletter desk (admin_newsletters.cpp)
  Response admin_newsletters(Request& req);
  Response admin_newsletter_open(Request& req);
  Response admin_desk(Request& req);
  Response admin_desk_save(Request& req);
  Response admin_desk_preview(Request& req);
  Response admin_desk_test(Request& req);
  Response admin_desk_send(Request& req);
  std::optional<newsletter::EditionRef> desk_edition(Request& req, Response& error);
  Response desk_page(Request& req, const newsletter::EditionRef& ref,
                     const newsletter::Sections& s, const std::string& error = "", int status = 200);

  // Back office: analytics (admin_analytics.cpp)
  struct AnalyticsRange {
    int days = 30;
    long long article_id = 0;  // 0: all
    std::string first, last;   // local days, inclusive
  };
  std::optional<AnalyticsRange> analytics_range(const Request& req, Response& error);
  std::vector<store::EventCount> analytics_rows(const AnalyticsRange& r);
  Response admin_analytics(Request& req);
  Response admin_analytics_csv(Request& req);

  // Back office: members, institutions, staff (admin_people.cpp)
  Response admin_members(Request& req);
  Response admin_member(Request& req);
  Response admin_member_grant(Request& req);
  Response admin_member_revoke(Request& req);
  Response admin_members_export(Request& req);
  Response admin_members_import(Request& req);
  Response admin_institutions(Request& req);
  Response admin_institution_add(Request& req);
  Response admin_institution_remove(Request& req);
  Response admin_staff(Request& req);
  Response admin_staff_set(Request& req);
  // The member named by {id}, if any.
  std::optional<accounts::Member> member_param(const Request& req);

  // Back office: taxonomy and settings (admin_site.cpp)
  Response admin_taxonomy(Request& req);
  Response admin_taxonomy_post(Request& req);
  Response admin_settings(Request& req);
  Response admin_settings_post(Request& req);
  Response settings_page(const Request& req, const std::map<std::string, std::string>& values,
                         const std::vector<core::Config::Ad>& ads, const std::string& error = "");

  // Shared helpers (views.cpp)
  nlohmann::json site_view(const std::string& current_path, const Request* req = nullptr) override;
  nlohmann::json page_meta(const std::string& title, const std::string& description,
                           const std::string& path) override;
  nlohmann::json card(const content::ArticleSummary& a, bool show_dek = true);
  // Cards for a listing page, with thumbnails (maps too, unless `maps` is false).
  nlohmann::json listing_cards(const std::vector<content::ArticleSummary>& list, bool maps);
  // A header section the editors named ("/topics/energy", "/pages/about"): its name and
  // address, or nullopt when there is no such topic, country or page (any more).
  std::optional<std::pair<std::string, std::string>> nav_item(const std::string& item, long long version);
  nlohmann::json cards(const std::vector<content::ArticleSummary>& list) override;
  nlohmann::json term_links(const std::vector<content::Term>& terms);
  std::string term_url(const content::Term& t) const;
  std::string article_url(const std::string& slug) const;
  Response render_page(const std::string& tpl, nlohmann::json& view, int status = 200) override;
  Response error_page(int status, const std::string& heading, const std::string& message) override;
  // Parses ?page=N; returns nullopt (and fills `error`) when it is not a positive integer.
  std::optional<Paging> paging(const Request& req, Response& error, int per_page = 20);
  std::optional<content::Article> visible_article(const std::string& slug, bool with_gated);
  paywall::Reader reader_for(const Request& req, const content::ArticleSummary& a);
  std::string state_name(const Request& req) const;
  // Access facts by slug, cached in memory until the content version changes.
  std::optional<store::ContentStore::ArticleRef> article_ref(const std::string& slug,
                                                             long long content_version);

  store::Store& store_;
  store::ContentStore& content_;
  store::MemberStore& members_;
  const core::Config& config_;
  const core::Clock& clock_;
  accounts::AccountService& accounts_;
  paywall::PaywallService& paywall_;
  events::Recorder& events_;
  newsletter::NewsletterService& newsletters_;
  editorial::EditorialService& editorial_;
  accounts::MemberAdmin& member_admin_;
  std::function<void()> reload_;
  const content::Recut* recut_;
  Templates templates_;
  Router router_;
  PageCache cache_;           // shared: anonymous readers only
  PageCache personal_cache_;  // per reader variant; bodies carry a CSRF marker
  std::string secret_;
  std::vector<core::Cidr> trusted_proxies_;
  bool https_ = false;
  AccessLog access_log_;
  std::mutex refs_mu_;
  long long refs_version_ = -1;
  std::unordered_map<std::string, std::optional<store::ContentStore::ArticleRef>> refs_;
  std::string css_version_;
  std::map<std::string, std::shared_ptr<const Encoded>> static_encoded_;  // /static, compressed once
  std::string base_url_;
  std::unique_ptr<BillingRoutes> billing_routes_;  // null without a billing service
  Metrics metrics_;
  std::unique_ptr<MetricsRoutes> metrics_routes_;
  std::unique_ptr<AdminApiRoutes> admin_api_routes_;
  std::unique_ptr<RedirectRoutes> redirect_routes_;
  std::unique_ptr<PageRoutes> page_routes_;
  std::unique_ptr<MemberNoteRoutes> member_note_routes_;
  std::unique_ptr<AuthorRoutes> author_routes_;
  std::unique_ptr<RegisterPageRoutes> register_page_routes_;
  std::unique_ptr<CuratorRoutes> curator_routes_;
  std::unique_ptr<BinRoutes> bin_routes_;
  std::unique_ptr<IconRoutes> icon_routes_;
  std::unique_ptr<MapRoutes> map_routes_;
  std::unique_ptr<BrandRoutes> brand_routes_;
  std::string form_targets_;  // CSP form-action origins besides 'self' (Stripe's pages)
};

}  // namespace web
