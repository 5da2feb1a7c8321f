#include "feeds/feeds.h"

#include <gtest/gtest.h>

using namespace feeds;

namespace {

Channel channel() {
  return Channel{"Meridian & Co", "Analysis", "http://x/", "http://x/feed.xml", "Meridian", 1740821400};
}

Item item() {
  Item it;
  it.title = "Tariffs <rise>";
  it.url = "http://x/articles/a";
  it.summary_html = "<p>Teaser & more</p>";
  it.authors = {"Ann"};
  it.categories = {"Trade"};
  it.published = 1740821400;
  return it;
}

}  // namespace

TEST(Feeds, RssEscapesEverythingAndCarriesTheEssentials) {
  auto x = rss(channel(), {item()});
  EXPECT_NE(x.find("<rss version=\"2.0\""), std::string::npos);
  EXPECT_NE(x.find("<title>Meridian &amp; Co</title>"), std::string::npos);
  EXPECT_NE(x.find("<title>Tariffs &lt;rise&gt;</title>"), std::string::npos);
  EXPECT_NE(x.find("&lt;p&gt;Teaser &amp; more&lt;/p&gt;"), std::string::npos);
  EXPECT_NE(x.find("<pubDate>Sat, 01 Mar 2025 09:30:00 GMT</pubDate>"), std::string::npos);
  EXPECT_NE(x.find("rel=\"self\""), std::string::npos);
}

TEST(Feeds, AtomHasIdsAndDates) {
  auto x = atom(channel(), {item()});
  EXPECT_NE(x.find("<feed xmlns=\"http://www.w3.org/2005/Atom\""), std::string::npos);
  EXPECT_NE(x.find("<updated>2025-03-01T09:30:00Z</updated>"), std::string::npos);
  EXPECT_NE(x.find("<id>http://x/articles/a</id>"), std::string::npos);
}

TEST(Feeds, SitemapsListUrls) {
  auto s = sitemap({{"http://x/a?b=1&c=2", 1740821400}});
  EXPECT_NE(s.find("<loc>http://x/a?b=1&amp;c=2</loc><lastmod>2025-03-01T09:30:00Z</lastmod>"),
            std::string::npos);
  auto n = news_sitemap("Meridian", {{"http://x/a", "Title", 1740821400}});
  EXPECT_NE(n.find("<news:title>Title</news:title>"), std::string::npos);
}
