// Responses for anonymous readers, shared between them (and so safe to share: they
// are built for the anonymous reader state only). An entry is valid while the
// content version is unchanged and until its expiry (the next scheduled
// publication, or a short TTL). Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "web/http.h"

namespace web {

class PageCache {
 public:
  explicit PageCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}

  std::shared_ptr<const Response> get(const std::string& key, long long version,
                                      core::UnixTime now) const {
    std::shared_lock lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.version != version || now >= it->second.expires) {
      return nullptr;
    }
    return it->second.response;
  }

  void put(const std::string& key, std::shared_ptr<const Response> response, long long version,
           core::UnixTime expires) {
    std::unique_lock lock(mu_);
    if (entries_.size() >= max_entries_) entries_.clear();  // crude but bounded
    entries_[key] = Entry{std::move(response), version, expires};
  }

 private:
  struct Entry {
    std::shared_ptr<const Response> response;
    long long version;
    core::UnixTime expires;
  };
  std::size_t max_entries_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace web
