// The back office for the publication itself: taxonomy (create, rename, merge topics
// and countries; featured articles) and settings.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "web/page_routes.h"
#include "redirects/redirects.h"
#include "store/editorial_store.h"
#include "web/session.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

Response Site::admin_taxonomy(Request& req) {
  json view = admin_view(req, "Topics and countries", "taxonomy");
  json kinds = json::array();
  for (auto kind : {content::TermKind::kTopic, content::TermKind::kCountry}) {
    json terms = json::array();
    for (const auto& t : store_.editorial().terms(kind)) {
      terms.push_back({{"slug", t.term.slug}, {"name", t.term.name}, {"url", term_url(t.term)},
                       {"count", std::to_string(t.articles)}});
    }
    bool topic = kind == content::TermKind::kTopic;
    kinds.push_back({{"kind", std::string(content::to_string(kind))},
                     {"heading", topic ? "Topics" : "Countries and regions"},
                     {"singular", topic ? "topic" : "country or region"},
                     {"terms", terms},
                     {"csrf", std::string(kCsrfMarker)}});
  }
  view["kinds"] = kinds;
  store::ArticleFilter f;
  f.featured_only = true;
  int total = 0;
  json featured = json::array();
  for (const auto& a : store_.editorial().list(f, total)) {
    featured.push_back({{"id", a.id}, {"headline", a.headline}});
  }
  view["featured"] = featured;
  return render_admin("admin_taxonomy", view);
}

Response Site::admin_taxonomy_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::string kind_name = req.form_value("kind"), op = req.form_value("op");
  content::TermKind kind;
  if (kind_name == "topic") {
    kind = content::TermKind::kTopic;
  } else if (kind_name == "country") {
    kind = content::TermKind::kCountry;
  } else {
    return admin_error(req, 400, "Choose topics or countries.");
  }
  std::string name = core::trim(req.form_value("name"));
  core::Result<void> r;
  if (op == "create" || op == "rename") {
    if (name.empty() || core::slugify(name).empty() || name.size() > 100) {
      return admin_error(req, 400, "Name: 1 to 100 characters, with letters or digits.");
    }
    r = op == "create" ? store_.editorial().create_term(kind, name)
                       : store_.editorial().rename_term(kind, req.form_value("slug"), name);
  } else if (op == "merge") {
    std::string from = req.form_value("from"), into = req.form_value("into");
    auto merged = store_.editorial().merge_terms(kind, from, into);
    if (!merged) {
      r = std::unexpected(merged.error());
    } else {
      // The merged page's address leads to the one it joined (links, search engines).
      std::string base = kind == content::TermKind::kTopic ? "/topics/" : "/countries/";
      r = redirects::put(store_.redirects(), base + from, base + into, "editor", clock_.now());
    }
  } else {
    return admin_error(req, 400, "Unknown action.");
  }
  if (!r) return admin_error(req, status_for(r.error()), r.error().message);
  return redirect("/admin/taxonomy?flash=done");
}

