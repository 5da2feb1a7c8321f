#include "paywall/paywall.h"

namespace paywall {

using content::AccessClass;

bool entitled_to_all(ReaderState state) {
  return state == ReaderState::kSubscriber || state == ReaderState::kStaff;
}

Decision decide(const Reader& reader, AccessClass access, core::UnixTime /*now*/) {
  Decision d;
  d.credits_left = reader.credits_left;
  const bool entitled_all = entitled_to_all(reader.state);
  d.show_ads = !entitled_all;
  if (entitled_all || access == AccessClass::kFree || reader.holds_gift_for_this_article) {
    d.full_text = true;
    return d;
  }
  if (access == AccessClass::kPremium) {
    d.wall = Wall::kSubscribe;
    return d;
  }
  // Metered.
  switch (reader.state) {
    case ReaderState::kAnonymous:
      d.wall = Wall::kRegistration;
      break;
    case ReaderState::kRegisteredUnverified:
      if (reader.unlocked_this_article) {
        d.full_text = true;
      } else {
        d.wall = Wall::kVerifyEmail;
      }
      break;
    case ReaderState::kRegisteredVerified:
      if (reader.unlocked_this_article) {
        d.full_text = true;
      } else {
        d.wall = reader.credits_left > 0 ? Wall::kUnlockOffer : Wall::kSubscribe;
      }
      break;
    default:
      break;
  }
  return d;
}

const char* to_string(Wall wall) {
  switch (wall) {
    case Wall::kNone: return "none";
    case Wall::kRegistration: return "registration";
    case Wall::kVerifyEmail: return "verify-email";
    case Wall::kUnlockOffer: return "unlock-offer";
    case Wall::kSubscribe: return "subscribe";
  }
  return "none";
}

const char* to_string(ReaderState state) {
  switch (state) {
    case ReaderState::kAnonymous: return "anonymous";
    case ReaderState::kRegisteredUnverified: return "registered-unverified";
    case ReaderState::kRegisteredVerified: return "registered";
    case ReaderState::kSubscriber: return "subscriber";
    case ReaderState::kStaff: return "staff";
  }
  return "anonymous";
}

}  // namespace paywall
