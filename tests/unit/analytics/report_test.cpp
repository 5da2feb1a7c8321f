#include <gtest/gtest.h>

#include "analytics/report.h"
#include "analytics/svg.h"

TEST(AnalyticsReport, CountsPerDayFunnelAndBestConvertingArticles) {
  auto days = analytics::day_range("2026-02-27", "2026-03-01");
  ASSERT_EQ(days, (std::vector<std::string>{"2026-02-27", "2026-02-28", "2026-03-01"}));
  std::vector<store::EventCount> rows = {
      {"2026-02-27", 1, "view", "anonymous", 100}, {"2026-02-27", 1, "wall", "anonymous", 90},
      {"2026-02-28", 1, "registration", "anonymous", 3}, {"2026-02-28", 2, "view", "anonymous", 50},
      {"2026-02-28", 2, "wall", "anonymous", 10}, {"2026-03-01", 2, "registration", "anonymous", 3},
      {"2026-03-01", 2, "view", "subscriber", 7}, {"2026-03-01", 0, "subscription", "complimentary", 2},
      {"2026-03-01", 0, "unsubscribe", "daily", 1},
      {"2026-03-02", 1, "view", "anonymous", 999},  // outside the range
  };
  auto r = analytics::build_report(rows, days);
  EXPECT_EQ(r.per_day["view"], (std::vector<long long>{100, 50, 7}));
  EXPECT_EQ(r.totals["registration"], 6);
  EXPECT_EQ(r.views_by_state["anonymous"], 150);
  EXPECT_EQ(r.unsubscribes["daily"], 1);
  ASSERT_EQ(r.funnel.size(), 4u);
  EXPECT_EQ(r.funnel[0].second, 150);
  EXPECT_EQ(r.funnel[1].second, 100);
  EXPECT_EQ(r.funnel[2].second, 6);
  EXPECT_EQ(r.funnel[3].second, 0);  // complimentary grants are not paid subscriptions
  EXPECT_EQ(r.totals["subscription"], 2);
  // Same registrations; article 2 converts 300 per mille of walls, article 1 only 33.
  ASSERT_EQ(r.articles.size(), 2u);
  EXPECT_EQ(r.articles[0].article_id, 2);
  EXPECT_DOUBLE_EQ(r.articles[0].conversion_per_mille, 300.0);
  EXPECT_EQ(r.articles[0].subscriber_views, 7);
}

TEST(AnalyticsReport, PaidSubscriptionsEndTheFunnelAndRankTheArticlesThatSell) {
  auto days = analytics::day_range("2026-03-01", "2026-03-02");
  std::vector<store::EventCount> rows = {
      {"2026-03-01", 1, "registration", "anonymous", 9},   // registers many, sells none
      {"2026-03-01", 2, "registration", "anonymous", 1},
      {"2026-03-02", 2, "subscription", "paid", 2},         // readers who went on to pay
      {"2026-03-02", 0, "subscription", "paid", 1},         // came from no article
      {"2026-03-02", 0, "subscription", "complimentary", 5},
      {"2026-03-02", 0, "cancellation", "paid", 1},
  };
  auto r = analytics::build_report(rows, days);
  EXPECT_EQ(r.paid, 3);
  EXPECT_EQ(r.paid_per_day, (std::vector<long long>{0, 3}));
  EXPECT_EQ(r.funnel.back().first, "Paid subscriptions");
  EXPECT_EQ(r.funnel.back().second, 3);
  EXPECT_EQ(r.per_day["cancellation"], (std::vector<long long>{0, 1}));
  ASSERT_EQ(r.articles.size(), 2u);
  EXPECT_EQ(r.articles[0].article_id, 2);  // the one that sold, before the one that registered
}

TEST(AnalyticsSvg, ChartsAreLabelledAndEscapeText) {
  auto svg = analytics::line_chart("Views <per> day", {"2026-03-01", "2026-03-02"},
                                   {{"Views", {3, 9}, "#000"}});
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("<title"), std::string::npos);
  EXPECT_NE(svg.find("Views &lt;per&gt; day"), std::string::npos);
  EXPECT_EQ(svg.find("<per>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  auto bars = analytics::bar_chart("Funnel", {{"A & B", 5}, {"C", 0}});
  EXPECT_NE(bars.find("A &amp; B"), std::string::npos);
  EXPECT_NE(bars.find(">5</text>"), std::string::npos);
}
