#include "media/images.h"

#include <vips/vips.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace media {

namespace {

using core::ErrorCode;
using core::fail;

void start() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("meridian") != 0) throw std::runtime_error("libvips would not start");
    vips_cache_set_max(0);  // nothing kept between uploads
    // A damaged upload is refused with a message to the editor; libvips's own warnings
    // about it would only clutter the server's log.
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING,
                      [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    vips_concurrency_set(1);
  });
}

struct Unref {
  void operator()(VipsImage* i) const { g_object_unref(i); }
};
using Image = std::unique_ptr<VipsImage, Unref>;

std::string vips_message() {
  std::string m = vips_error_buffer();
  vips_error_clear();
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

core::Result<Image> open(std::string_view bytes) {
  start();
  VipsImage* raw = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                              VIPS_ACCESS_SEQUENTIAL, nullptr);
  if (!raw) {
    vips_error_clear();
    return fail(ErrorCode::kInvalidInput, "the file could not be read as an image");
  }
  Image img(raw);
  long long pixels = static_cast<long long>(vips_image_get_width(raw)) * vips_image_get_height(raw);
  if (pixels <= 0 || pixels > kMaxPixels) {
    return fail(ErrorCode::kInvalidInput, "the image is too large (at most 40 megapixels)");
  }
  return img;
}

core::Result<Picture> encode(VipsImage* in, std::string_view format) {
  void* buf = nullptr;
  size_t len = 0;
  int rc = -1;
  Image flat;
  if (format == "jpg" && vips_image_hasalpha(in)) {
    VipsImage* out = nullptr;
    VipsArrayDouble* white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
    rc = vips_flatten(in, &out, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    if (rc != 0) return fail(ErrorCode::kInvalidInput, "the image could not be converted: " + vips_message());
    flat.reset(out);
    in = out;
  }
  if (format == "webp") {
    rc = vips_webpsave_buffer(in, &buf, &len, "Q", 80, "strip", TRUE, nullptr);
  } else if (format == "jpg") {
    rc = vips_jpegsave_buffer(in, &buf, &len, "Q", 82, "strip", TRUE, "interlace", TRUE, nullptr);
  } else if (format == "png") {
    rc = vips_pngsave_buffer(in, &buf, &len, "strip", TRUE, nullptr);
  } else {
    return fail(ErrorCode::kInvalidInput, "unknown picture format");
  }
  if (rc != 0) return fail(ErrorCode::kInvalidInput, "the image could not be converted: " + vips_message());
  Picture p;
  p.bytes.assign(static_cast<const char*>(buf), len);
  g_free(buf);
  p.width = vips_image_get_width(in);
  p.height = vips_image_get_height(in);
  return p;
}

bool write_file(const std::filesystem::path& path, const std::string& bytes) {
  auto tmp = path;
  tmp += ".part";
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

core::Result<Picture> measure(std::string_view image) {
  auto img = open(image);
  if (!img) return std::unexpected(img.error());
  Picture p;
  p.width = vips_image_get_width(img->get());
  p.height = vips_image_get_height(img->get());
  return p;
}

core::Result<Picture> resize(std::string_view image, int width, std::string_view format, int height) {
  if (auto checked = open(image); !checked) return std::unexpected(checked.error());
  VipsImage* out = nullptr;
  int rc = height > 0
               ? vips_thumbnail_buffer(const_cast<char*>(image.data()), image.size(), &out, width,
                                       "height", height, "size", VIPS_SIZE_BOTH, "crop",
                                       VIPS_INTERESTING_CENTRE, nullptr)
               : vips_thumbnail_buffer(const_cast<char*>(image.data()), image.size(), &out, width,
                                       "size", VIPS_SIZE_DOWN, nullptr);
  if (rc != 0) return fail(ErrorCode::kInvalidInput, "the image could not be resized: " + vips_message());
  Image img(out);
  return encode(out, format);
}

std::string srcset(const std::vector<Variant>& list) {
  std::string out;
  for (const auto& v : list) {
    if (!out.empty()) out += ", ";
    out += "/media/" + v.file + " " + std::to_string(v.width) + "w";
  }
  return out;
}

std::string sized_name(const std::string& hex, int width, const std::string& ext) {
  return hex + "-w" + std::to_string(width) + "." + ext;
}

int width_of(const std::string& name) {
  auto dot = name.rfind('.');
  auto w = name.rfind("-w", dot);
  if (dot == std::string::npos || w == std::string::npos || w + 2 >= dot) return 0;
  int width = 0;
  for (std::size_t i = w + 2; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9' || width > 100000) return 0;
    width = width * 10 + (name[i] - '0');
  }
  return width;
}

core::Result<int> write_variants(const std::string& folder, const std::string& name, std::string_view image) {
  auto dot = name.rfind('.');
  if (dot == std::string::npos) return fail(ErrorCode::kInvalidInput, "a media name has an extension");
  std::string stem = name.substr(0, dot), ext = name.substr(dot + 1);
  auto size = measure(image);
  if (!size) return std::unexpected(size.error());
  if (ext == "gif") return 0;
  int written = 0;
  if (ext != "webp") {
    auto p = resize(image, size->width, "webp");
    if (!p) return std::unexpected(p.error());
    if (!write_file(std::filesystem::path(folder) / (stem + ".webp"), p->bytes)) {
      return fail(ErrorCode::kUnavailable, "cannot write " + stem + ".webp in " + folder);
    }
    ++written;
  }
  for (int w : kVariantWidths) {
    if (w >= size->width) continue;  // never enlarged: every width said is true
    for (std::string_view format : {"webp", "jpg"}) {
      auto p = resize(image, w, format);
      if (!p) return std::unexpected(p.error());
      std::string file = stem + "-" + std::to_string(w) + "." + std::string(format);
      if (!write_file(std::filesystem::path(folder) / file, p->bytes)) {
        return fail(ErrorCode::kUnavailable, "cannot write " + file + " in " + folder);
      }
      ++written;
    }
  }
  return written;
}

std::vector<Variant> variants(const std::string& folder, const std::string& name, std::string_view format) {
  std::vector<Variant> out;
  int full = width_of(name);
  auto dot = name.rfind('.');
  if (full == 0 || dot == std::string::npos) return out;
  std::string stem = name.substr(0, dot), ext = name.substr(dot + 1);
  std::error_code ec;
  auto here = [&](const std::string& file) {
    return std::filesystem::exists(std::filesystem::path(folder) / file, ec);
  };
  for (int w : kVariantWidths) {
    if (w >= full) continue;
    std::string file = stem + "-" + std::to_string(w) + "." + std::string(format);
    if (here(file)) out.push_back({w, file});
  }
  if (format == "webp") {
    std::string file = ext == "webp" ? name : stem + ".webp";
    if (here(file)) out.push_back({full, file});
  } else if ((ext == "jpg" || ext == "png") && here(name)) {
    out.push_back({full, name});
  }
  return out;
}

core::Result<Picture> fit(std::string_view image, int max_width, int max_height, std::string_view format) {
  if (auto checked = open(image); !checked) return std::unexpected(checked.error());
  VipsImage* out = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(image.data()), image.size(), &out, max_width, "height",
                            max_height, "size", VIPS_SIZE_BOTH, nullptr) != 0) {
    return fail(ErrorCode::kInvalidInput, "the image could not be resized: " + vips_message());
  }
  Image img(out);
  return encode(out, format);
}

