#include "analytics/report.h"

#include <algorithm>

#include "core/time.h"

namespace analytics {

std::string kind_label(const std::string& kind) {
  if (kind == "view") return "Views";
  if (kind == "wall") return "Wall impressions";
  if (kind == "registration") return "Registrations";
  if (kind == "credit") return "Credits spent";
  if (kind == "subscription") return "Subscriptions started";
  if (kind == "gift_open") return "Gift-link opens";
  if (kind == "unsubscribe") return "Newsletter unsubscribes";
  if (kind == "cancellation") return "Cancellations";
  return kind;
}

std::vector<std::string> day_range(const std::string& first, const std::string& last) {
  std::vector<std::string> out;
  auto a = core::parse_date(first), b = core::parse_date(last);
  if (!a || !b) return out;
  for (auto t = *a; t <= *b && out.size() < 1000; t += 86400) {
    out.push_back(core::format_local_day(t, "UTC"));
  }
  return out;
}

Report build_report(const std::vector<store::EventCount>& rows, const std::vector<std::string>& days) {
  Report r;
  r.days = days;
  r.paid_per_day.assign(days.size(), 0);
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < days.size(); ++i) index[days[i]] = i;
  for (const auto& k : kinds()) {
    r.per_day[k] = std::vector<long long>(days.size(), 0);
    r.totals[k] = 0;
  }
  std::map<long long, ArticleStats> articles;
  long long anonymous_walls = 0;
  for (const auto& e : rows) {
    auto day = index.find(e.day);
    if (day == index.end() || !r.per_day.count(e.kind)) continue;
    r.per_day[e.kind][day->second] += e.count;
    r.totals[e.kind] += e.count;
    if (e.kind == "view") r.views_by_state[e.reader_state] += e.count;
    if (e.kind == "unsubscribe") r.unsubscribes[e.reader_state] += e.count;
    if (e.kind == "wall" && e.reader_state == "anonymous") anonymous_walls += e.count;
    if (e.kind == "subscription" && e.reader_state == "paid") {
      r.paid_per_day[day->second] += e.count;
      r.paid += e.count;
    }
    if (e.article_id > 0) {
      auto& a = articles[e.article_id];
      a.article_id = e.article_id;
      a.by_kind[e.kind] += e.count;
      if (e.kind == "view") {
        if (e.reader_state == "anonymous") {
          a.anonymous_views += e.count;
        } else if (e.reader_state.starts_with("registered")) {
          a.registered_views += e.count;
        } else {
          a.subscriber_views += e.count;
        }
      }
    }
  }
  r.funnel = {{"Anonymous views", r.views_by_state["anonymous"]},
              {"Walls shown to anonymous readers", anonymous_walls},
              {"Registrations", r.totals["registration"]},
              {"Paid subscriptions", r.paid}};
  for (auto& [id, a] : articles) {
    long long walls = a.by_kind["wall"];
    a.conversion_per_mille = walls > 0 ? 1000.0 * static_cast<double>(a.by_kind["registration"]) /
                                             static_cast<double>(walls)
                                       : 0;
    r.articles.push_back(a);
  }
  std::sort(r.articles.begin(), r.articles.end(), [](const ArticleStats& x, const ArticleStats& y) {
    // Readers who went on to pay first, then registrations.
    auto px = x.by_kind.count("subscription") ? x.by_kind.at("subscription") : 0;
    auto py = y.by_kind.count("subscription") ? y.by_kind.at("subscription") : 0;
    if (px != py) return px > py;
    auto rx = x.by_kind.count("registration") ? x.by_kind.at("registration") : 0;
    auto ry = y.by_kind.count("registration") ? y.by_kind.at("registration") : 0;
    if (rx != ry) return rx > ry;
    if (x.conversion_per_mille != y.conversion_per_mille) return x.conversion_per_mille > y.conversion_per_mille;
    auto vx = x.by_kind.count("view") ? x.by_kind.at("view") : 0;
    auto vy = y.by_kind.count("view") ? y.by_kind.at("view") : 0;
    if (vx != vy) return vx > vy;
    return x.article_id < y.article_id;
  });
  return r;
}

}  // namespace analytics
