// What an editor (or an importer) may record as a redirect, and the reason when not.
#include <gtest/gtest.h>

#include "redirects/redirects.h"

namespace {

std::string why(std::string_view from, std::string_view to) {
  auto r = redirects::make_redirect(from, to, "admin", 0);
  return r ? "" : r.error().message;
}

}  // namespace

TEST(Redirects, OldAddressesOfOtherPlatformsAreAccepted) {
  for (auto from : {"/?p=22", "/2014/05/some-slug/", "/category/africa/", "/feed/", "/old-slug"}) {
    auto r = redirects::make_redirect(from, "/articles/new-slug", "wordpress", 42);
    ASSERT_TRUE(r) << from << ": " << r.error().message;
    EXPECT_EQ(r->from, from);
    EXPECT_EQ(r->to, "/articles/new-slug");
    EXPECT_EQ(r->origin, "wordpress");
    EXPECT_EQ(r->created_at, 42);
  }
  EXPECT_TRUE(redirects::make_redirect("/shop", "https://shop.example.org/", "admin", 0));
}

TEST(Redirects, EachBadAddressIsRefusedNamingTheProblem) {
  EXPECT_NE(why("", "/a").find("which old address"), std::string::npos);
  EXPECT_NE(why("/a", "").find("where"), std::string::npos);
  EXPECT_NE(why("a-slug", "/a").find("starting with /"), std::string::npos);
  EXPECT_NE(why("//evil.example/x", "/a").find("starting with /"), std::string::npos);
  EXPECT_NE(why("/a b", "/b").find("spaces"), std::string::npos);
  EXPECT_NE(why("/a", "/b\r\nSet-Cookie: x=1").find("control"), std::string::npos);
  EXPECT_NE(why("/a", "//evil.example/").find("new address"), std::string::npos);
  EXPECT_NE(why("/a", "/\\evil.example/").find("new address"), std::string::npos);
  EXPECT_NE(why("/a", "javascript:alert(1)").find("new address"), std::string::npos);
  EXPECT_NE(why("/", "/b").find("front page"), std::string::npos);
  EXPECT_NE(why("/a", "/a").find("itself"), std::string::npos);
  EXPECT_NE(why("/" + std::string(2000, 'a'), "/b").find("2,000"), std::string::npos);
}

TEST(Redirects, AddressesAreKeptAsBrowsersSendThem) {
  EXPECT_EQ(redirects::normalize_address("/café/"), "/caf%C3%A9/");
  EXPECT_EQ(redirects::normalize_address("/caf%c3%a9/"), "/caf%C3%A9/");
  EXPECT_EQ(redirects::normalize_address("/?p=22&x=%2f"), "/?p=22&x=%2F");
  EXPECT_EQ(redirects::normalize_address("/100%"), "/100%");  // not an escape: kept
  auto r = redirects::make_redirect("/2019/05/café-society/", "/articles/café", "wordpress", 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from, "/2019/05/caf%C3%A9-society/");
  EXPECT_EQ(r->to, "/articles/caf%C3%A9");  // a Location header carries no raw UTF-8
}
