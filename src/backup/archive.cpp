#include "backup/archive.h"

#include <sodium.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace backup {

using core::ErrorCode;

namespace {

constexpr std::size_t kBlock = 512;

void octal(char* field, std::size_t width, std::uint64_t value) {
  // width includes the terminating NUL
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

std::uint64_t parse_octal(const char* field, std::size_t width) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width && field[i]; ++i) {
    if (field[i] == ' ') continue;
    if (field[i] < '0' || field[i] > '7') break;
    v = v * 8 + static_cast<std::uint64_t>(field[i] - '0');
  }
  return v;
}

}  // namespace

std::string hex_digest(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

bool safe_entry_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.size() > 255) return false;
  if (name.find('\\') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    auto slash = name.find('/', start);
    auto part = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

struct ArchiveWriter::Impl {
  gzFile gz = nullptr;
  std::FILE* plain = nullptr;
};

core::Result<std::unique_ptr<ArchiveWriter>> ArchiveWriter::create(const std::string& path) {
  std::unique_ptr<ArchiveWriter> w(new ArchiveWriter());
  w->impl_ = std::make_unique<Impl>();
  if (path.ends_with(".gz")) {
    w->impl_->gz = gzopen(path.c_str(), "wb6");
  } else {
    w->impl_->plain = std::fopen(path.c_str(), "wb");
  }
  if (!w->impl_->gz && !w->impl_->plain) {
    return core::fail(ErrorCode::kUnavailable, "cannot write " + path + ": " + std::strerror(errno));
  }
  return w;
}

ArchiveWriter::~ArchiveWriter() {
  if (impl_ && impl_->gz) gzclose(impl_->gz);
  if (impl_ && impl_->plain) std::fclose(impl_->plain);
}

core::Result<void> ArchiveWriter::write(const void* data, std::size_t size) {
  if (size == 0) return {};
  bool ok = impl_->gz ? gzwrite(impl_->gz, data, static_cast<unsigned>(size)) == static_cast<int>(size)
                      : std::fwrite(data, 1, size, impl_->plain) == size;
  if (!ok) return core::fail(ErrorCode::kUnavailable, "cannot write the archive (disk full?)");
  return {};
}

core::Result<void> ArchiveWriter::header(const std::string& name, std::uint64_t size) {
  if (!safe_entry_name(name)) return core::fail(ErrorCode::kInvalidInput, "bad entry name " + name);
  std::array<char, kBlock> h{};
  std::string prefix, base = name;
  if (name.size() > 100) {  // ustar: prefix (155) + "/" + name (100)
    auto slash = name.rfind('/', 155);
    if (slash == std::string::npos || name.size() - slash - 1 > 100) {
      return core::fail(ErrorCode::kInvalidInput, "entry name too long: " + name);
    }
    prefix = name.substr(0, slash);
    base = name.substr(slash + 1);
  }
  std::memcpy(h.data(), base.data(), base.size());
  octal(h.data() + 100, 8, 0644);
  octal(h.data() + 108, 8, 0);
  octal(h.data() + 116, 8, 0);
  octal(h.data() + 124, 12, size);
  octal(h.data() + 136, 12, 0);
  std::memset(h.data() + 148, ' ', 8);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memcpy(h.data() + 345, prefix.data(), prefix.size());
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  h[155] = ' ';
  return write(h.data(), h.size());
}

core::Result<std::string> ArchiveWriter::add_file(const std::string& name, const std::string& source) {
  std::ifstream in(source, std::ios::binary | std::ios::ate);
  if (!in) return core::fail(ErrorCode::kUnavailable, "cannot read " + source);
  auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  if (auto h = header(name, size); !h) return std::unexpected(h.error());
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::array<char, 1 << 16> buf{};
  std::uint64_t left = size;
  while (left > 0) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    if (!in.read(buf.data(), static_cast<std::streamsize>(n))) {
      return core::fail(ErrorCode::kUnavailable, source + " changed while being archived");
    }
    crypto_hash_sha256_update(&st, reinterpret_cast<unsigned char*>(buf.data()), n);
    if (auto w = write(buf.data(), n); !w) return std::unexpected(w.error());
    left -= n;
  }
  std::array<char, kBlock> pad{};
  if (auto w = write(pad.data(), (kBlock - size % kBlock) % kBlock); !w) return std::unexpected(w.error());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  return hex_digest(digest, sizeof digest);
}

