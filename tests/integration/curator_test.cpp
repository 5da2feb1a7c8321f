// The curator's storage on the database the tier runs on, and the service's "For you"
// over it: follows by kind and slug (unknown ones refused, nothing written), candidates
// only among live articles, saves and history per reader, the history switch, alerts at
// most once per reader and article, counts for editors, and everything gone with the
// account.
#include <gtest/gtest.h>

#include <filesystem>

#include "content/service.h"
#include "core/time.h"
#include "curator/service.h"
#include "store/curator_store.h"
#include "test_store.h"

namespace {

using content::TermKind;

class CuratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("curator");
    store_ = test_store::open(test_store::location(dir_));
    content::ContentService content(store_->content(), clock_, 3);
    ASSERT_TRUE(content.import_jsonl(
        R"({"slug":"water-old","headline":"Water old","body":"x","topics":["Water"],"countries":["Egypt"],"authors":["Ann Lee"],"published_at":"2026-01-01T08:00:00Z"})" "\n"
        R"({"slug":"energy-new","headline":"Energy new","body":"x","topics":["Energy"],"countries":["Kenya"],"authors":["Bo Chen"],"published_at":"2026-03-07T08:00:00Z"})" "\n"
        R"({"slug":"kenya-mid","headline":"Kenya mid","body":"x","topics":["Trade"],"countries":["Kenya"],"authors":["Bo Chen"],"published_at":"2026-02-01T08:00:00Z"})" "\n"
        R"({"slug":"water-draft","headline":"Water draft","body":"x","topics":["Water"],"status":"draft","published_at":"2026-03-01T08:00:00Z"})" "\n"
        R"({"slug":"water-later","headline":"Water later","body":"x","topics":["Water"],"status":"scheduled","published_at":"2026-03-20T08:00:00Z"})" "\n"));
    reader_ = store_->members().create_member("reader@example.org", "", true, clock_.now())->id;
    other_ = store_->members().create_member("other@example.org", "", true, clock_.now())->id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  long long id(const std::string& slug) { return *store_->content().article_id(slug); }
  store::CuratorStore& cs() { return store_->curator(); }

  core::FixedClock clock_{*core::parse_rfc3339("2026-03-08T12:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  long long reader_ = 0, other_ = 0;
};

}  // namespace

TEST_F(CuratorTest, FollowsAreKeptPerReaderAndUnknownTermsAreRefused) {
  ASSERT_TRUE(cs().follow(reader_, TermKind::kTopic, "water", clock_.now()));
  ASSERT_TRUE(cs().follow(reader_, TermKind::kCountry, "kenya", clock_.now()));
  ASSERT_TRUE(cs().follow(reader_, TermKind::kTopic, "water", clock_.now() + 5));  // again: one row
  auto bad = cs().follow(reader_, TermKind::kTopic, "kenya", clock_.now());  // a country, not a topic
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::kNotFound);
  auto f = cs().follows(reader_);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].term.name, "Kenya");  // by kind (authors, countries, topics), then name
  EXPECT_EQ(f[1].term.name, "Water");
  EXPECT_EQ(f[1].since, clock_.now());
  EXPECT_TRUE(cs().follows(other_).empty());
  ASSERT_TRUE(cs().unfollow(reader_, TermKind::kCountry, "kenya"));
  EXPECT_EQ(cs().follows(reader_).size(), 1u);
  auto counts = cs().follower_counts();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].term.slug, "water");
  EXPECT_EQ(counts[0].followers, 1);
}

TEST_F(CuratorTest, CandidatesAreLiveArticlesOnly) {
  auto ids_of = cs().term_ids(TermKind::kTopic, {"water", "nope"});
  ASSERT_EQ(ids_of.size(), 1u);
  auto found = cs().articles_with_terms({ids_of["water"]}, clock_.now(), 10);
  ASSERT_EQ(found.size(), 1u);  // neither the draft nor the one scheduled for later
  EXPECT_EQ(found[0].id, id("water-old"));
  EXPECT_FALSE(found[0].term_ids.empty());
  auto newest = cs().newest(clock_.now(), 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, id("energy-new"));
  EXPECT_EQ(newest[1].id, id("kenya-mid"));
  EXPECT_EQ(newest[0].term_ids.size(), 3u);
}

