// /admin/analytics: views by reader state, walls, registrations, credits, subscriptions,
// gift opens per day and per article, the funnel, newsletter deliveries; SVG charts with
// the numbers in tables beside them, and a CSV download.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "analytics/report.h"
#include "analytics/svg.h"
#include "core/text.h"
#include "core/time.h"
#include "store/curator_store.h"
#include "store/editorial_store.h"
#include "web/billing_routes.h"
#include "web/site.h"

namespace web {

using nlohmann::json;

namespace {

std::string state_label(const std::string& s) {
  if (s == "anonymous") return "Anonymous";
  if (s == "registered-unverified") return "Registered, unverified";
  if (s == "registered") return "Registered";
  if (s == "subscriber") return "Subscriber";
  if (s == "staff") return "Staff";
  return s;
}

}  // namespace

std::optional<Site::AnalyticsRange> Site::analytics_range(const Request& req, Response& error) {
  AnalyticsRange r;
  std::string days = req.query_value("days");
  if (!days.empty()) {
    auto [p, ec] = std::from_chars(days.data(), days.data() + days.size(), r.days);
    if (ec != std::errc() || p != days.data() + days.size() || r.days < 1 || r.days > 366) {
      error = admin_error(req, 400, "Period: a number of days from 1 to 366.");
      return std::nullopt;
    }
  }
  std::string article = req.query_value("article");
  if (!article.empty()) {
    auto id = positive_id(article);
    if (!id) {
      error = admin_error(req, 400, "Article: not an article number.");
      return std::nullopt;
    }
    r.article_id = *id;
  }
  auto now = clock_.now();
  r.last = core::format_local_day(now, config_.timezone);
  r.first = core::format_local_day(now - static_cast<core::UnixTime>(r.days - 1) * 86400, config_.timezone);
  return r;
}

std::vector<store::EventCount> Site::analytics_rows(const AnalyticsRange& r) {
  auto rows = store_.events().events_between(r.first, r.last);
  if (r.article_id) {
    std::erase_if(rows, [&](const store::EventCount& e) { return e.article_id != r.article_id; });
  }
  return rows;
}

Response Site::admin_analytics(Request& req) {
  Response err;
  auto range = analytics_range(req, err);
  if (!range) return err;
  auto days = analytics::day_range(range->first, range->last);
  auto report = analytics::build_report(analytics_rows(*range), days);
  json view = admin_view(req, "Analytics", "analytics");
  view["days"] = std::to_string(range->days);
  view["first_day"] = range->first;
  view["last_day"] = range->last;
  view["timezone"] = config_.timezone;
  std::string qs = "days=" + std::to_string(range->days) +
                   (range->article_id ? "&article=" + std::to_string(range->article_id) : "");
  view["csv_url"] = "/admin/analytics.csv?" + qs;
  json ranges = json::array();
  for (int d : {7, 30, 90, 365}) {
    ranges.push_back({{"value", std::to_string(d)}, {"label", "Last " + std::to_string(d) + " days"},
                      {"selected", d == range->days}});
  }
  view["ranges"] = ranges;
  if (range->article_id) {
    auto a = store_.editorial().article(range->article_id);
    if (!a) return admin_error(req, 404, "There is no such article.");
    view["article_id"] = std::to_string(range->article_id);
    view["scope"] = "“" + a->input.headline + "”";
  } else {
    view["scope"] = "All articles";
  }
  json totals = json::array();
  for (const auto& k : analytics::kinds()) {
    totals.push_back({{"label", analytics::kind_label(k)}, {"value", std::to_string(report.totals[k])}});
  }
  view["totals"] = totals;
  std::vector<analytics::Series> series = {
      {"Views", report.per_day["view"], "#0b4f8a"},
      {"Wall impressions", report.per_day["wall"], "#b07a00"},
      {"Registrations", report.per_day["registration"], "#8a1c1c"},
  };
  view["daily_svg"] = analytics::line_chart("Views, wall impressions and registrations per day", days, series);
  json daily = json::array();
  for (std::size_t i = days.size(); i-- > 0;) {
    json row = {{"day", days[i]}};
    for (const auto& k : analytics::kinds()) row[k] = std::to_string(report.per_day[k][i]);
    daily.push_back(row);
  }
  view["daily"] = daily;
  std::vector<std::pair<std::string, long long>> states;
  for (const char* s : {"anonymous", "registered-unverified", "registered", "subscriber", "staff"}) {
    states.emplace_back(state_label(s), report.views_by_state[s]);
  }
  view["state_svg"] = analytics::bar_chart("Views by reader state", states);
  json st = json::array();
  for (auto& [l, v] : states) st.push_back({{"label", l}, {"value", std::to_string(v)}});
  view["states"] = st;
  view["funnel_svg"] = analytics::bar_chart("Funnel from anonymous reader to subscriber", report.funnel);
  json funnel = json::array();
  for (auto& [l, v] : report.funnel) funnel.push_back({{"label", l}, {"value", std::to_string(v)}});
  view["funnel"] = funnel;
  json arts = json::array();
  std::size_t shown = std::min<std::size_t>(report.articles.size(), 25);
  std::vector<long long> ids;
  for (std::size_t i = 0; i < shown; ++i) ids.push_back(report.articles[i].article_id);
  auto titles = store_.editorial().titles(ids);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& a = report.articles[i];
    auto found = titles.find(a.article_id);
    auto count = [&](const char* k) { auto it = a.by_kind.find(k); return std::to_string(it == a.by_kind.end() ? 0 : it->second); };
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", a.conversion_per_mille);
    arts.push_back({{"id", std::to_string(a.article_id)},
                    {"headline", found != titles.end() ? found->second.headline : "(deleted article)"},
                    {"days", std::to_string(range->days)},
                    {"views", count("view")}, {"anon", std::to_string(a.anonymous_views)},
                    {"reg", std::to_string(a.registered_views)}, {"sub", std::to_string(a.subscriber_views)},
                    {"wall", count("wall")}, {"registration", count("registration")}, {"rate", rate},
                    {"credit", count("credit")}, {"gift_open", count("gift_open")},
                    {"paid", count("subscription")}});
  }
  view["articles"] = arts;
  json eds = json::array();
  std::vector<std::pair<std::string, long long>> nl_bars;
  for (const auto& e : store_.newsletters().recent_editions("", 10)) {
    eds.push_back({{"newsletter", e.newsletter}, {"key", e.key}, {"sent", std::to_string(e.counts.sent)},
                   {"failed", std::to_string(e.counts.failed)}, {"pending", std::to_string(e.counts.pending)}});
    if (nl_bars.size() < 6) nl_bars.emplace_back(e.newsletter + " " + e.key + " sent", e.counts.sent);
  }
  json unsubs = json::array();
  for (auto& [n, c] : report.unsubscribes) {
    unsubs.push_back({{"newsletter", n}, {"count", std::to_string(c)}});
    nl_bars.emplace_back("Unsubscribes from " + n, c);
  }
  if (billing_routes_ && !range->article_id) {
    view["money"] = billing_routes_->money_view(days, report.paid_per_day,
                                                report.per_day["cancellation"]);
  }
  view["editions"] = eds;
  view["unsubscribes"] = unsubs;
  if (!nl_bars.empty()) {
    view["newsletter_svg"] = analytics::bar_chart("Newsletter deliveries and unsubscribes", nl_bars);
  }
  // Followers per topic, country and author: counts only, never who (docs/curator.md).
  json followers = json::array();
  for (const auto& f : store_.curator().follower_counts()) {
    if (followers.size() >= 50) break;
    std::string kind = f.term.kind == content::TermKind::kCountry ? "Country"
                       : f.term.kind == content::TermKind::kAuthor ? "Author"
                                                                   : "Topic";
    followers.push_back({{"name", f.term.name}, {"kind", kind},
                         {"followers", std::to_string(f.followers)},
                         {"alerted", std::to_string(f.alerted)}});
  }
  view["followers"] = followers;
  view["has_followers"] = !followers.empty();
  return render_admin("admin_analytics", view);
}

Response Site::admin_analytics_csv(Request& req) {
  Response err;
  auto range = analytics_range(req, err);
  if (!range) return err;
  Response res;
  res.content_type = "text/csv; charset=utf-8";
  res.set_header("Content-Disposition", "attachment; filename=\"meridian-analytics-" + range->first + "-" +
                                            range->last + ".csv\"");
  res.set_header("Cache-Control", "private, no-store");
  std::string out = "day,article_id,slug,kind,reader_state,count\n";
  auto rows = analytics_rows(*range);
  std::vector<long long> ids;
  for (const auto& e : rows) {
    if (e.article_id) ids.push_back(e.article_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto titles = store_.editorial().titles(ids);
  for (const auto& e : rows) {
    auto t = titles.find(e.article_id);
    out += e.day + "," + std::to_string(e.article_id) + "," +
           core::csv_field(t != titles.end() ? t->second.slug : "") + "," +
           core::csv_field(e.kind) + "," + core::csv_field(e.reader_state) + "," +
           std::to_string(e.count) + "\n";
  }
  res.body = std::move(out);
  return res;
}

}  // namespace web
