#include "paywall/service.h"

#include "core/crypto.h"
#include "core/time.h"

namespace paywall {

using core::ErrorCode;

MonthWindow month_window(core::UnixTime now, const std::string& tz) {
  auto d = core::local_date(now, tz);
  return {core::local_month_start(d.year, d.month, tz),
          core::local_month_start(d.year, d.month + 1, tz)};
}

PaywallService::PaywallService(store::MemberStore& members, const core::Clock& clock,
                               const core::Config& config)
    : members_(members), clock_(clock), config_(config) {}

std::string PaywallService::institution_for(const std::string& ip, long long version) {
  auto addr = core::parse_ip(ip);
  if (!addr) return {};
  std::lock_guard lock(mu_);
  if (version != ranges_version_) {
    ranges_.clear();
    for (const auto& r : members_.institution_ranges()) {
      if (auto c = core::parse_cidr(r.cidr)) ranges_.emplace_back(*c, r.name);
    }
    ranges_version_ = version;
  }
  for (const auto& [cidr, name] : ranges_) {
    if (cidr.contains(*addr)) return name;
  }
  return {};
}

bool can_send_gifts(const Visitor& v) {
  return v.member && entitled_to_all(v.state) && v.institution.empty();
}

Visitor PaywallService::identify(std::optional<accounts::Member> member, const std::string& ip,
                                 long long members_version) {
  Visitor v;
  v.member = std::move(member);
  auto now = clock_.now();
  if (v.member) {
    if (v.member->role != accounts::Role::kReader) {
      v.state = ReaderState::kStaff;
    } else if (v.member->subscribed(now)) {
      v.state = ReaderState::kSubscriber;
    } else {
      v.state = v.member->verified() ? ReaderState::kRegisteredVerified
                                     : ReaderState::kRegisteredUnverified;
    }
  }
  if (!entitled_to_all(v.state)) {
    v.institution = institution_for(ip, members_version);
    if (!v.institution.empty()) v.state = ReaderState::kSubscriber;
  }
  return v;
}

int PaywallService::credits_left(const accounts::Member& m) {
  auto w = month_window(clock_.now(), config_.timezone);
  int spent = members_.credits_spent(m.id, w.from, w.to);
  return std::max(0, config_.monthly_credits - spent);
}

Reader PaywallService::reader_for(const Visitor& v, long long article_id,
                                  content::AccessClass access, const std::string& gift_token) {
  Reader r;
  r.state = v.state;
  if (!gift_token.empty() && gift_token.size() <= 128 && access != content::AccessClass::kFree) {
    if (auto g = members_.find_gift(core::token_hash(gift_token), clock_.now());
        g && g->article_id == article_id) {
      r.holds_gift_for_this_article = true;
    }
  }
  if (v.member && access == content::AccessClass::kMetered &&
      (v.state == ReaderState::kRegisteredVerified ||
       v.state == ReaderState::kRegisteredUnverified)) {
    auto w = month_window(clock_.now(), config_.timezone);
    auto facts = members_.credit_facts(v.member->id, article_id, w.from, w.to);
    r.unlocked_this_article = facts.unlocked;
    if (!r.unlocked_this_article && v.state == ReaderState::kRegisteredVerified) {
      r.credits_left = std::max(0, config_.monthly_credits - facts.spent);
    }
  }
  return r;
}

core::Result<store::UnlockOutcome> PaywallService::unlock(const Visitor& v, long long article_id,
                                                          content::AccessClass access) {
  if (!v.member) return core::fail(ErrorCode::kForbidden, "Sign in to use your free articles.");
  if (access != content::AccessClass::kMetered) {
    return core::fail(ErrorCode::kForbidden,
                      "This article is for subscribers; free articles cannot unlock it.");
  }
  if (!v.member->verified()) {
    return core::fail(ErrorCode::kForbidden, "Please confirm your email address first.");
  }
  auto w = month_window(clock_.now(), config_.timezone);
  return members_.unlock(v.member->id, article_id, store::UnlockKind::kCredit, clock_.now(), w.from,
                         w.to, config_.monthly_credits);
}

core::Result<void> PaywallService::unlock_for_registration(long long member_id,
                                                           long long article_id) {
  auto w = month_window(clock_.now(), config_.timezone);
  auto r = members_.unlock(member_id, article_id, store::UnlockKind::kRegistration, clock_.now(),
                           w.from, w.to, config_.monthly_credits);
  if (!r) return std::unexpected(r.error());
  return {};
}

int PaywallService::gifts_left(const accounts::Member& m) {
  auto w = month_window(clock_.now(), config_.timezone);
  return std::max(0, config_.gifts_per_month - members_.gifts_sent(m.id, w.from, w.to));
}

core::Result<std::string> PaywallService::create_gift(const Visitor& v, long long article_id) {
  if (!can_send_gifts(v)) {
    return core::fail(ErrorCode::kForbidden, "Gift links are for signed-in subscribers.");
  }
  std::string token = core::random_token(24);
  auto now = clock_.now();
  auto w = month_window(now, config_.timezone);
  // The allowance is checked and the gift recorded in one transaction.
  auto ok = members_.create_gift(core::token_hash(token), v.member->id, article_id, now,
                                 now + static_cast<core::UnixTime>(config_.gift_days) * 86400,
                                 w.from, w.to, config_.gifts_per_month);
  if (!ok) return std::unexpected(ok.error());
  return token;
}

std::optional<store::GiftRecord> PaywallService::gift(const std::string& token) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  return members_.find_gift(core::token_hash(token), clock_.now());
}

}  // namespace paywall