Response Site::settings_page(const Request& req, const std::map<std::string, std::string>& values,
                             const std::vector<core::Config::Ad>& ads, const std::string& error) {
  json view = admin_view(req, "Settings", "settings");
  auto value = [&](const char* key) {
    auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  };
  view["s"] = {{"name", value("site.name")},
               {"description", value("site.description")},
               {"url", value("site.url")},
               {"timezone", value("site.timezone")},
               {"teaser", value("site.teaser_paragraphs")},
               {"credits", value("access.monthly_credits")},
               {"gifts", value("access.gifts_per_month")},
               {"accent", value("brand.accent").empty() ? std::string("#8a1c1c") : value("brand.accent")},
               {"nav", value("brand.nav")},
               {"footer", value("brand.footer")}};
  if (!config_.brand_logo.empty()) view["logo"] = "/media/" + config_.brand_logo;
  json slots = json::array();
  json warnings = json::array();
  for (std::size_t i = 0; i < ads.size(); ++i) {
    json slot = {{"i", std::to_string(i)}, {"n", std::to_string(i + 1)}, {"image", ads[i].image},
                 {"link", ads[i].link}, {"alt", ads[i].alt}};
    // An image on this site that is not there: readers would see a broken picture.
    const auto& img = ads[i].image;
    bool missing = false;
    if (img.starts_with("/media/")) {
      std::string file = img.substr(7);
      std::error_code ec;
      missing = !content::is_media_name(file) ||
                !std::filesystem::exists(std::filesystem::path(editorial_.media_dir()) / file, ec);
    } else if (img.starts_with("/") && !img.starts_with("//")) {
      missing = !img.starts_with("/static/");
    }
    if (missing) {
      warnings.push_back("Ad " + std::to_string(i + 1) + ": its image " + img +
                         " is not on this site, so readers would see a broken picture.");
    }
    if (!img.empty() && !missing) slot["preview"] = true;
    slots.push_back(slot);
  }
  view["ad_warnings"] = warnings;
  view["has_ad_warnings"] = !warnings.empty();
  view["ads"] = slots;
  // Payment keys live in meridian.toml or the environment, never in the page: whether
  // they are set, and the secret key's last four characters.
  const auto& key = config_.stripe_secret_key;
  view["billing"] = {{"key_set", !key.empty()},
                     {"key_hint", key.size() >= 8 ? key.substr(key.size() - 4) : std::string()},
                     {"webhook_set", !config_.stripe_webhook_secrets.empty()}};
  if (!error.empty()) {
    view["error"] = error;
    return render_admin("admin_settings", view, 400);
  }
  if (req.query_value("flash") == "settings") view["flash"] = "Settings saved and applied.";
  if (recut_) {
    if (auto p = recut_->progress(); p.running) {
      view["recut"] = {{"done", std::to_string(p.done)}, {"total", std::to_string(p.total)},
                       {"error", p.error}, {"has_error", !p.error.empty()}};
    }
  }
  return render_admin("admin_settings", view);
}

Response Site::admin_settings(Request& req) {
  auto ads = config_.ads;
  ads.resize(ads.size() + 2);  // room for new ads
  return settings_page(req, core::settings_of(config_), ads);
}

Response Site::admin_settings_post(Request& req) {
  if (auto bad = check_csrf(req)) return *bad;
  std::map<std::string, std::string> values;
  for (const char* key : {"site.name", "site.description", "site.url", "site.timezone",
                          "site.teaser_paragraphs", "access.monthly_credits",
                          "access.gifts_per_month", "brand.accent", "brand.nav", "brand.footer"}) {
    values[key] = core::trim(req.form_value(key));
  }
  std::vector<core::Config::Ad> typed;
  for (int i = 0; i < 20; ++i) {
    std::string k = std::to_string(i);
    if (req.form.find("ad_image_" + k) == req.form.end()) break;
    typed.push_back({core::trim(req.form_value("ad_image_" + k)),
                     core::trim(req.form_value("ad_link_" + k)),
                     core::trim(req.form_value("ad_alt_" + k))});
  }
  json filled = json::array();  // empty slots are not ads
  for (const auto& ad : typed) {
    if (!ad.image.empty() || !ad.link.empty() || !ad.alt.empty()) {
      filled.push_back({{"image", ad.image}, {"link", ad.link}, {"alt", ad.alt}});
    }
  }
  values["ads"] = filled.dump();
  // The colour picker always sends a colour: the default one means "the default".
  if (values["brand.accent"] == "#8a1c1c") values["brand.accent"] = "";
  core::Config check = config_;
  if (auto ok = core::apply_settings(check, values); !ok) {
    return settings_page(req, values, typed, ok.error().message);  // what was typed stays
  }
  for (const auto& item : check.brand_nav) {
    if (!nav_item(item, store_.versions().content)) {
      return settings_page(req, values, typed,
                           "Header navigation: there is no " + item + " (check the address).");
    }
  }
  // Only what the admin changed is stored: untouched settings keep following
  // meridian.toml and the environment.
  auto current = core::settings_of(config_);
  std::erase_if(values, [&](const auto& kv) { return current[kv.first] == kv.second; });
  if (values.empty()) return redirect("/admin/settings?flash=settings");
  if (auto ok = store_.editorial().save_settings(values, clock_.now()); !ok) {
    return admin_error(req, status_for(ok.error()), ok.error().message);
  }
  // A new teaser length: the reloaded server cuts every article again in the background
  // (content::Recut), with its progress on this page; the request does not wait for it.
  if (reload_) reload_();
  return redirect("/admin/settings?flash=settings");
}

}  // namespace web
