#include "importers/media.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "content/article.h"
#include "core/crypto.h"
#include "media/images.h"

namespace importers {

namespace {
constexpr std::uintmax_t kMaxImageBytes = 5 * 1024 * 1024;
}

core::Result<std::string> MediaCopier::bring(std::string_view url, bool as_hero) {
  namespace fs = std::filesystem;
  url = url.substr(0, url.find_first_of("?#"));
  std::string relative;
  for (const auto& m : markers_) {
    if (auto at = url.find(m); at != std::string_view::npos) {
      relative = std::string(url.substr(at + m.size()));
      break;
    }
  }
  if (relative.empty()) {
    // A host of its own for uploads (wordpress.com's files.wordpress.com): the whole path.
    auto scheme = url.find("://");
    auto slash = scheme == std::string_view::npos ? std::string_view::npos : url.find('/', scheme + 3);
    if (slash != std::string_view::npos) relative = std::string(url.substr(slash + 1));
  }
  if (relative.empty()) return core::fail(core::ErrorCode::kNotFound, "not in the upload folder: " + std::string(url));
  fs::path rel(relative);
  for (const auto& part : rel) {
    if (part == ".." || part == "." || rel.is_absolute()) {
      return core::fail(core::ErrorCode::kInvalidInput, "an address that leaves the upload folder: " + std::string(url));
    }
  }
  fs::path source = fs::path(from_) / rel;
  std::error_code ec;
  auto size = fs::file_size(source, ec);
  if (ec) return core::fail(core::ErrorCode::kNotFound, "missing from " + from_ + ": " + relative);
  if (size > kMaxImageBytes) return core::fail(core::ErrorCode::kInvalidInput, "larger than 5 MB: " + relative);
  std::ifstream in(source, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  std::string ext = content::image_extension(bytes);
  if (ext.empty()) return core::fail(core::ErrorCode::kInvalidInput, "not a JPEG, PNG, WebP or GIF image: " + relative);
  // Decoded before it is kept, and named with its width, as an upload is.
  auto picture = media::measure(bytes);
  if (!picture) return core::fail(core::ErrorCode::kInvalidInput, "could not be read as an image: " + relative);
  std::string name = media::sized_name(core::token_hash(bytes).substr(0, 32), picture->width, ext);
  if (dry_run_) return name;
  fs::path target = fs::path(into_) / name;
  auto copies = [&]() -> core::Result<std::string> {
    if (as_hero && !fs::exists(fs::path(into_) / (name.substr(0, name.rfind('.')) + ".webp"), ec)) {
      if (auto made = media::write_variants(into_, name, bytes); !made) return std::unexpected(made.error());
    }
    return name;
  };
  if (fs::exists(target, ec)) return copies();
  fs::create_directories(into_, ec);
  fs::path tmp = target;
  tmp += ".part";
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return core::fail(core::ErrorCode::kUnavailable, "cannot write " + tmp.string());
  }
  fs::rename(tmp, target, ec);
  if (ec) return core::fail(core::ErrorCode::kUnavailable, "cannot write " + target.string() + ": " + ec.message());
  return copies();
}

std::string MediaCopier::pictures(std::string_view html, ImportSummary& summary) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto img = html.find("<img", pos);
    if (img == std::string_view::npos) break;
    auto end = html.find('>', img);
    if (end == std::string_view::npos) break;
    std::string_view tag = html.substr(img, end - img);
    auto src = tag.find(" src=");
    if (src == std::string_view::npos || src + 6 > tag.size() || (tag[src + 5] != '"' && tag[src + 5] != '\'')) {
      out.append(html.substr(pos, end - pos));
      pos = end;
      continue;
    }
    char quote = tag[src + 5];
    auto value_start = img + src + 6;
    auto value_end = html.find(quote, value_start);
    if (value_end == std::string_view::npos || value_end > end) {
      out.append(html.substr(pos, end - pos));
      pos = end;
      continue;
    }
    std::string_view url = html.substr(value_start, value_end - value_start);
    out.append(html.substr(pos, value_start - pos));
    pos = value_end;
    if (enabled()) {
      if (auto name = bring(url)) {
        out += "/media/" + *name;
        ++summary.pictures;
        continue;
      }
    }
    out.append(url);
    for (const auto& m : markers_) summary.pictures_left += url.find(m) != std::string_view::npos;
  }
  out.append(html.substr(pos));
  return out;
}

void MediaCopier::hero(std::string_view url, content::ArticleInput& article, ImportSummary& summary) {
  if (!enabled()) {
    summary.images_left.emplace_back(url);
    return;
  }
  auto name = bring(url, true);
  if (!name) {
    summary.images_left.push_back(name.error().message);
    return;
  }
  article.hero_image = *name;
  ++summary.images;
}

}  // namespace importers
