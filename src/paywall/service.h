// Gathers the facts paywall::decide needs (who the reader is, credits left this month
// in the publication's time zone, unlocks, gifts, institutional ranges) and carries out
// the reader's choices (spending a credit, sending a gift link). The decision itself
// stays in paywall.h, pure. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "accounts/member.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/net.h"
#include "core/result.h"
#include "paywall/paywall.h"
#include "store/store.h"

namespace paywall {

// Who is asking, before any article is considered.
struct Visitor {
  std::optional<accounts::Member> member;
  std::string institution;  // non-empty when the address is in an institution's range
  ReaderState state = ReaderState::kAnonymous;
};

// May send gift links: signed in, entitled to everything as themselves (not only through
// an institution's address range).
bool can_send_gifts(const Visitor& v);

struct MonthWindow {
  core::UnixTime from = 0;
  core::UnixTime to = 0;
};

// The local calendar month containing `now` in zone `tz`, as [from, to) in UTC.
MonthWindow month_window(core::UnixTime now, const std::string& tz);

class PaywallService {
 public:
  PaywallService(store::MemberStore& members, const core::Clock& clock, const core::Config& config);

  // `members_version` (from Store::versions) tells whether the cached ranges are current.
  Visitor identify(std::optional<accounts::Member> member, const std::string& ip,
                   long long members_version);
  // The reader facts for one article (credits and unlocks only looked up when they matter).
  Reader reader_for(const Visitor& v, long long article_id, content::AccessClass access,
                    const std::string& gift_token);
  int credits_left(const accounts::Member& m);
  core::Result<store::UnlockOutcome> unlock(const Visitor& v, long long article_id,
                                            content::AccessClass access);
  core::Result<void> unlock_for_registration(long long member_id, long long article_id);
  // A new gift link token for a subscriber; kForbidden when not allowed or over the allowance.
  core::Result<std::string> create_gift(const Visitor& v, long long article_id);
  int gifts_left(const accounts::Member& m);
  std::optional<store::GiftRecord> gift(const std::string& token);

 private:
  std::string institution_for(const std::string& ip, long long version);

  store::MemberStore& members_;
  const core::Clock& clock_;
  const core::Config& config_;
  std::mutex mu_;
  long long ranges_version_ = -1;
  std::vector<std::pair<core::Cidr, std::string>> ranges_;
};

}  // namespace paywall
