// The curator's ranking on hand-made readers and articles: what is followed comes first
// even when older, what was opened is left out, likeness to the reading orders what is
// not followed, recency settles ties, in-depth pieces keep their place a little longer.
#include "curator/rank.h"

#include <gtest/gtest.h>

namespace {

using store::CandidateFacts;

constexpr core::UnixTime kNow = 1'800'000'000;
constexpr core::UnixTime kDay = 86400;

// Term ids: 1 Water, 2 Energy, 3 Kenya, 4 Egypt, 5 Ann Lee, 6 Trade.
CandidateFacts article(long long id, int days_old, std::vector<long long> terms,
                       content::ArticleType type = content::ArticleType::kAnalysis, int words = 900) {
  CandidateFacts f;
  f.id = id;
  f.published_at = kNow - days_old * kDay;
  f.type = type;
  f.word_count = words;
  f.term_ids = std::move(terms);
  return f;
}

std::vector<long long> ids(const std::vector<curator::Ranked>& r) {
  std::vector<long long> out;
  for (const auto& x : r) out.push_back(x.id);
  return out;
}

TEST(RankTest, WithNothingKnownTheNewestComeFirst) {
  std::vector<CandidateFacts> pool = {article(1, 30, {1}), article(2, 1, {2}), article(3, 5, {6})};
  auto r = curator::rank(pool, {}, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{2, 3, 1}));
  for (const auto& x : r) EXPECT_EQ(x.why, curator::Why::kLatest);
}

TEST(RankTest, FollowedArticlesComeFirstEvenWhenOlder) {
  std::vector<CandidateFacts> pool = {article(1, 200, {1, 4}), article(2, 0, {2}), article(3, 3, {6}),
                                      article(4, 100, {1})};
  curator::ReaderFacts reader;
  reader.followed = {1};
  auto r = curator::rank(pool, reader, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{4, 1, 2, 3}));
  EXPECT_EQ(r[0].why, curator::Why::kFollowed);
  EXPECT_EQ(r[0].term_id, 1);
  EXPECT_EQ(r[2].why, curator::Why::kLatest);
}

TEST(RankTest, TheFirstFollowedTermNamesTheReason) {
  std::vector<CandidateFacts> pool = {article(1, 2, {3, 1})};
  curator::ReaderFacts reader;
  reader.followed = {1, 3};  // Water followed before Kenya
  auto r = curator::rank(pool, reader, kNow);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].term_id, 1);
}

TEST(RankTest, OpenedArticlesAreLeftOut) {
  std::vector<CandidateFacts> pool = {article(1, 1, {1}), article(2, 2, {1}), article(3, 3, {2})};
  curator::ReaderFacts reader;
  reader.followed = {1};
  reader.opened = {1, 3};
  auto r = curator::rank(pool, reader, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{2}));
}

TEST(RankTest, LikenessToTheReadingOrdersWhatIsNotFollowed) {
  // The reader read two Kenya/Trade pieces: a Kenya piece comes before newer Energy news,
  // and names the read article it resembles.
  std::vector<CandidateFacts> read = {article(10, 4, {3, 6}), article(11, 9, {3, 5})};
  std::vector<CandidateFacts> pool = {article(1, 0, {2}), article(2, 20, {3, 4}), article(3, 1, {2, 4}),
                                      article(10, 4, {3, 6})};
  curator::ReaderFacts reader;
  reader.read = read;
  reader.opened = {10, 11};
  auto r = curator::rank(pool, reader, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{2, 1, 3}));
  EXPECT_EQ(r[0].why, curator::Why::kSimilar);
  EXPECT_TRUE(r[0].like_article == 10 || r[0].like_article == 11);
  EXPECT_EQ(r[1].why, curator::Why::kLatest);
}

TEST(RankTest, MoreInCommonWithTheReadingRanksHigher) {
  std::vector<CandidateFacts> read = {article(10, 1, {3, 6, 5})};
  std::vector<CandidateFacts> pool = {article(1, 2, {3, 2}), article(2, 2, {3, 6, 5}), article(3, 2, {6, 2})};
  curator::ReaderFacts reader;
  reader.read = read;
  reader.opened = {10};
  auto r = curator::rank(pool, reader, kNow);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].id, 2);
  EXPECT_EQ(r[0].like_article, 10);
}

TEST(RankTest, TiesGoToTheNewerThenTheHigherId) {
  std::vector<CandidateFacts> pool = {article(1, 3, {1}), article(2, 1, {1}), article(3, 1, {1})};
  curator::ReaderFacts reader;
  reader.followed = {1};
  auto r = curator::rank(pool, reader, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{3, 2, 1}));
}

TEST(RankTest, InDepthPiecesKeepTheirPlaceAFewDaysLonger) {
  // A feature two days older than a briefing still leads; one a week older does not.
  std::vector<CandidateFacts> pool = {article(1, 0, {2}), article(2, 2, {2}, content::ArticleType::kFeature),
                                      article(3, 7, {2}, content::ArticleType::kAnalysis, 4000)};
  auto r = curator::rank(pool, {}, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{2, 1, 3}));
}

TEST(RankTest, DuplicateCandidatesAppearOnce) {
  std::vector<CandidateFacts> pool = {article(1, 1, {1}), article(1, 1, {1}), article(2, 2, {2})};
  auto r = curator::rank(pool, {}, kNow);
  EXPECT_EQ(ids(r), (std::vector<long long>{1, 2}));
}

TEST(RankTest, ReadingTermsAreTheMostReadNotFollowedOnes) {
  curator::ReaderFacts reader;
  reader.followed = {3};
  reader.read = {article(10, 1, {3, 6}), article(11, 2, {3, 6, 5}), article(12, 3, {4})};
  auto terms = curator::reading_terms(reader, 2);
  EXPECT_EQ(terms, (std::vector<long long>{6, 5}));
}

}  // namespace
