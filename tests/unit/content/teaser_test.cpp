#include "content/teaser.h"

#include "core/text.h"

#include <gtest/gtest.h>

using namespace content;

namespace {

std::string paragraphs(int n, const std::string& prefix = "Paragraph") {
  std::string md;
  for (int i = 1; i <= n; ++i) md += prefix + " " + std::to_string(i) + " text.\n\n";
  return md;
}

}  // namespace

TEST(TeaserCut, FirstNParagraphsArePublicTheRestGated) {
  auto split = render_body(paragraphs(6), 3);
  EXPECT_NE(split.teaser_html.find("Paragraph 3"), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("Paragraph 4"), std::string::npos);
  EXPECT_NE(split.gated_html.find("Paragraph 4"), std::string::npos);
  EXPECT_NE(split.gated_html.find("Paragraph 6"), std::string::npos);
  EXPECT_EQ(split.gated_html.find("Paragraph 3"), std::string::npos);
}

TEST(TeaserCut, TheSettingChangesTheCut) {
  auto split = render_body(paragraphs(6), 1);
  EXPECT_NE(split.teaser_html.find("Paragraph 1"), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("Paragraph 2"), std::string::npos);
}

TEST(TeaserCut, HeadingsRideAlongWithoutCounting) {
  auto split = render_body("## Intro\n\nOne.\n\n## Middle\n\nTwo.\n\nThree.\n\nFour.\n", 2);
  EXPECT_NE(split.teaser_html.find("Middle"), std::string::npos);
  EXPECT_NE(split.teaser_html.find("Two."), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("Three."), std::string::npos);
}

TEST(TeaserCut, MarkerLineCutsByHand) {
  auto split = render_body("One.\n\n<!-- paywall -->\n\nTwo.\n\nThree.\n\nFour.\n", 3);
  EXPECT_NE(split.teaser_html.find("One."), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("Two."), std::string::npos);
  EXPECT_NE(split.gated_html.find("Two."), std::string::npos);
  EXPECT_EQ(split.gated_html.find("paywall"), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("paywall"), std::string::npos);
}

TEST(TeaserCut, MarkerInsideCodeFenceIsText) {
  std::string md = "One.\n\n```\n<!-- paywall -->\n```\n\nTwo.\n\nThree.\n\nFour.\n\nFive.\n";
  std::string before, after;
  EXPECT_FALSE(split_at_marker(md, before, after));
  auto split = render_body(md, 3);
  EXPECT_NE(split.teaser_html.find("&lt;!-- paywall --&gt;"), std::string::npos);
}

TEST(TeaserCut, ShortArticleStillKeepsSomethingGated) {
  auto split = render_body(paragraphs(3), 3);
  EXPECT_NE(split.teaser_html.find("Paragraph 2"), std::string::npos);
  EXPECT_NE(split.gated_html.find("Paragraph 3"), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("Paragraph 3"), std::string::npos);
}

TEST(TeaserCut, OneBlockArticleIsAllGated) {
  auto split = render_body("Only paragraph.", 3);
  EXPECT_EQ(split.teaser_html, "");
  EXPECT_NE(split.gated_html.find("Only paragraph."), std::string::npos);
}

TEST(TeaserCut, BlockCountRule) {
  std::vector<std::string> blocks = {"<h2>a</h2>", "<p>1</p>", "<p>2</p>", "<ul><li>3</li></ul>",
                                     "<p>4</p>"};
  EXPECT_EQ(teaser_block_count(blocks, 1), 2u);
  EXPECT_EQ(teaser_block_count(blocks, 3), 4u);
  EXPECT_EQ(teaser_block_count(blocks, 10), 4u);  // one block always stays gated
  EXPECT_EQ(teaser_block_count({}, 3), 0u);
}

TEST(TeaserCut, CountsWords) {
  auto split = render_body("One two three.\n\nFour five.\n", 1);
  EXPECT_EQ(split.word_count, 5);
}

