// The paywall decision (namespace `paywall`, not `access`: POSIX owns ::access).
// One pure function from (reader, article, clock) to what may
// be shown. Handlers build pages from the Decision; when it says teaser-only they
// never load the gated half, so there is nothing to leak.
#pragma once

#include "content/article.h"
#include "core/clock.h"

namespace paywall {

enum class ReaderState {
  kAnonymous,
  kRegisteredUnverified,
  kRegisteredVerified,
  kSubscriber,  // paid, complimentary grant, or institution by IP
  kStaff,
};

// The one entitlement rule: who reads everything (gated parts, full-text search, no
// ads): subscribers — paid, complimentary, or through an institution's range — and staff.
// Every page, feed, API, search and newsletter asks this, and nothing else.
bool entitled_to_all(ReaderState state);

// Everything the decision needs to know about the reader, for one article.
// Facts about credits and unlocks are gathered by the caller beforehand.
struct Reader {
  ReaderState state = ReaderState::kAnonymous;
  bool unlocked_this_article = false;  // a credit was spent on it earlier
  bool holds_gift_for_this_article = false;  // an unexpired gift link
  int credits_left = 0;                      // this month, in the publication's zone
};

enum class Wall {
  kNone,          // full text
  kRegistration,  // anonymous on metered: "keep reading for free"
  kVerifyEmail,   // registered but unverified on metered, not unlocked
  kUnlockOffer,   // verified with credits left: "use one of your N free articles"
  kSubscribe,     // premium, or no credits left
};

struct Decision {
  bool full_text = false;
  Wall wall = Wall::kNone;
  int credits_left = 0;
  bool show_ads = true;
};

Decision decide(const Reader& reader, content::AccessClass access, core::UnixTime now);

const char* to_string(Wall wall);
const char* to_string(ReaderState state);

}  // namespace paywall
