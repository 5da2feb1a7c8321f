// View models shared by the page handlers: site chrome, cards, links, errors.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "web/page_routes.h"
#include "web/session.h"
#include "web/site.h"

namespace web {

using content::Term;
using content::TermKind;
using nlohmann::json;

int status_for(const core::Error& e) {
  switch (e.code) {
    case core::ErrorCode::kInvalidInput: return 400;
    case core::ErrorCode::kForbidden: return 403;
    case core::ErrorCode::kRateLimited: return 429;
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kConflict: return 409;
    default: return 503;
  }
}

std::optional<long long> positive_id(std::string_view text) {
  long long id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::string term_path(const Term& t) {
  switch (t.kind) {
    case TermKind::kTopic: return "/topics/" + t.slug;
    case TermKind::kCountry: return "/countries/" + t.slug;
    case TermKind::kAuthor: return "/authors/" + t.slug;
  }
  return "/";
}

json pagination(const std::string& path, int page, int pages) {
  if (pages <= 1) return nullptr;
  json pg = {{"page", std::to_string(page)}, {"pages", std::to_string(pages)}};
  if (page > 1) pg["prev_url"] = page == 2 ? path : path + "?page=" + std::to_string(page - 1);
  if (page < pages) pg["next_url"] = path + "?page=" + std::to_string(page + 1);
  return pg;
}

std::string Site::term_url(const Term& t) const { return term_path(t); }

std::string Site::article_url(const std::string& slug) const { return "/articles/" + slug; }

std::optional<std::pair<std::string, std::string>> Site::nav_item(const std::string& item, long long version) {
  std::string slug = item.substr(item.rfind('/') + 1);
  if (item.starts_with("/topics/")) {
    if (auto t = content_.find_term(TermKind::kTopic, slug)) return std::pair{t->name, item};
  } else if (item.starts_with("/countries/")) {
    if (auto t = content_.find_term(TermKind::kCountry, slug)) return std::pair{t->name, item};
  } else if (auto p = page_routes_->pages().find(slug, "", version)) {
    return std::pair{p->page.title, p->path};
  }
  return std::nullopt;
}

json Site::site_view(const std::string& current_path, const Request* req) {
  json nav = json::array();
  long long version = req ? req->content_version : store_.versions().content;
  if (!config_.brand_nav.empty()) {
    // The editors' sections, in their order (an item since deleted is left out).
    for (const auto& item : config_.brand_nav) {
      if (auto found = nav_item(item, version)) {
        const auto& [name, url] = *found;
        nav.push_back({{"name", name}, {"url", url}, {"current", url == current_path}});
      }
    }
  } else {
    auto topics = content_.list_terms(TermKind::kTopic, clock_.now());
    std::stable_sort(topics.begin(), topics.end(),
                     [](const auto& a, const auto& b) { return a.articles > b.articles; });
    for (std::size_t i = 0; i < topics.size() && i < 7; ++i) {
      std::string url = term_url(topics[i].term);
      nav.push_back({{"name", topics[i].term.name}, {"url", url}, {"current", url == current_path}});
    }
  }
  json footer_pages = json::array();
  for (const auto& link : page_routes_->pages().footer(version)) {
    footer_pages.push_back({{"title", link.title}, {"url", link.url}});
  }
  for (const auto& link : config_.brand_footer) {
    footer_pages.push_back({{"title", link.label}, {"url", link.url}});
  }
  bool signed_in = req && req->visitor.member.has_value();
  bool subscriber = req && paywall::entitled_to_all(req->visitor.state);
  // Filled in per request (Site::fill_csrf): the token depends on the browser.
  std::string csrf = req ? std::string(kCsrfMarker) : std::string();
  json ads = json::array();
  if (!subscriber) {
    for (const auto& ad : config_.ads) {
      ads.push_back({{"image", ad.image}, {"link", ad.link}, {"alt", ad.alt}});
    }
  }
  return {{"name", config_.site_name},
          {"description", config_.site_description},
          {"signed_in", signed_in},
          {"anonymous", !signed_in},
          {"show_subscribe", !subscriber},
          {"institution", req ? req->visitor.institution : std::string()},
          {"csrf", csrf},
          {"ads", ads},
          {"has_ads", !ads.empty()},
          {"url", base_url_},
          {"css_version", css_version_},
          {"year", std::to_string(core::local_date(clock_.now(), config_.timezone).year)},
          {"nav", nav},
          // Mustache takes an empty string as true: absent unless set.
          {"accent", config_.brand_accent.empty() ? json(false) : json(config_.brand_accent)},
          {"logo", config_.brand_logo.empty() ? json(false) : json("/media/" + config_.brand_logo)},
          {"footer_pages", footer_pages}};
}

json Site::page_meta(const std::string& title, const std::string& description,
                     const std::string& path) {
  return {{"title", title},
          {"og_title", title},
          {"description", description},
          {"canonical", base_url_ + path},
          {"og_type", "website"}};
}

json Site::term_links(const std::vector<Term>& terms) {
  json out = json::array();
  for (std::size_t i = 0; i < terms.size(); ++i) {
    out.push_back(
        {{"name", terms[i].name}, {"url", term_url(terms[i])}, {"last", i + 1 == terms.size()}});
  }
  return out;
}

json Site::card(const content::ArticleSummary& a, bool show_dek) {
  json c = {{"headline", a.headline},
            {"dek", a.dek},
            {"show_dek", show_dek && !a.dek.empty()},
            // Set explicitly: Mustache would otherwise find `lead` in an outer context.
            {"lead", false},
            // The home page gives some cards a picture (card_picture); none elsewhere.
            {"image", false},
            {"url", article_url(a.slug)},
            {"type_label", std::string(content::display_name(a.type))},
            {"premium", a.access == content::AccessClass::kPremium},
            {"authors", term_links(a.authors)},
            {"date_iso", core::format_rfc3339(a.published_at)},
            {"date_display", core::format_long_date(a.published_at, config_.timezone)}};
  if (!a.topics.empty()) {
    c["first_topic"] = {{"name", a.topics[0].name}, {"url", term_url(a.topics[0])}};
  }
  return c;
}

json Site::cards(const std::vector<content::ArticleSummary>& list) {
  json out = json::array();
  for (const auto& a : list) out.push_back(card(a));
  return out;
}

Response Site::render_page(const std::string& tpl, json& view, int status) {
  Response res;
  res.status = status;
  res.body = templates_.page(tpl, view);
  return res;
}

Response Site::error_page(int status, const std::string& heading, const std::string& message) {
  json view;
  try {
    view["site"] = site_view("");
  } catch (const std::exception&) {
    // The store may be the reason for the error; render with minimal chrome.
    view["site"] = {{"name", config_.site_name}, {"url", base_url_}, {"css_version", css_version_}};
  }
  view["page"] = page_meta(heading + " · " + config_.site_name, message, "/");
  view["page"]["noindex"] = true;
  view["status"] = std::to_string(status);
  view["heading"] = heading;
  view["message"] = message;
  Response res = render_page("error", view, status);
  res.set_header("Cache-Control", "no-store");
  return res;
}

void Site::Paging::links(json& view, const std::string& base, int total) const {
  if (page > 1) view["prev"] = base + std::to_string(page - 1);
  if (page * per_page < total) view["next"] = base + std::to_string(page + 1);
}

std::optional<int> query_number(const Request& req, const std::string& key, int fallback, int lo,
                                int hi) {
  auto raw = req.query_value(key);
  if (raw.empty()) return fallback;
  int n = 0;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
  if (ec != std::errc() || ptr != raw.data() + raw.size() || n < lo || n > hi) return std::nullopt;
  return n;
}

std::optional<Site::Paging> Site::paging(const Request& req, Response& error, int per_page) {
  Paging p;
  p.per_page = per_page;
  auto n = query_number(req, "page", 1, 1, 100000);
  if (!n) {
    error = error_page(400, "Bad request", "The page number must be a whole number from 1 up.");
    return std::nullopt;
  }
  p.page = *n;
  return p;
}

std::optional<content::Article> Site::visible_article(const std::string& slug, bool with_gated) {
  if (!core::is_valid_slug(slug)) return std::nullopt;
  auto a = content_.find_article(slug, with_gated);
  if (!a || a->summary.status == content::Status::kDraft ||
      a->summary.published_at > clock_.now()) {
    return std::nullopt;
  }
  return a;
}

std::optional<store::ContentStore::ArticleRef> Site::article_ref(const std::string& slug,
                                                                long long content_version) {
  {
    std::lock_guard lock(refs_mu_);
    if (refs_version_ == content_version) {
      if (auto it = refs_.find(slug); it != refs_.end()) return it->second;
    }
  }
  auto ref = content_.article_ref(slug);
  std::lock_guard lock(refs_mu_);
  if (refs_version_ != content_version || refs_.size() > 100000) {
    refs_.clear();
    refs_version_ = content_version;
  }
  refs_[slug] = ref;
  return ref;
}

paywall::Reader Site::reader_for(const Request& req, const content::ArticleSummary& a) {
  return paywall_.reader_for(req.visitor, a.id, a.access, req.query_value("gift"));
}

}  // namespace web
