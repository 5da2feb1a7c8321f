// A POSIX ustar archive, written and read as a stream, optionally gzip-compressed (a
// name ending in .gz). Enough for backups: regular files only, names up to 255 bytes.
// Reading refuses names that would escape the destination (absolute, "..", backslashes).
// Not thread-safe; one archive per object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace backup {

class ArchiveWriter {
 public:
  static core::Result<std::unique_ptr<ArchiveWriter>> create(const std::string& path);
  ~ArchiveWriter();
  // Adds the file at `source` as `name`; returns its SHA-256 (hex).
  core::Result<std::string> add_file(const std::string& name, const std::string& source);
  core::Result<void> add_bytes(const std::string& name, std::string_view bytes);
  // Writes the end-of-archive blocks and closes the file.
  core::Result<void> finish();

 private:
  ArchiveWriter() = default;
  core::Result<void> header(const std::string& name, std::uint64_t size);
  core::Result<void> write(const void* data, std::size_t size);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Calls `entry(name, size, read)` for each file in order; `read(buf, n)` returns how many
// bytes it gave (0 at the entry's end). Stops at the first error.
using EntryReader = std::function<std::size_t(char* buf, std::size_t n)>;
core::Result<void> read_archive(
    const std::string& path,
    const std::function<core::Result<void>(const std::string& name, std::uint64_t size,
                                           const EntryReader& read)>& entry);

// Lower-case hex of a digest (the manifest's SHA-256 values).
std::string hex_digest(const unsigned char* bytes, std::size_t n);

// A name safe to create under a folder: relative, no "..", no "\\", no NUL, no empty parts.
bool safe_entry_name(std::string_view name);

}  // namespace backup