TEST(Teaser, ReferenceDefinitionsInTheGatedPartDoNotResolveInTheTeaser) {
  // Issue 14, finding 11: the URL and title of a reference defined below the cut are
  // gated content.
  std::string md =
      "Opening with [a source][secret] and [an open one](https://open.example/a).\n\n"
      "Second with [a local ref][mine].\n\n[mine]: https://mine.example/b\n\n"
      "Third paragraph, gated.\n\nFourth paragraph.\n\n"
      "[secret]: https://secret.example/x \"Secret title\"\n";
  auto split = content::render_body(md, 2);
  EXPECT_EQ(split.teaser_html.find("secret.example"), std::string::npos) << split.teaser_html;
  EXPECT_EQ(split.teaser_html.find("Secret title"), std::string::npos) << split.teaser_html;
  EXPECT_NE(split.teaser_html.find("[a source][secret]"), std::string::npos) << split.teaser_html;
  EXPECT_NE(split.teaser_html.find("href=\"https://open.example/a\""), std::string::npos);
  EXPECT_NE(split.teaser_html.find("href=\"https://mine.example/b\""), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("Third paragraph"), std::string::npos);
  // Nothing is lost: the rest is in the gated part.
  EXPECT_NE(split.gated_html.find("Third paragraph, gated."), std::string::npos);
  EXPECT_NE(split.gated_html.find("Fourth paragraph."), std::string::npos);
}

TEST(Teaser, TheOwnSourceCutKeepsFencesListsAndQuotesWhole) {
  std::string md =
      "> A quote [ref][r]\n> over two lines.\n\n- one\n- two\n\n```\ncode [r]\n```\n\n"
      "After the code.\n\nGated.\n\n[r]: https://r.example/\n";
  auto split = content::render_body(md, 3);
  EXPECT_EQ(split.teaser_html.find("r.example"), std::string::npos) << split.teaser_html;
  EXPECT_NE(split.teaser_html.find("<blockquote>"), std::string::npos);
  EXPECT_NE(split.teaser_html.find("<li>two</li>"), std::string::npos);
  EXPECT_NE(split.gated_html.find("Gated."), std::string::npos) << split.gated_html;
  std::string all = split.teaser_html + split.gated_html;
  EXPECT_NE(all.find("code [r]"), std::string::npos);
  EXPECT_NE(all.find("After the code."), std::string::npos);
}

TEST(Teaser, TheOwnSourceCutNeverDropsALineThatOnlyLooksLikeADefinition) {
  // "[x]: not a url at all" starts a paragraph, not a definition; a cut grown over it
  // would show the paragraph's first line in the teaser and lose "still x." altogether.
  std::string md =
      "One.\n\nTwo.\n\n[x]: not a url at all\nstill x.\n\n[y]: no url either\nstill y.\n\n"
      "Four.\n\n[r]: https://r.example/\n";
  auto split = content::render_body(md, 3);
  std::string all = split.teaser_html + split.gated_html;
  for (const char* text : {"One.", "Two.", "still x.", "still y.", "Four."}) {
    EXPECT_NE(all.find(text), std::string::npos) << text << " lost:\n" << all;
  }
}

TEST(TeaserCut, InvalidUtf8IsRenderedAsReplacementCharactersNotPassedOn) {
  // Bytes that start no UTF-8 sequence (an import from a mis-encoded export) neither
  // reach the page raw nor shift the teaser cut.
  auto split = render_body("Caf\xe9 first.\n\n[r]: https://example.org/\xf1\n\nSecond [a][r].\n\nThird.\n", 1);
  EXPECT_NE(split.teaser_html.find("Caf\xef\xbf\xbd first."), std::string::npos) << split.teaser_html;
  EXPECT_EQ(split.teaser_html.find("Second"), std::string::npos);
  EXPECT_NE(split.gated_html.find("Second"), std::string::npos);
  EXPECT_TRUE(core::valid_utf8(split.teaser_html + split.gated_html));
}
