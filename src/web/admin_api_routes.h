// The admin API (/api/admin/v1/…) for the tools publishers already use, and its back-office
// page /admin/integrations (tokens: create — shown once —, list, revoke; the audit log).
// Bearer tokens with scopes; JSON in and out; errors as {"error": {"code", "message"}};
// rate limited per token; every call audited. A handler module of its own: it sees the
// editorial and member services, the token service and the site's PageKit. Thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>

#include "accounts/admin.h"
#include "core/clock.h"
#include "core/config.h"
#include "editorial/service.h"
#include "integrations/api_tokens.h"
#include "integrations/webhooks.h"
#include "store/editorial_store.h"
#include "store/store.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

struct AdminApiDeps {
  integrations::ApiTokens& tokens;
  integrations::Webhooks* webhooks;  // null: no outgoing webhooks
  editorial::EditorialService& editorial;
  store::EditorialStore& articles;
  store::MemberStore& members;
  accounts::MemberAdmin& member_admin;
  const core::Config& config;
  const core::Clock& clock;
  PageKit& kit;
};

class AdminApiRoutes {
 public:
  explicit AdminApiRoutes(const AdminApiDeps& d) : d_(d) {}
  void add_routes(Router& router);

 private:
  using ApiHandler = std::function<Response(Request&, const integrations::Caller&)>;
  // Authentication, scope, rate limit, audit, and JSON errors around `h`.
  Handler api(const char* scope, ApiHandler h);

  Response list_articles(Request& req, const integrations::Caller& c);
  Response get_article(Request& req, const integrations::Caller& c);
  Response save_article(Request& req, const integrations::Caller& c, bool create);
  Response set_status(Request& req, const integrations::Caller& c, editorial::Action action);
  Response upload_media(Request& req, const integrations::Caller& c);
  Response list_members(Request& req, const integrations::Caller& c);
  Response grant(Request& req, const integrations::Caller& c, bool revoke);

  Response integrations_page(Request& req);
  Response create_token(Request& req);
  Response revoke_token(Request& req);
  Response add_webhook(Request& req);
  Response remove_webhook(Request& req);

  AdminApiDeps d_;
};

// A JSON error answer: {"error": {"code": code, "message": message}}.
Response api_error(int status, const std::string& code, const std::string& message);

}  // namespace web
