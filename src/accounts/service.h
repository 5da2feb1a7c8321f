// Account use cases: registration from the wall, one-time sign-in and verification
// links, password sign-in, sessions, and complimentary grants. Tokens come from the
// CSPRNG and only their hashes reach the store. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>

#include "accounts/member.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "core/work_pool.h"
#include "mail/mailer.h"
#include "store/store.h"

namespace accounts {

// What the reader confirms next after asking to change their address.
enum class EmailChangeStep {
  kConfirmNewAddress,          // a link went to the new address
  kApproveFromCurrentAddress,  // privileged account: a link went to the current address first
};

struct Registration {
  bool created = false;        // false: the address already had an account (a link was sent)
  std::string session_token;   // set only when created
  Member member;
};

class AccountService {
 public:
  AccountService(store::MemberStore& members, mail::Mailer& mailer, const core::Clock& clock,
                 const core::Config& config);
  ~AccountService();  // sends what is queued first

  // A new address: creates an unverified member, a session, and sends the verification
  // mail. An existing address: signs nobody in and mails that address a sign-in link (at
  // most one per [access] link_spacing_seconds). Mail goes out after the answer, from a
  // worker. kRateLimited (per IP) or kInvalidInput (bad address) otherwise.
  core::Result<Registration> register_from_wall(const std::string& email, const std::string& next,
                                                const std::string& ip);
  // Always succeeds for a plausible address (the per-IP limit aside), whether or not it
  // has an account, and does the same work either way: looking the address up and mailing
  // happen afterwards on a worker, so neither the answer nor its timing tells who is
  // registered. At most one link per address per [access] link_spacing_seconds, silently.
  core::Result<void> request_signin_link(const std::string& email, const std::string& next,
                                         const std::string& ip);
  std::optional<LinkInfo> peek_signin_link(const std::string& token);
  // A one-time sign-in link for an existing account, returned instead of mailed (the
  // operator's CLI: the first admin on a server without mail). Valid for an hour.
  core::Result<std::string> signin_link_for(const std::string& email, const std::string& next);
  // Consumes the link; returns a new (proven) session token. Also verifies the address,
  // which ends the sessions made before it was proven.
  core::Result<std::string> confirm_signin_link(const std::string& token, std::string& next);
  // kInvalidInput for a wrong pair; an unconfirmed address never signs in by password.
  core::Result<std::string> password_signin(const std::string& email, const std::string& password,
                                            const std::string& ip);
  // Waits until mail handed to the worker has gone (tests; the destructor does it too).
  void flush_mail();

  core::Result<void> send_verification(const Member& member, const std::string& next);
  bool verify_link_valid(const std::string& token);
  // Confirms the address and returns a new proven session for the browser that used the
  // link (it holds the proof); sessions made before the proof end.
  core::Result<std::string> confirm_verification(const std::string& token);

  // kForbidden unless the address is confirmed and the session proven.
  core::Result<void> set_password(const Member& member, const std::string& password);

  // Mails a confirmation link to the new address (and a notice to the old one); the
  // address changes only when that link is used. An account holding a role or access
  // first mails an approval link to its current address; the step taken is returned.
  // kInvalidInput for a bad or unchanged address, kConflict when another account has it,
  // kForbidden from a session made before the address was proven, kRateLimited.
  core::Result<EmailChangeStep> request_email_change(const Member& member,
                                                     const std::string& new_email,
                                                     const std::string& ip);
  // The rule: an account holding a role or access approves from its current address.
  EmailChangeStep email_change_step(const Member& member) const;
  std::optional<LinkInfo> peek_email_approval(const std::string& token);
  // Consumes the approval and mails the confirmation link to the new address (returned).
  core::Result<std::string> confirm_email_approval(const std::string& token);
  std::optional<LinkInfo> peek_email_change(const std::string& token);
  core::Result<Member> confirm_email_change(const std::string& token);

  // `members_version` (Store::versions) validates the in-memory session cache.
  std::optional<Member> member_for_session(const std::string& session_token,
                                           long long members_version);
  void sign_out(const std::string& session_token);
  void sign_out_everywhere(long long member_id);

 private:
  core::Result<std::string> new_session(long long member_id, bool proven);
  void later(std::function<void()> job);
  void send_signin_link_if_due(const std::string& email, const std::string& next);
  core::Result<void> send_email_approval(const Member& member, const std::string& email);
  core::Result<void> send_email_change(const Member& member, const std::string& email,
                                       bool approved);
  core::Result<void> send_link(const Member& member, LinkPurpose purpose, const std::string& next);
  bool rate_limited(const std::string& key, int limit, int window_seconds);

  // A live session seen lately. Entries are trusted for at most a minute (sessions
  // expire) and only while members_version is unchanged (sign-outs, grants, deletions).
  struct CachedSession {
    Member member;
    long long version;
    core::UnixTime seen;
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedSession> session_cache_;  // by token hash

  store::MemberStore& members_;
  mail::Mailer& mailer_;
  const core::Clock& clock_;
  const core::Config& config_;
  core::WorkPool mail_jobs_;  // last: stopped (in the destructor) before the rest goes
};

// A safe local redirect target: a path on this site, never "//host" or a scheme, judged
// (and returned) as a browser's URL parser reads it — "/\t/host" is "//host", refused.
// Anything else becomes "/".
std::string safe_next(const std::string& next);

}  // namespace accounts
