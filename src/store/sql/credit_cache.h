// What a reader has unlocked and spent (and gifts sent: article -1), remembered per
// (reader, article, month) for a
// database where asking costs a round trip on every signed-in article page (PostgreSQL).
// Entries of a reader are forgotten when any process unlocks for them: this one at once
// (the store calls forget after its commit), others through the database's notification
// (the store's listener calls forget). While the listener is not connected the cache is
// off, and it starts empty again when it reconnects. Internal to src/store; thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/store.h"

namespace store::sql {

class CreditCache {
 public:
  struct Key {
    long long member, article;
    core::UnixTime from, to;
    bool operator==(const Key&) const = default;
  };
  // A reader's generation: read before asking the database, given back to put.
  std::uint64_t generation(long long member);
  std::optional<MemberStore::CreditFacts> find(const Key& k);
  // Kept only if nothing was forgotten for the reader since `generation`.
  void put(const Key& k, MemberStore::CreditFacts f, std::uint64_t generation);
  void forget(long long member);
  void set_enabled(bool on);  // off: nothing found, nothing kept; on again: starts empty

 private:
  struct Hash {
    std::size_t operator()(const Key& k) const {
      return std::hash<long long>()(k.member * 1000003 + k.article) ^
             std::hash<long long>()(k.from * 31 + k.to);
    }
  };
  std::mutex mu_;
  bool enabled_ = false;
  std::uint64_t epoch_ = 1;  // bumped on every forget of anyone and on (re)starting
  std::uint64_t since_ = 1;  // the epoch the cache last started empty at
  std::unordered_map<long long, std::uint64_t> forgotten_;  // member -> epoch of the last forget
  std::unordered_map<Key, MemberStore::CreditFacts, Hash> entries_;
};

}  // namespace store::sql
