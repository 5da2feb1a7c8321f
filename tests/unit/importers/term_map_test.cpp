// The --map file of an import: what categories and tags become, by slug or name; a bad
// file refused naming its line.
#include <gtest/gtest.h>

#include "importers/term_map.h"

using importers::TermMap;
using Kind = importers::TermTarget::Kind;

TEST(TermMap, CategoriesAndTagsAreMappedBySlugOrName) {
  auto map = TermMap::parse(R"(
[categories]
uncategorized = "drop"
world-news = "World"
"Africa Desk" = "country:Africa"
[tags]
kenya-polls = "country:Kenya"
long-reads = "topic:In depth"
)", "map.toml");
  ASSERT_TRUE(map) << map.error().message;
  EXPECT_EQ(map->category("uncategorized", "Uncategorized").kind, Kind::kDrop);
  auto world = map->category("world-news", "World News");
  EXPECT_EQ(world.kind, Kind::kTopic);
  EXPECT_EQ(world.name, "World");
  // By name when the slug is not a key.
  auto africa = map->category("africa-desk-2", "Africa Desk");
  EXPECT_EQ(africa.kind, Kind::kCountry);
  EXPECT_EQ(africa.name, "Africa");
  EXPECT_EQ(map->tag("kenya-polls", "Kenya polls").name, "Kenya");
  EXPECT_EQ(map->tag("long-reads", "Long reads").name, "In depth");
  // A category key does not map a tag, and what is not named keeps the default.
  EXPECT_EQ(map->tag("world-news", "World News").kind, Kind::kDefault);
  EXPECT_EQ(map->category("trade", "Trade").kind, Kind::kDefault);
  EXPECT_FALSE(map->digest().empty());
}

TEST(TermMap, ABadFileIsRefusedNamingItsLine) {
  auto unknown = TermMap::parse("[categories]\na = \"A\"\n[authors]\nb = \"B\"\n", "m.toml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("m.toml, line 3: [authors] is not a table"), std::string::npos)
      << unknown.error().message;
  auto nameless = TermMap::parse("[tags]\n\nx = \"country: ??\"\n", "m.toml");
  ASSERT_FALSE(nameless);
  EXPECT_NE(nameless.error().message.find("m.toml, line 3"), std::string::npos) << nameless.error().message;
  auto number = TermMap::parse("[tags]\nx = 3\n", "m.toml");
  ASSERT_FALSE(number);
  EXPECT_NE(number.error().message.find("line 2: x must be a string"), std::string::npos);
  auto broken = TermMap::parse("[tags\n", "m.toml");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("m.toml, line 1"), std::string::npos);
  EXPECT_FALSE(TermMap::load("/nonexistent/map.toml"));
}
