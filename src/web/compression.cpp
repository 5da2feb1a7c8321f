#include "web/compression.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <cctype>
#include <stdexcept>

namespace web {

namespace {

constexpr std::size_t kMinBytes = 512;  // below this the headers cost more than we save

// Deflates `data` with a fresh raw stream ending in a full flush: byte-aligned, no final
// block, no reference to anything before it.
std::string raw_piece(std::string_view data, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&z, data.size()) + 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FULL_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (rc != Z_OK || z.avail_in != 0) throw std::runtime_error("deflate failed");
  return out;
}

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

double q_of(std::string_view params) {
  // ";q=0.5" (spaces allowed); absent: 1.
  auto q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  try {
    return std::stod(std::string(params.substr(q + 2)));
  } catch (const std::exception&) {
    return 0.0;
  }
}

}  // namespace

Coding negotiate(std::string_view header, bool brotli_available) {
  double gz = 0, br = 0, star = -1;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    auto semi = item.find(';');
    std::string name(item.substr(0, semi));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    double q = semi == std::string_view::npos ? 1.0 : q_of(item.substr(semi));
    if (name == "gzip" || name == "x-gzip") gz = std::max(gz, q);
    if (name == "br") br = std::max(br, q);
    if (name == "*") star = q;
  }
  if (star > 0) {
    if (gz == 0) gz = star;
    if (br == 0) br = star;
  }
  if (!brotli_available) br = 0;
  if (br > 0 && br >= gz) return Coding::kBrotli;
  if (gz > 0) return Coding::kGzip;
  return Coding::kIdentity;
}

bool compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("application/xml") || type.starts_with("application/rss+xml") ||
         type.starts_with("application/atom+xml") || type.starts_with("application/javascript") ||
         type.starts_with("image/svg+xml");
}

std::string gzip(std::string_view data, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&z, data.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip failed");
  return out;
}

std::string brotli(std::string_view data, int quality) {
  std::string out;
  out.resize(BrotliEncoderMaxCompressedSize(data.size()) + 16);
  std::size_t size = out.size();
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    throw std::runtime_error("brotli failed");
  }
  out.resize(size);
  return out;
}

std::string gunzip(std::string_view data) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

std::shared_ptr<const Encoded> encode(std::string_view body, std::string_view marker) {
  if (body.size() < kMinBytes) return nullptr;
  auto e = std::make_shared<Encoded>();
  if (!marker.empty() && body.find(marker) != std::string_view::npos) {
    e->spliced = true;
    std::size_t pos = 0;
    for (;;) {
      auto hit = body.find(marker, pos);
      auto piece = body.substr(pos, hit == std::string_view::npos ? std::string_view::npos : hit - pos);
      e->pieces.push_back(raw_piece(piece, 6));
      e->crcs.push_back(static_cast<std::uint32_t>(
          crc32(0L, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size()))));
      e->lengths.push_back(piece.size());
      if (hit == std::string_view::npos) break;
      pos = hit + marker.size();
    }
    return e;
  }
  e->gzip = gzip(body, 6);
  e->br = brotli(body, 5);
  if (e->gzip.size() >= body.size()) e->gzip.clear();
  if (e->br.size() >= body.size()) e->br.clear();
  if (e->gzip.empty() && e->br.empty()) return nullptr;
  return e;
}

std::shared_ptr<const Encoded> encode_once(LazyEncoded& lazy, std::string_view body,
                                           std::string_view marker) {
  std::lock_guard lock(lazy.mu);  // a second reader of the same page waits, not repeats
  if (!lazy.done) {
    lazy.value = encode(body, marker);
    lazy.done = true;
  }
  return lazy.value;
}

std::string splice_gzip(const Encoded& e, std::string_view token) {
  if (token.size() > 65535) throw std::invalid_argument("token too long for a stored block");
  std::size_t total = 18 + 5;
  for (const auto& p : e.pieces) total += p.size() + 5 + token.size();
  std::string out;
  out.reserve(total);
  // Header: magic, deflate, no flags, no mtime, no extra flags, Unix.
  out.append("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  auto token_crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(token.data()), static_cast<uInt>(token.size())));
  uLong crc = 0;
  std::size_t length = 0;
  for (std::size_t i = 0; i < e.pieces.size(); ++i) {
    if (i > 0) {
      // The token as a stored block: BFINAL=0, BTYPE=00, padding; LEN and its complement.
      auto n = static_cast<std::uint16_t>(token.size());
      out += '\0';
      out += static_cast<char>(n & 0xff);
      out += static_cast<char>(n >> 8);
      out += static_cast<char>(~n & 0xff);
      out += static_cast<char>((~n >> 8) & 0xff);
      out.append(token);
      crc = crc32_combine(crc, token_crc, static_cast<z_off_t>(token.size()));
      length += token.size();
    }
    out += e.pieces[i];
    crc = i == 0 ? e.crcs[0] : crc32_combine(crc, e.crcs[i], static_cast<z_off_t>(e.lengths[i]));
    length += e.lengths[i];
  }
  // An empty final stored block, then CRC-32 and the length.
  out.append("\x01\x00\x00\xff\xff", 5);
  put32(out, static_cast<std::uint32_t>(crc));
  put32(out, static_cast<std::uint32_t>(length));
  return out;
}

}  // namespace web
