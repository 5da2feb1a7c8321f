#include "store/sql/credit_cache.h"

namespace store::sql {

namespace {
constexpr std::size_t kMaxEntries = 200000;
}

std::uint64_t CreditCache::generation(long long) {
  std::lock_guard lock(mu_);
  return epoch_;
}

std::optional<MemberStore::CreditFacts> CreditCache::find(const Key& k) {
  std::lock_guard lock(mu_);
  if (!enabled_) return std::nullopt;
  auto it = entries_.find(k);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void CreditCache::put(const Key& k, MemberStore::CreditFacts f, std::uint64_t generation) {
  std::lock_guard lock(mu_);
  // Asked before the cache (re)started, or forgotten since (an unlock raced the read): the
  // answer may be old.
  if (!enabled_ || generation < since_) return;
  if (auto it = forgotten_.find(k.member); it != forgotten_.end() && it->second > generation) {
    return;
  }
  if (entries_.size() >= kMaxEntries) {
    entries_.clear();
    forgotten_.clear();
    since_ = ++epoch_;
    return;
  }
  entries_[k] = f;
}

void CreditCache::forget(long long member) {
  std::lock_guard lock(mu_);
  forgotten_[member] = ++epoch_;
  std::erase_if(entries_, [member](const auto& e) { return e.first.member == member; });
}

void CreditCache::set_enabled(bool on) {
  std::lock_guard lock(mu_);
  if (on && !enabled_) {
    entries_.clear();
    forgotten_.clear();
    since_ = ++epoch_;
  }
  enabled_ = on;
}

}  // namespace store::sql
