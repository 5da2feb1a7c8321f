#include "accounts/admin.h"

#include "accounts/members_csv.h"
#include "core/text.h"
#include "core/time.h"

namespace accounts {

using core::ErrorCode;
using core::fail;

std::string member_state(const Member& m, core::UnixTime now) {
  if (m.role != Role::kReader) return std::string(to_string(m.role));
  if (m.subscribed(now)) return "subscriber";
  return m.verified() ? "registered" : "unverified";
}

std::optional<core::UnixTime> MemberAdmin::end_of_day(const std::string& date) const {
  auto midnight = core::parse_date(date);
  if (!midnight || date.size() != 10) return std::nullopt;
  auto next = core::local_date(*midnight + 86400 + 43200, "UTC");
  return core::local_day_start(next.year, next.month, next.day, timezone_);
}

core::Result<Member> MemberAdmin::grant(const std::string& email_raw, const std::string& name,
                                        const std::string& until) {
  std::string email = normalize_email(email_raw);
  if (!plausible_email(email)) return fail(ErrorCode::kInvalidInput, "not an email address: '" + email_raw + "'");
  auto comp = end_of_day(until);
  if (!comp) return fail(ErrorCode::kInvalidInput, "the last day of access must be a date like 2026-12-31");
  auto now = clock_.now();
  if (*comp <= now) return fail(ErrorCode::kInvalidInput, "the last day of access has passed");
  auto before = members_.find_member_by_email(email);
  bool was_subscriber = before && before->subscribed(now);
  auto m = members_.grant(email, name.empty() && before ? before->name : name, *comp, now);
  if (!m) return m;
  if (!was_subscriber && on_subscription_) on_subscription_(*m);
  return m;
}

core::Result<Member> MemberAdmin::revoke(const std::string& email_raw) {
  std::string email = normalize_email(email_raw);
  auto m = members_.find_member_by_email(email);
  if (!m) return fail(ErrorCode::kNotFound, "no member with the address " + email);
  auto now = clock_.now();
  bool was_subscriber = m->subscribed(now);
  auto after = members_.grant(email, m->name, std::nullopt, now);
  if (after && was_subscriber && !after->subscribed(now) && on_ended_) on_ended_(*after);
  return after;
}

core::Result<Member> MemberAdmin::set_staff_role(const std::string& email_raw, Role role) {
  std::string email = normalize_email(email_raw);
  if (!plausible_email(email)) return fail(ErrorCode::kInvalidInput, "not an email address: '" + email_raw + "'");
  auto now = clock_.now();
  auto existing = members_.find_member_by_email(email);
  Member m;
  if (existing) {
    m = *existing;
  } else {
    auto created = members_.grant(email, "", std::nullopt, now);
    if (!created) return created;
    m = *created;
  }
  // The publisher vouches for the address: whatever a stranger set up on an unconfirmed
  // account (sessions, a password, a pending change of address) ends before the role lands.
  if (role != Role::kReader) {
    if (auto ok = members_.mark_verified(m.id, now); !ok) return std::unexpected(ok.error());
  }
  if (auto ok = members_.set_role(m.id, role); !ok) return std::unexpected(ok.error());
  m.role = role;
  return m;
}

core::Result<ImportReport> MemberAdmin::import_csv(std::string_view text, const std::string& until) {
  auto rows = parse_members_csv(text);
  if (!rows) return std::unexpected(rows.error());
  std::optional<core::UnixTime> comp;
  if (!until.empty()) {
    comp = end_of_day(until);
    if (!comp) return fail(ErrorCode::kInvalidInput, "the last day of access must be a date like 2026-12-31");
  }
  ImportReport report;
  auto now = clock_.now();
  for (const auto& r : *rows) {
    auto existing = members_.find_member_by_email(r.email);
    // The publisher vouches for the list: the store's grant confirms every address (and
    // ends what a stranger set up on an unconfirmed one) in its own transaction.
    auto m = members_.grant(r.email, r.name.empty() && existing ? existing->name : r.name,
                            comp ? comp : (existing ? existing->comp_until : std::nullopt), now);
    if (!m) return std::unexpected(m.error());
    existing ? ++report.updated : ++report.created;
    if (comp && !(existing && existing->subscribed(now)) && on_subscription_) on_subscription_(*m);
    ++report.rows;
  }
  return report;
}

std::string MemberAdmin::export_csv() {
  auto now = clock_.now();
  std::string out = "email,name,state,verified,complimentary_until,created_at\n";
  for (const auto& m : members_.list_members()) {
    out += core::csv_field(m.email) + "," + core::csv_field(m.name) + "," + member_state(m, now) + "," +
           (m.verified() ? "yes" : "no") + "," +
           (m.comp_until ? core::format_rfc3339(*m.comp_until) : std::string()) + "," +
           core::format_rfc3339(m.created_at) + "\n";
  }
  return out;
}

}  // namespace accounts
