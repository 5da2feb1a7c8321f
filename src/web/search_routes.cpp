// The search page and the search API. Who may match what is decided here from the
// reader's state (subscribers and staff search full text; everyone else public fields)
// and enforced by the store, which never reads gated text for the others.
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "search/query.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

// "2025-03-01" or an RFC 3339 time.
std::optional<core::UnixTime> parse_when(const std::string& s) {
  if (auto d = core::parse_date(s)) return d;
  return core::parse_rfc3339(s);
}

}  // namespace

// Builds a request from query parameters; on bad input returns the message to show.
std::optional<std::string> Site::search_request(const Request& req, search::SearchRequest& out,
                                                int max_per_page) {
  auto q = search::parse_query(req.query_value("q"));
  if (!q) return q.error().message;
  out.query = std::move(*q);
  out.full_text = paywall::entitled_to_all(req.visitor.state);
  out.now = clock_.now();
  out.timezone = config_.timezone;
  for (auto [key, target] : {std::pair{"topic", &out.topic}, std::pair{"country", &out.country}}) {
    auto v = req.query_value(key);
    if (v.empty()) continue;
    if (!core::is_valid_slug(v)) return std::string("Unknown ") + key + ": " + v;
    *target = v;
  }
  if (auto t = req.query_value("type"); !t.empty()) {
    out.type = content::parse_article_type(t);
    if (!out.type) return "type must be one of analysis, feature, briefing, review";
  }
  if (!req.query_value("year").empty()) {
    auto year = query_number(req, "year", 0, 1900, 3000);
    if (!year) return "year must look like 2025";
    out.year = *year;
  }
  if (auto f = req.query_value("from"); !f.empty()) {
    out.from = parse_when(f);
    if (!out.from) return "from must be a date like 2025-01-31";
  }
  if (auto t = req.query_value("to"); !t.empty()) {
    out.to = parse_when(t);
    if (!out.to) return "to must be a date like 2025-12-31";
    if (t.size() == 10) *out.to += 86400;  // a date includes its whole day
  }
  auto sort = req.query_value("sort");
  if (sort == "date") {
    out.sort = search::Sort::kDate;
  } else if (!sort.empty() && sort != "relevance") {
    return "sort must be relevance or date";
  }
  auto page = query_number(req, "page", 1, 1, 1000);
  if (!page) return "page must be a whole number from 1 to 1000";
  out.page = *page;
  auto per_page = query_number(req, "per_page", out.per_page, 1, max_per_page);
  if (!per_page) return "per_page must be a whole number from 1 to " + std::to_string(max_per_page);
  out.per_page = *per_page;
  return std::nullopt;
}

Response Site::api_search(Request& req) {
  auto respond = [](int status, const json& body) {
    Response res;
    res.status = status;
    res.content_type = "application/json; charset=utf-8";
    res.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return res;
  };
  search::SearchRequest sr;
  sr.per_page = 20;
  if (auto bad = search_request(req, sr, 100)) return respond(400, {{"error", *bad}});
  auto result = content_.search(sr);
  if (!result) return respond(503, {{"error", "search is unavailable, please try again"}});
  json results = json::array();
  for (const auto& h : result->hits) {
    const auto& s = h.summary;
    json topics = json::array(), countries = json::array();
    for (const auto& t : s.topics) topics.push_back(t.name);
    for (const auto& t : s.countries) countries.push_back(t.name);
    results.push_back({{"slug", s.slug},
                       {"url", base_url_ + article_url(s.slug)},
                       {"headline", s.headline},
                       {"dek", s.dek},
                       {"snippet", h.snippet_html},
                       {"published_at", core::format_rfc3339(s.published_at)},
                       {"topics", topics},
                       {"countries", countries},
                       {"type", std::string(content::to_string(s.type))},
                       {"access", std::string(content::to_string(s.access))},
                       {"score", h.score}});
  }
  auto facet = [](const std::vector<search::FacetCount>& list) {
    json out = json::array();
    for (const auto& f : list) out.push_back({{"name", f.name}, {"key", f.key}, {"count", f.count}});
    return out;
  };
  return respond(200, {{"total", result->total},
                       {"page", sr.page},
                       {"per_page", sr.per_page},
                       {"results", results},
                       {"facets",
                        {{"topic", facet(result->topics)},
                         {"country", facet(result->countries)},
                         {"type", facet(result->types)},
                         {"year", facet(result->years)}}}});
}

Response Site::search_page(Request& req) {
  json view;
  view["site"] = site_view("/search", &req);
  std::string q = req.query_value("q");
  view["q"] = q;
  view["page"] = page_meta((q.empty() ? "Search" : "Search: " + q) + " · " + config_.site_name,
                           "Search everything " + config_.site_name + " has published.",
                           "/search");
  view["page"]["noindex"] = true;
  view["full_text"] = paywall::entitled_to_all(req.visitor.state);
  if (q.empty()) {
    view["start"] = true;
    return render_page("search", view);
  }
  search::SearchRequest sr;
  if (auto bad = search_request(req, sr, 50)) {
    view["error"] = *bad;
    return render_page("search", view, 400);
  }
  auto result = content_.search(sr);
  if (!result) {
    view["error"] = "Search is unavailable at the moment. Please try again.";
    return render_page("search", view, 503);
  }
  // Links keep the query and the other filters; each facet link sets or clears one.
  auto link = [&](const std::string& key, const std::string& value) {
    std::string url = "/search?q=" + core::url_encode(q);
    for (const char* k : {"topic", "country", "type", "year", "sort"}) {
      std::string v = key == k ? value : req.query_value(k);
      if (!v.empty()) url += std::string("&") + k + "=" + core::url_encode(v);
    }
    return url;
  };
  json facets = json::array();
  auto add_facet = [&](const char* key, const char* title, const std::vector<search::FacetCount>& list) {
    json items = json::array();
    std::string current = req.query_value(key);
    for (const auto& f : list) {
      items.push_back({{"name", f.name},
                       {"count", std::to_string(f.count)},
                       {"url", link(key, f.key)},
                       {"current", current == f.key}});
    }
    if (items.empty()) return;
    json facet = {{"title", title}, {"key", key}, {"items", items}};
    if (!current.empty()) facet["clear_url"] = link(key, "");
    facets.push_back(facet);
  };
  add_facet("topic", "Topic", result->topics);
  add_facet("country", "Country or region", result->countries);
  add_facet("type", "Type", result->types);
  add_facet("year", "Year", result->years);
  view["facets"] = facets;
  view["has_facets"] = !facets.empty();
  json hits = json::array();
  for (const auto& h : result->hits) {
    json c = card(h.summary, false);
    c["snippet"] = h.snippet_html;
    hits.push_back(c);
  }
  view["hits"] = hits;
  view["has_hits"] = !hits.empty();
  view["total"] = std::to_string(result->total);
  view["total_label"] = result->total == 1 ? "result" : "results";
  bool by_date = sr.sort == search::Sort::kDate;
  view["sort_relevance_url"] = link("sort", "");
  view["sort_date_url"] = link("sort", "date");
  view["by_date"] = by_date;
  int pages = std::max(1, (result->total + sr.per_page - 1) / sr.per_page);
  if (pages > 1) {
    std::string base = link("", "");
    json pg = {{"page", std::to_string(sr.page)}, {"pages", std::to_string(pages)}};
    if (sr.page > 1) pg["prev_url"] = base + "&page=" + std::to_string(sr.page - 1);
    if (sr.page < pages) pg["next_url"] = base + "&page=" + std::to_string(sr.page + 1);
    view["pagination"] = pg;
  }
  return render_page("search", view);
}

}  // namespace web
