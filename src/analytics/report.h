// Analytics from the server-side event counts: series per day, the funnel
// anonymous → registered → subscriber, and the articles that convert best. Pure
// functions over store::EventCount rows; the web layer renders the result.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace analytics {

// The event kinds, in the order the back office shows them.
inline const std::vector<std::string>& kinds() {
  static const std::vector<std::string> k = {"view", "wall", "registration", "credit",
                                             "subscription", "cancellation", "gift_open",
                                             "unsubscribe"};
  return k;
}
std::string kind_label(const std::string& kind);

struct ArticleStats {
  long long article_id = 0;
  std::map<std::string, long long> by_kind;  // kind -> count
  long long anonymous_views = 0;
  long long registered_views = 0;   // unverified + verified registered readers
  long long subscriber_views = 0;   // subscribers, institutions and staff
  // Registrations per thousand wall impressions (0 without impressions).
  double conversion_per_mille = 0;
};

struct Report {
  std::vector<std::string> days;                           // every day in range, oldest first
  std::map<std::string, std::vector<long long>> per_day;   // kind -> count per day
  std::map<std::string, long long> totals;                 // kind -> total
  std::map<std::string, long long> views_by_state;         // reader state -> views
  std::map<std::string, long long> unsubscribes;           // newsletter -> count
  // Subscriptions that started paying (kind "subscription", state "paid"), per day.
  std::vector<long long> paid_per_day;
  long long paid = 0;
  // Funnel steps: anonymous views, wall impressions for anonymous readers, registrations,
  // paid subscriptions.
  std::vector<std::pair<std::string, long long>> funnel;
  std::vector<ArticleStats> articles;  // best converting first
};

// `days` lists the range (YYYY-MM-DD, oldest first); rows outside it are ignored.
Report build_report(const std::vector<store::EventCount>& rows, const std::vector<std::string>& days);

// The local days from `first` to `last` inclusive (YYYY-MM-DD).
std::vector<std::string> day_range(const std::string& first, const std::string& last);

}  // namespace analytics
