#include "newsletter/personal.h"
#include "importers/publication.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/time.h"
#include "core/version.h"
#include "pages/pages.h"
#include "redirects/redirects.h"
#include "store/editorial_store.h"
#include "store/page_store.h"
#include "store/redirect_store.h"

namespace importers {

using nlohmann::json;
using core::ErrorCode;

bool is_publication_export(std::string_view text) {
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || text[start] != '{') return false;
  // Only the head: the format is the first key written.
  auto head = text.substr(start, 200);
  return head.find(kPublicationFormat) != std::string_view::npos;
}

core::Result<nlohmann::ordered_json> export_publication(store::Store& store,
                                                        content::ContentService& content,
                                                        const core::Clock& clock) {
  using ojson = nlohmann::ordered_json;
  ojson out;
  out["format"] = kPublicationFormat;
  out["format_version"] = 1;
  out["meridian"] = core::version();
  out["exported_at"] = core::format_rfc3339(clock.now());
  std::stringstream lines;
  content.export_jsonl(lines);
  ojson articles = ojson::array();
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) articles.push_back(ojson::parse(line));
  }
  out["articles"] = articles;
  auto names = [&](content::TermKind kind) {
    ojson list = ojson::array();
    for (const auto& t : store.editorial().terms(kind)) list.push_back(t.term.name);
    return list;
  };
  out["topics"] = names(content::TermKind::kTopic);
  out["countries"] = names(content::TermKind::kCountry);
  out["authors"] = names(content::TermKind::kAuthor);
  ojson members = ojson::array();
  for (const auto& m : store.members().list_members()) {
    ojson prefs = ojson::object();
    for (const auto& [n, on] : store.members().newsletter_prefs(m.id)) prefs[n] = on;
    members.push_back({{"email", m.email},
                       {"name", m.name},
                       {"role", std::string(accounts::to_string(m.role))},
                       {"verified_at", m.verified_at ? core::format_rfc3339(*m.verified_at) : ""},
                       {"complimentary_until", m.comp_until ? core::format_rfc3339(*m.comp_until) : ""},
                       {"paid_until", m.paid_until ? core::format_rfc3339(*m.paid_until) : ""},
                       {"created_at", core::format_rfc3339(m.created_at)},
                       {"newsletters", prefs}});
  }
  out["members"] = members;
  ojson editions = ojson::array();
  for (const auto& e : store.newsletters().recent_editions("", 1000000)) {
    if (auto full = store.newsletters().find_edition(e.newsletter, e.key)) {
      editions.push_back({{"newsletter", full->newsletter}, {"key", full->key},
                          {"subject", full->subject},
                          // In the edition's own order: the marks name this database's ids.
                          {"text", newsletter::reorder(full->text, {})},
                          {"html", newsletter::reorder(full->html, {})}});
    }
  }
  out["editions"] = editions;
  ojson settings = ojson::object();
  for (const auto& [k, v] : store.editorial().settings()) settings[k] = v;
  out["settings"] = settings;
  ojson page_list = ojson::array();
  auto all_pages = store.pages().pages();
  for (const auto& p : all_pages) {
    std::string parent;
    for (const auto& q : all_pages) {
      if (q.id == p.parent_id) parent = q.slug;
    }
    page_list.push_back({{"slug", p.slug}, {"parent", parent}, {"title", p.title},
                         {"description", p.description}, {"body", p.body_md},
                         {"published", p.published}, {"footer", p.footer}});
  }
  out["pages"] = page_list;
  ojson redirect_list = ojson::array();
  for (const auto& r : store.redirects().redirects()) {
    redirect_list.push_back({{"from", r.from}, {"to", r.to}, {"origin", r.origin}});
  }
  out["redirects"] = redirect_list;
  return out;
}

