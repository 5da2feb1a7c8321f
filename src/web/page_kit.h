// What a handler module needs from the site to answer like every other page: the
// chrome and metadata, template rendering, message and confirmation pages, CSRF checks,
// redirects and the session cookie. web::Site implements it; modules (billing_routes…)
// receive it instead of the whole site, so each module sees only its own services.
// Thread-safe: called from every request thread.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "content/article.h"
#include "core/result.h"
#include "web/http.h"

namespace web {

// The HTTP status for a use-case error (400, 403, 404, 409, 429, 503).
int status_for(const core::Error& e);
// A positive whole number (an id in a path or form), or nullopt.
std::optional<long long> positive_id(std::string_view text);
// A topic's, country's or author's page: /topics/{slug}, /countries/{slug}, /authors/{slug}.
std::string term_path(const content::Term& t);
// The pagination block of a paged list at `path` (listing.mustache's `pagination`): page
// `page` of `pages`, newer/older links (page 1 is `path` itself); null for a single page.
nlohmann::json pagination(const std::string& path, int page, int pages);

class PageKit {
 public:
  virtual ~PageKit() = default;

  // The site's header/footer view (navigation, sign-in state, CSRF marker for `req`).
  virtual nlohmann::json site_view(const std::string& current_path, const Request* req) = 0;
  virtual nlohmann::json page_meta(const std::string& title, const std::string& description,
                                   const std::string& path) = 0;
  // Article cards as every listing shows them (templates/card.mustache).
  virtual nlohmann::json cards(const std::vector<content::ArticleSummary>& list) = 0;
  // templates/<tpl>.mustache inside the reading site's layout.
  virtual Response render_page(const std::string& tpl, nlohmann::json& view, int status) = 0;
  // The reading site's error page (404 "Page not found" and the like), never cached.
  virtual Response error_page(int status, const std::string& heading, const std::string& message) = 0;
  virtual Response message_page(int status, const std::string& heading, const std::string& message,
                                const std::string& link_url, const std::string& link_text) = 0;
  // A page with one button posting `token` to `action` (links opened from mail).
  struct ButtonPage {
    std::string title, description, path, heading, message, action, button, token;
  };
  virtual Response button_page(const Request& req, const ButtonPage& page) = 0;
  // Rejects a POST whose CSRF token is missing or wrong (403 page), else nullopt.
  virtual std::optional<Response> check_csrf(Request& req) = 0;
  virtual Response redirect(const std::string& location) = 0;
  // Set-Cookie value signing this browser in with `session_token`.
  virtual std::string session_cookie_for(const std::string& session_token) = 0;

  // The back office: its view skeleton, its layout, and its error page.
  virtual nlohmann::json admin_view(const Request& req, const std::string& title,
                                    const std::string& nav) = 0;
  virtual Response render_admin(const std::string& tpl, nlohmann::json& view, int status) = 0;
  virtual Response admin_error(const Request& req, int status, const std::string& message) = 0;
};

}  // namespace web
