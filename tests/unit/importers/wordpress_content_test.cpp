// WordPress content as WordPress shows it: block comments gone, shipped shortcodes made
// plain HTML, classic text given its paragraphs, <!--more--> as the teaser cut; and the
// body source those become (one raw HTML block each, the paywall marker between).
#include <gtest/gtest.h>

#include "content/teaser.h"
#include "importers/import.h"
#include "importers/migration.h"
#include "importers/places.h"
#include "importers/wordpress_content.h"

using importers::html_body;
using importers::wordpress_html;

TEST(WordPressContent, GutenbergBlockCommentsGoAndTheTextStays) {
  auto b = wordpress_html(
      "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n"
      "<!-- wp:latest-posts /-->\n<!-- wp:heading {\"level\":3} -->\n<h3>Two</h3>\n<!-- /wp:heading -->");
  EXPECT_EQ(b.before_more.find("wp:"), std::string::npos);
  EXPECT_NE(b.before_more.find("<p>One</p>"), std::string::npos);
  EXPECT_NE(b.before_more.find("<h3>Two</h3>"), std::string::npos);
  EXPECT_FALSE(b.has_more);
  // Other comments are the author's and stay for the sanitizer to judge.
  EXPECT_NE(wordpress_html("<p>a</p><!-- note -->").before_more.find("<!-- note -->"), std::string::npos);
}

TEST(WordPressContent, ClassicTextGetsParagraphsAndLineBreaks) {
  auto b = wordpress_html("First line\nsecond line\n\nNext paragraph\r\n\r\n<blockquote>Quoted</blockquote>");
  EXPECT_EQ(b.before_more,
            "<p>First line<br>\nsecond line</p>\n\n<p>Next paragraph</p>\n\n"
            "<blockquote>Quoted</blockquote>\n\n");
}

TEST(WordPressContent, TheMoreTagCutsTheTeaser) {
  auto b = wordpress_html("Before.\n\n<!--more Read the rest-->\n\nAfter.");
  ASSERT_TRUE(b.has_more);
  EXPECT_EQ(b.before_more, "<p>Before.</p>\n\n");
  EXPECT_EQ(b.after_more, "<p>After.</p>\n\n");
  std::string body = html_body(b.before_more, b.after_more, true);
  EXPECT_EQ(body, "<p>Before.</p>\n\n" + std::string(content::kPaywallMarker) + "\n\n<p>After.</p>");
  // Rendered, the cut is exactly there.
  auto split = content::render_body(body, 3);
  EXPECT_NE(split.teaser_html.find("Before."), std::string::npos);
  EXPECT_EQ(split.teaser_html.find("After."), std::string::npos);
  EXPECT_NE(split.gated_html.find("After."), std::string::npos);
}

