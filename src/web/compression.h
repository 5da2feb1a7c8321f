// Compressed responses: gzip (zlib) and brotli, negotiated from Accept-Encoding. A cached
// page is compressed once, when a reader first asks for a compressed form (not when it
// enters the cache: an API client that never asks pays nothing), never per request. Pages that carry
// a per-browser CSRF token are compressed too: the text between the token markers is
// deflated once into independent byte-aligned pieces, and each request splices its token
// in as a stored (uncompressed) block and combines the CRC — a valid gzip stream at the
// cost of a copy and a 50-byte CRC. (Brotli cannot be spliced that way; those pages go out
// as gzip.) Pure functions and immutable values; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace web {

enum class Coding { kIdentity, kGzip, kBrotli };

// The best coding the client accepts (q-values honoured; br before gzip at equal q).
Coding negotiate(std::string_view accept_encoding, bool brotli_available);
// HTML, CSS, JavaScript, JSON, XML (feeds, sitemaps), plain text.
bool compressible(std::string_view content_type);

struct Encoded {
  std::string gzip;  // whole pages (no marker)
  std::string br;
  // Pages with markers: raw deflate pieces of the text between markers, their CRC-32s and
  // lengths.
  bool spliced = false;
  std::vector<std::string> pieces;
  std::vector<std::uint32_t> crcs;
  std::vector<std::size_t> lengths;
};

// Compresses `body` once; `marker` (when present in it) is where a per-request token
// will go. nullptr when the body is too small to gain anything.
std::shared_ptr<const Encoded> encode(std::string_view body, std::string_view marker);
// A cached page's compressed forms, made on first demand and shared by every copy of it.
struct LazyEncoded {
  std::mutex mu;
  bool done = false;
  std::shared_ptr<const Encoded> value;
};
// encode(body, marker) the first time, the same value after (thread-safe).
std::shared_ptr<const Encoded> encode_once(LazyEncoded& lazy, std::string_view body,
                                           std::string_view marker);

// The gzip stream of the page with `token` in place of every marker (Encoded::spliced).
std::string splice_gzip(const Encoded& e, std::string_view token);

// One-shot helpers (also for tests and static files).
std::string gzip(std::string_view data, int level = 6);
std::string brotli(std::string_view data, int quality = 5);
// Decompresses a gzip stream (tests); throws std::runtime_error when it is not valid.
std::string gunzip(std::string_view data);

}  // namespace web
