// GET /register: a page of its own with the registration form (email, CSRF token), where
// the home page's "Register" offer leads — so the front page itself carries no token and
// stays one cacheable, validatable page for every stranger. The form posts to /register,
// as the wall's does. A handler module of its own: it sees the site's PageKit. Thread-safe.
#pragma once

#include "core/config.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

struct RegisterPageDeps {
  const core::Config& config;
  PageKit& kit;
};

class RegisterPageRoutes {
 public:
  explicit RegisterPageRoutes(const RegisterPageDeps& d) : d_(d) {}
  void add_routes(Router& router);

 private:
  Response page(Request& req);
  RegisterPageDeps d_;
};

}  // namespace web
