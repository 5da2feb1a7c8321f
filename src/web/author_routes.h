// Authors in the back office (/admin/authors, editors): each author's address and
// biography, which their page on the reading site shows under their name. Imports bring
// Ghost's staff bios. A handler module of its own: it sees the editorial store and the
// site's PageKit. Thread-safe.
#pragma once

#include "store/editorial_store.h"
#include "store/store.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

inline constexpr std::size_t kMaxBioBytes = 2000;

struct AuthorDeps {
  store::EditorialStore& editorial;
  store::ContentStore& content;
  PageKit& kit;
};

class AuthorRoutes {
 public:
  explicit AuthorRoutes(const AuthorDeps& d) : d_(d) {}
  void add_routes(Router& router);

 private:
  Response list(Request& req, int status, const std::string& error);
  Response save(Request& req);
  AuthorDeps d_;
};

}  // namespace web
