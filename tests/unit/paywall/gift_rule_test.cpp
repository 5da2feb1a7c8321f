// Who may send gift links (issue 14, finding 21: the rule lives in one place).
#include <gtest/gtest.h>

#include "paywall/service.h"

using paywall::ReaderState;
using paywall::Visitor;

TEST(GiftRule, SignedInSubscribersAndStaffAsThemselvesOnly) {
  Visitor v;
  EXPECT_FALSE(paywall::can_send_gifts(v));  // anonymous
  v.state = ReaderState::kSubscriber;
  v.institution = "City Library";
  EXPECT_FALSE(paywall::can_send_gifts(v));  // an institution's visitor, not signed in
  v.member = accounts::Member{};
  EXPECT_FALSE(paywall::can_send_gifts(v));  // signed in, but reading through the range
  v.institution.clear();
  EXPECT_TRUE(paywall::can_send_gifts(v));   // a subscriber as themselves
  v.state = ReaderState::kStaff;
  EXPECT_TRUE(paywall::can_send_gifts(v));
  v.state = ReaderState::kRegisteredVerified;
  EXPECT_FALSE(paywall::can_send_gifts(v));
}
