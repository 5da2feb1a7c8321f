#include "search/query.h"

#include <gtest/gtest.h>

using namespace search;

namespace {

std::vector<std::string> words(const ParsedQuery& q) {
  std::vector<std::string> out;
  for (const auto& t : q.words) out.push_back(t.text + (t.prefix ? "*" : ""));
  return out;
}

}  // namespace

TEST(SearchQuery, WordsAreLowerCasedAndStopWordsDropped) {
  auto q = parse_query("The Energy crisis in Côte d'Ivoire");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(words(*q), (std::vector<std::string>{"energy", "crisis", "cote", "ivoire"}));
}

TEST(SearchQuery, OnlyStopWordsAreKept) {
  auto q = parse_query("to be or not");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(words(*q), (std::vector<std::string>{"to", "be", "or", "not"}));
}

TEST(SearchQuery, PhrasesExclusionsAndPrefixes) {
  auto q = parse_query("\"power grid\" -coal -\"gas pipeline\" sanction*");
  ASSERT_TRUE(q.has_value());
  ASSERT_EQ(q->phrases.size(), 1u);
  EXPECT_EQ(q->phrases[0], (std::vector<std::string>{"power", "grid"}));
  ASSERT_EQ(q->excluded.size(), 2u);
  EXPECT_EQ(q->excluded[0], (std::vector<std::string>{"coal"}));
  EXPECT_EQ(q->excluded[1], (std::vector<std::string>{"gas", "pipeline"}));
  EXPECT_EQ(words(*q), (std::vector<std::string>{"sanction*"}));
}

TEST(SearchQuery, HyphenatedWordsBecomeOptionalWords) {
  auto q = parse_query("two-dimensional flow");
  ASSERT_TRUE(q.has_value());
  EXPECT_TRUE(q->phrases.empty());
  EXPECT_EQ(words(*q), (std::vector<std::string>{"two", "dimensional", "flow"}));
}

TEST(SearchQuery, PunctuationAndSyntaxAreNeverOperators) {
  // FTS5 operators typed by a reader are just words (or nothing).
  auto q = parse_query("energy AND (NOT coal) OR NEAR(a b) ^x :col {y}");
  ASSERT_TRUE(q.has_value());
  for (const auto& t : q->words) {
    for (char c : t.text) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ');
  }
  auto unbalanced = parse_query("\"unterminated phrase here");
  ASSERT_TRUE(unbalanced.has_value());
  EXPECT_EQ(unbalanced->phrases.size(), 1u);
}

TEST(SearchQuery, EmptyHugeAndExclusionOnlyQueriesAreClearErrors) {
  EXPECT_EQ(parse_query("").error().message, "Type a word or two to search for.");
  EXPECT_EQ(parse_query("   \"\" *** ").error().code, core::ErrorCode::kInvalidInput);
  EXPECT_NE(parse_query("-coal").error().message.find("not only words to leave out"),
            std::string::npos);
  EXPECT_NE(parse_query(std::string(600, 'a')).error().message.find("too long"),
            std::string::npos);
  EXPECT_FALSE(parse_query("\xff\xfe").has_value());
}

TEST(SearchQuery, RepeatsCollapseAndSizeIsCapped) {
  auto q = parse_query("grain grain Grain");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->words.size(), 1u);
  std::string many;
  for (int i = 0; i < 60; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_EQ(parse_query(many)->words.size(), kMaxTerms);
}
