// Search snippets, made in process from the body text and the index's analysis: the window
// with the most of the reader's words, phrases and prefixes marked, ellipses where the
// passage is cut, and gated text only for readers who may read it.
#include <gtest/gtest.h>

#include <filesystem>

#include "content/service.h"
#include "core/time.h"
#include "search/query.h"
#include "search/search.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

class SnippetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("snippet");
    store_ = test_store::open_new(dir_);
    content::ContentService service(store_->content(), clock_, 3);
    std::string filler;
    for (int i = 0; i < 40; ++i) filler += "filler" + std::to_string(i) + " ";
    // Three public paragraphs (the teaser), then the gated part.
    std::string body = filler + "\\n\\nEarly mention of a wing. " + filler +
                       "Engineers studied the boundary layer and its transition near the wing "
                       "root.\\n\\n" + filler + "\\n\\nSecretword appears only past the wall.";
    ASSERT_TRUE(service.import_jsonl(
        R"({"slug":"wings","headline":"On aerofoils","dek":"A study of flow","access":"metered","body":")" +
        body + R"(","published_at":"2025-03-01T09:30:00Z"})" + "\n"));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  search::SearchResult find(const std::string& q, bool full_text) {
    search::SearchRequest req;
    req.query = *search::parse_query(q);
    req.full_text = full_text;
    req.now = clock_.now();
    auto r = store_->content().search(req);
    EXPECT_TRUE(r.has_value());
    return r ? *r : search::SearchResult{};
  }

  std::filesystem::path dir_;
  core::FixedClock clock_{*core::parse_rfc3339("2025-06-01T00:00:00Z")};
  std::unique_ptr<store::Store> store_;
};

TEST_F(SnippetTest, ThePassageWithMostOfTheWordsIsShownAndMarked) {
  auto r = find(R"("boundary layer" wing transi*)", false);
  ASSERT_EQ(r.hits.size(), 1u);
  const auto& s = r.hits[0].snippet_html;
  EXPECT_NE(s.find("<mark>boundary</mark> <mark>layer</mark>"), std::string::npos) << s;
  EXPECT_NE(s.find("<mark>transition</mark>"), std::string::npos) << s;
  EXPECT_NE(s.find("<mark>wing</mark>"), std::string::npos) << s;
  EXPECT_EQ(s.find("Early mention"), std::string::npos) << s;  // the denser passage wins
  EXPECT_TRUE(s.starts_with("…")) << s;
  EXPECT_TRUE(s.ends_with("…")) << s;
}

TEST_F(SnippetTest, GatedTextIsQuotedOnlyForReadersWhoMayReadIt) {
  EXPECT_TRUE(find("secretword", false).hits.empty());
  auto full = find("secretword", true);
  ASSERT_EQ(full.hits.size(), 1u);
  EXPECT_NE(full.hits[0].snippet_html.find("<mark>Secretword</mark>"), std::string::npos)
      << full.hits[0].snippet_html;
  // A word in the headline only: an anonymous reader sees the dek, never the body's end.
  auto anon = find("aerofoils", false);
  ASSERT_EQ(anon.hits.size(), 1u);
  EXPECT_EQ(anon.hits[0].snippet_html, "A study of flow");
}

}  // namespace
