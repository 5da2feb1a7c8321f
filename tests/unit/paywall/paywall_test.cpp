#include "paywall/paywall.h"

#include <gtest/gtest.h>

using namespace paywall;
using content::AccessClass;

namespace {

struct Row {
  ReaderState state;
  AccessClass access;
  bool unlocked;
  bool gift;
  int credits;
  bool full;
  Wall wall;
};

}  // namespace

// PRODUCT.md's access table, row by row.
TEST(PaywallDecide, TheAccessTable) {
  const Row rows[] = {
      {ReaderState::kAnonymous, AccessClass::kFree, false, false, 0, true, Wall::kNone},
      {ReaderState::kAnonymous, AccessClass::kMetered, false, false, 0, false, Wall::kRegistration},
      {ReaderState::kAnonymous, AccessClass::kPremium, false, false, 0, false, Wall::kSubscribe},
      {ReaderState::kAnonymous, AccessClass::kMetered, false, true, 0, true, Wall::kNone},
      {ReaderState::kAnonymous, AccessClass::kPremium, false, true, 0, true, Wall::kNone},
      {ReaderState::kRegisteredUnverified, AccessClass::kMetered, false, false, 3, false, Wall::kVerifyEmail},
      {ReaderState::kRegisteredUnverified, AccessClass::kMetered, true, false, 3, true, Wall::kNone},
      {ReaderState::kRegisteredVerified, AccessClass::kFree, false, false, 0, true, Wall::kNone},
      {ReaderState::kRegisteredVerified, AccessClass::kMetered, false, false, 3, false, Wall::kUnlockOffer},
      {ReaderState::kRegisteredVerified, AccessClass::kMetered, false, false, 0, false, Wall::kSubscribe},
      {ReaderState::kRegisteredVerified, AccessClass::kMetered, true, false, 0, true, Wall::kNone},
      {ReaderState::kRegisteredVerified, AccessClass::kPremium, false, false, 3, false, Wall::kSubscribe},
      {ReaderState::kRegisteredVerified, AccessClass::kPremium, true, false, 3, false, Wall::kSubscribe},
      {ReaderState::kSubscriber, AccessClass::kPremium, false, false, 0, true, Wall::kNone},
      {ReaderState::kSubscriber, AccessClass::kMetered, false, false, 0, true, Wall::kNone},
      {ReaderState::kStaff, AccessClass::kPremium, false, false, 0, true, Wall::kNone},
  };
  for (const auto& r : rows) {
    Reader reader{r.state, r.unlocked, r.gift, r.credits};
    auto d = decide(reader, r.access, 0);
    EXPECT_EQ(d.full_text, r.full) << to_string(r.state) << " " << content::to_string(r.access);
    EXPECT_EQ(d.wall, r.wall) << to_string(r.state) << " " << content::to_string(r.access);
  }
}

TEST(PaywallDecide, AdsOnlyForNonSubscribers) {
  EXPECT_TRUE(decide(Reader{}, AccessClass::kFree, 0).show_ads);
  EXPECT_FALSE(decide(Reader{ReaderState::kSubscriber}, AccessClass::kFree, 0).show_ads);
}

// The one entitlement rule, and the table agrees with it for every state: whoever it
// names reads every premium article; nobody else does without a gift.
TEST(PaywallDecide, TheOneEntitlementRule) {
  const std::pair<ReaderState, bool> states[] = {
      {ReaderState::kAnonymous, false},           {ReaderState::kRegisteredUnverified, false},
      {ReaderState::kRegisteredVerified, false},  {ReaderState::kSubscriber, true},
      {ReaderState::kStaff, true},
  };
  for (auto [state, entitled] : states) {
    EXPECT_EQ(entitled_to_all(state), entitled) << to_string(state);
    EXPECT_EQ(decide(Reader{state, false, false, 3}, AccessClass::kPremium, 0).full_text, entitled)
        << to_string(state);
    EXPECT_EQ(decide(Reader{state, false, false, 3}, AccessClass::kFree, 0).show_ads, !entitled)
        << to_string(state);
  }
}
