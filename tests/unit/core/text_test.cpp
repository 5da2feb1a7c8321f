#include "core/text.h"

#include <gtest/gtest.h>

using namespace core;

TEST(Slugify, LowercasesAndJoinsWithHyphens) {
  EXPECT_EQ(slugify("Why Brazil is rethinking energy policy"), "why-brazil-is-rethinking-energy-policy");
  EXPECT_EQ(slugify("  --Trade,  tariffs & ports!! "), "trade-tariffs-ports");
}

TEST(Slugify, FoldsAccentsAndDropsApostrophes) {
  EXPECT_EQ(slugify("Côte d'Ivoire"), "cote-divoire");
  EXPECT_EQ(slugify("Indonesia’s plan: the ‘bold’ one"), "indonesias-plan-the-bold-one");
  EXPECT_EQ(slugify("São Paulo's Übermensch"), "sao-paulos-ubermensch");
  EXPECT_EQ(slugify("Bogotá"), "bogota");
}

TEST(Slugify, NonLatinScriptsBecomeSeparatorsAndEmptyIsPossible) {
  EXPECT_EQ(slugify("北京"), "");
  EXPECT_EQ(slugify("Report 北京 2025"), "report-2025");
}

TEST(Slug, Validation) {
  EXPECT_TRUE(is_valid_slug("a-b-3"));
  EXPECT_FALSE(is_valid_slug(""));
  EXPECT_FALSE(is_valid_slug("A-b"));
  EXPECT_FALSE(is_valid_slug("a--b"));
  EXPECT_FALSE(is_valid_slug("-a"));
  EXPECT_FALSE(is_valid_slug("a/b"));
  EXPECT_FALSE(is_valid_slug("a b"));
}

TEST(Escape, HtmlEscapesAllSpecials) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST(Escape, XmlDropsForbiddenControlCharacters) {
  EXPECT_EQ(xml_escape(std::string("a\x01" "b<c\n")), "ab&lt;c\n");
}

TEST(Url, DecodeAndEncode) {
  EXPECT_EQ(url_decode("a%20b+c"), "a b c");
  EXPECT_EQ(url_decode("a+b", false), "a+b");
  EXPECT_EQ(url_decode("100%"), "100%");  // a lone % stays
  EXPECT_EQ(url_decode("%zz"), "%zz");
  EXPECT_EQ(url_encode("/articles/a b"), "%2Farticles%2Fa%20b");
}

TEST(Text, StripTagsAndTruncate) {
  EXPECT_EQ(strip_tags("<p>One <em>two</em></p>\n<p>three &amp; four</p>"), "One two three & four");
  // Inline tags break no words; block tags and line breaks do.
  EXPECT_EQ(strip_tags("Lake <em>Turkana</em>, May <a href=\"x\">2014</a>."), "Lake Turkana, May 2014.");
  EXPECT_EQ(strip_tags("<li>one</li><li>two</li>one<br>two"), "one two one two");
  EXPECT_EQ(truncate_words("one two three four", 100), "one two three four");
  EXPECT_EQ(truncate_words("one two three four", 10), "one two…");
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("Côte — 北京"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xc3"));       // truncated sequence
  EXPECT_FALSE(valid_utf8("\xe2\x80"));   // truncated sequence
  // Only well-formed sequences (issue 14, finding 8).
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong "/"
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong "/"
  EXPECT_FALSE(valid_utf8("\xf0\x80\x80\xaf"));  // overlong "/"
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate (U+D800)
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xf8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid_utf8("\x80"));              // a stray continuation byte
  EXPECT_TRUE(valid_utf8("\xed\x9f\xbf"));       // U+D7FF, just below the surrogates
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x8c\x8d"));   // an emoji
}

TEST(Text, Utf8RepairReplacesEachStrayByteAndKeepsTheRest) {
  EXPECT_EQ(repair_utf8("Côte — 北京 \xf0\x9f\x8c\x8d"), "Côte — 北京 \xf0\x9f\x8c\x8d");
  EXPECT_EQ(repair_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
  // A lead byte whose sequence is cut short: each byte alone, the ASCII after kept.
  EXPECT_EQ(repair_utf8("https://\xf1\x02x"), "https://\xef\xbf\xbd\x02x");
  EXPECT_EQ(repair_utf8("\xe2\x80"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_TRUE(valid_utf8(repair_utf8("\xc0\xaf\xed\xa0\x80\x80")));
}
