// Country maps from Natural Earth: names as publications write them find their country,
// keys are canonical (anything else is refused), the chosen countries are drawn in the
// accent colour inside the frame, a tiny country gets a ring, and libvips can draw the SVG.
#include "media/maps.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "media/images.h"

namespace {

// The accent path's coordinates (the path whose fill is `accent`).
std::vector<std::pair<double, double>> accent_points(const std::string& svg, const std::string& accent) {
  auto at = svg.find("fill=\"" + accent + "\"");
  EXPECT_NE(at, std::string::npos);
  auto d = svg.find(" d=\"", at);
  auto end = svg.find('"', d + 4);
  std::string path = svg.substr(d + 4, end - d - 4);
  // "M x y l dx dy dx dy … Z", repeated: absolute, then relative to the last point.
  std::vector<std::pair<double, double>> pts;
  const char* p = path.c_str();
  double x = 0, y = 0;
  while (*p) {
    char command = *p++;
    EXPECT_TRUE(command == 'M' || command == 'l' || command == 'Z') << command;
    if (command == 'Z') continue;
    char* end = nullptr;
    while (true) {
      double a = std::strtod(p, &end);
      if (end == p) break;
      p = end;
      double b = std::strtod(p, &end);
      p = end;
      if (command == 'M') x = a, y = b;
      else x += a, y += b;
      pts.emplace_back(x, y);
    }
  }
  return pts;
}

TEST(MapsTest, NamesFindTheirCountriesAndTheKeyIsSorted) {
  auto m = media::map_for({"Kenya", "Ethiopia"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->key, "ethiopia_kenya");
  EXPECT_EQ(m->names, (std::vector<std::string>{"Kenya", "Ethiopia"}));
  EXPECT_EQ(media::list_names(m->names), "Kenya and Ethiopia");
  EXPECT_EQ(media::list_names({"Kenya", "Ethiopia", "Sudan"}), "Kenya, Ethiopia and Sudan");
}

TEST(MapsTest, WhatPublicationsCallCountriesIsUnderstood) {
  EXPECT_EQ(media::map_for({"United States"})->key, "united-states-of-america");
  EXPECT_EQ(media::map_for({"Côte d'Ivoire"})->key, "cote-divoire");
  EXPECT_EQ(media::map_for({"Ivory Coast"})->key, "cote-divoire");
  EXPECT_EQ(media::map_for({"DR Congo"})->key, "dem-rep-congo");
  EXPECT_EQ(media::map_for({"Solomon Islands"})->key, "solomon-is");
  EXPECT_EQ(media::map_for({"South Sudan"})->key, "s-sudan");
  EXPECT_EQ(media::map_for({"Türkiye"})->key, "turkey");
  // Unknown names are left out; none known, no map.
  auto m = media::map_for({"Narnia", "Japan", "Japan"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->key, "japan");
  EXPECT_EQ(m->names, std::vector<std::string>{"Japan"});
  EXPECT_FALSE(media::map_for({"Narnia"}));
  EXPECT_FALSE(media::map_for({}));
}

TEST(MapsTest, OnlyCanonicalKeysAreDrawn) {
  EXPECT_TRUE(media::draw_map("ethiopia_kenya", "#8a1c1c"));
  for (const char* bad : {"kenya_ethiopia", "kenya_kenya", "narnia", "", "kenya_", "_kenya", "Kenya",
                          "chad_china_cuba_egypt_fiji_iran_peru"}) {
    EXPECT_FALSE(media::draw_map(bad, "#8a1c1c")) << bad;
  }
}

TEST(MapsTest, TheChosenCountriesAreDrawnInTheAccentInsideTheFrame) {
  for (const char* key : {"kenya", "japan", "ethiopia_kenya", "brazil_india"}) {
    auto svg = media::draw_map(key, "#123456");
    ASSERT_TRUE(svg) << key;
    EXPECT_TRUE(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1200 630\""));
    auto pts = accent_points(*svg, "#123456");
    ASSERT_GT(pts.size(), 20u) << key;
    // Framed on the chosen countries: their outlines (mainland and all) lie in the picture.
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (auto [x, y] : pts) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    EXPECT_GE(x0, 0) << key;
    EXPECT_LE(x1, 1200) << key;
    EXPECT_GE(y0, 0) << key;
    EXPECT_LE(y1, 630) << key;
    // … and fill a good part of it, with neighbours drawn around.
    EXPECT_GT(std::max((x1 - x0) / 1200, (y1 - y0) / 630), 0.4) << key;
    EXPECT_NE(svg->find("fill=\"#d9d4cc\""), std::string::npos);
    EXPECT_EQ(svg->find("<circle"), std::string::npos) << key;
  }
}

TEST(MapsTest, ATinyCountryIsRingedSoItCanBeSeen) {
  auto svg = media::draw_map("singapore", "#123456");
  ASSERT_TRUE(svg);
  EXPECT_NE(svg->find("<circle"), std::string::npos);
}

TEST(MapsTest, LibvipsDrawsTheMapAsAPicture) {
  auto svg = media::draw_map("ethiopia_kenya", "#8a1c1c");
  ASSERT_TRUE(svg);
  auto png = media::fit(*svg, media::kMapWidth, media::kMapHeight, "png");
  ASSERT_TRUE(png) << png.error().message;
  EXPECT_EQ(png->width, 1200);
  EXPECT_EQ(png->height, 630);
}

}  // namespace
