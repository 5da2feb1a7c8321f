#include "store/sql/credit_cache.h"
#include "store/sql/stores.h"

#include <atomic>

#include "core/crypto.h"
#include "store/sql/db.h"

namespace store::sql {

using accounts::Member;
using core::ErrorCode;

namespace {

constexpr const char* kMemberColumns =
    "id, email, name, verified_at, comp_until, role, password_hash IS NOT NULL, created_at, "
    "paid_until";

Member read_member(Statement& s) {
  Member m;
  m.id = s.int64(0);
  m.email = s.text(1);
  m.name = s.text(2);
  if (!s.is_null(3)) m.verified_at = s.int64(3);
  if (!s.is_null(4)) m.comp_until = s.int64(4);
  m.role = accounts::parse_role(s.text(5)).value_or(accounts::Role::kReader);
  m.has_password = s.integer(6) != 0;
  m.created_at = s.int64(7);
  if (!s.is_null(8)) m.paid_until = s.int64(8);
  return m;
}


class SqlMemberStore final : public MemberStore {
 public:
  SqlMemberStore(Pool& pool, CreditCache* credits) : pool_(pool), credits_(credits) {}

  std::optional<Member> find_member(long long id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kMemberColumns + " FROM members WHERE id = ?1");
    s->bind(1, static_cast<std::int64_t>(id));
    if (!s->step()) return std::nullopt;
    return read_member(*s);
  }

  std::optional<Member> find_member_by_email(const std::string& email) override {
    auto c = pool_.acquire();
    auto s =
        c->prepare(std::string("SELECT ") + kMemberColumns + " FROM members WHERE email = ?1");
    s->bind(1, email);
    if (!s->step()) return std::nullopt;
    return read_member(*s);
  }

