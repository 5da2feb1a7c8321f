// The public JSON API: article lists and articles under the same paywall rules as
// the pages (the gated half is included only when paywall::decide allows it).
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/time.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

Response json_response(int status, const json& body) {
  Response res;
  res.status = status;
  res.content_type = "application/json; charset=utf-8";
  res.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return res;
}

json terms_json(const std::vector<content::Term>& terms) {
  json out = json::array();
  for (const auto& t : terms) out.push_back({{"slug", t.slug}, {"name", t.name}});
  return out;
}

}  // namespace

Response Site::api_articles(Request& req) {
  auto page = query_number(req, "page", 1, 1, 100000);
  if (!page) return json_response(400, {{"error", "page must be a whole number from 1 up"}});
  auto per_page = query_number(req, "per_page", 20, 1, 100);
  if (!per_page) {
    return json_response(400, {{"error", "per_page must be a whole number from 1 to 100"}});
  }
  store::ArticleQuery q;
  q.now = clock_.now();
  q.limit = *per_page;
  q.offset = (*page - 1) * *per_page;
  for (auto [key, kind] : {std::pair{"topic", content::TermKind::kTopic},
                           std::pair{"country", content::TermKind::kCountry},
                           std::pair{"author", content::TermKind::kAuthor}}) {
    auto v = req.query_value(key);
    if (v.empty()) continue;
    if (q.term) {
      return json_response(400, {{"error", "filter by one of topic, country or author"}});
    }
    auto term = core::is_valid_slug(v) ? content_.find_term(kind, v) : std::nullopt;
    if (!term) return json_response(404, {{"error", std::string("no such ") + key + ": " + v}});
    q.term = term;
  }
  auto list = content_.list_articles(q);
  json results = json::array();
  for (const auto& a : list.items) {
    results.push_back({{"slug", a.slug},
                       {"url", base_url_ + article_url(a.slug)},
                       {"headline", a.headline},
                       {"dek", a.dek},
                       {"published_at", core::format_rfc3339(a.published_at)},
                       {"updated_at", core::format_rfc3339(std::max(a.updated_at, a.published_at))},
                       {"type", std::string(content::to_string(a.type))},
                       {"access", std::string(content::to_string(a.access))},
                       {"authors", terms_json(a.authors)},
                       {"topics", terms_json(a.topics)},
                       {"countries", terms_json(a.countries)}});
  }
  return json_response(200, {{"total", list.total},
                             {"page", *page},
                             {"per_page", *per_page},
                             {"results", results}});
}

Response Site::api_article(Request& req) {
  auto found = visible_article(req.param("slug"), false);
  if (!found) return json_response(404, {{"error", "no such article"}});
  const auto& s = found->summary;
  auto decision = paywall::decide(reader_for(req, s), s.access, clock_.now());
  std::string body = found->teaser_html;
  if (decision.full_text) {
    auto full = visible_article(s.slug, true);
    if (full && full->gated_html) body += *full->gated_html;
  }
  json out = {{"slug", s.slug},
              {"url", base_url_ + article_url(s.slug)},
              {"headline", s.headline},
              {"dek", s.dek},
              {"published_at", core::format_rfc3339(s.published_at)},
              {"updated_at", core::format_rfc3339(std::max(s.updated_at, s.published_at))},
              {"type", std::string(content::to_string(s.type))},
              {"access", std::string(content::to_string(s.access))},
              {"authors", terms_json(s.authors)},
              {"topics", terms_json(s.topics)},
              {"countries", terms_json(s.countries)},
              {"body_html", body},
              {"complete", decision.full_text},
              {"wall", paywall::to_string(decision.wall)}};
  if (!found->corrections.empty()) out["corrections"] = found->corrections;
  return json_response(200, out);
}

}  // namespace web
