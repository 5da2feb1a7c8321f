// The staff's note about a member (POST /admin/members/{id}/note, admins): a few lines a
// publisher keeps beside an account — where a reader came from, what they asked for,
// Ghost's labels after a move. Shown on the member's back-office page and in their own
// data export; deleted with the account. A handler module of its own: it sees the member
// store and the site's PageKit. Thread-safe.
#pragma once

#include <string>

#include "core/clock.h"
#include "store/store.h"
#include "web/page_kit.h"
#include "web/router.h"

namespace web {

inline constexpr std::size_t kMaxMemberNoteBytes = 10000;

struct MemberNoteDeps {
  store::MemberStore& members;
  const core::Clock& clock;
  PageKit& kit;
};

class MemberNoteRoutes {
 public:
  explicit MemberNoteRoutes(const MemberNoteDeps& d) : d_(d) {}
  void add_routes(Router& router);

 private:
  Response save(Request& req);
  MemberNoteDeps d_;
};

}  // namespace web
