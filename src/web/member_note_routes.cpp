#include "web/member_note_routes.h"

#include "core/text.h"

namespace web {

void MemberNoteRoutes::add_routes(Router& router) {
  router.add(Route{"POST", "/admin/members/{id}/note", Audience::kAdmin,
                   [this](Request& r) { return save(r); }, false, {}});
}

Response MemberNoteRoutes::save(Request& req) {
  if (auto bad = d_.kit.check_csrf(req)) return *bad;
  auto given = positive_id(req.param("id"));
  if (!given || !d_.members.find_member(*given)) {
    return d_.kit.admin_error(req, 404, "There is no such member.");
  }
  long long id = *given;
  std::string note = core::trim(req.form_value("note"));
  if (note.size() > kMaxMemberNoteBytes) {
    return d_.kit.admin_error(req, 400, "A note may be at most 10,000 characters long.");
  }
  if (!core::valid_utf8(note)) return d_.kit.admin_error(req, 400, "The note is not valid text.");
  auto saved = d_.members.set_member_note(id, note, d_.clock.now());
  if (!saved) return d_.kit.admin_error(req, status_for(saved.error()), saved.error().message);
  return d_.kit.redirect("/admin/members/" + std::to_string(id) + "?noted=1");
}

}  // namespace web
