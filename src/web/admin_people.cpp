// The back office for admins: members (search, view, grant, revoke, CSV), institutions,
// staff roles.
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/net.h"
#include "core/text.h"
#include "core/time.h"
#include "web/session.h"
#include "web/billing_routes.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

std::string day_or_dash(const std::optional<core::UnixTime>& t, const std::string& tz) {
  return t ? core::format_local_day(*t - 1, tz) : std::string("—");
}

}  // namespace

std::optional<accounts::Member> Site::member_param(const Request& req) {
  auto id = positive_id(req.param("id"));
  return id ? members_.find_member(*id) : std::nullopt;
}

Response Site::admin_members(Request& req) {
  json view = admin_view(req, "Members", "members");
  store::MemberStore::MemberFilter f;
  f.text = core::trim(req.query_value("q"));
  f.state = req.query_value("state");
  f.now = clock_.now();
  static const std::vector<std::pair<std::string, std::string>> states = {
      {"", "Any"}, {"registered", "Registered (no access)"}, {"unverified", "Unconfirmed address"},
      {"verified", "Confirmed address"}, {"subscriber", "Subscriber"},
      {"complimentary", "Complimentary access"}, {"paying", "Paying (Stripe)"}, {"staff", "Staff"}};
  bool known = false;
  json st = json::array();
  for (const auto& [v, l] : states) {
    known = known || v == f.state;
    st.push_back({{"value", v}, {"label", l}, {"selected", v == f.state}});
  }
  if (!known) return admin_error(req, 400, "Unknown state filter.");
  Response err;
  auto p = paging(req, err, 50);
  if (!p) return err;
  f.limit = p->per_page;
  f.offset = p->offset();
  int total = 0;
  json list = json::array();
  for (const auto& m : members_.search_members(f, total)) {
    list.push_back({{"id", std::to_string(m.id)}, {"email", m.email}, {"name", m.name},
                    {"state", accounts::member_state(m, f.now)},
                    {"until", m.subscribed(f.now) ? day_or_dash(m.access_until(), config_.timezone) : "—"},
                    {"joined", core::format_long_date(m.created_at, config_.timezone)}});
  }
  view["members"] = list;
  view["states"] = st;
  view["q"] = f.text;
  view["total"] = std::to_string(total);
  view["one"] = total == 1;
  p->links(view, "/admin/members?q=" + core::url_encode(f.text) + "&state=" + f.state + "&page=",
           total);
  return render_admin("admin_members", view);
}

Response Site::admin_member(Request& req) {
  auto m = member_param(req);
  if (!m) return admin_error(req, 404, "There is no such member.");
  auto now = clock_.now();
  json view = admin_view(req, m->email, "members");
  view["note"] = members_.member_note(m->id);
  if (req.query_value("noted") == "1") view["flash"] = "Note saved.";
  int left = paywall_.credits_left(*m);
  view["m"] = {{"id", std::to_string(m->id)}, {"email", m->email}, {"name", m->name.empty() ? "—" : m->name},
               {"state", accounts::member_state(*m, now)}, {"verified", m->verified() ? "yes" : "no"},
               {"credits_used", std::to_string(config_.monthly_credits - left)},
               {"credits_total", std::to_string(config_.monthly_credits)},
               {"until", m->subscribed(now) ? day_or_dash(m->access_until(), config_.timezone) : "—"},
               {"until_date", m->comp_until && *m->comp_until > now
                                  ? day_or_dash(m->comp_until, config_.timezone) : ""},
               {"subscribed", m->comp_until && *m->comp_until > now},
               {"joined", core::format_long_date(m->created_at, config_.timezone)},
               {"password", m->has_password ? "set" : "not set"}};
  json nls = json::array();
  std::map<std::string, bool> prefs = {{"daily", true}, {"weekly", true}, {"free", true}};
  for (const auto& [n, on] : members_.newsletter_prefs(m->id)) prefs[n] = on;
  for (const auto& [n, on] : prefs) nls.push_back({{"name", n}, {"state", on ? "on" : "off"}});
  view["newsletters"] = nls;
  json unlocks = json::array();
  for (const auto& u : members_.unlocked_articles(m->id)) {
    unlocks.push_back({{"slug", u.slug}, {"headline", u.headline},
                       {"when", core::format_display_datetime(u.unlocked_at, config_.timezone)}});
  }
  view["unlocks"] = unlocks;
  json gifts = json::array();
  for (const auto& g : members_.gifts_of(m->id)) {
    gifts.push_back({{"slug", g.slug}, {"headline", g.headline},
                     {"when", core::format_display_datetime(g.created_at, config_.timezone)}});
  }
  view["gifts"] = gifts;
  if (billing_routes_) view["billing"] = billing_routes_->member_view(*m);
  json dels = json::array();
  for (const auto& d : store_.newsletters().deliveries_of(m->id, 30)) {
    dels.push_back({{"newsletter", d.newsletter}, {"key", d.key}, {"status", d.status},
                    {"sent", d.sent_at ? core::format_display_datetime(*d.sent_at, config_.timezone) : ""},
                    {"error", d.last_error}});
  }
  view["deliveries"] = dels;
  return render_admin("admin_member", view);
}

