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

// Issue 14, finding 15: documented limits, refused with the line and the field named.
TEST(JsonlImport, LimitsNameTheLineAndTheField) {
  auto line = [](const std::string& field, const std::string& value) {
    return R"({"slug":"a","headline":"H","body":"b","published_at":"2025-01-01T00:00:00Z",")" +
           field + R"(":")" + value + "\"}\n";
  };
  auto error_of = [](const std::string& text) {
    auto r = importers::parse_jsonl(text);
    return r ? std::string("accepted") : r.error().message;
  };
  std::string ok = line("dek", "fine");
  EXPECT_EQ(error_of(ok), "accepted");
  auto big_headline = error_of(ok + R"({"slug":"b","headline":")" + std::string(2 << 20, 'x') +
                               R"(","body":"b","published_at":"2025-01-01T00:00:00Z"})" "\n");
  EXPECT_NE(big_headline.find("line 2: field 'headline' is 2097152 bytes; the limit is 500"),
            std::string::npos) << big_headline;
  auto big_body = error_of(line("corrections", "c").replace(
      line("corrections", "c").find("\"body\":\"b\""), 10,
      "\"body\":\"" + std::string(3 << 20, 'y') + "\""));
  EXPECT_NE(big_body.find("line 1: field 'body'"), std::string::npos) << big_body.substr(0, 200);
  EXPECT_NE(error_of(line("dek", std::string(1001, 'd'))).find("field 'dek'"), std::string::npos);
  auto nul = error_of(line("dek", "a\\u0000b"));
  EXPECT_NE(nul.find("line 1: field 'dek' contains a NUL character"), std::string::npos) << nul;
  std::string deep = R"({"slug":"a","headline":"H","body":"b","x":)" + std::string(200000, '[') +
                     std::string(200000, ']') + "}\n";
  auto nested = error_of(deep);
  EXPECT_NE(nested.find("line 1: JSON nested more than"), std::string::npos) << nested.substr(0, 200);
  std::string many = R"({"slug":"a","headline":"H","body":"b","published_at":"2025-01-01T00:00:00Z","topics":[)";
  for (int i = 0; i < 51; ++i) many += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
  EXPECT_NE(error_of(many + "]}\n").find("field 'topics' has 51 names"), std::string::npos);
}

TEST(JsonlImport, AHugeNumberIsAnErrorNotACrash) {
  // Found by fuzz_jsonl: nlohmann throws out_of_range (not parse_error) for a number that
  // overflows a double, and the importer let it escape (std::terminate in the CLI).
  auto r = importers::parse_jsonl(R"({"slug":"a","headline":"H","body":"b","x":8888888888888888888888888888888888888E8888})"
                                  "\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("line 1: not valid JSON"), std::string::npos) << r.error().message;
}
