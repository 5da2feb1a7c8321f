// The newsletter desk (/admin/newsletters): editor sections, the order and notes of the
// automatic items, previews, a test send, scheduling and sending.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "newsletter/sections.h"
#include "web/session.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

const char* newsletter_title(const std::string& n) {
  return n == "daily" ? "The Daily Review" : n == "weekly" ? "The Weekly Review" : "The free newsletter";
}

const char* audience_of(const std::string& n) {
  return n == "free" ? "verified registered readers who do not subscribe" : "subscribers";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (auto& l : core::split(text, '\n')) {
    auto t = core::trim(l);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

std::optional<newsletter::EditionRef> Site::desk_edition(Request& req, Response& error) {
  std::string n = req.param("newsletter"), date = req.param("date");
  if (!newsletter::valid_newsletter(n) || !core::parse_date(date) || date.size() != 10) {
    error = admin_error(req, 404, "No such edition: choose daily, weekly or free and a date.");
    return std::nullopt;
  }
  auto ref = newsletters_.resolve(n, date);
  if (!ref) {
    error = admin_error(req, 404, ref.error().message);
    return std::nullopt;
  }
  return *ref;
}

Response Site::admin_newsletters(Request& req) {
  json view = admin_view(req, "Newsletters", "newsletters");
  std::string today = core::format_local_day(clock_.now(), config_.timezone);
  json list = json::array();
  for (std::string n : {"daily", "weekly", "free"}) {
    list.push_back({{"name", n}, {"title", newsletter_title(n)}, {"audience", std::string("For ") + audience_of(n)},
                    {"today", today}});
  }
  view["newsletters"] = list;
  view["today"] = today;
  json eds = json::array();
  for (const auto& e : store_.newsletters().recent_editions("", 30)) {
    eds.push_back({{"newsletter", e.newsletter}, {"key", e.key}, {"subject", e.subject},
                   {"sent", std::to_string(e.counts.sent)}, {"failed", std::to_string(e.counts.failed)},
                   {"pending", std::to_string(e.counts.pending)}});
  }
  view["editions"] = eds;
  return render_admin("admin_newsletters", view);
}

Response Site::admin_newsletter_open(Request& req) {
  std::string n = req.query_value("newsletter"), date = req.query_value("date");
  if (!newsletter::valid_newsletter(n) || date.size() != 10 || !core::parse_date(date)) {
    return admin_error(req, 400, "Choose a newsletter and a date (YYYY-MM-DD).");
  }
  return redirect("/admin/newsletters/" + n + "/" + date);
}

Response Site::desk_page(Request& req, const newsletter::EditionRef& ref,
                         const newsletter::Sections& s, const std::string& error, int status) {
  json view = admin_view(req, newsletter_title(ref.newsletter), "newsletters");
  if (!error.empty()) view["error"] = error;
  view["title"] = newsletter_title(ref.newsletter);
  view["newsletter"] = ref.newsletter;
  view["key"] = ref.key;
  view["date_label"] = core::format_long_date(ref.day_start + 43200, config_.timezone);
  view["base"] = "/admin/newsletters/" + ref.newsletter + "/" + ref.date;
  view["audience"] = audience_of(ref.newsletter);
  view["audience_count"] =
      std::to_string(newsletters_.audience_size(ref.newsletter));
  view["timezone"] = config_.timezone;
  view["weekly"] = ref.newsletter == "weekly";
  view["briefs_heading"] = ref.newsletter == "weekly" ? "The week's news, and our take" : "Today's news, and our take";
  view["items_heading"] = ref.newsletter == "daily" ? "The latest analysis" : ref.newsletter == "weekly" ? "The week's coverage" : "Highlights";
  view["intro"] = s.intro;
  view["radar"] = joined_lines(s.radar);
  view["ahead"] = joined_lines(s.ahead);
  json briefs = json::array();
  std::size_t slots = s.briefs.size() + 3;
  for (std::size_t i = 0; i < slots; ++i) {
    newsletter::Brief b = i < s.briefs.size() ? s.briefs[i] : newsletter::Brief{};
    briefs.push_back({{"i", std::to_string(i)}, {"n", std::to_string(i + 1)}, {"headline", b.headline},
                      {"take", b.take}, {"source_url", b.source_url}, {"source_name", b.source_name}});
  }
  view["briefs"] = briefs;
  // Items: the editor's placed ones first (with notes), then the rest, unticked if the
  // editor had removed them.
  auto automatic = newsletters_.automatic_items(ref);
  json items = json::array();
  int pos = 1;
  std::vector<std::string> done;
  if (s.items) {
    for (const auto& placed : *s.items) {
      auto it = std::find_if(automatic.begin(), automatic.end(), [&](const auto& a) { return a.slug == placed.slug; });
      if (it == automatic.end()) continue;
      items.push_back({{"slug", it->slug}, {"headline", it->headline}, {"note", placed.note},
                       {"keep", true}, {"pos", std::to_string(pos++)}});
      done.push_back(it->slug);
    }
  }
  for (const auto& a : automatic) {
    if (std::find(done.begin(), done.end(), a.slug) != done.end()) continue;
    items.push_back({{"slug", a.slug}, {"headline", a.headline}, {"note", ""},
                     {"keep", !s.items.has_value()}, {"pos", std::to_string(pos++)}});
  }
  for (std::size_t i = 0; i < items.size(); ++i) items[i]["i"] = std::to_string(i);
  view["items"] = items;
  auto draft = store_.newsletters().edition_draft(ref.newsletter, ref.key);
  bool editable = true;
  if (auto e = store_.newsletters().find_edition(ref.newsletter, ref.key)) {
    auto c = store_.newsletters().counts(e->id);
    if (c.pending + c.sent + c.failed > 0) {
      editable = false;
      view["sent_state"] = true;
      view["sent"] = std::to_string(c.sent);
      view["failed"] = std::to_string(c.failed);
      view["pending"] = std::to_string(c.pending);
      view["sending"] = newsletters_.sending(ref.newsletter);
    }
  }
  view["editable"] = editable;
  if (draft) {
    if (draft->scheduled_at) {
      view["scheduled"] = core::format_display_datetime(*draft->scheduled_at, config_.timezone);
      view["send_at"] = core::format_local_datetime(*draft->scheduled_at, config_.timezone);
    }
    if (!draft->updated_by.empty()) view["updated_by"] = draft->updated_by;
  }
  return render_admin("admin_desk", view, status);
}

Response Site::admin_desk(Request& req) {
  Response err;
  auto ref = desk_edition(req, err);
  if (!ref) return err;
  return desk_page(req, *ref, newsletters_.sections(*ref));
}

Response Site::admin_desk_save(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  Response err;
  auto ref = desk_edition(req, err);
  if (!ref) return err;
  newsletter::Sections s;
  s.intro = core::trim(req.form_value("intro"));
  for (int i = 0; i < 40; ++i) {
    std::string k = std::to_string(i);
    newsletter::Brief b{core::trim(req.form_value("brief_headline_" + k)), core::trim(req.form_value("brief_take_" + k)),
                        core::trim(req.form_value("brief_url_" + k)), core::trim(req.form_value("brief_source_" + k))};
    if (b.headline.empty()) {
      if (!b.take.empty() || !b.source_url.empty()) {
        return desk_page(req, *ref, s, "Briefs: brief " + std::to_string(i + 1) + " needs a headline.", 400);
      }
      continue;
    }
    s.briefs.push_back(std::move(b));
  }
  s.radar = lines_of(req.form_value("radar"));
  s.ahead = lines_of(req.form_value("ahead"));
  std::vector<std::pair<int, newsletter::ItemNote>> placed;
  bool any_item = false;
  for (int i = 0; i < 200; ++i) {
    std::string k = std::to_string(i);
    std::string slug = req.form_value("item_slug_" + k);
    if (slug.empty()) break;
    any_item = true;
    if (req.form_value("item_keep_" + k) != "1") continue;
    int pos = 0;
    std::string raw = req.form_value("item_pos_" + k);
    std::from_chars(raw.data(), raw.data() + raw.size(), pos);
    placed.push_back({pos * 1000 + i, {slug, core::trim(req.form_value("item_note_" + k))}});
  }
  if (any_item) {
    std::stable_sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    s.items.emplace();
    for (auto& [p, note] : placed) s.items->push_back(std::move(note));
  }
  std::string action = req.form_value("action");
  std::optional<core::UnixTime> when;
  auto existing = store_.newsletters().edition_draft(ref->newsletter, ref->key);
  if (existing && action != "unschedule") when = existing->scheduled_at;
  if (action == "schedule") {
    when = core::parse_local_datetime(core::trim(req.form_value("send_at")), config_.timezone);
    if (!when) return desk_page(req, *ref, s, "Send at: give a date and time, like 2026-12-01T07:00.", 400);
    if (*when <= clock_.now()) return desk_page(req, *ref, s, "Send at: that time has passed; use Send now instead.", 400);
  } else if (action != "save" && action != "unschedule") {
    return desk_page(req, *ref, s, "Unknown action.", 400);
  }
  auto ok = newsletters_.save_sections(*ref, s, when, req.visitor.member->id);
  if (!ok) return desk_page(req, *ref, s, ok.error().message, status_for(ok.error()));
  return redirect("/admin/newsletters/" + ref->newsletter + "/" + ref->date +
                  (action == "schedule" ? "?flash=scheduled" : "?flash=saved"));
}

Response Site::admin_desk_preview(Request& req) {
  Response err;
  auto ref = desk_edition(req, err);
  if (!ref) return err;
  std::string format = req.query_value("format");
  store::Edition e;
  // What goes out: the stored edition once sent, else as composed now.
  auto stored = store_.newsletters().find_edition(ref->newsletter, ref->key);
  auto c = stored ? store_.newsletters().counts(stored->id) : store::DeliveryCounts{};
  if (stored && c.pending + c.sent + c.failed > 0) {
    e = *stored;
  } else {
    e = newsletters_.compose(*ref, newsletters_.sections(*ref));
    if (stored) e.id = stored->id;
  }
  Response res;
  res.set_header("Cache-Control", "private, no-store");
  if (format == "html" || format == "text") {
    auto m = newsletters_.message_for(e, req.visitor.member->id, req.visitor.member->email);
    if (format == "html") {
      res.body = m.html;
      // Our own composed mail; still, nothing in it may run.
      // Framed by the desk itself, and by nothing else.
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; sandbox; "
                     "frame-ancestors 'self'");
    } else {
      res.content_type = "text/plain; charset=utf-8";
      res.body = "Subject: " + m.subject + "\n\n" + m.text;
    }
    return res;
  }
  if (format != "web") return admin_error(req, 400, "Preview format: html, text or web.");
  std::string as = req.query_value("as");
  paywall::ReaderState state = as == "anonymous"    ? paywall::ReaderState::kAnonymous
                               : as == "registered" ? paywall::ReaderState::kRegisteredVerified
                               : as == "subscriber" ? paywall::ReaderState::kSubscriber
                                                    : paywall::ReaderState::kStaff;
  if (state == paywall::ReaderState::kStaff) return admin_error(req, 400, "Preview as anonymous, registered or subscriber.");
  Request as_req = req;
  as_req.visitor = paywall::Visitor{};
  as_req.visitor.state = state;
  as_req.session_token.clear();
  if (state != paywall::ReaderState::kAnonymous) as_req.visitor.member = *req.visitor.member;
  return render_edition(as_req, e);
}

Response Site::admin_desk_test(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  Response err;
  auto ref = desk_edition(req, err);
  if (!ref) return err;
  const auto& m = *req.visitor.member;
  auto ok = newsletters_.send_test(*ref, m.id, m.email);
  if (!ok) return desk_page(req, *ref, newsletters_.sections(*ref), "The test was not sent: " + ok.error().message, 502);
  return redirect("/admin/newsletters/" + ref->newsletter + "/" + ref->date + "?flash=test");
}

Response Site::admin_desk_send(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  Response err;
  auto ref = desk_edition(req, err);
  if (!ref) return err;
  auto ok = newsletters_.start_send(*ref);
  if (!ok) return desk_page(req, *ref, newsletters_.sections(*ref), ok.error().message, status_for(ok.error()));
  return redirect("/admin/newsletters/" + ref->newsletter + "/" + ref->date + "?flash=sending");
}

}  // namespace web
