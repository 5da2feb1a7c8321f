// Rendered pages kept in memory: one cache shared by anonymous readers, one per reader
// variant. An entry is valid while its version is unchanged and until its expiry (the
// next scheduled publication, or a short TTL). Bounded in bytes (bodies, headers and
// keys); when full, entries not used since the eviction hand last passed go first (the
// CLOCK approximation of least-recently-used: a hit only sets a flag, under a shared
// lock), so a flood of distinct URLs can neither grow memory nor push out the pages
// people read. Thread-safe.
#pragma once

#include <atomic>
#include <list>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "web/http.h"

namespace web {

class PageCache {
 public:
  explicit PageCache(std::size_t max_bytes = 32u << 20) : max_bytes_(max_bytes) {}

  std::shared_ptr<const Response> get(const std::string& key, long long version,
                                      core::UnixTime now) const;
  void put(const std::string& key, std::shared_ptr<const Response> response, long long version,
           core::UnixTime expires);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct Entry {
    Entry(std::string k, std::shared_ptr<const Response> r, long long v, core::UnixTime e,
          std::size_t b)
        : key(std::move(k)), response(std::move(r)), version(v), expires(e), bytes(b) {}
    std::string key;
    std::shared_ptr<const Response> response;
    long long version;
    core::UnixTime expires;
    std::size_t bytes;
    mutable std::atomic<bool> used{false};  // set by get(), cleared as the hand passes
  };
  void erase(std::list<Entry>::iterator it);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  mutable std::shared_mutex mu_;
  std::list<Entry> entries_;  // newest at the front; the hand works from the back
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// The cache key of a request: its path and, sorted, only the query parameters the route
// reads (`route_reads`); anything else in the query does not make another page.
std::string page_cache_key(const Request& req, const std::vector<std::string>& route_reads);

}  // namespace web