  core::Result<Member> create_member(const std::string& email, const std::string& name,
                                     bool verified, core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<Member> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("SELECT 1 FROM members WHERE email = ?1");
        s->bind(1, email);
        if (s->step()) return core::fail(ErrorCode::kConflict, "that address has an account");
      }
      long long id = 0;
      {
        auto s = c->prepare(
            "INSERT INTO members (email, name, verified_at, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id");
        s->bind(1, email).bind(2, name).bind(4, static_cast<std::int64_t>(now));
        if (verified) {
          s->bind(3, static_cast<std::int64_t>(now));
        } else {
          s->bind_null(3);
        }
        if (!s->step()) throw StoreError("no id for a new row");
        id = s->int64(0);
      }
      c->exec(kBumpMembersVersion);
      tx.commit();
      return *find_member_locked(*c, id);
    });
  }

  core::Result<Member> grant(const std::string& email, const std::string& name,
                             std::optional<core::UnixTime> comp_until,
                             core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<Member> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("SELECT id FROM members WHERE email = ?1");
        s->bind(1, email);
        if (s->step()) prove_address_locked(*c, s->int64(0), now);
      }
      {
        auto s = c->prepare(
            "INSERT INTO members (email, name, verified_at, created_at) VALUES (?1, ?2, ?3, ?3) "
            "ON CONFLICT (email) DO UPDATE SET "
            "name = CASE WHEN excluded.name != '' THEN excluded.name ELSE members.name END, "
            "verified_at = COALESCE(members.verified_at, excluded.verified_at)");
        s->bind(1, email).bind(2, name).bind(3, static_cast<std::int64_t>(now));
        s->run();
      }
      {
        auto s = c->prepare("UPDATE members SET comp_until = ?2 WHERE email = ?1");
        s->bind(1, email).bind(2, comp_until);
        s->run();
      }
      c->exec(kBumpMembersVersion);
      tx.commit();
      auto s = c->prepare(std::string("SELECT ") + kMemberColumns + " FROM members WHERE email = ?1");
      s->bind(1, email);
      s->step();
      return read_member(*s);
    });
  }

  core::Result<void> set_role(long long member_id, accounts::Role role) override {
    return update("UPDATE members SET role = ?2 WHERE id = ?1", member_id,
                  std::string(accounts::to_string(role)));
  }

  core::Result<void> mark_verified(long long member_id, core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      prove_address_locked(*c, member_id, now);
      c->exec(kBumpMembersVersion);
      tx.commit();
    });
  }

  core::Result<void> set_password_hash(long long member_id, const std::string& hash) override {
    return update("UPDATE members SET password_hash = ?2 WHERE id = ?1", member_id, hash);
  }

  std::optional<std::string> password_hash(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT password_hash FROM members WHERE id = ?1");
    s->bind(1, static_cast<std::int64_t>(member_id));
    if (!s->step() || s->is_null(0)) return std::nullopt;
    return s->text(0);
  }

  std::vector<Member> list_members() override {
    auto c = pool_.acquire();
    std::vector<Member> out;
    auto s = c->prepare(std::string("SELECT ") + kMemberColumns + " FROM members ORDER BY id");
    while (s->step()) out.push_back(read_member(*s));
    return out;
  }

  std::vector<Member> search_members(const MemberFilter& f, int& total) override {
    auto c = pool_.acquire();
    const char* where =
        " FROM members WHERE (?1 = '' OR instr(email, lower(?1)) > 0 OR "
        "instr(lower(name), lower(?1)) > 0) AND ("
        "?2 = '' OR "
        "(?2 = 'registered' AND role = 'reader' AND "
        "GREATEST(COALESCE(comp_until, 0), COALESCE(paid_until, 0)) <= ?3) OR "
        "(?2 = 'unverified' AND verified_at IS NULL) OR "
        "(?2 = 'verified' AND verified_at IS NOT NULL) OR "
        "(?2 = 'subscriber' AND GREATEST(COALESCE(comp_until, 0), COALESCE(paid_until, 0)) > ?3) OR "
        "(?2 = 'complimentary' AND comp_until > ?3) OR "
        "(?2 = 'paying' AND paid_until > ?3) OR "
        "(?2 = 'staff' AND role != 'reader'))";
    {
      auto s = c->prepare(std::string("SELECT COUNT(*)") + where);
      s->bind(1, f.text).bind(2, f.state).bind(3, static_cast<std::int64_t>(f.now));
      total = s->step() ? s->integer(0) : 0;
    }
    auto s = c->prepare(std::string("SELECT ") + kMemberColumns + where +
                        " ORDER BY id DESC LIMIT ?4 OFFSET ?5");
    s->bind(1, f.text).bind(2, f.state).bind(3, static_cast<std::int64_t>(f.now)).bind(4, f.limit)
        .bind(5, f.offset);
    std::vector<Member> out;
    while (s->step()) out.push_back(read_member(*s));
    return out;
  }

  core::Result<void> delete_member(long long member_id) override {
    return update("DELETE FROM members WHERE id = ?1", member_id);
  }

  core::Result<void> create_session(const std::string& token_hash, long long member_id,
                                    core::UnixTime now, core::UnixTime expires,
                                    bool proven) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO sessions (token_hash, member_id, created_at, expires_at, last_seen_at, "
          "proven) VALUES (?1, ?2, ?3, ?4, ?3, ?5)");
      s->bind(1, token_hash)
          .bind(2, static_cast<std::int64_t>(member_id))
          .bind(3, static_cast<std::int64_t>(now))
          .bind(4, static_cast<std::int64_t>(expires))
          .bind(5, proven ? 1 : 0);
      s->run();
    });
  }

  std::optional<Member> session_member(const std::string& token_hash, core::UnixTime now) override {
    auto c = pool_.acquire();
    std::optional<Member> m;
    core::UnixTime last_seen = 0;
    {
      auto s = c->prepare(
          "SELECT m.id, m.email, m.name, m.verified_at, m.comp_until, m.role, "
          "m.password_hash IS NOT NULL, m.created_at, m.paid_until, s.last_seen_at, s.proven "
          "FROM sessions s JOIN members m ON m.id = s.member_id "
          "WHERE s.token_hash = ?1 AND s.expires_at > ?2");
      s->bind(1, token_hash).bind(2, static_cast<std::int64_t>(now));
      if (!s->step()) return std::nullopt;
      m = read_member(*s);
      last_seen = s->int64(9);
      m->session_proven = s->integer(10) != 0;
    }
    if (now - last_seen > 3600) {  // touch at most hourly: reads stay reads
      auto s = c->prepare("UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1");
      s->bind(1, token_hash).bind(2, static_cast<std::int64_t>(now));
      try {
        s->run();
      } catch (const StoreError&) {
        // A busy database must not sign the reader out.
      }
    }
    return m;
  }

  // Ending sessions bumps members_version: servers cache live sessions against it.
  void delete_session(const std::string& token_hash) override {
    write("DELETE FROM sessions WHERE token_hash = ?1", token_hash);
  }

  void delete_member_sessions(long long member_id) override {
    write("DELETE FROM sessions WHERE member_id = ?1", member_id);
  }

  core::Result<void> create_link(const std::string& token_hash, long long member_id,
                                 accounts::LinkPurpose purpose, const std::string& next,
                                 core::UnixTime now, core::UnixTime expires,
                                 const std::string& new_email, bool approved) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO links (token_hash, member_id, purpose, next, created_at, expires_at, "
          "new_email, approved) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, ''), ?8)");
      s->bind(1, token_hash)
          .bind(2, static_cast<std::int64_t>(member_id))
          .bind(3, accounts::to_string(purpose))
          .bind(4, next)
          .bind(5, static_cast<std::int64_t>(now))
          .bind(6, static_cast<std::int64_t>(expires))
          .bind(7, new_email)
          .bind(8, approved ? 1 : 0);
      s->run();
    });
  }

  core::Result<void> change_email(long long member_id, const std::string& email,
                                  core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("SELECT 1 FROM members WHERE email = ?1 AND id != ?2");
        s->bind(1, email).bind(2, static_cast<std::int64_t>(member_id));
        if (s->step()) {
          return core::fail(ErrorCode::kConflict, "Another account already uses " + email + ".");
        }
      }
      auto s = c->prepare(
          "UPDATE members SET email = ?2, verified_at = COALESCE(verified_at, ?3), "
          "hard_bounces = 0 WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(member_id)).bind(2, email).bind(3, static_cast<std::int64_t>(now));
      s->run();
      if (c->changes() == 0) return core::fail(ErrorCode::kNotFound, "No such account.");
      end_unproven_sessions_locked(*c, member_id);
      c->exec(kBumpMembersVersion);
      tx.commit();
      return {};
    });
  }

  std::optional<accounts::LinkInfo> peek_link(const std::string& token_hash,
                                              accounts::LinkPurpose purpose,
                                              core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT member_id, next, COALESCE(new_email, ''), approved FROM links WHERE token_hash = ?1 "
        "AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3");
    s->bind(1, token_hash).bind(2, accounts::to_string(purpose)).bind(3, static_cast<std::int64_t>(now));
    if (!s->step()) return std::nullopt;
    return accounts::LinkInfo{s->int64(0), s->text(1), s->text(2), s->integer(3) != 0};
  }

  std::optional<accounts::LinkInfo> consume_link(const std::string& token_hash,
                                                 accounts::LinkPurpose purpose,
                                                 core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "UPDATE links SET used_at = ?3 WHERE token_hash = ?1 AND purpose = ?2 "
        "AND used_at IS NULL AND expires_at > ?3 RETURNING member_id, next, COALESCE(new_email, ''), approved");
    s->bind(1, token_hash).bind(2, accounts::to_string(purpose)).bind(3, static_cast<std::int64_t>(now));
    if (!s->step()) return std::nullopt;
    accounts::LinkInfo info{s->int64(0), s->text(1), s->text(2), s->integer(3) != 0};
    while (s->step()) {
    }
    return info;
  }

  int credits_spent(long long member_id, core::UnixTime from, core::UnixTime to) override {
    auto c = pool_.acquire();
    return credits_spent_locked(*c, member_id, from, to);
  }

  CreditFacts credit_facts(long long member_id, long long article_id, core::UnixTime from,
                           core::UnixTime to) override {
    const CreditCache::Key key{member_id, article_id, from, to};
    std::uint64_t generation = 0;
    if (credits_) {
      if (auto known = credits_->find(key)) return *known;
      generation = credits_->generation(member_id);
    }
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT EXISTS (SELECT 1 FROM unlocks WHERE member_id = ?1 AND article_id = ?2), "
        "(SELECT COUNT(*) FROM unlocks WHERE member_id = ?1 AND kind = 'credit' "
        "AND unlocked_at >= ?3 AND unlocked_at < ?4)");
    s->bind(1, static_cast<std::int64_t>(member_id))
        .bind(2, static_cast<std::int64_t>(article_id))
        .bind(3, static_cast<std::int64_t>(from))
        .bind(4, static_cast<std::int64_t>(to));
    CreditFacts f;
    if (s->step()) {
      f.unlocked = s->integer(0) != 0;
      f.spent = s->integer(1);
    }
    if (credits_) credits_->put(key, f, generation);
    return f;
  }

  core::Result<UnlockOutcome> unlock(long long member_id, long long article_id, UnlockKind kind,
                                     core::UnixTime now, core::UnixTime from, core::UnixTime to,
                                     int allowance) override {
    return guarded_result([&]() -> core::Result<UnlockOutcome> {
      auto c = pool_.acquire();
      Transaction tx(*c);  // BEGIN IMMEDIATE: two clicks cannot both spend the last credit
      {
        auto s = c->prepare("SELECT 1 FROM unlocks WHERE member_id = ?1 AND article_id = ?2");
        s->bind(1, static_cast<std::int64_t>(member_id))
            .bind(2, static_cast<std::int64_t>(article_id));
        if (s->step()) return UnlockOutcome::kAlreadyUnlocked;
      }
      if (kind == UnlockKind::kCredit && credits_spent_locked(*c, member_id, from, to) >= allowance) {
        return UnlockOutcome::kNoCreditsLeft;
      }
      {
        auto s = c->prepare(
            "INSERT INTO unlocks (member_id, article_id, kind, unlocked_at) VALUES (?1, ?2, ?3, ?4)");
        s->bind(1, static_cast<std::int64_t>(member_id))
            .bind(2, static_cast<std::int64_t>(article_id))
            .bind(3, kind == UnlockKind::kCredit ? "credit" : "registration")
            .bind(4, static_cast<std::int64_t>(now));
        s->run();
      }
      tx.commit();
      if (credits_) credits_->forget(member_id);
      return UnlockOutcome::kUnlocked;
    });
  }

  std::vector<UnlockedArticle> unlocked_articles(long long member_id) override {
    auto c = pool_.acquire();
    std::vector<UnlockedArticle> out;
    auto s = c->prepare(
        "SELECT a.slug, a.headline, u.unlocked_at FROM unlocks u JOIN articles a ON a.id = "
        "u.article_id WHERE u.member_id = ?1 ORDER BY u.unlocked_at DESC");
    s->bind(1, static_cast<std::int64_t>(member_id));
    while (s->step()) out.push_back({s->text(0), s->text(1), s->int64(2)});
    return out;
  }

  core::Result<void> create_gift(const std::string& token_hash, long long member_id,
                                 long long article_id, core::UnixTime now, core::UnixTime expires,
                                 core::UnixTime from, core::UnixTime to, int allowance) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);  // BEGIN IMMEDIATE: two clicks cannot both take the last gift
      if (gifts_sent_locked(*c, member_id, from, to) >= allowance) {
        return core::fail(ErrorCode::kForbidden, "You have sent all your gift articles for this month.");
      }
      auto s = c->prepare(
          "INSERT INTO gifts (token_hash, member_id, article_id, created_at, expires_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      s->bind(1, token_hash)
          .bind(2, static_cast<std::int64_t>(member_id))
          .bind(3, static_cast<std::int64_t>(article_id))
          .bind(4, static_cast<std::int64_t>(now))
          .bind(5, static_cast<std::int64_t>(expires));
      s->run();
      tx.commit();
      if (credits_) credits_->forget(member_id);
      return {};
    });
  }

  int gifts_sent(long long member_id, core::UnixTime from, core::UnixTime to) override {
    // Remembered as an article of its own (-1) beside the reader's unlocks.
    const CreditCache::Key key{member_id, -1, from, to};
    std::uint64_t generation = 0;
    if (credits_) {
      if (auto known = credits_->find(key)) return known->spent;
      generation = credits_->generation(member_id);
    }
    auto c = pool_.acquire();
    int sent = gifts_sent_locked(*c, member_id, from, to);
    if (credits_) credits_->put(key, {false, sent}, generation);
    return sent;
  }

  std::optional<GiftRecord> find_gift(const std::string& token_hash, core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT g.article_id, g.member_id, a.slug, a.headline, g.created_at, g.expires_at "
        "FROM gifts g JOIN articles a ON a.id = g.article_id "
        "WHERE g.token_hash = ?1 AND g.expires_at > ?2");
    s->bind(1, token_hash).bind(2, static_cast<std::int64_t>(now));
    if (!s->step()) return std::nullopt;
    return GiftRecord{s->int64(0), s->int64(1), s->text(2), s->text(3), s->int64(4), s->int64(5)};
  }

  std::vector<GiftRecord> gifts_of(long long member_id) override {
    auto c = pool_.acquire();
    std::vector<GiftRecord> out;
    auto s = c->prepare(
        "SELECT g.article_id, g.member_id, a.slug, a.headline, g.created_at, g.expires_at "
        "FROM gifts g JOIN articles a ON a.id = g.article_id WHERE g.member_id = ?1 "
        "ORDER BY g.created_at DESC");
    s->bind(1, static_cast<std::int64_t>(member_id));
    while (s->step()) {
      out.push_back({s->int64(0), s->int64(1), s->text(2), s->text(3), s->int64(4), s->int64(5)});
    }
    return out;
  }

  core::Result<long long> add_institution(const std::string& name,
                                          const std::vector<std::string>& cidrs,
                                          core::UnixTime now) override {
    return guarded([&]() -> long long {
      auto c = pool_.acquire();
      Transaction tx(*c);
      long long id = 0;
      {
        auto s = c->prepare("INSERT INTO institutions (name, created_at) VALUES (?1, ?2) RETURNING id");
        s->bind(1, name).bind(2, static_cast<std::int64_t>(now));
        if (!s->step()) throw StoreError("no id for a new row");
        id = s->int64(0);
      }
      for (const auto& cidr : cidrs) {
        auto s = c->prepare(
            "INSERT INTO institution_ranges (institution_id, cidr) VALUES (?1, ?2) "
            "ON CONFLICT DO NOTHING");
        s->bind(1, static_cast<std::int64_t>(id)).bind(2, cidr);
        s->run();
      }
      c->exec(kBumpMembersVersion);
      tx.commit();
      return id;
    });
  }

  core::Result<void> remove_institution(long long institution_id) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto s = c->prepare("DELETE FROM institutions WHERE id = ?1");  // ranges cascade
      s->bind(1, static_cast<std::int64_t>(institution_id));
      s->run();
      if (c->changes() == 0) return core::fail(core::ErrorCode::kNotFound, "no such institution");
      c->exec(kBumpMembersVersion);
      tx.commit();
      return {};
    });
  }

  std::vector<InstitutionRange> institution_ranges() override {
    auto c = pool_.acquire();
    std::vector<InstitutionRange> out;
    auto s = c->prepare(
        "SELECT i.id, i.name, r.cidr FROM institutions i JOIN institution_ranges r "
        "ON r.institution_id = i.id ORDER BY i.id");
    while (s->step()) out.push_back({s->int64(0), s->text(1), s->text(2)});
    return out;
  }

  std::string member_note(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT note FROM member_notes WHERE member_id = ?1");
    s->bind(1, static_cast<std::int64_t>(member_id));
    return s->step() ? s->text(0) : std::string();
  }

  core::Result<void> set_member_note(long long member_id, const std::string& note,
                                     core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      if (note.empty()) {
        auto s = c->prepare("DELETE FROM member_notes WHERE member_id = ?1");
        s->bind(1, static_cast<std::int64_t>(member_id));
        s->run();
        return;
      }
      auto s = c->prepare(
          "INSERT INTO member_notes (member_id, note, updated_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (member_id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at");
      s->bind(1, static_cast<std::int64_t>(member_id)).bind(2, note).bind(3, static_cast<std::int64_t>(now));
      s->run();
    });
  }

  std::vector<std::pair<std::string, bool>> newsletter_prefs(long long member_id) override {
    auto c = pool_.acquire();
    std::vector<std::pair<std::string, bool>> out;
    auto s = c->prepare(
        "SELECT newsletter, enabled FROM newsletter_prefs WHERE member_id = ?1 ORDER BY newsletter");
    s->bind(1, static_cast<std::int64_t>(member_id));
    while (s->step()) out.emplace_back(s->text(0), s->integer(1) != 0);
    return out;
  }

  core::Result<void> set_newsletter(long long member_id, const std::string& newsletter,
                                    bool enabled, core::UnixTime now) override {
    if (newsletter != "daily" && newsletter != "weekly" && newsletter != "free") {
      return core::fail(ErrorCode::kInvalidInput, "unknown newsletter '" + newsletter + "'");
    }
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO newsletter_prefs (member_id, newsletter, enabled, updated_at) "
          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id, newsletter) DO UPDATE SET "
          "enabled = excluded.enabled, updated_at = excluded.updated_at");
      s->bind(1, static_cast<std::int64_t>(member_id))
          .bind(2, newsletter)
          .bind(3, enabled ? 1 : 0)
          .bind(4, static_cast<std::int64_t>(now));
      s->run();
    });
  }

  int rate_hit(const std::string& key, core::UnixTime now, int window_seconds) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "INSERT INTO rate_limits (key, window_start, hits) VALUES (?1, ?2, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN rate_limits.window_start + ?3 <= ?2 THEN 1 ELSE rate_limits.hits + 1 END, "
        "window_start = CASE WHEN rate_limits.window_start + ?3 <= ?2 THEN ?2 "
        "ELSE rate_limits.window_start END "
        "RETURNING hits");
    s->bind(1, key).bind(2, static_cast<std::int64_t>(now)).bind(3, window_seconds);
    int hits = s->step() ? s->integer(0) : 1;
    while (s->step()) {
    }
    // Now and then, forget windows long over (every window in use is at most a day).
    if (++rate_hits_ % 1024 == 0) {
      auto prune = c->prepare("DELETE FROM rate_limits WHERE window_start < ?1");
      prune->bind(1, static_cast<std::int64_t>(now - 2 * 86400));
      prune->run();
    }
    return hits;
  }

  int rate_count(const std::string& key, core::UnixTime now, int window_seconds) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT hits FROM rate_limits WHERE key = ?1 AND window_start + ?3 > ?2");
    s->bind(1, key).bind(2, static_cast<std::int64_t>(now)).bind(3, window_seconds);
    return s->step() ? s->integer(0) : 0;
  }

  std::string site_secret() override {
    auto c = pool_.acquire();
    {
      auto s = c->prepare("SELECT value FROM meta WHERE key = 'site_secret'");
      if (s->step()) return s->text(0);
    }
    auto s = c->prepare(
        "INSERT INTO meta (key, value) VALUES ('site_secret', ?1) ON CONFLICT (key) DO NOTHING");
    s->bind(1, core::random_token(32));
    s->run();
    auto again = c->prepare("SELECT value FROM meta WHERE key = 'site_secret'");
    again->step();
    return again->text(0);
  }


 private:
  std::optional<Member> find_member_locked(Connection& c, long long id) {
    auto s = c.prepare(std::string("SELECT ") + kMemberColumns + " FROM members WHERE id = ?1");
    s->bind(1, static_cast<std::int64_t>(id));
    if (!s->step()) return std::nullopt;
    return read_member(*s);
  }

  // See MemberStore::mark_verified. The caller holds a write transaction.
  static void prove_address_locked(Connection& c, long long member_id, core::UnixTime now) {
    bool was_unconfirmed = false;
    {
      auto s = c.prepare("SELECT verified_at IS NULL FROM members WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(member_id));
      if (!s->step()) return;
      was_unconfirmed = s->integer(0) != 0;
    }
    if (was_unconfirmed) {
      // Whoever set these had not proven the address.
      auto s = c.prepare("UPDATE members SET password_hash = NULL, verified_at = ?2 WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(member_id)).bind(2, static_cast<std::int64_t>(now));
      s->run();
      auto links = c.prepare(
          "DELETE FROM links WHERE member_id = ?1 AND purpose IN ('email', 'email-approve') "
          "AND used_at IS NULL");
      links->bind(1, static_cast<std::int64_t>(member_id));
      links->run();
      auto sessions = c.prepare("DELETE FROM sessions WHERE member_id = ?1");
      sessions->bind(1, static_cast<std::int64_t>(member_id));
      sessions->run();
      return;
    }
    end_unproven_sessions_locked(c, member_id);
  }

  static void end_unproven_sessions_locked(Connection& c, long long member_id) {
    auto s = c.prepare("DELETE FROM sessions WHERE member_id = ?1 AND proven = 0");
    s->bind(1, static_cast<std::int64_t>(member_id));
    s->run();
  }

  static int gifts_sent_locked(Connection& c, long long member_id, core::UnixTime from,
                               core::UnixTime to) {
    auto s = c.prepare(
        "SELECT COUNT(*) FROM gifts WHERE member_id = ?1 AND created_at >= ?2 AND created_at < ?3");
    s->bind(1, static_cast<std::int64_t>(member_id))
        .bind(2, static_cast<std::int64_t>(from))
        .bind(3, static_cast<std::int64_t>(to));
    return s->step() ? s->integer(0) : 0;
  }

  static int credits_spent_locked(Connection& c, long long member_id, core::UnixTime from,
                                  core::UnixTime to) {
    auto s = c.prepare(
        "SELECT COUNT(*) FROM unlocks WHERE member_id = ?1 AND kind = 'credit' "
        "AND unlocked_at >= ?2 AND unlocked_at < ?3");
    s->bind(1, static_cast<std::int64_t>(member_id))
        .bind(2, static_cast<std::int64_t>(from))
        .bind(3, static_cast<std::int64_t>(to));
    return s->step() ? s->integer(0) : 0;
  }

  // One statement binding `values` to ?1, ?2, …, in its own transaction, and a bump of
  // members_version (servers cache members against it). Throws StoreError.
  template <typename... V>
  void write(const char* sql, const V&... values) {
    auto c = pool_.acquire();
    Transaction tx(*c);
    auto s = c->prepare(sql);
    int index = 0;
    (s->bind(++index, values), ...);
    s->run();
    c->exec(kBumpMembersVersion);
    tx.commit();
  }
  // The same, as a Result.
  template <typename... V>
  core::Result<void> update(const char* sql, const V&... values) {
    return guarded([&] { write(sql, values...); });
  }

  std::atomic<unsigned> rate_hits_{0};
  Pool& pool_;
  CreditCache* credits_;
};

class SqlEventStore final : public EventStore {
 public:
  explicit SqlEventStore(Pool& pool) : pool_(pool) {}

  core::Result<void> add_events(const std::vector<EventCount>& counts) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      add_counts(*c, counts);
      tx.commit();
    });
  }

  core::Result<void> add_events_once(const std::vector<EventCount>& counts,
                                     const std::string& source, long long generation) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto held = c->prepare("SELECT generation FROM event_flushes WHERE source = ?1");
      held->bind(1, source);
      if (held->step() && held->int64(0) >= generation) return;  // stored before a crash
      held->reset();
      add_counts(*c, counts);
      auto s = c->prepare(
          "INSERT INTO event_flushes (source, generation) VALUES (?1, ?2) "
          "ON CONFLICT (source) DO UPDATE SET generation = excluded.generation");
      s->bind(1, source).bind(2, static_cast<std::int64_t>(generation));
      s->run();
      tx.commit();
    });
  }

  void forget_event_source(const std::string& source) override {
    // Best effort: a row left behind is harmless.
    (void)guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare("DELETE FROM event_flushes WHERE source = ?1");
      s->bind(1, source);
      s->run();
    });
  }

 private:
  static void add_counts(Connection& c, const std::vector<EventCount>& counts) {
    for (const auto& e : counts) {
      auto s = c.prepare(
          "INSERT INTO events (day, article_id, kind, reader_state, count) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (day, article_id, kind, reader_state) "
          "DO UPDATE SET count = events.count + excluded.count");
      s->bind(1, e.day)
          .bind(2, static_cast<std::int64_t>(e.article_id))
          .bind(3, e.kind)
          .bind(4, e.reader_state)
          .bind(5, static_cast<std::int64_t>(e.count));
      s->run();
    }
  }

 public:
  std::vector<EventCount> events_for_article(long long article_id) override {
    auto c = pool_.acquire();
    std::vector<EventCount> out;
    auto s = c->prepare(
        "SELECT day, article_id, kind, reader_state, count FROM events WHERE article_id = ?1 "
        "ORDER BY day, kind, reader_state");
    s->bind(1, static_cast<std::int64_t>(article_id));
    while (s->step()) out.push_back({s->text(0), s->int64(1), s->text(2), s->text(3), s->int64(4)});
    return out;
  }

  std::vector<std::pair<long long, long long>> most_viewed(const std::string& from_day,
                                                           const std::string& to_day,
                                                           int limit) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, long long>> out;
    auto s = c->prepare(
        "SELECT article_id, SUM(count) AS views FROM events WHERE kind = 'view' AND "
        "article_id > 0 AND day >= ?1 AND day <= ?2 GROUP BY article_id "
        "ORDER BY views DESC, article_id DESC LIMIT ?3");
    s->bind(1, from_day).bind(2, to_day).bind(3, limit);
    while (s->step()) out.emplace_back(s->int64(0), s->int64(1));
    return out;
  }

  std::vector<EventCount> events_between(const std::string& from_day,
                                         const std::string& to_day) override {
    auto c = pool_.acquire();
    std::vector<EventCount> out;
    auto s = c->prepare(
        "SELECT day, article_id, kind, reader_state, count FROM events WHERE day >= ?1 AND "
        "day <= ?2 ORDER BY day, article_id, kind, reader_state");
    s->bind(1, from_day).bind(2, to_day);
    while (s->step()) out.push_back({s->text(0), s->int64(1), s->text(2), s->text(3), s->int64(4)});
    return out;
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<MemberStore> make_member_store(Pool& pool, CreditCache* credits) {
  return std::make_unique<SqlMemberStore>(pool, credits);
}

std::unique_ptr<EventStore> make_event_store(Pool& pool) {
  return std::make_unique<SqlEventStore>(pool);
}

}  // namespace store::sql