core::Result<PublicationReport> import_publication(std::string_view text, store::Store& store,
                                                   content::ContentService& content,
                                                   const core::Clock& clock) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kPublicationFormat) {
    return core::fail(ErrorCode::kInvalidInput, "not a Meridian publication export (format)");
  }
  if (j.value("format_version", 0) != 1) {
    return core::fail(ErrorCode::kInvalidInput, "an export of a newer format version: upgrade first");
  }
  // Check the members before writing anything.
  const json& members = j.contains("members") && j["members"].is_array() ? j["members"] : json::array();
  for (const auto& m : members) {
    if (!m.is_object() || !m.contains("email") || !m["email"].is_string() ||
        !accounts::plausible_email(m["email"].get<std::string>())) {
      return core::fail(ErrorCode::kInvalidInput, "members: an entry without a valid email");
    }
    for (const char* k : {"verified_at", "complimentary_until", "created_at"}) {
      std::string v = m.value(k, "");
      if (!v.empty() && !core::parse_rfc3339(v)) {
        return core::fail(ErrorCode::kInvalidInput,
                          std::string("members: ") + k + " is not an RFC 3339 time for " +
                              m["email"].get<std::string>());
      }
    }
  }
  // …and the pages and redirects.
  std::vector<pages::PageInput> page_inputs;
  for (const auto& p : j.value("pages", json::array())) {
    if (!p.is_object() || !p.value("slug", json()).is_string() || !p.value("title", json()).is_string()) {
      return core::fail(ErrorCode::kInvalidInput, "pages: an entry without a slug or title");
    }
    pages::PageInput in;
    in.slug = p["slug"].get<std::string>();
    in.title = p["title"].get<std::string>();
    in.parent = p.value("parent", "");
    in.description = p.value("description", "");
    in.body_md = p.value("body", "");
    in.published = p.value("published", false);
    in.footer = p.value("footer", 0);
    page_inputs.push_back(std::move(in));
  }
  std::vector<store::Redirect> redirect_list;
  for (const auto& x : j.value("redirects", json::array())) {
    if (!x.is_object()) return core::fail(ErrorCode::kInvalidInput, "redirects: an entry that is not an object");
    auto made = redirects::make_redirect(x.value("from", ""), x.value("to", ""),
                                         x.value("origin", "import"), clock.now());
    if (!made) {
      return core::fail(ErrorCode::kInvalidInput, "redirects: " + x.value("from", "") + ": " +
                                                      made.error().message);
    }
    redirect_list.push_back(std::move(*made));
  }
  PublicationReport r;
  core::UnixTime now = clock.now();
  // Articles: the same checks and all-or-nothing import as JSON Lines.
  std::string lines;
  for (const auto& a : j.value("articles", json::array())) lines += a.dump() + "\n";
  if (!lines.empty()) {
    auto imported = content.import_jsonl(lines);
    if (!imported) return std::unexpected(imported.error());
    r.articles = imported->created + imported->updated;
  }
  auto terms = [&](const char* key, content::TermKind kind, int& count) {
    for (const auto& name : j.value(key, json::array())) {
      if (name.is_string() && store.editorial().create_term(kind, name.get<std::string>())) ++count;
    }
  };
  terms("topics", content::TermKind::kTopic, r.topics);
  terms("countries", content::TermKind::kCountry, r.countries);
  terms("authors", content::TermKind::kAuthor, r.authors);
  auto& ms = store.members();
  for (const auto& m : members) {
    std::string email = accounts::normalize_email(m["email"].get<std::string>());
    std::string name = m.value("name", "");
    std::optional<core::UnixTime> comp;
    if (auto v = m.value("complimentary_until", ""); !v.empty()) comp = core::parse_rfc3339(v);
    bool verified = !m.value("verified_at", "").empty();
    // The member keeps the date they joined.
    core::UnixTime since = core::parse_rfc3339(m.value("created_at", "")).value_or(now);
    std::optional<accounts::Member> made;
    if (auto existing = ms.find_member_by_email(email)) {
      made = existing;
      if (comp) made = ms.grant(email, name, comp, now).value_or(*existing);
    } else if (comp) {
      auto g = ms.grant(email, name, comp, since);  // the publisher vouches, as for grants
      if (!g) return std::unexpected(g.error());
      made = *g;
    } else {
      auto c = ms.create_member(email, name, verified, since);
      if (!c) return std::unexpected(c.error());
      made = *c;
    }
    if (auto role = accounts::parse_role(m.value("role", "reader")); role && made) {
      (void)ms.set_role(made->id, *role);
    }
    if (m.contains("newsletters") && m["newsletters"].is_object()) {
      for (const auto& [n, on] : m["newsletters"].items()) {
        if (on.is_boolean()) (void)ms.set_newsletter(made->id, n, on.get<bool>(), now);
      }
    }
    ++r.members;
  }
  for (const auto& e : j.value("editions", json::array())) {
    store::Edition ed;
    ed.newsletter = e.value("newsletter", "");
    ed.key = e.value("key", "");
    ed.subject = e.value("subject", "");
    ed.text = e.value("text", "");
    ed.html = e.value("html", "");
    if (ed.newsletter.empty() || ed.key.empty()) continue;
    if (store.newsletters().save_edition(ed, now)) ++r.editions;
  }
  std::map<std::string, std::string> settings;
  if (j.contains("settings") && j["settings"].is_object()) {
    for (const auto& [k, v] : j["settings"].items()) {
      if (v.is_string()) settings[k] = v.get<std::string>();
    }
  }
  if (!settings.empty()) {
    if (auto saved = store.editorial().save_settings(settings, now); !saved) {
      return std::unexpected(saved.error());
    }
    r.settings = static_cast<int>(settings.size());
  }
  auto written = pages::put_all(store.pages(), page_inputs, now, /*keep_footer=*/false);
  if (!written) return core::fail(written.error().code, "pages: " + written.error().message);
  r.pages = *written;
  if (auto saved = store.redirects().put_redirects(redirect_list); !saved) {
    return std::unexpected(saved.error());
  }
  r.redirects = static_cast<int>(redirect_list.size());
  return r;
}

}  // namespace importers