core::Result<Picture> icon(std::string_view image, int px, std::string_view background) {
  if (auto checked = open(image); !checked) return std::unexpected(checked.error());
  VipsImage* fit = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(image.data()), image.size(), &fit, px, "height", px,
                            "size", VIPS_SIZE_BOTH, nullptr) != 0) {
    return fail(ErrorCode::kInvalidInput, "the image could not be resized: " + vips_message());
  }
  Image fitted(fit);
  // Flatten onto the background, then centre on a square of it.
  auto hex = [&](std::size_t at) {
    return background.size() == 7 ? std::stoi(std::string(background.substr(at, 2)), nullptr, 16) : 255;
  };
  double r = hex(1), g = hex(3), b = hex(5);
  VipsImage* flat = nullptr;
  VipsArrayDouble* bg = vips_array_double_newv(3, r, g, b);
  int rc = vips_image_hasalpha(fit) ? vips_flatten(fit, &flat, "background", bg, nullptr)
                                    : vips_copy(fit, &flat, nullptr);
  if (rc != 0) {
    vips_area_unref(VIPS_AREA(bg));
    return fail(ErrorCode::kInvalidInput, "the image could not be converted: " + vips_message());
  }
  Image flattened(flat);
  VipsImage* square = nullptr;
  rc = vips_gravity(flat, &square, VIPS_COMPASS_DIRECTION_CENTRE, px, px, "extend",
                    VIPS_EXTEND_BACKGROUND, "background", bg, nullptr);
  vips_area_unref(VIPS_AREA(bg));
  if (rc != 0) return fail(ErrorCode::kInvalidInput, "the image could not be converted: " + vips_message());
  Image out(square);
  return encode(square, "png");
}

std::string ico(const std::vector<Picture>& pngs) {
  // ICONDIR, one ICONDIRENTRY per picture, then the PNGs (PNG-in-ICO, read by every
  // browser since 2007). Little-endian throughout.
  std::string out;
  auto u16 = [&](unsigned v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
  };
  auto u32 = [&](unsigned long v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  u16(0);
  u16(1);
  u16(static_cast<unsigned>(pngs.size()));
  unsigned long offset = 6 + 16 * pngs.size();
  for (const auto& p : pngs) {
    out += static_cast<char>(p.width >= 256 ? 0 : p.width);
    out += static_cast<char>(p.height >= 256 ? 0 : p.height);
    out += '\0';  // no palette
    out += '\0';
    u16(1);   // colour planes
    u16(32);  // bits per pixel
    u32(p.bytes.size());
    u32(offset);
    offset += p.bytes.size();
  }
  for (const auto& p : pngs) out += p.bytes;
  return out;
}

}  // namespace media