TEST_F(CuratorTest, ForYouPutsFollowedFirstAndDropsWhatWasOpened) {
  curator::CuratorService svc(*store_, clock_);
  ASSERT_TRUE(svc.follow(reader_, TermKind::kTopic, "water"));
  auto page = svc.for_you(reader_, 1, 10);
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_EQ(page.items[0].article.slug, "water-old");
  EXPECT_EQ(page.items[0].reason, "Because you follow Water");
  EXPECT_EQ(page.items[1].article.slug, "energy-new");
  svc.opened(reader_, id("water-old"), true);
  svc.opened(reader_, id("kenya-mid"), false);
  page = svc.for_you(reader_, 1, 10);
  ASSERT_EQ(page.items.size(), 1u);
  // Like what was read (Kenya, Bo Chen), and says so.
  EXPECT_EQ(page.items[0].article.slug, "energy-new");
  EXPECT_EQ(page.items[0].why, curator::Why::kSimilar);
  EXPECT_EQ(page.items[0].reason.rfind("Because you read", 0), 0u) << page.items[0].reason;
  // Another reader's reading changes nothing here, and theirs is their own.
  EXPECT_EQ(svc.for_you(other_, 1, 10).items.size(), 3u);
}

TEST_F(CuratorTest, SavesHistoryAndTheSwitch) {
  ASSERT_TRUE(cs().save_article(reader_, id("water-old"), 100));
  ASSERT_TRUE(cs().save_article(reader_, id("energy-new"), 200));
  ASSERT_TRUE(cs().save_article(reader_, id("energy-new"), 300));  // again: kept once, first time
  int total = 0;
  auto saved = cs().saved(reader_, 10, 0, total);
  EXPECT_EQ(total, 2);
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved[0].first, id("energy-new"));
  EXPECT_TRUE(cs().is_saved(reader_, id("water-old")));
  EXPECT_FALSE(cs().is_saved(other_, id("water-old")));
  ASSERT_TRUE(cs().unsave_article(reader_, id("water-old")));
  EXPECT_FALSE(cs().is_saved(reader_, id("water-old")));

  ASSERT_TRUE(cs().record_opened(reader_, id("water-old"), false, 100));
  ASSERT_TRUE(cs().record_opened(reader_, id("water-old"), true, 150));
  ASSERT_TRUE(cs().record_opened(reader_, id("water-old"), false, 200));  // once read fully, stays so
  ASSERT_TRUE(cs().record_opened(reader_, id("kenya-mid"), false, 180));
  auto h = cs().history(reader_, 10, 0, total);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].article_id, id("water-old"));
  EXPECT_EQ(h[0].at, 200);
  EXPECT_TRUE(h[0].fully);
  EXPECT_FALSE(h[1].fully);
  EXPECT_TRUE(cs().keeps_history(reader_));
  ASSERT_TRUE(cs().set_keeps_history(reader_, false));  // also deletes what was kept
  EXPECT_TRUE(cs().history(reader_, 10, 0, total).empty());
  ASSERT_TRUE(cs().record_opened(reader_, id("energy-new"), true, 300));
  EXPECT_TRUE(cs().opened_ids(reader_, 10).empty());
  ASSERT_TRUE(cs().set_keeps_history(reader_, true));
  ASSERT_TRUE(cs().record_opened(reader_, id("energy-new"), true, 400));
  EXPECT_EQ(cs().opened_ids(reader_, 10), std::vector<long long>{id("energy-new")});
  ASSERT_TRUE(cs().clear_history(reader_));
  EXPECT_TRUE(cs().opened_ids(reader_, 10).empty());
}

TEST_F(CuratorTest, AReloadIsNotWrittenAgainButReadingInFullAndClearingAre) {
  curator::CuratorService svc(*store_, clock_);
  auto t0 = clock_.now();
  svc.opened(reader_, id("water-old"), false);
  auto opened_at = [&] {
    int total = 0;
    auto h = cs().history(reader_, 10, 0, total);
    return h.empty() ? std::pair<core::UnixTime, bool>{0, false} : std::pair{h[0].at, h[0].fully};
  };
  EXPECT_EQ(opened_at(), std::pair(t0, false));
  // A reload a minute later: the history already says so, nothing is written.
  clock_.set(t0 + 60);
  svc.opened(reader_, id("water-old"), false);
  EXPECT_EQ(opened_at(), std::pair(t0, false));
  // Now read in full: written at once.
  clock_.set(t0 + 120);
  svc.opened(reader_, id("water-old"), true);
  EXPECT_EQ(opened_at(), std::pair(t0 + 120, true));
  // Later than kOpenedRefresh: the time is brought up to date.
  clock_.set(t0 + 120 + curator::CuratorService::kOpenedRefresh);
  svc.opened(reader_, id("water-old"), false);
  EXPECT_EQ(opened_at().first, t0 + 120 + curator::CuratorService::kOpenedRefresh);
  // Cleared, then opened again straight away: history again.
  ASSERT_TRUE(svc.clear_history(reader_));
  svc.opened(reader_, id("water-old"), false);
  EXPECT_EQ(opened_at().first, clock_.now());
  // Another reader's opening of the same article is theirs, written at once.
  svc.opened(other_, id("water-old"), false);
  int total = 0;
  EXPECT_EQ(cs().history(other_, 10, 0, total).size(), 1u);
}

