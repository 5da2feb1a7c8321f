// Pictures made from pictures, with libvips (Debian's libvips): smaller copies of an
// uploaded image for responsive pages (WebP and JPEG at a few widths), and PNG icons from
// an SVG or a bitmap. Everything decodes from memory and checks what it is given (a file
// that is not a readable image, or one too large in pixels, is refused). libvips is
// started once, on first use; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace media {

struct Picture {
  std::string bytes;
  int width = 0, height = 0;
};

// The widths responsive copies are made at (never wider than the original).
inline constexpr int kVariantWidths[] = {480, 960, 1440};
// At most this many pixels decoded (a small file can claim a vast picture).
inline constexpr long long kMaxPixels = 40'000'000;

// Width and height of an encoded image; kInvalidInput when it cannot be read.
core::Result<Picture> measure(std::string_view image);
// A copy at most `width` pixels wide, never enlarged; or, with `height` > 0, exactly
// width × height (cropped to fill; an SVG is drawn at that size: icons). As "webp", "jpg"
// or "png". JPEG flattens transparency onto white.
core::Result<Picture> resize(std::string_view image, int width, std::string_view format, int height = 0);

// A media name for an upload that records its width ("<hex>-w1200.jpg"), so the copies'
// widths are known without listing the folder or reading the file.
std::string sized_name(const std::string& hex, int width, const std::string& ext);
// The width a sized_name records; 0 for other names.
int width_of(const std::string& name);

// Responsive copies of the media file `name` (a sized_name; its bytes in `image`) written
// beside it in `folder`: "<stem>-480.webp", "<stem>-480.jpg", … for each of
// kVariantWidths narrower than the original, and "<stem>.webp" at full size. GIFs (maybe
// animated) get none.
core::Result<int> write_variants(const std::string& folder, const std::string& name, std::string_view image);

struct Variant {
  int width = 0;     // its true width in pixels
  std::string file;  // a media name
};
// What a page may offer for `name` in `format` ("webp" or "jpg"), narrowest first: the
// copies write_variants made that exist in `folder`, then the full-size one (for "jpg" the
// original itself, when it is a JPEG or PNG). Empty for names that record no width.
std::vector<Variant> variants(const std::string& folder, const std::string& name, std::string_view format);

// A srcset attribute's value for these variants: "/media/a-480.jpg 480w, /media/a-960.jpg 960w".
std::string srcset(const std::vector<Variant>& list);

// A copy that fits inside max_width × max_height (an SVG drawn at that size), as `format`.
core::Result<Picture> fit(std::string_view image, int max_width, int max_height, std::string_view format);

// A square icon of `px` pixels from any picture (a wide logo fits inside, centred on
// `background` "#rrggbb"), as PNG.
core::Result<Picture> icon(std::string_view image, int px, std::string_view background);

// An .ico file holding these PNG pictures (each at most 256 px).
std::string ico(const std::vector<Picture>& pngs);

}  // namespace media
