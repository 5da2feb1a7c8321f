#include "backup/backup.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "backup/archive.h"
#include "core/crypto.h"
#include "core/time.h"
#include "core/version.h"

namespace backup {

namespace fs = std::filesystem;
using core::ErrorCode;
using nlohmann::json;

namespace {

constexpr const char* kManifest = "manifest.json";

struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

core::Result<Report> create(store::Store& store, const core::Config& config,
                            const std::string& archive, const core::Clock& clock) {
  std::error_code ec;
  fs::path data(config.data_dir);
  TempDir tmp{data / (".backup-" + core::random_token(6))};
  fs::create_directories(tmp.path, ec);
  if (ec) return core::fail(ErrorCode::kUnavailable, "cannot create " + tmp.path.string());
  fs::path snapshot = tmp.path / "meridian.db";
  if (auto s = store.snapshot(snapshot.string()); !s) return std::unexpected(s.error());

  auto writer = ArchiveWriter::create(archive);
  if (!writer) return std::unexpected(writer.error());
  Report report{archive, {}};
  auto add = [&](const std::string& name, const fs::path& source) -> core::Result<void> {
    auto sum = (*writer)->add_file(name, source.string());
    if (!sum) return std::unexpected(sum.error());
    report.files.push_back({name, static_cast<std::uint64_t>(fs::file_size(source)), *sum});
    return {};
  };
  if (auto r = add("meridian.db", snapshot); !r) return std::unexpected(r.error());
  // The configuration in use (DATA/meridian.toml, or MERIDIAN_CONFIG's file).
  if (!config.config_path.empty() && fs::is_regular_file(config.config_path)) {
    if (auto r = add("meridian.toml", config.config_path); !r) return std::unexpected(r.error());
  }
  std::vector<fs::path> media;
  fs::path media_dir = config.media_dir.empty() ? data / "media" : fs::path(config.media_dir);
  for (const auto& e : fs::directory_iterator(media_dir, ec)) {
    if (e.is_regular_file()) media.push_back(e.path());
  }
  std::sort(media.begin(), media.end());
  for (const auto& m : media) {
    if (auto r = add("media/" + m.filename().string(), m); !r) return std::unexpected(r.error());
  }
  json files = json::array();
  for (const auto& f : report.files) {
    files.push_back({{"name", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }
  json manifest = {{"format", "meridian-backup"},
                   {"format_version", 1},
                   {"meridian", core::version()},
                   {"schema_version", store.content().schema_version()},
                   {"created_at", core::format_rfc3339(clock.now())},
                   {"files", files}};
  // Last, so a reader checks every file against it as it goes.
  if (auto r = (*writer)->add_bytes(kManifest, manifest.dump(2) + "\n"); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = (*writer)->finish(); !r) return std::unexpected(r.error());
  return report;
}

core::Result<Report> restore(const std::string& archive, const std::string& data_dir) {
  std::error_code ec;
  fs::path target(data_dir);
  if (fs::exists(target) && !fs::is_empty(target, ec)) {
    return core::fail(ErrorCode::kConflict,
                      data_dir + " is not empty: restore only into a new or empty folder");
  }
  fs::create_directories(target, ec);
  if (ec) return core::fail(ErrorCode::kUnavailable, "cannot create " + data_dir + ": " + ec.message());
  TempDir staging{target / ".restoring"};
  fs::create_directories(staging.path / "media", ec);
  std::map<std::string, FileEntry> seen;
  std::string manifest_text;
  auto read = read_archive(archive, [&](const std::string& name, std::uint64_t size,
                                        const EntryReader& reader) -> core::Result<void> {
    if (name == kManifest) {
      if (size > (1u << 24)) return core::fail(ErrorCode::kInvalidInput, "manifest too large");
      manifest_text.resize(static_cast<std::size_t>(size));
      std::size_t got = 0;
      while (got < manifest_text.size()) {
        auto n = reader(manifest_text.data() + got, manifest_text.size() - got);
        if (n == 0) break;
        got += n;
      }
      return {};
    }
    if (seen.count(name)) return core::fail(ErrorCode::kInvalidInput, "two entries named " + name);
    bool known = name == "meridian.db" || name == "meridian.toml" ||
                 (name.starts_with("media/") && name.find('/', 6) == std::string::npos);
    if (!known) return core::fail(ErrorCode::kInvalidInput, "unexpected entry " + name);
    std::ofstream out(staging.path / name, std::ios::binary);
    if (!out) return core::fail(ErrorCode::kUnavailable, "cannot write " + name);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    std::vector<char> buf(1 << 16);
    std::uint64_t total = 0;
    for (;;) {
      auto n = reader(buf.data(), buf.size());
      if (n == 0) break;
      crypto_hash_sha256_update(&st, reinterpret_cast<unsigned char*>(buf.data()), n);
      out.write(buf.data(), static_cast<std::streamsize>(n));
      total += n;
    }
    if (!out) return core::fail(ErrorCode::kUnavailable, "cannot write " + name + " (disk full?)");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    seen[name] = {name, total, hex_digest(digest, sizeof digest)};
    return {};
  });
  if (!read) return std::unexpected(read.error());
  json manifest = json::parse(manifest_text, nullptr, false);
  if (manifest_text.empty() || manifest.is_discarded() || manifest.value("format", "") != "meridian-backup") {
    return core::fail(ErrorCode::kInvalidInput, archive + " has no valid manifest.json: not a Meridian backup");
  }
  Report report{archive, {}};
  std::size_t listed = 0;
  for (const auto& f : manifest.value("files", json::array())) {
    std::string name = f.value("name", "");
    auto it = seen.find(name);
    if (it == seen.end()) return core::fail(ErrorCode::kInvalidInput, "the archive lacks " + name);
    if (it->second.bytes != f.value("bytes", std::uint64_t{0}) ||
        it->second.sha256 != f.value("sha256", "")) {
      return core::fail(ErrorCode::kInvalidInput, name + " does not match its checksum: the archive is damaged");
    }
    report.files.push_back(it->second);
    ++listed;
  }
  if (listed != seen.size()) {
    return core::fail(ErrorCode::kInvalidInput, "the archive holds files its manifest does not list");
  }
  if (!seen.count("meridian.db")) return core::fail(ErrorCode::kInvalidInput, "the archive has no database");
  // Everything checked: make it live.
  for (const auto& [name, f] : seen) {
    fs::create_directories((target / name).parent_path(), ec);
    fs::rename(staging.path / name, target / name, ec);
    if (ec) return core::fail(ErrorCode::kUnavailable, "cannot move " + name + ": " + ec.message());
  }
  return report;
}

std::string scheduled_name(core::UnixTime now) {
  std::string t = core::format_rfc3339(now);  // 2026-11-30T09:45:00Z
  std::string compact;
  for (char c : t) {
    if (std::isdigit(static_cast<unsigned char>(c))) compact += c;
  }
  return "meridian-" + compact.substr(0, 8) + "-" + compact.substr(8, 6) + ".tar.gz";
}

Scheduler::Scheduler(store::Store& store, const core::Config& config, const core::Clock& clock,
                     std::chrono::milliseconds interval)
    : store_(store),
      config_(config),
      clock_(clock),
      loop_("backup", interval, [this] {
        run_once();
        return true;
      }) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  if (!config_.backup_dir.empty()) loop_.start();
}

void Scheduler::stop() { loop_.stop(); }

void Scheduler::run_once() {
  try {
    std::error_code ec;
    fs::path dir(config_.backup_dir);
    fs::create_directories(dir, ec);
    std::vector<fs::path> existing;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      auto n = e.path().filename().string();
      if (n.starts_with("meridian-") && n.ends_with(".tar.gz")) existing.push_back(e.path());
    }
    std::sort(existing.begin(), existing.end());  // the names sort by time
    core::UnixTime now = clock_.now();
    bool due = existing.empty();
    if (!due) {
      auto newest = fs::last_write_time(existing.back(), ec);
      auto age = std::chrono::file_clock::now() - newest;
      due = age >= std::chrono::hours(config_.backup_every_hours);
    }
    if (due) {
      fs::path out = dir / scheduled_name(now);
      fs::path partial = out;
      partial += ".partial";
      auto r = create(store_, config_, partial.string(), clock_);
      if (!r) {
        fs::remove(partial, ec);
        std::fprintf(stderr, "meridian: backup failed: %s\n", r.error().message.c_str());
        return;
      }
      fs::rename(partial, out, ec);
      existing.push_back(out);
      std::fprintf(stderr, "meridian: backup written to %s\n", out.c_str());
    }
    while (static_cast<int>(existing.size()) > config_.backup_keep) {
      fs::remove(existing.front(), ec);
      existing.erase(existing.begin());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meridian: backup failed: %s\n", e.what());
  }
}

}  // namespace backup
