// Rendered pages kept in memory: one cache shared by anonymous readers, one per reader
// variant. An entry is valid while its version is unchanged and until its expiry (the
// next scheduled publication, or a short TTL). Bounded in bytes (bodies, headers and
// keys), evicting the least recently used entry first, so a flood of distinct URLs can
// neither grow memory nor empty the cache of the pages people read. Thread-safe.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "web/http.h"

namespace web {

class PageCache {
 public:
  explicit PageCache(std::size_t max_bytes = 32u << 20) : max_bytes_(max_bytes) {}

  std::shared_ptr<const Response> get(const std::string& key, long long version,
                                      core::UnixTime now);
  void put(const std::string& key, std::shared_ptr<const Response> response, long long version,
           core::UnixTime expires);

  std::size_t bytes() const;
  std::size_t entries() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Response> response;
    long long version;
    core::UnixTime expires;
    std::size_t bytes;
  };
  void erase(std::list<Entry>::iterator it);

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// The cache key of a request: its path and, sorted, only the query parameters the route
// reads (`route_reads`); anything else in the query does not make another page.
std::string page_cache_key(const Request& req, const std::vector<std::string>& route_reads);

}  // namespace web
