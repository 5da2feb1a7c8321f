#include "store/sql/credit_cache.h"

#include <gtest/gtest.h>

namespace {

using store::sql::CreditCache;

const CreditCache::Key kKey{7, 42, 1000, 2000};

TEST(CreditCache, RemembersNothingWhileOff) {
  CreditCache cache;
  cache.put(kKey, {true, 2}, cache.generation(7));
  EXPECT_FALSE(cache.find(kKey));
}

TEST(CreditCache, RemembersAnAnswerUntilTheReaderUnlocks) {
  CreditCache cache;
  cache.set_enabled(true);
  cache.put(kKey, {false, 2}, cache.generation(7));
  ASSERT_TRUE(cache.find(kKey));
  EXPECT_EQ(cache.find(kKey)->spent, 2);
  cache.forget(8);  // another reader: kept
  EXPECT_TRUE(cache.find(kKey));
  cache.forget(7);
  EXPECT_FALSE(cache.find(kKey));
}

TEST(CreditCache, AnAnswerReadBeforeAnUnlockIsNotKept) {
  CreditCache cache;
  cache.set_enabled(true);
  auto before = cache.generation(7);  // the read starts...
  cache.forget(7);                    // ...an unlock commits meanwhile...
  cache.put(kKey, {false, 2}, before);  // ...and the old answer arrives
  EXPECT_FALSE(cache.find(kKey));
  // Asked again after the unlock: kept.
  cache.put(kKey, {true, 3}, cache.generation(7));
  ASSERT_TRUE(cache.find(kKey));
  EXPECT_TRUE(cache.find(kKey)->unlocked);
}

TEST(CreditCache, StartsEmptyAfterBeingOffAndRefusesAnswersFromBefore) {
  CreditCache cache;
  cache.set_enabled(true);
  cache.put(kKey, {false, 1}, cache.generation(7));
  auto before = cache.generation(7);
  cache.set_enabled(false);  // the listener lost its connection: notifications may be missed
  EXPECT_FALSE(cache.find(kKey));
  cache.set_enabled(true);
  EXPECT_FALSE(cache.find(kKey));
  cache.put(kKey, {false, 1}, before);
  EXPECT_FALSE(cache.find(kKey));
}

}  // namespace
