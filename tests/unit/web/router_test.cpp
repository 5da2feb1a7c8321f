#include "web/router.h"

#include <gtest/gtest.h>

using namespace web;

namespace {

Route route(const std::string& method, const std::string& pattern, const std::string& tag) {
  return Route{method, pattern, Audience::kPublic,
               [tag](Request&) {
                 Response r;
                 r.body = tag;
                 return r;
               },
               true, {}};
}

std::string call(Router& router, const std::string& method, const std::string& path) {
  Request req;
  req.method = method;
  req.path = path;
  bool exists = false;
  const Route* r = router.match(req, exists);
  if (!r) return exists ? "405" : "404";
  return r->handler(req).body + (req.params.empty() ? "" : ":" + req.params.begin()->second);
}

}  // namespace

TEST(Router, LiteralBeatsParameterWhateverTheOrder) {
  Router router;
  router.add(route("GET", "/topics/{slug}", "topic"));
  router.add(route("GET", "/topics/{slug}/feed.xml", "feed"));
  router.add(route("GET", "/topics/popular", "popular"));
  EXPECT_EQ(call(router, "GET", "/topics/popular"), "popular");
  EXPECT_EQ(call(router, "GET", "/topics/energy"), "topic:energy");
  EXPECT_EQ(call(router, "GET", "/topics/energy/feed.xml"), "feed:energy");
  EXPECT_EQ(call(router, "GET", "/topics/energy/other"), "404");
  EXPECT_EQ(call(router, "GET", "/topics/energy/"), "topic:energy");
}

TEST(Router, HeadFollowsGetAndWrongMethodIs405) {
  Router router;
  router.add(route("GET", "/", "home"));
  EXPECT_EQ(call(router, "HEAD", "/"), "home");
  EXPECT_EQ(call(router, "POST", "/"), "405");
}

TEST(Router, ConflictsAreStartUpErrors) {
  Router router;
  router.add(route("GET", "/articles/{slug}", "a"));
  EXPECT_THROW(router.add(route("GET", "/articles/{slug}", "b")), std::logic_error);
  EXPECT_THROW(router.add(route("GET", "/articles/{id}", "c")), std::logic_error);
  EXPECT_THROW(router.add(route("GET", "no-slash", "d")), std::logic_error);
  EXPECT_NO_THROW(router.add(route("POST", "/articles/{slug}", "e")));
}

TEST(Query, ParsesAndDecodes) {
  auto q = parse_query("q=a+b%21&page=2&flag");
  EXPECT_EQ(q.find("q")->second, "a b!");
  EXPECT_EQ(q.find("page")->second, "2");
  EXPECT_EQ(q.count("flag"), 1u);
}