Response Site::admin_member_grant(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::string email = req.form_value("email");
  if (!req.param("id").empty()) {
    auto m = member_param(req);
    if (!m) return admin_error(req, 404, "There is no such member.");
    email = m->email;
  }
  auto r = member_admin_.grant(email, core::trim(req.form_value("name")), req.form_value("until"));
  if (!r) return admin_error(req, status_for(r.error()), "Not granted: " + r.error().message);
  return redirect("/admin/members/" + std::to_string(r->id) + "?flash=done");
}

Response Site::admin_member_revoke(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto m = member_param(req);
  if (!m) return admin_error(req, 404, "There is no such member.");
  auto r = member_admin_.revoke(m->email);
  if (!r) return admin_error(req, status_for(r.error()), r.error().message);
  return redirect("/admin/members/" + std::to_string(m->id) + "?flash=done");
}

Response Site::admin_members_export(Request&) {
  Response res;
  res.content_type = "text/csv; charset=utf-8";
  res.set_header("Content-Disposition", "attachment; filename=\"meridian-members.csv\"");
  res.set_header("Cache-Control", "private, no-store");
  res.body = member_admin_.export_csv();
  return res;
}

Response Site::admin_members_import(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto file = req.files.find("csv");
  if (file == req.files.end()) return admin_error(req, 400, "Import: choose a CSV file.");
  auto r = member_admin_.import_csv(file->second, req.form_value("until"));
  if (!r) return admin_error(req, status_for(r.error()), "Nothing imported: " + r.error().message);
  json view = admin_view(req, "Members imported", "members");
  view["heading"] = "Imported " + std::to_string(r->rows) + " members";
  view["flash"] = std::to_string(r->created) + " new, " + std::to_string(r->updated) + " updated.";
  return render_admin("admin_message", view);
}

Response Site::admin_institutions(Request& req) {
  json view = admin_view(req, "Institutions", "institutions");
  // Ranges come ordered by institution: one row per institution, its ranges joined.
  json list = json::array();
  long long last = 0;
  for (const auto& r : members_.institution_ranges()) {
    if (r.institution_id != last) {
      list.push_back({{"id", std::to_string(r.institution_id)}, {"name", r.name}, {"ranges", r.cidr},
                      {"csrf", std::string(kCsrfMarker)}});
      last = r.institution_id;
    } else {
      list.back()["ranges"] = list.back()["ranges"].get<std::string>() + ", " + r.cidr;
    }
  }
  view["institutions"] = list;
  return render_admin("admin_institutions", view);
}

Response Site::admin_institution_add(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::string name = core::trim(req.form_value("name"));
  std::vector<std::string> cidrs;
  std::string problem;
  for (auto& line : core::split(req.form_value("cidrs"), '\n')) {
    auto c = core::trim(line);
    if (c.empty()) continue;
    if (!core::parse_cidr(c)) problem = "Address ranges: '" + c + "' is not a range like 192.0.2.0/24.";
    cidrs.push_back(c);
  }
  if (name.empty()) problem = "Name: give the institution a name.";
  if (cidrs.empty() && problem.empty()) problem = "Address ranges: give at least one.";
  if (!problem.empty()) {
    json view = admin_view(req, "Institutions", "institutions");
    view["error"] = problem;
    view["name"] = name;
    view["cidrs"] = req.form_value("cidrs");  // nothing typed is lost
    return render_admin("admin_institutions", view, 400);
  }
  auto r = members_.add_institution(name, cidrs, clock_.now());
  if (!r) return admin_error(req, status_for(r.error()), r.error().message);
  return redirect("/admin/institutions?flash=done");
}

Response Site::admin_institution_remove(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto id = positive_id(req.param("id"));
  if (!id) return admin_error(req, 404, "There is no such institution.");
  auto r = members_.remove_institution(*id);
  if (!r) return admin_error(req, status_for(r.error()), "Not removed: " + r.error().message);
  return redirect("/admin/institutions?flash=done");
}

Response Site::admin_staff(Request& req) {
  json view = admin_view(req, "Staff", "staff");
  store::MemberStore::MemberFilter f;
  f.state = "staff";
  f.limit = 500;
  int total = 0;
  json list = json::array();
  for (const auto& m : members_.search_members(f, total)) {
    json roles = json::array();
    for (auto r : {accounts::Role::kReader, accounts::Role::kAuthor, accounts::Role::kEditor,
                   accounts::Role::kAdmin}) {
      std::string v(accounts::to_string(r));
      roles.push_back({{"value", v}, {"label", r == accounts::Role::kReader ? "reader (remove from staff)" : v},
                       {"selected", r == m.role}});
    }
    list.push_back({{"id", std::to_string(m.id)}, {"email", m.email}, {"name", m.name},
                    {"role", std::string(accounts::to_string(m.role))}, {"roles", roles},
                    {"csrf", std::string(kCsrfMarker)}});
  }
  view["staff_list"] = list;
  return render_admin("admin_staff", view);
}

Response Site::admin_staff_set(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  auto role = accounts::parse_role(req.form_value("role"));
  if (!role) return admin_error(req, 400, "Role: author, editor, admin or reader.");
  std::string email = accounts::normalize_email(req.form_value("email"));
  if (email == req.visitor.member->email && *role != accounts::Role::kAdmin) {
    return admin_error(req, 400, "You cannot take away your own admin role; ask another admin.");
  }
  auto r = member_admin_.set_staff_role(email, *role);
  if (!r) return admin_error(req, status_for(r.error()), r.error().message);
  return redirect("/admin/staff?flash=done");
}

}  // namespace web
