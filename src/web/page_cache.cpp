#include "web/page_cache.h"

#include <algorithm>

#include "core/text.h"
#include "web/compression.h"

namespace web {

namespace {

std::size_t size_of(const std::string& key, const Response& r) {
  std::size_t n = key.size() + r.body.size() + r.content_type.size() + 256;  // + bookkeeping
  for (const auto& [k, v] : r.headers) n += k.size() + v.size();
  if (r.encoded) {  // the compressed forms live as long as the entry
    n += r.encoded->gzip.size() + r.encoded->br.size();
    for (const auto& p : r.encoded->pieces) n += p.size() + 16;
  } else if (r.lazy_encoded) {  // made later: counted now at a generous estimate
    n += r.body.size() / 2;
  }
  return n;
}

}  // namespace

std::shared_ptr<const Response> PageCache::get(const std::string& key, long long version,
                                               core::UnixTime now) const {
  std::shared_lock lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  const Entry& e = *it->second;
  if (e.version != version || now >= e.expires) return nullptr;  // replaced on the next put
  e.used.store(true, std::memory_order_relaxed);
  return e.response;
}

void PageCache::put(const std::string& key, std::shared_ptr<const Response> response,
                    long long version, core::UnixTime expires) {
  std::size_t bytes = size_of(key, *response);
  std::unique_lock lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) erase(it->second);
  if (bytes > max_bytes_ / 4) return;  // one page may not take a quarter of the cache
  // The hand: from the oldest, a used entry gets a second chance (to the front, flag
  // cleared); an unused one goes. Each entry is passed at most twice per full turn.
  std::size_t turns = entries_.size() * 2;
  while (bytes_ + bytes > max_bytes_ && !entries_.empty()) {
    auto oldest = std::prev(entries_.end());
    if (turns > 0 && oldest->used.exchange(false, std::memory_order_relaxed)) {
      entries_.splice(entries_.begin(), entries_, oldest);
      --turns;
      continue;
    }
    erase(oldest);
  }
  entries_.emplace_front(key, std::move(response), version, expires, bytes);
  index_[key] = entries_.begin();
  bytes_ += bytes;
}

void PageCache::erase(std::list<Entry>::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(it->key);
  entries_.erase(it);
}

std::size_t PageCache::bytes() const {
  std::shared_lock lock(mu_);
  return bytes_;
}

std::size_t PageCache::entries() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

std::string page_cache_key(const Request& req, const std::vector<std::string>& route_reads) {
  std::string key = req.path;
  if (route_reads.empty() || req.query.empty()) return key;
  std::vector<std::pair<std::string, std::string>> used;
  for (const auto& [k, v] : req.query) {
    if (std::find(route_reads.begin(), route_reads.end(), k) != route_reads.end()) {
      used.emplace_back(k, v);
    }
  }
  if (used.empty()) return key;
  std::sort(used.begin(), used.end());
  char sep = '?';
  for (const auto& [k, v] : used) {
    key += sep;
    key += core::url_encode(k) + "=" + core::url_encode(v);
    sep = '&';
  }
  return key;
}

}  // namespace web