TEST(WordPressContent, CaptionsBecomeFiguresAndEmbedsLinks) {
  auto b = wordpress_html(
      "[caption id=\"attachment_9\" align=\"alignleft\" width=\"150\"]<a href=\"https://x.test/big.jpg\">"
      "<img src=\"https://x.test/a.jpg\" alt=\"A bell\" /></a> Bell on a wharf[/caption]\n\n"
      "[embed]https://video.example/v/1[/embed]\n\nhttps://video.example/v/2\n\n"
      "[gallery ids=\"1,2,3\"]\n\n[video src=\"https://x.test/v.mp4\"]\n\n[[caption]] is written so");
  const std::string& h = b.before_more;
  EXPECT_NE(h.find("<figure><a href=\"https://x.test/big.jpg\"><img src=\"https://x.test/a.jpg\" alt=\"A bell\" /></a>"
                   "<figcaption>Bell on a wharf</figcaption></figure>"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("<a href=\"https://video.example/v/1\">"), std::string::npos);
  EXPECT_NE(h.find("<a href=\"https://video.example/v/2\">"), std::string::npos);
  EXPECT_NE(h.find("<a href=\"https://x.test/v.mp4\">"), std::string::npos);
  EXPECT_EQ(h.find("gallery"), std::string::npos);
  EXPECT_NE(h.find("[caption] is written so"), std::string::npos);
}

TEST(WordPressContent, APluginsShortcodeAndBracketedWordsStayAsText) {
  auto b = wordpress_html("He said [sic] it. [contact-form-7 id=\"1\"] [captions] too");
  EXPECT_NE(b.before_more.find("[sic]"), std::string::npos);
  EXPECT_NE(b.before_more.find("[contact-form-7 id=\"1\"]"), std::string::npos);
  EXPECT_NE(b.before_more.find("[captions]"), std::string::npos);
}

TEST(WordPressContent, TheBodyHoldsOneRawHtmlBlockPerBlockAndKeepsCode) {
  std::string body = html_body(
      "<div><p>One\n\n   \ncontinued</p>\n\n<p>Two</p></div><pre>line 1\n\nline 3</pre><script>x()</script>",
      "", false);
  // No blank line inside an ordinary block (it would end the raw HTML block); a <pre> keeps
  // its blank line.
  EXPECT_EQ(body.find("continued"), body.find("One\ncontinued") + 4) << body;
  EXPECT_NE(body.find("<pre>line 1\n\nline 3</pre>"), std::string::npos) << body;
  EXPECT_EQ(body.find("script"), std::string::npos);
  auto split = content::render_body(body, 3);
  std::string all = split.teaser_html + split.gated_html;
  EXPECT_NE(all.find("line 1\n\nline 3"), std::string::npos) << all;
  EXPECT_NE(all.find("Two"), std::string::npos);
}

TEST(WordPressContent, TextStaysByteForByte) {
  std::string text = "مرحبا بالعالم — 😀 e\xCC\x81 「引用」";
  auto b = wordpress_html(text);
  std::string body = html_body(b.before_more, b.after_more, b.has_more);
  EXPECT_NE(body.find(text), std::string::npos) << body;
}

TEST(ImportHelpers, SlugsAreUrlSafeFromTheSourceOrTheTitle) {
  EXPECT_EQ(importers::wanted_slug("hello-world", "x", "post-1"), "hello-world");
  // Percent-encoded UTF-8 (how WordPress keeps non-ASCII slugs), folded.
  EXPECT_EQ(importers::wanted_slug("caf%c3%a9-cr%c3%a8me", "x", "post-1"), "cafe-creme");
  // A direction override (U+202E), spaces and control characters cannot reach a slug.
  EXPECT_EQ(importers::wanted_slug("evil\xE2\x80\xAEgpj.exe", "x", "post-1"), "evil-gpj-exe");
  EXPECT_EQ(importers::wanted_slug("", "  Kenya's  vote ", "post-1"), "kenyas-vote");
  EXPECT_EQ(importers::wanted_slug("%e4%b8%ad%e6%96%87", "中文", "post-7"), "post-7");
  EXPECT_LE(importers::wanted_slug(std::string(300, 'a'), "", "p").size(), 112u);
}

TEST(ImportHelpers, OldAddressesArePathsWithTheirQuery) {
  EXPECT_EQ(importers::old_path("https://old.example/2014/05/slug/"), "/2014/05/slug/");
  EXPECT_EQ(importers::old_path("http://old.example/?p=22"), "/?p=22");
  EXPECT_EQ(importers::old_path("http://old.example?p=22#c"), "/?p=22");
  EXPECT_EQ(importers::old_path("https://old.example/"), "");
  EXPECT_EQ(importers::old_path("https://old.example"), "");
  EXPECT_EQ(importers::old_path("urn:uuid:1234"), "");
}

TEST(ImportHelpers, ArticlesAreFittedToMeridiansLimits) {
  content::ArticleInput a;
  a.headline = "  ";
  a.topics = {"Trade", "trade", "   ", "中文", std::string(300, 'x')};
  EXPECT_EQ(importers::fit_article(a), "");
  EXPECT_EQ(a.headline, "Untitled");
  ASSERT_EQ(a.topics.size(), 2u);
  EXPECT_EQ(a.topics[0], "Trade");
  EXPECT_EQ(a.topics[1].size(), content::kMaxNameBytes);
  a.headline = std::string(499, 'h') + "é";  // cut before the two-byte character
  EXPECT_EQ(importers::fit_article(a), "");
  EXPECT_EQ(a.headline.size(), 499u);
  a.body_md = std::string(content::kMaxBodyBytes + 1, 'x');
  EXPECT_EQ(importers::fit_article(a), "body over 2 MB");
}

TEST(ImportHelpers, PlacesAreKnownByTheirNamesAndOtherNames) {
  EXPECT_EQ(importers::known_place("Kenya").value_or(""), "Kenya");
  EXPECT_EQ(importers::known_place("south korea").value_or(""), "South Korea");
  EXPECT_EQ(importers::known_place("UK").value_or(""), "United Kingdom");
  EXPECT_EQ(importers::known_place("Ivory Coast").value_or(""), "Côte d'Ivoire");
  EXPECT_EQ(importers::known_place("Middle East").value_or(""), "Middle East");
  EXPECT_FALSE(importers::known_place("Trade"));
  EXPECT_FALSE(importers::known_place("Elections"));
  EXPECT_FALSE(importers::known_place(""));
}

TEST(ImportHelpers, TheFormatIsRecognisedByContent) {
  using importers::Format;
  EXPECT_EQ(importers::detect_format("<?xml version=\"1.0\"?>\n<rss"), Format::kWxr);
  EXPECT_EQ(importers::detect_format("\xEF\xBB\xBF  <rss>"), Format::kWxr);
  EXPECT_EQ(importers::detect_format("{\"db\":[{\"meta\":{}}]}"), Format::kGhost);
  EXPECT_EQ(importers::detect_format("{\n  \"db\": [\n {"), Format::kGhost);
  EXPECT_EQ(importers::detect_format("{\"format\":\"meridian-publication\"}"), Format::kPublication);
  EXPECT_EQ(importers::detect_format("{\"headline\":\"x\",\"body\":\"y\"}\n"), Format::kJsonl);
  EXPECT_EQ(importers::detect_format("id,email,name,note,subscribed_to_emails,complimentary_plan\n1,a@b.c"),
            Format::kGhostMembers);
  EXPECT_EQ(importers::detect_format("email,name\na@b.c,A\n"), Format::kJsonl);  // members import reads those
  EXPECT_EQ(importers::parse_format("wxr"), Format::kWxr);
  EXPECT_FALSE(importers::parse_format("xml"));
}
