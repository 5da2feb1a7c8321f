// Compression: negotiation by Accept-Encoding, and the gzip splice that lets a page with
// per-browser CSRF tokens be compressed once and still carry each reader's own token.
#include <gtest/gtest.h>

#include "web/compression.h"

namespace {

using web::Coding;
using web::negotiate;

TEST(Compression, NegotiatesByQualityPreferringBrotli) {
  EXPECT_EQ(negotiate("", true), Coding::kIdentity);
  EXPECT_EQ(negotiate("gzip", true), Coding::kGzip);
  EXPECT_EQ(negotiate("gzip, deflate, br", true), Coding::kBrotli);
  EXPECT_EQ(negotiate("gzip, deflate, br", false), Coding::kGzip);
  EXPECT_EQ(negotiate("br;q=0.5, gzip;q=0.9", true), Coding::kGzip);
  EXPECT_EQ(negotiate("gzip;q=0, br;q=0", true), Coding::kIdentity);
  EXPECT_EQ(negotiate("identity", true), Coding::kIdentity);
  EXPECT_EQ(negotiate("*", true), Coding::kBrotli);
  EXPECT_EQ(negotiate("*;q=0", true), Coding::kIdentity);
  EXPECT_EQ(negotiate(" GZIP ;q=1.0", true), Coding::kGzip);
  EXPECT_EQ(negotiate("gzip;q=garbage", true), Coding::kIdentity);
}

TEST(Compression, WholePagesRoundTrip) {
  std::string page;
  for (int i = 0; i < 400; ++i) page += "<p>Paragraph " + std::to_string(i) + " of the analysis.</p>\n";
  auto e = web::encode(page, "__MARKER__");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->spliced);
  EXPECT_EQ(web::gunzip(e->gzip), page);
  EXPECT_LT(e->gzip.size(), page.size() / 4);
  EXPECT_LT(e->br.size(), e->gzip.size());
  EXPECT_FALSE(web::encode("too small", ""));  // not worth the header
}

TEST(Compression, SplicedGzipCarriesEachReadersToken) {
  const std::string marker = "__MERIDIAN_CSRF__";
  std::string page = marker + "<form><input name=csrf value=\"" + marker + "\"></form>";
  for (int i = 0; i < 300; ++i) page += "<p>Teaser text " + std::to_string(i) + "</p>";
  page += "<form><input value=\"" + marker + "\">" + marker + marker + "</form>";
  auto e = web::encode(page, marker);
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->spliced);
  for (std::string token : {"tok-one-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "x"}) {
    std::string expected = page;
    for (auto pos = expected.find(marker); pos != std::string::npos; pos = expected.find(marker, pos + token.size())) {
      expected.replace(pos, marker.size(), token);
    }
    std::string gz = web::splice_gzip(*e, token);
    EXPECT_EQ(web::gunzip(gz), expected) << "token " << token;
    EXPECT_LT(gz.size(), expected.size() / 2);
  }
}

TEST(Compression, CorruptStreamsAreRefused) {
  std::string page(2000, 'a');
  auto gz = web::gzip(page);
  EXPECT_EQ(web::gunzip(gz), page);
  gz[gz.size() - 6] ^= 1;  // the CRC no longer matches
  EXPECT_THROW(web::gunzip(gz), std::runtime_error);
  EXPECT_THROW(web::gunzip("not gzip at all"), std::runtime_error);
}

}  // namespace