core::Result<void> ArchiveWriter::add_bytes(const std::string& name, std::string_view bytes) {
  if (auto h = header(name, bytes.size()); !h) return h;
  if (auto w = write(bytes.data(), bytes.size()); !w) return w;
  std::array<char, kBlock> pad{};
  return write(pad.data(), (kBlock - bytes.size() % kBlock) % kBlock);
}

core::Result<void> ArchiveWriter::finish() {
  std::array<char, kBlock * 2> end{};
  if (auto w = write(end.data(), end.size()); !w) return w;
  int rc = 0;
  if (impl_->gz) {
    rc = gzclose(impl_->gz) == Z_OK ? 0 : -1;
    impl_->gz = nullptr;
  } else {
    rc = std::fclose(impl_->plain);
    impl_->plain = nullptr;
  }
  if (rc != 0) return core::fail(ErrorCode::kUnavailable, "cannot finish the archive (disk full?)");
  return {};
}

core::Result<void> read_archive(
    const std::string& path,
    const std::function<core::Result<void>(const std::string&, std::uint64_t, const EntryReader&)>&
        entry) {
  // gzread reads plain files too ("transparent" mode), so one reader serves both.
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) return core::fail(ErrorCode::kNotFound, "cannot open " + path + ": " + std::strerror(errno));
  struct Closer {
    gzFile f;
    ~Closer() { gzclose(f); }
  } closer{in};
  auto read_exact = [&](char* p, std::size_t n) {
    return gzread(in, p, static_cast<unsigned>(n)) == static_cast<int>(n);
  };
  std::array<char, kBlock> h{};
  for (;;) {
    if (!read_exact(h.data(), h.size())) {
      return core::fail(ErrorCode::kInvalidInput, path + ": the archive ends too early");
    }
    bool zero = std::all_of(h.begin(), h.end(), [](char c) { return c == 0; });
    if (zero) return {};
    unsigned stored = static_cast<unsigned>(parse_octal(h.data() + 148, 8));
    unsigned sum = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    }
    if (sum != stored || std::memcmp(h.data() + 257, "ustar", 5) != 0) {
      return core::fail(ErrorCode::kInvalidInput, path + ": not a ustar archive (bad header)");
    }
    std::string name(h.data(), strnlen(h.data(), 100));
    std::string prefix(h.data() + 345, strnlen(h.data() + 345, 155));
    if (!prefix.empty()) name = prefix + "/" + name;
    std::uint64_t size = parse_octal(h.data() + 124, 12);
    if (h[156] != '0' && h[156] != '\0') {
      return core::fail(ErrorCode::kInvalidInput, path + ": " + name + " is not a regular file");
    }
    if (!safe_entry_name(name)) {
      return core::fail(ErrorCode::kInvalidInput, path + ": refusing the entry name " + name);
    }
    std::uint64_t left = size;
    bool failed = false;
    EntryReader reader = [&](char* buf, std::size_t n) -> std::size_t {
      if (left == 0 || failed) return 0;
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(n, left));
      if (!read_exact(buf, want)) {
        failed = true;
        return 0;
      }
      left -= want;
      return want;
    };
    if (auto r = entry(name, size, reader); !r) return r;
    // Skip what the callback left, and the padding.
    std::array<char, 1 << 16> skip{};
    while (left > 0 && !failed) reader(skip.data(), skip.size());
    if (failed) return core::fail(ErrorCode::kInvalidInput, path + ": the archive ends inside " + name);
    std::size_t pad = static_cast<std::size_t>((kBlock - size % kBlock) % kBlock);
    if (pad && !read_exact(skip.data(), pad)) {
      return core::fail(ErrorCode::kInvalidInput, path + ": the archive ends too early");
    }
  }
}

}  // namespace backup
