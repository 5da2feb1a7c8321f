// The `next` check against what browsers make of a URL (issue 14, finding 2).
#include <gtest/gtest.h>

#include "accounts/service.h"

using accounts::safe_next;

TEST(SafeNext, KeepsLocalPaths) {
  EXPECT_EQ(safe_next("/articles/a-story?x=1#top"), "/articles/a-story?x=1#top");
  EXPECT_EQ(safe_next("/"), "/");
  EXPECT_EQ(safe_next("/search?q=a%2F%2Fb"), "/search?q=a%2F%2Fb");
}

TEST(SafeNext, RefusesOtherOrigins) {
  for (const char* bad : {"//evil.example", "/\\evil.example", "\\\\evil.example",
                          "https://evil.example/", "javascript:alert(1)", "evil.example",
                          "", "\\/evil.example"}) {
    EXPECT_EQ(safe_next(bad), "/") << bad;
  }
}

TEST(SafeNext, ReadsItAsABrowserDoes) {
  // Browsers drop tabs and newlines anywhere and C0 controls and spaces at the ends.
  for (const char* bad : {"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
                          "\t//evil.example", " //evil.example", "/\t\\evil.example",
                          "\x01//evil.example", "//evil.example\x1f"}) {
    EXPECT_EQ(safe_next(bad), "/") << bad;
  }
  // What is kept is what the browser will follow.
  EXPECT_EQ(safe_next(" /account\t "), "/account");
  EXPECT_EQ(safe_next("/a\\b"), "/a/b");
  EXPECT_EQ(safe_next(std::string("/a\x7f", 3)), "/");
  EXPECT_EQ(safe_next("/" + std::string(600, 'a')), "/");
}
