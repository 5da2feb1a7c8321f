#include "content/sanitize.h"

#include <gtest/gtest.h>

#include "content/markdown.h"

using namespace content;

TEST(Sanitize, DropsScriptsStylesAndTheirContent) {
  auto out = sanitize_html("<p>Hi<script>alert(1)</script></p><style>p{}</style><iframe src=x>y</iframe>");
  EXPECT_EQ(out, "<p>Hi</p>\n");
}

TEST(Sanitize, DropsEventHandlersAndUnknownAttributes) {
  auto out = sanitize_html("<p onclick=\"steal()\" class=\"x\" style=\"color:red\">Text</p>");
  EXPECT_EQ(out, "<p>Text</p>\n");
}

TEST(Sanitize, RejectsDangerousUrls) {
  EXPECT_EQ(sanitize_html("<p><a href=\"javascript:alert(1)\">x</a></p>"), "<p><a>x</a></p>\n");
  EXPECT_EQ(sanitize_html("<p><a href=\" JaVaScRiPt:alert(1)\">x</a></p>"), "<p><a>x</a></p>\n");
  EXPECT_EQ(sanitize_html("<p><img src=\"data:text/html,x\" alt=\"a\"></p>"),
            "<p><img alt=\"a\" loading=\"lazy\"></p>\n");
  EXPECT_EQ(sanitize_html("<p><a href=\"/articles/x\">in</a></p>"),
            "<p><a href=\"/articles/x\">in</a></p>\n");
  EXPECT_EQ(sanitize_html("<p><a href=\"https://example.org/?a=1&b=2\">out</a></p>"),
            "<p><a href=\"https://example.org/?a=1&amp;b=2\" rel=\"noopener nofollow\">out</a></p>\n");
}

TEST(Sanitize, UnwrapsUnknownTagsAndSplitsWrappersIntoBlocks) {
  auto blocks = sanitize_to_blocks("<div class=a><p>One <span>two</span></p><section><p>Three</p></section></div>");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], "<p>One two</p>");
  EXPECT_EQ(blocks[1], "<p>Three</p>");
}

TEST(Sanitize, LooseTextIsWrappedInParagraphs) {
  auto blocks = sanitize_to_blocks("Hello <b>world</b><p>Next</p>");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], "<p>Hello <b>world</b></p>");
}

TEST(Sanitize, PageOwnsTheH1) {
  EXPECT_EQ(sanitize_html("<h1>Title</h1>"), "<h2>Title</h2>\n");
}

TEST(Sanitize, EscapesTextAndSurvivesMalformedHtml) {
  EXPECT_EQ(sanitize_html("<p>a &lt; b & c</p>"), "<p>a &lt; b &amp; c</p>\n");
  auto out = sanitize_html("<p><b>unclosed <i>tags</p><<>>");
  EXPECT_EQ(out.find("<script"), std::string::npos);
  EXPECT_NE(out.find("unclosed"), std::string::npos);
}

TEST(Markdown, RendersCommonMarkAndTables) {
  auto html = render_markdown("## Head\n\nSome *em* and **strong**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
  EXPECT_NE(html.find("<h2>Head</h2>"), std::string::npos);
  EXPECT_NE(html.find("<em>em</em>"), std::string::npos);
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("<td>2</td>"), std::string::npos);
}

TEST(Markdown, RawHtmlInMarkdownIsSanitizedNotPassedThrough) {
  auto html = render_markdown("Hello <img src=x onerror=alert(1)> there\n\n<script>alert(2)</script>\n\n<div onclick=x>Boxed</div>\n");
  EXPECT_EQ(html.find("onerror"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("alert(2)"), std::string::npos);
  EXPECT_EQ(html.find("onclick"), std::string::npos);
  EXPECT_NE(html.find("Boxed"), std::string::npos);
}

TEST(Markdown, AutolinksAreSafe) {
  auto html = render_markdown("See https://example.org and [x](javascript:alert(1)).\n");
  EXPECT_NE(html.find("href=\"https://example.org\""), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
}
