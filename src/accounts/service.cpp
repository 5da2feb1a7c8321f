#include "accounts/service.h"

#include <cstdio>

#include "core/crypto.h"
#include "core/text.h"

namespace accounts {

using core::ErrorCode;
using core::fail;

namespace {
// A link or session token as we issue them (a hash is looked up only for these).
bool usable_token(const std::string& token) { return !token.empty() && token.size() <= 128; }
}  // namespace

std::string safe_next(const std::string& next) {
  if (next.size() > 512) return "/";
  // What a browser's URL parser (WHATWG) makes of it: leading and trailing C0 controls and
  // spaces go, tabs and newlines anywhere go, and "\" counts as "/" in http(s) URLs.
  std::size_t begin = 0, end = next.size();
  while (begin < end && static_cast<unsigned char>(next[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(next[end - 1]) <= 0x20) --end;
  std::string path;
  path.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    char c = next[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "/";  // nothing legitimate carries other controls
    path += c == '\\' ? '/' : c;
  }
  // Same origin only: a path, never "//host" (scheme-relative) or "scheme:".
  if (path.empty() || path[0] != '/' || path.starts_with("//")) return "/";
  return path;
}

AccountService::AccountService(store::MemberStore& members, mail::Mailer& mailer,
                               const core::Clock& clock, const core::Config& config)
    : members_(members), mailer_(mailer), clock_(clock), config_(config),
      mail_jobs_("account mail", 1, 10000) {}

AccountService::~AccountService() { mail_jobs_.shutdown(); }

void AccountService::later(std::function<void()> job) {
  // Off the request: what happens next depends on whether the address has an account,
  // and the answer must not show it (in content or in time).
  if (!mail_jobs_.try_post(job)) job();  // a flood: still do it, just not quickly
}

void AccountService::flush_mail() { mail_jobs_.wait_idle(); }

void AccountService::send_signin_link_if_due(const std::string& email, const std::string& next) {
  auto m = members_.find_member_by_email(email);
  if (!m) return;
  // Per address, silently: at most one link per spacing, so nobody can flood an inbox,
  // and the owner always gets a fresh one once the spacing has passed.
  if (members_.rate_hit("link-addr:" + email, clock_.now(), config_.link_spacing_seconds) > 1) {
    return;
  }
  if (auto sent = send_link(*m, LinkPurpose::kSignIn, next); !sent) {
    std::fprintf(stderr, "meridian: sign-in link for member %lld not sent: %s\n", m->id,
                 sent.error().message.c_str());
  }
}

bool AccountService::rate_limited(const std::string& key, int limit, int window_seconds) {
  return members_.rate_hit(key, clock_.now(), window_seconds) > limit;
}

core::Result<std::string> AccountService::new_session(long long member_id, bool proven) {
  std::string token = core::random_token(32);
  auto now = clock_.now();
  auto ok = members_.create_session(core::token_hash(token), member_id, now,
                                    now + static_cast<core::UnixTime>(config_.session_days) * 86400,
                                    proven);
  if (!ok) return std::unexpected(ok.error());
  return token;
}

core::Result<std::string> AccountService::signin_link_for(const std::string& email,
                                                         const std::string& next) {
  auto member = members_.find_member_by_email(normalize_email(email));
  if (!member) return core::fail(core::ErrorCode::kNotFound, "no account has the address " + email);
  std::string token = core::random_token(32);
  auto now = clock_.now();
  auto ok = members_.create_link(core::token_hash(token), member->id, LinkPurpose::kSignIn,
                                 safe_next(next), now, now + 3600);
  if (!ok) return std::unexpected(ok.error());
  return config_.base_url() + "/signin/confirm?token=" + token;
}

core::Result<void> AccountService::send_link(const Member& member, LinkPurpose purpose,
                                             const std::string& next) {
  std::string token = core::random_token(32);
  auto now = clock_.now();
  core::UnixTime ttl = purpose == LinkPurpose::kSignIn
                           ? static_cast<core::UnixTime>(config_.signin_link_minutes) * 60
                           : 7 * 86400;
  auto ok = members_.create_link(core::token_hash(token), member.id, purpose, safe_next(next), now,
                                 now + ttl);
  if (!ok) return ok;
  mail::Message m;
  m.to = member.email;
  std::string base = config_.base_url();
  if (purpose == LinkPurpose::kSignIn) {
    std::string url = base + "/signin/confirm?token=" + token;
    m.subject = "Your sign-in link for " + config_.site_name;
    m.text = "Hello,\n\nUse this link to sign in to " + config_.site_name + ":\n\n" + url +
             "\n\nIt works once and expires in " + std::to_string(config_.signin_link_minutes) +
             " minutes. If you did not ask for it, you can ignore this message: nobody can sign in "
             "without it.\n";
  } else {
    std::string url = base + "/verify?token=" + token;
    m.subject = "Confirm your email address for " + config_.site_name;
    m.text = "Welcome to " + config_.site_name + ".\n\nPlease confirm your address:\n\n" + url +
             "\n\nConfirming lets you choose " + std::to_string(config_.monthly_credits) +
             " free articles every month and subscribes you to our free newsletter, which you "
             "can switch off at any time from your account page.\n";
  }
  return mailer_.send(m);
}

core::Result<Registration> AccountService::register_from_wall(const std::string& raw_email,
                                                              const std::string& next,
                                                              const std::string& ip) {
  std::string email = normalize_email(raw_email);
  if (!plausible_email(email)) {
    return fail(ErrorCode::kInvalidInput, "Please enter a valid email address.");
  }
  // Per IP only: a limit per address would let strangers block its owner.
  if (rate_limited("register-ip:" + ip, 20, 3600)) {
    return fail(ErrorCode::kRateLimited, "Too many attempts. Please try again in an hour.");
  }
  Registration r;
  if (auto existing = members_.find_member_by_email(email)) {
    r.member = *existing;
    later([this, email, next] { send_signin_link_if_due(email, next); });
    return r;
  }
  auto created = members_.create_member(email, "", /*verified=*/false, clock_.now());
  if (!created) {
    if (created.error().code == ErrorCode::kConflict) {  // raced with another registration
      if (auto existing = members_.find_member_by_email(email)) {
        r.member = *existing;
        later([this, email, next] { send_signin_link_if_due(email, next); });
        return r;
      }
    }
    return std::unexpected(created.error());
  }
  r.created = true;
  r.member = *created;
  // Not proven: whoever typed the address may not own it (see Member::session_proven).
  auto session = new_session(created->id, /*proven=*/false);
  if (!session) return std::unexpected(session.error());
  r.session_token = *session;
  // A mail failure must not undo the registration; the account page offers a resend.
  later([this, member = *created, next] { (void)send_link(member, LinkPurpose::kVerify, next); });
  return r;
}

core::Result<void> AccountService::request_signin_link(const std::string& raw_email,
                                                       const std::string& next,
                                                       const std::string& ip) {
  std::string email = normalize_email(raw_email);
  if (!plausible_email(email)) {
    return fail(ErrorCode::kInvalidInput, "Please enter a valid email address.");
  }
  if (rate_limited("link-ip:" + ip, 30, 3600)) {
    return fail(ErrorCode::kRateLimited, "Too many sign-in requests. Please try again in an hour.");
  }
  later([this, email, next] { send_signin_link_if_due(email, next); });
  return {};
}

std::optional<LinkInfo> AccountService::peek_signin_link(const std::string& token) {
  if (!usable_token(token)) return std::nullopt;
  return members_.peek_link(core::token_hash(token), LinkPurpose::kSignIn, clock_.now());
}

core::Result<std::string> AccountService::confirm_signin_link(const std::string& token,
                                                              std::string& next) {
  if (!usable_token(token)) {
    return fail(ErrorCode::kNotFound, "This sign-in link is not valid.");
  }
  auto info = members_.consume_link(core::token_hash(token), LinkPurpose::kSignIn, clock_.now());
  if (!info) {
    return fail(ErrorCode::kNotFound,
                "This sign-in link has expired or has already been used. Ask for a new one.");
  }
  next = safe_next(info->next);
  // The link proves the address: sessions made before any proof end.
  if (auto ok = members_.mark_verified(info->member_id, clock_.now()); !ok) {
    return std::unexpected(ok.error());
  }
  return new_session(info->member_id, /*proven=*/true);
}

core::Result<std::string> AccountService::password_signin(const std::string& raw_email,
                                                          const std::string& password,
                                                          const std::string& ip) {
  std::string email = normalize_email(raw_email);
  // Back-off per address *and* IP (a stranger elsewhere cannot lock the owner out), per IP,
  // and a high ceiling per address against guessing from many IPs; the emailed link
  // always works, so none of them denies the owner their account.
  auto now = clock_.now();
  const std::string pair_key = "password:" + ip + "|" + email;
  if (rate_limited("password-ip:" + ip, 30, 900) ||
      members_.rate_count(pair_key, now, 900) >= 10 ||
      members_.rate_count("password-addr:" + email, now, 3600) >= 100) {
    return fail(ErrorCode::kRateLimited,
                "Too many attempts. Please wait a few minutes, or sign in with an emailed link "
                "instead (leave the password empty).");
  }
  auto m = members_.find_member_by_email(email);
  // Only a confirmed address signs in with a password (one set before the proof is gone).
  auto hash = m && m->verified() ? members_.password_hash(m->id) : std::nullopt;
  if (!hash) {
    // Spend the same time as a real check, so timing does not tell who has a password.
    static const std::string dummy = core::hash_password("meridian-timing-equaliser");
    (void)core::verify_password(dummy, password);
  }
  if (!m || !hash || !core::verify_password(*hash, password)) {
    (void)members_.rate_hit(pair_key, now, 900);  // failures only: the owner's own sign-ins
    (void)members_.rate_hit("password-addr:" + email, now, 3600);  // do not count
    return fail(ErrorCode::kInvalidInput, "That email and password do not match.");
  }
  return new_session(m->id, /*proven=*/true);
}

core::Result<void> AccountService::send_verification(const Member& member,
                                                     const std::string& next) {
  if (member.verified()) return {};
  if (rate_limited("verify-addr:" + member.email, 5, 3600)) {
    return fail(ErrorCode::kRateLimited, "We sent several messages already. Please check your inbox.");
  }
  return send_link(member, LinkPurpose::kVerify, next);
}

bool AccountService::verify_link_valid(const std::string& token) {
  if (!usable_token(token)) return false;
  return members_.peek_link(core::token_hash(token), LinkPurpose::kVerify, clock_.now())
      .has_value();
}

core::Result<std::string> AccountService::confirm_verification(const std::string& token) {
  if (!usable_token(token)) {
    return fail(ErrorCode::kNotFound, "This confirmation link is not valid.");
  }
  auto info = members_.consume_link(core::token_hash(token), LinkPurpose::kVerify, clock_.now());
  if (!info) {
    return fail(ErrorCode::kNotFound, "This confirmation link has expired or was already used.");
  }
  auto ok = members_.mark_verified(info->member_id, clock_.now());
  if (!ok) return std::unexpected(ok.error());
  return new_session(info->member_id, /*proven=*/true);
}

core::Result<EmailChangeStep> AccountService::request_email_change(const Member& member,
                                                        const std::string& raw_email,
                                                        const std::string& ip) {
  std::string email = normalize_email(raw_email);
  if (!plausible_email(email)) return fail(ErrorCode::kInvalidInput, "Please enter a valid email address.");
  if (email == member.email) return fail(ErrorCode::kInvalidInput, "That is already your address.");
  if (member.verified() && !member.session_proven) {
    return fail(ErrorCode::kForbidden,
                "To change the address of a confirmed account, sign in with a link sent to it "
                "first.");
  }
  if (rate_limited("email-change:" + std::to_string(member.id), 5, 3600) ||
      rate_limited("email-change-ip:" + ip, 20, 3600)) {
    return fail(ErrorCode::kRateLimited, "Too many attempts. Please try again in an hour.");
  }
  if (members_.find_member_by_email(email)) {
    return fail(ErrorCode::kConflict, "Another account already uses " + email + ".");
  }
  auto step = email_change_step(member);
  auto sent = step == EmailChangeStep::kApproveFromCurrentAddress
                  ? send_email_approval(member, email)
                  : send_email_change(member, email, /*approved=*/false);
  if (!sent) return std::unexpected(sent.error());
  return step;
}

EmailChangeStep AccountService::email_change_step(const Member& member) const {
  return member.privileged(clock_.now()) ? EmailChangeStep::kApproveFromCurrentAddress
                                         : EmailChangeStep::kConfirmNewAddress;
}

core::Result<void> AccountService::send_email_approval(const Member& member,
                                                       const std::string& email) {
  std::string token = core::random_token(32);
  auto now = clock_.now();
  auto ok = members_.create_link(core::token_hash(token), member.id, LinkPurpose::kEmailApprove,
                                 "/account", now, now + 86400, email);
  if (!ok) return ok;
  mail::Message m;
  m.to = member.email;
  m.subject = "Approve a change of address for your " + config_.site_name + " account";
  m.text = "Hello,\n\nSomeone signed in to your " + config_.site_name +
           " account asked to move it to " + email +
           ". Because the account holds a subscription or a staff role, this address must "
           "approve the move first. To approve it, open this link:\n\n" + config_.base_url() +
           "/account/email/approve?token=" + token +
           "\n\nIt works once and expires in a day. If this was not you, do not open it: "
           "nothing changes, and you can choose \"Sign out everywhere\" on your account page.\n";
  return mailer_.send(m);
}

std::optional<LinkInfo> AccountService::peek_email_approval(const std::string& token) {
  if (!usable_token(token)) return std::nullopt;
  return members_.peek_link(core::token_hash(token), LinkPurpose::kEmailApprove, clock_.now());
}

core::Result<std::string> AccountService::confirm_email_approval(const std::string& token) {
  if (!usable_token(token)) {
    return fail(ErrorCode::kNotFound, "This approval link is not valid.");
  }
  auto info = members_.consume_link(core::token_hash(token), LinkPurpose::kEmailApprove, clock_.now());
  if (!info || info->new_email.empty()) {
    return fail(ErrorCode::kNotFound, "This approval link has expired or was already used.");
  }
  auto m = members_.find_member(info->member_id);
  if (!m) return fail(ErrorCode::kNotFound, "This account no longer exists.");
  if (members_.find_member_by_email(info->new_email)) {
    return fail(ErrorCode::kConflict, "Another account already uses " + info->new_email + ".");
  }
  auto sent = send_email_change(*m, info->new_email, /*approved=*/true);
  if (!sent) return std::unexpected(sent.error());
  return info->new_email;
}

core::Result<void> AccountService::send_email_change(const Member& member, const std::string& email,
                                                     bool approved) {
  std::string token = core::random_token(32);
  auto now = clock_.now();
  auto ok = members_.create_link(core::token_hash(token), member.id, LinkPurpose::kEmailChange,
                                 "/account", now, now + 86400, email, approved);
  if (!ok) return ok;
  mail::Message m;
  m.to = email;
  m.subject = "Confirm your new address for " + config_.site_name;
  m.text = "Hello,\n\nTo use this address for your " + config_.site_name +
           " account instead of " + member.email + ", open this link:\n\n" + config_.base_url() +
           "/account/email/confirm?token=" + token +
           "\n\nIt works once and expires in a day. If you did not ask for this, ignore this "
           "message: nothing changes without it.\n";
  if (auto sent = mailer_.send(m); !sent) return sent;
  if (approved) return {};  // the current address approved it: no need to tell it again
  mail::Message notice;
  notice.to = member.email;
  notice.subject = "A change of address was requested for your " + config_.site_name + " account";
  notice.text = "Hello,\n\nSomeone signed in to your account asked to change its address to " +
                email + ". It changes only if the link we sent there is used. If this was not "
                "you, sign in and choose \"Sign out everywhere\" on your account page.\n";
  (void)mailer_.send(notice);  // a courtesy: the change does not depend on it
  return {};
}

std::optional<LinkInfo> AccountService::peek_email_change(const std::string& token) {
  if (!usable_token(token)) return std::nullopt;
  return members_.peek_link(core::token_hash(token), LinkPurpose::kEmailChange, clock_.now());
}

core::Result<Member> AccountService::confirm_email_change(const std::string& token) {
  if (!usable_token(token)) {
    return fail(ErrorCode::kNotFound, "This confirmation link is not valid.");
  }
  auto info = members_.consume_link(core::token_hash(token), LinkPurpose::kEmailChange, clock_.now());
  if (!info || info->new_email.empty()) {
    return fail(ErrorCode::kNotFound, "This confirmation link has expired or was already used.");
  }
  // The account may have gained a role or access since the link was sent.
  if (auto before = members_.find_member(info->member_id);
      before && before->privileged(clock_.now()) && !info->approved) {
    return fail(ErrorCode::kForbidden,
                "This account now holds a subscription or a staff role, so its current address "
                "must approve the change first. Please ask again from your account page.");
  }
  auto ok = members_.change_email(info->member_id, info->new_email, clock_.now());
  if (!ok) return std::unexpected(ok.error());
  auto m = members_.find_member(info->member_id);
  if (!m) return fail(ErrorCode::kNotFound, "This account no longer exists.");
  return *m;
}

core::Result<void> AccountService::set_password(const Member& member, const std::string& password) {
  if (!member.verified() || !member.session_proven) {
    return fail(ErrorCode::kForbidden,
                "Confirm your email address first: open the link we sent you, then set a "
                "password.");
  }
  if (password.size() < 10) {
    return fail(ErrorCode::kInvalidInput, "Use at least 10 characters for your password.");
  }
  if (password.size() > 256) return fail(ErrorCode::kInvalidInput, "That password is too long.");
  return members_.set_password_hash(member.id, core::hash_password(password));
}

std::optional<Member> AccountService::member_for_session(const std::string& session_token,
                                                         long long members_version) {
  if (!usable_token(session_token)) return std::nullopt;
  std::string hash = core::token_hash(session_token);
  {
    std::lock_guard lock(cache_mu_);
    auto it = session_cache_.find(hash);
    if (it != session_cache_.end() && it->second.version == members_version &&
        clock_.now() - it->second.seen < 60) {
      return it->second.member;
    }
  }
  auto m = members_.session_member(hash, clock_.now());
  if (m && !m->session_proven) {
    // Made before anyone proved the address: it never carries a role or access.
    m->role = Role::kReader;
    m->comp_until.reset();
  }
  if (m) {
    std::lock_guard lock(cache_mu_);
    if (session_cache_.size() > 50000) session_cache_.clear();
    session_cache_[hash] = CachedSession{*m, members_version, clock_.now()};
  }
  return m;
}

void AccountService::sign_out(const std::string& session_token) {
  if (!session_token.empty()) members_.delete_session(core::token_hash(session_token));
}

void AccountService::sign_out_everywhere(long long member_id) {
  members_.delete_member_sessions(member_id);
}

}  // namespace accounts
