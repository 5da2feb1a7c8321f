#include "importers/jsonl.h"

#include <gtest/gtest.h>

using namespace importers;
using content::AccessClass;
using content::ArticleType;

namespace {

const char* kGood =
    R"({"slug":"a-story","headline":"A story","dek":"Dek","body":"Para.","authors":["Ann Lee"],)"
    R"("topics":["Energy","Trade"],"countries":["Brazil"],"type":"feature","access":"premium",)"
    R"("published_at":"2025-03-01T09:30:00Z"})";

std::string error_of(const std::string& text) {
  auto r = parse_jsonl(text);
  return r ? std::string("(no error)") : r.error().message;
}

}  // namespace

TEST(JsonlImport, ParsesAFullLine) {
  auto r = parse_article_line(kGood);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->slug, "a-story");
  EXPECT_EQ(r->type, ArticleType::kFeature);
  EXPECT_EQ(r->access, AccessClass::kPremium);
  EXPECT_EQ(r->topics, (std::vector<std::string>{"Energy", "Trade"}));
  EXPECT_EQ(r->published_at, 1740821400);
  EXPECT_EQ(r->status, content::Status::kPublished);
}

TEST(JsonlImport, DefaultsAreMeteredAnalysisAndSlugFromHeadline) {
  auto r = parse_article_line(
      R"({"headline":"Côte d'Ivoire votes","body":"x","published_at":"2025-03-01T09:30:00Z"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->slug, "cote-divoire-votes");
  EXPECT_EQ(r->access, AccessClass::kMetered);
  EXPECT_EQ(r->type, ArticleType::kAnalysis);
}

TEST(JsonlImport, DraftsNeedNoPublicationTime) {
  auto r = parse_article_line(R"({"headline":"Draft","body":"x","status":"draft"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->published_at.has_value());
}

TEST(JsonlImport, ErrorsNameTheLineAndTheProblem) {
  std::string two_good = std::string(kGood) + "\n\n" + kGood + "\n";
  EXPECT_EQ(error_of(two_good + "{not json}\n"), error_of(two_good + "{not json}\n"));
  EXPECT_NE(error_of(two_good + "{not json}\n").find("line 4: not valid JSON"), std::string::npos);
  EXPECT_EQ(error_of(R"({"headline":"x","body":"y"})"),
            "line 1: missing field 'published_at' (required unless status is draft)");
  EXPECT_EQ(error_of(R"({"body":"y"})"), "line 1: missing field 'headline'");
  EXPECT_NE(error_of(R"({"headline":"x","body":"y","type":"opinion","published_at":"2025-03-01T09:30:00Z"})")
                .find("field 'type' must be one of"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"headline":"x","body":"y","access":"paid","published_at":"2025-03-01T09:30:00Z"})")
                .find("got 'paid'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"headline":"x","body":"y","published_at":"last tuesday"})")
                .find("field 'published_at' is not an RFC 3339 time"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"headline":"x","body":"y","slug":"Bad Slug","published_at":"2025-03-01T09:30:00Z"})")
                .find("field 'slug'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"headline":"x","body":"y","topics":[1],"published_at":"2025-03-01T09:30:00Z"})")
                .find("field 'topics' must be a list of names"),
            std::string::npos);
  EXPECT_EQ(error_of("[1,2]"), "line 1: expected a JSON object");
  EXPECT_EQ(error_of(std::string(kGood) + "\n\xff\xfe\n"), "line 2: not valid UTF-8 text");
}

TEST(JsonlImport, BlankLinesAndCrlfAreFine) {
  auto r = parse_jsonl(std::string("\n") + kGood + "\r\n\r\n" + kGood + "\r\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->articles.size(), 2u);
}

TEST(JsonlImport, DuplicateNamesCollapse) {
  auto r = parse_article_line(
      R"({"headline":"x","body":"y","topics":["Energy","energy"," Energy "],"published_at":"2025-03-01T09:30:00Z"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->topics.size(), 1u);
}

TEST(JsonlExport, RoundTripsThroughTheParser) {
  auto a = *parse_article_line(kGood);
  a.corrections = "Fixed a date.";
  a.featured = true;
  a.updated_at = 1740900000;
  auto again = parse_article_line(to_jsonl_line(a));
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->slug, a.slug);
  EXPECT_EQ(again->body_md, a.body_md);
  EXPECT_EQ(again->authors, a.authors);
  EXPECT_EQ(again->countries, a.countries);
  EXPECT_EQ(again->access, a.access);
  EXPECT_EQ(again->published_at, a.published_at);
  EXPECT_EQ(again->updated_at, a.updated_at);
  EXPECT_EQ(again->corrections, a.corrections);
  EXPECT_TRUE(again->featured);
}
