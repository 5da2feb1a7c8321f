// Pictures from pictures (libvips): icons drawn from an SVG at the size asked, responsive
// copies never wider than asked and never enlarged, an ICO that holds its PNGs, and files
// that only look like images refused.
#include "media/images.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <fstream>

namespace {

const std::string kSvg =
    R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 32"><rect width="64" height="32" fill="#8a1c1c"/></svg>)";

TEST(ImagesTest, AnSvgIsDrawnAtTheIconSize) {
  auto png = media::resize(kSvg, 180, "png", 180);
  ASSERT_TRUE(png) << png.error().message;
  EXPECT_EQ(png->width, 180);
  EXPECT_EQ(png->height, 180);
  EXPECT_EQ(png->bytes.substr(1, 3), "PNG");
  auto measured = media::measure(png->bytes);
  ASSERT_TRUE(measured);
  EXPECT_EQ(measured->width, 180);
}

TEST(ImagesTest, CopiesAreNeverEnlargedAndKeepTheirShape) {
  auto big = media::resize(kSvg, 1000, "png", 500);
  ASSERT_TRUE(big);
  auto small = media::resize(big->bytes, 480, "webp");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->width, 480);
  EXPECT_EQ(small->height, 240);
  EXPECT_EQ(small->bytes.substr(8, 4), "WEBP");
  auto same = media::resize(big->bytes, 1440, "jpg");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->width, 1000);  // not enlarged
  EXPECT_EQ(static_cast<unsigned char>(same->bytes[0]), 0xff);
}

TEST(ImagesTest, VariantsAreWrittenBesideTheOriginalAndFound) {
  auto dir = std::filesystem::temp_directory_path() / ("meridian-images-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto original = media::resize(kSvg, 1200, "png", 600);
  ASSERT_TRUE(original);
  std::string name = media::sized_name("abc123", 1200, "png");
  EXPECT_EQ(name, "abc123-w1200.png");
  EXPECT_EQ(media::width_of(name), 1200);
  EXPECT_EQ(media::width_of("abc123.png"), 0);
  {
    std::ofstream out(dir / name, std::ios::binary);
    out << original->bytes;
  }
  auto n = media::write_variants(dir.string(), name, original->bytes);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 5);  // the full-size WebP, and 480 and 960 in both formats (never 1440: wider)
  auto webp = media::variants(dir.string(), name, "webp");
  ASSERT_EQ(webp.size(), 3u);
  EXPECT_EQ(webp[0].file, "abc123-w1200-480.webp");
  EXPECT_EQ(webp[1].width, 960);
  EXPECT_EQ(webp[2].file, "abc123-w1200.webp");
  EXPECT_EQ(webp[2].width, 1200);
  auto jpg = media::variants(dir.string(), name, "jpg");
  ASSERT_EQ(jpg.size(), 3u);
  EXPECT_EQ(jpg[2].file, name);  // the original PNG, at its own width
  // Every width said is the picture's own.
  auto w960 = media::measure([&] {
    std::ifstream in(dir / "abc123-w1200-960.jpg", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }());
  ASSERT_TRUE(w960);
  EXPECT_EQ(w960->width, 960);
  EXPECT_TRUE(media::variants(dir.string(), "other.png", "jpg").empty());
  // A GIF (perhaps animated) is kept as it is.
  EXPECT_EQ(*media::write_variants(dir.string(), "anim.gif", original->bytes), 0);
  std::filesystem::remove_all(dir);
}

TEST(ImagesTest, WhatIsNotAReadableImageIsRefused) {
  std::string fake = "\x89PNG\r\n\x1a\n" + std::string(200, 'x');
  auto r = media::measure(fake);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidInput);
  EXPECT_FALSE(media::resize("plain text", 100, "png"));
  EXPECT_FALSE(media::write_variants("/tmp", "x.png", fake));
}

TEST(ImagesTest, ALogoFitsItsBoxAndAnIconCentresIt) {
  auto logo = media::fit(kSvg, 600, 96, "png");  // a 2:1 mark
  ASSERT_TRUE(logo);
  EXPECT_EQ(logo->width, 192);
  EXPECT_EQ(logo->height, 96);
  auto icon = media::icon(logo->bytes, 64, "#ffffff");
  ASSERT_TRUE(icon) << icon.error().message;
  EXPECT_EQ(icon->width, 64);
  EXPECT_EQ(icon->height, 64);
  EXPECT_FALSE(media::icon("not a picture", 64, "#ffffff"));
}

TEST(ImagesTest, AnIcoHoldsItsPngs) {
  std::vector<media::Picture> pngs;
  for (int px : {16, 32}) pngs.push_back(*media::resize(kSvg, px, "png", px));
  std::string ico = media::ico(pngs);
  ASSERT_GE(ico.size(), 6u + 32u);
  EXPECT_EQ(ico.substr(0, 4), std::string("\0\0\1\0", 4));
  EXPECT_EQ(static_cast<unsigned char>(ico[4]), 2);          // two pictures
  EXPECT_EQ(static_cast<unsigned char>(ico[6]), 16);         // first is 16 px wide
  unsigned offset = static_cast<unsigned char>(ico[6 + 12]) |
                    (static_cast<unsigned char>(ico[6 + 13]) << 8);
  EXPECT_EQ(offset, 6u + 2 * 16u);
  EXPECT_EQ(ico.substr(offset, pngs[0].bytes.size()), pngs[0].bytes);
}

}  // namespace