TEST_F(CuratorTest, AlertsAreDueOncePerReaderAndArticle) {
  ASSERT_TRUE(cs().follow(reader_, TermKind::kCountry, "kenya", clock_.now()));
  ASSERT_TRUE(cs().follow(reader_, TermKind::kAuthor, "bo-chen", clock_.now()));
  ASSERT_TRUE(cs().follow(other_, TermKind::kCountry, "kenya", clock_.now()));
  ASSERT_TRUE(cs().set_alert(reader_, TermKind::kCountry, "kenya", store::AlertMode::kInstant));
  ASSERT_TRUE(cs().set_alert(reader_, TermKind::kAuthor, "bo-chen", store::AlertMode::kInstant));
  auto not_followed = cs().set_alert(reader_, TermKind::kTopic, "water", store::AlertMode::kDaily);
  ASSERT_FALSE(not_followed);
  EXPECT_EQ(not_followed.error().code, core::ErrorCode::kNotFound);
  auto from = *core::parse_rfc3339("2026-03-01T00:00:00Z");
  auto due = cs().alerts_due(store::AlertMode::kInstant, from, clock_.now(), 100);
  ASSERT_EQ(due.size(), 1u);  // energy-new matches two follows: one alert; other_ asked for none
  EXPECT_EQ(due[0].member_id, reader_);
  EXPECT_EQ(due[0].article_id, id("energy-new"));
  EXPECT_EQ(due[0].email, "reader@example.org");
  EXPECT_TRUE(*cs().mark_alerted(reader_, id("energy-new"), clock_.now()));
  EXPECT_FALSE(*cs().mark_alerted(reader_, id("energy-new"), clock_.now()));
  EXPECT_TRUE(cs().alerts_due(store::AlertMode::kInstant, from, clock_.now(), 100).empty());
  EXPECT_TRUE(cs().alerts_due(store::AlertMode::kDaily, from, clock_.now(), 100).empty());
  auto counts = cs().follower_counts();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].term.slug, "kenya");
  EXPECT_EQ(counts[0].followers, 2);
  EXPECT_EQ(counts[0].alerted, 1);
}

TEST_F(CuratorTest, EverythingGoesWithTheAccount) {
  ASSERT_TRUE(cs().follow(reader_, TermKind::kTopic, "water", clock_.now()));
  ASSERT_TRUE(cs().save_article(reader_, id("water-old"), 100));
  ASSERT_TRUE(cs().record_opened(reader_, id("water-old"), true, 100));
  ASSERT_TRUE(cs().set_keeps_history(reader_, true));
  ASSERT_TRUE(cs().mark_alerted(reader_, id("water-old"), 100));
  ASSERT_TRUE(store_->members().delete_member(reader_));
  EXPECT_TRUE(cs().follows(reader_).empty());
  EXPECT_FALSE(cs().is_saved(reader_, id("water-old")));
  EXPECT_TRUE(cs().opened_ids(reader_, 10).empty());
  EXPECT_TRUE(cs().follower_counts().empty());
  EXPECT_TRUE(cs().followed_terms_of_all().empty());
}

TEST_F(CuratorTest, RelatedPrefersRarerSharedTermsAndSkipsItselfAndDrafts) {
  content::ContentService content(store_->content(), clock_, 3);
  auto line = [](const std::string& slug, const std::string& extra) {
    return R"({"slug":")" + slug + R"(","headline":")" + slug +
           R"(","body":"x","authors":["Zed Ray"],"published_at":"2026-03-05T08:00:00Z")" + extra + "}\n";
  };
  ASSERT_TRUE(content.import_jsonl(line("base", R"(,"topics":["Energy","Ports"])") +
                                   line("both", R"(,"topics":["Energy","Ports"])") +
                                   line("ports", R"(,"topics":["Ports"],"countries":["Peru"])") +
                                   line("energy", R"(,"topics":["Energy"],"countries":["Peru"])") +
                                   line("gone", R"(,"topics":["Energy","Ports"],"status":"draft")")));
  curator::CuratorService svc(*store_, clock_);
  auto related = svc.related(id("base"), 5);
  std::vector<std::string> slugs;
  for (const auto& a : related) slugs.push_back(a.slug);
  // "both" shares everything; Ports (on 4 articles) is rarer than Energy (on 5, one of
  // them the fixture's energy-new), so the Ports piece comes before the Energy one.
  ASSERT_GE(slugs.size(), 3u);
  EXPECT_EQ(slugs[0], "both");
  EXPECT_EQ(slugs[1], "ports");
  EXPECT_EQ(slugs[2], "energy");
  EXPECT_EQ(std::count(slugs.begin(), slugs.end(), "base"), 0);
  EXPECT_EQ(std::count(slugs.begin(), slugs.end(), "gone"), 0);
}
