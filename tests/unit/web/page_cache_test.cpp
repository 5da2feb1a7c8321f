// The page cache: bounded in bytes, least recently used out first, keyed on the query
// parameters a route reads (issue 14, finding 12).
#include "web/compression.h"
#include "web/page_cache.h"

#include <gtest/gtest.h>

using namespace web;

namespace {
std::shared_ptr<const Response> page(std::size_t bytes) {
  auto r = std::make_shared<Response>();
  r->body.assign(bytes, 'x');
  return r;
}
Request request(const std::string& path, std::multimap<std::string, std::string> query) {
  Request r;
  r.path = path;
  r.query = std::move(query);
  return r;
}
}  // namespace

TEST(PageCache, StaysWithinItsBytesEvictingTheLeastRecentlyUsed) {
  PageCache cache(100 * 1024);
  cache.put("/home", page(10 * 1024), 1, 1000);
  for (int i = 0; i < 200; ++i) {
    cache.put("/junk-" + std::to_string(i), page(10 * 1024), 1, 1000);
    ASSERT_NE(cache.get("/home", 1, 0), nullptr) << "a page in use was evicted after " << i;
    EXPECT_LE(cache.bytes(), 100u * 1024);
  }
  EXPECT_EQ(cache.get("/junk-0", 1, 0), nullptr);   // the oldest junk went first
  EXPECT_NE(cache.get("/junk-199", 1, 0), nullptr);
}

TEST(PageCache, CompressedFormsCountTowardsTheBound) {
  web::PageCache cache(200000);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i * 7919 % 10007) + "\n";
  auto r = std::make_shared<web::Response>();
  r->body = text;
  r->encoded = web::encode(text, "");
  ASSERT_TRUE(r->encoded);
  auto plain = std::make_shared<web::Response>();
  plain->body = text;
  web::PageCache a(1 << 24), b(1 << 24);
  a.put("/x", r, 1, 4000000000);
  b.put("/x", plain, 1, 4000000000);
  EXPECT_EQ(a.bytes(), b.bytes() + r->encoded->gzip.size() + r->encoded->br.size());
}

TEST(PageCache, StaleEntriesAreNotServed) {
  PageCache cache;
  cache.put("/a", page(10), 1, 100);
  EXPECT_EQ(cache.get("/a", 2, 0), nullptr);    // content changed
  cache.put("/a", page(10), 1, 100);
  EXPECT_EQ(cache.get("/a", 1, 100), nullptr);  // expired
  EXPECT_EQ(cache.entries(), 1u);  // kept until replaced: a stale entry is never served
}

TEST(PageCache, KeysOnlyOnTheParametersTheRouteReads) {
  std::vector<std::string> search = {"q", "page"};
  EXPECT_EQ(page_cache_key(request("/", {{"utm", "1"}}), {}), "/");
  EXPECT_EQ(page_cache_key(request("/", {{"utm", "2"}, {"x", "y"}}), {}), "/");
  EXPECT_EQ(page_cache_key(request("/search", {{"q", "oil"}, {"junk", "1"}}), search),
            page_cache_key(request("/search", {{"q", "oil"}, {"junk", "2"}}), search));
  EXPECT_NE(page_cache_key(request("/search", {{"q", "oil"}}), search),
            page_cache_key(request("/search", {{"q", "gas"}}), search));
  // Order does not matter; values are encoded so "&" in a value cannot forge a key.
  EXPECT_EQ(page_cache_key(request("/search", {{"page", "2"}, {"q", "a"}}), search),
            page_cache_key(request("/search", {{"q", "a"}, {"page", "2"}}), search));
  EXPECT_NE(page_cache_key(request("/search", {{"q", "a&page=2"}}), search),
            page_cache_key(request("/search", {{"q", "a"}, {"page", "2"}}), search));
}
