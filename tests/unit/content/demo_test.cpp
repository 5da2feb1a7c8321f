#include "content/demo.h"

#include <gtest/gtest.h>

#include <set>

#include "core/text.h"

using namespace content;

TEST(Demo, IsARealisticPublication) {
  const core::UnixTime now = 1790000000;
  auto articles = generate_demo(now, kDemoArticleCount, kDemoSeed);
  ASSERT_GE(articles.size(), 300u);
  std::set<std::string> topics, countries, authors, slugs;
  std::set<ArticleType> types;
  std::set<AccessClass> classes;
  core::UnixTime oldest = now;
  int featured = 0;
  for (const auto& a : articles) {
    topics.insert(a.topics.begin(), a.topics.end());
    countries.insert(a.countries.begin(), a.countries.end());
    authors.insert(a.authors.begin(), a.authors.end());
    types.insert(a.type);
    classes.insert(a.access);
    EXPECT_TRUE(slugs.insert(a.slug).second) << "duplicate slug " << a.slug;
    EXPECT_TRUE(core::is_valid_slug(a.slug)) << a.slug;
    ASSERT_TRUE(a.published_at.has_value());
    EXPECT_LE(*a.published_at, now);
    oldest = std::min(oldest, *a.published_at);
    featured += a.featured;
    EXPECT_FALSE(a.headline.empty());
    EXPECT_GT(a.body_md.size(), 600u);
    // Typographic apostrophes and quotes throughout, never a straight one beside a curly.
    for (const auto* text : {&a.headline, &a.dek, &a.body_md}) {
      EXPECT_EQ(text->find('\''), std::string::npos) << *text;
      EXPECT_EQ(text->find('"'), std::string::npos) << *text;
    }
    for (const auto& c : a.countries) EXPECT_EQ(c.find('\''), std::string::npos) << c;
  }
  EXPECT_GE(topics.size(), 12u);
  EXPECT_GE(countries.size(), 30u);
  EXPECT_GE(authors.size(), 15u);
  EXPECT_EQ(types.size(), 4u);
  EXPECT_EQ(classes.size(), 3u);
  EXPECT_GT(featured, 0);
  EXPECT_LE(oldest, now - 700LL * 86400);  // spread over two years
}

TEST(Demo, IsDeterministic) {
  auto a = generate_demo(1790000000, 50, 7);
  auto b = generate_demo(1790000000, 50, 7);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].slug, b[i].slug);
    EXPECT_EQ(a[i].body_md, b[i].body_md);
  }
  auto c = generate_demo(1790000000, 50, 8);
  EXPECT_NE(a[10].body_md, c[10].body_md);
}
