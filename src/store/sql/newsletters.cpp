// NewsletterStore in SQL: editions, the delivery queue, and a sender's hold on an edition.
#include <algorithm>
#include <mutex>
#include <random>

#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

namespace {

// Who receives a newsletter (?1 newsletter, ?2 now, ?3 max hard bounces); see
// NewsletterStore::audience.
constexpr const char* kAudienceFrom =
    " FROM members m WHERE m.verified_at IS NOT NULL AND m.hard_bounces < ?3 "
    "AND CASE WHEN ?1 = 'free' THEN "
    "(GREATEST(COALESCE(m.comp_until, 0), COALESCE(m.paid_until, 0)) <= ?2) "
    "AND m.role = 'reader' ELSE (GREATEST(COALESCE(m.comp_until, 0), COALESCE(m.paid_until, 0)) > ?2) "
    "END "
    "AND NOT EXISTS (SELECT 1 FROM newsletter_prefs p WHERE p.member_id = m.id "
    "AND p.newsletter = ?1 AND p.enabled = 0)";

// Lock space of live senders (Pool::exclusive): a sender's id is its key.
constexpr int kSenderLocks = 0x4e4c;  // "NL"

class SqlNewsletterStore final : public NewsletterStore {
 public:
  explicit SqlNewsletterStore(Pool& pool) : pool_(pool) {}

  // Claims batches on the hold's own connection (which holds the sender's liveness lock).
  // Only databases with such locks make one (PostgreSQL): the claim's SQL is PostgreSQL's.
  class Hold final : public SendHold {
   public:
    Hold(long long edition_id, int sender, int lease_seconds, std::unique_ptr<Connection> c)
        : edition_id_(edition_id), sender_(sender), lease_(lease_seconds), c_(std::move(c)) {}
    int sender() const override { return sender_; }
    std::vector<Delivery> claim(core::UnixTime now, int limit) override {
      std::lock_guard lock(mu_);
      // Pending and due, and not held: unclaimed, or claimed by a sender whose lock is no
      // longer in pg_locks (it ended) a lease ago (it may have journalled acceptances it
      // never stored; its folder's next sender frees them sooner). This sender's own
      // claims are in its workers' hands. SKIP LOCKED leaves rows another sender is
      // claiming at this moment to it.
      auto s = c_->prepare(
          "WITH picked AS (SELECT d.member_id FROM deliveries d "
          "WHERE d.edition_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2 "
          "AND (d.claimed_by IS NULL OR (d.claimed_at <= ?6 AND NOT EXISTS (SELECT 1 FROM "
          "pg_locks l WHERE l.locktype = 'advisory' AND l.classid = CAST(?4 AS oid) "
          "AND l.objid = CAST(d.claimed_by AS oid) AND l.objsubid = 2 AND l.granted))) "
          "ORDER BY d.member_id LIMIT ?5 FOR UPDATE SKIP LOCKED) "
          "UPDATE deliveries d SET claimed_by = ?3, claimed_at = ?2 FROM picked, members m "
          "WHERE d.edition_id = ?1 AND d.member_id = picked.member_id AND m.id = d.member_id "
          "RETURNING d.member_id, m.email, d.attempts");
      s->bind(1, static_cast<std::int64_t>(edition_id_))
          .bind(2, static_cast<std::int64_t>(now))
          .bind(3, static_cast<std::int64_t>(sender_))
          .bind(4, static_cast<std::int64_t>(kSenderLocks))
          .bind(5, limit)
          .bind(6, static_cast<std::int64_t>(now - lease_));
      std::vector<Delivery> out;
      while (s->step()) out.push_back({edition_id_, s->int64(0), s->text(1), s->integer(2)});
      std::sort(out.begin(), out.end(),
                [](const Delivery& a, const Delivery& b) { return a.member_id < b.member_id; });
      return out;
    }
    void release(long long member_id) override {
      std::lock_guard lock(mu_);
      try {
        auto s = c_->prepare(
            "UPDATE deliveries SET claimed_by = NULL WHERE edition_id = ?1 AND member_id = ?2 "
            "AND claimed_by = ?3");
        s->bind(1, static_cast<std::int64_t>(edition_id_))
            .bind(2, static_cast<std::int64_t>(member_id))
            .bind(3, static_cast<std::int64_t>(sender_));
        s->run();
      } catch (const StoreError&) {
        // Kept claimed: free when this sender ends and the lease has passed.
      }
    }
    core::Result<void> release_senders(const std::vector<int>& ids) override {
      if (ids.empty()) return {};
      std::string list = json_ids(ids);
      std::lock_guard lock(mu_);
      try {
        auto s = c_->prepare(
            "UPDATE deliveries SET claimed_by = NULL WHERE edition_id = ?1 AND claimed_by IN (" +
            c_->id_list(2) + ")");
        s->bind(1, static_cast<std::int64_t>(edition_id_)).bind(2, list);
        s->run();
      } catch (const StoreError& e) {
        return core::fail(core::ErrorCode::kUnavailable, e.what());
      }
      return {};
    }

   private:
    long long edition_id_;
    int sender_;
    int lease_;
    std::mutex mu_;
    std::unique_ptr<Connection> c_;
  };

  std::optional<Edition> find_edition(const std::string& newsletter,
                                      const std::string& key) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, newsletter, key, subject, text_body, html_body FROM editions "
        "WHERE newsletter = ?1 AND key = ?2");
    s->bind(1, newsletter).bind(2, key);
    if (!s->step()) return std::nullopt;
    return Edition{s->int64(0), s->text(1), s->text(2), s->text(3), s->text(4), s->text(5)};
  }

  core::Result<Edition> save_edition(const Edition& e, core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<Edition> {
      {
        auto c = pool_.acquire();
        auto s = c->prepare(
            "INSERT INTO editions (newsletter, key, subject, text_body, html_body, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (newsletter, key) DO UPDATE SET "
            "subject = excluded.subject, text_body = excluded.text_body, "
            "html_body = excluded.html_body "
            "WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.edition_id = editions.id)");
        s->bind(1, e.newsletter).bind(2, e.key).bind(3, e.subject).bind(4, e.text).bind(5, e.html)
            .bind(6, static_cast<std::int64_t>(now));
        s->run();
      }
      auto found = find_edition(e.newsletter, e.key);
      if (!found) return core::fail(core::ErrorCode::kInternal, "edition vanished");
      return *found;
    });
  }

  std::vector<std::pair<long long, std::string>> audience(const std::string& newsletter,
                                                          core::UnixTime now,
                                                          int max_bounces) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, std::string>> out;
    auto s = c->prepare(std::string("SELECT m.id, m.email") + kAudienceFrom + " ORDER BY m.id");
    s->bind(1, newsletter).bind(2, static_cast<std::int64_t>(now)).bind(3, max_bounces);
    while (s->step()) out.emplace_back(s->int64(0), s->text(1));
    return out;
  }

  int audience_count(const std::string& newsletter, core::UnixTime now, int max_bounces) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT COUNT(*)") + kAudienceFrom);
    s->bind(1, newsletter).bind(2, static_cast<std::int64_t>(now)).bind(3, max_bounces);
    return s->step() ? s->integer(0) : 0;
  }

  core::Result<int> enqueue(long long edition_id,
                            const std::vector<std::pair<long long, std::string>>& readers) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      int added = 0;
      // A few thousand readers a statement (one round trip each on a networked database).
      constexpr std::size_t kChunk = 5000;
      for (std::size_t from = 0; from < readers.size(); from += kChunk) {
        auto chunk = readers.begin() + static_cast<std::ptrdiff_t>(from);
        std::string list =
            json_ids(chunk, chunk + static_cast<std::ptrdiff_t>(std::min(kChunk, readers.size() - from)),
                     [](const auto& reader) { return reader.first; });
        auto s = c->prepare(
            "INSERT INTO deliveries (edition_id, member_id) SELECT CAST(?1 AS BIGINT), ids.* FROM (" +
            c->id_list(2) + ") AS ids WHERE true ON CONFLICT DO NOTHING");  // WHERE: SQLite's upsert parse
        s->bind(1, static_cast<std::int64_t>(edition_id)).bind(2, list);
        s->run();
        added += c->changes();
      }
      tx.commit();
      return added;
    });
  }

  std::vector<Delivery> due(long long edition_id, core::UnixTime now, int limit,
                            long long after_member) override {
    auto c = pool_.acquire();
    std::vector<Delivery> out;
    auto s = c->prepare(
        "SELECT d.edition_id, d.member_id, m.email, d.attempts FROM deliveries d "
        "JOIN members m ON m.id = d.member_id "
        "WHERE d.edition_id = ?1 AND d.status = 'pending' AND d.next_attempt_at <= ?2 "
        "AND d.member_id > ?4 ORDER BY d.member_id LIMIT ?3");
    s->bind(1, static_cast<std::int64_t>(edition_id))
        .bind(2, static_cast<std::int64_t>(now))
        .bind(3, limit)
        .bind(4, after_member);
    while (s->step()) out.push_back({s->int64(0), s->int64(1), s->text(2), s->integer(3)});
    return out;
  }

  core::Result<void> mark_sent(long long edition_id, long long member_id,
                               core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE deliveries SET status = 'sent', sent_at = ?3, attempts = attempts + 1 "
          "WHERE edition_id = ?1 AND member_id = ?2");
      s->bind(1, static_cast<std::int64_t>(edition_id))
          .bind(2, static_cast<std::int64_t>(member_id))
          .bind(3, static_cast<std::int64_t>(now));
      s->run();
    });
  }

  core::Result<void> mark_sent_batch(long long edition_id, const std::vector<long long>& member_ids,
                                     core::UnixTime now) override {
    if (member_ids.empty()) return {};
    std::string list = json_ids(member_ids);
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE deliveries SET status = 'sent', sent_at = ?3, attempts = attempts + 1 "
          "WHERE edition_id = ?1 AND status != 'sent' AND member_id IN (" + c->id_list(2) + ")");
      s->bind(1, static_cast<std::int64_t>(edition_id)).bind(2, list).bind(3, static_cast<std::int64_t>(now));
      s->run();
    });
  }

  core::Result<void> mark_failed(long long edition_id, long long member_id,
                                 const std::string& error, bool permanent,
                                 core::UnixTime retry_at) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare(
            "UPDATE deliveries SET status = CASE WHEN ?3 THEN 'failed' ELSE 'pending' END, "
            "attempts = attempts + 1, last_error = ?4, next_attempt_at = ?5 "
            "WHERE edition_id = ?1 AND member_id = ?2");
        s->bind(1, static_cast<std::int64_t>(edition_id))
            .bind(2, static_cast<std::int64_t>(member_id))
            .bind(3, permanent ? 1 : 0)
            .bind(4, error)
            .bind(5, static_cast<std::int64_t>(retry_at));
        s->run();
      }
      if (permanent) {
        auto s = c->prepare("UPDATE members SET hard_bounces = hard_bounces + 1 WHERE id = ?1");
        s->bind(1, static_cast<std::int64_t>(member_id));
        s->run();
      }
      tx.commit();
    });
  }

  DeliveryCounts counts(long long edition_id) override {
    auto c = pool_.acquire();
    DeliveryCounts out;
    auto s = c->prepare(
        "SELECT status, COUNT(*) FROM deliveries WHERE edition_id = ?1 GROUP BY status");
    s->bind(1, static_cast<std::int64_t>(edition_id));
    while (s->step()) {
      std::string st = s->text(0);
      (st == "sent" ? out.sent : st == "failed" ? out.failed : out.pending) = s->integer(1);
    }
    return out;
  }

  std::optional<Edition> latest_sent_edition(const std::string& newsletter,
                                             const std::string& before_key) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, newsletter, key, subject, text_body, html_body FROM editions "
        "WHERE newsletter = ?1 AND key < ?2 ORDER BY key DESC LIMIT 1");
    s->bind(1, newsletter).bind(2, before_key);
    if (!s->step()) return std::nullopt;
    return Edition{s->int64(0), s->text(1), s->text(2), s->text(3), s->text(4), s->text(5)};
  }

  std::optional<EditionDraft> edition_draft(const std::string& newsletter,
                                            const std::string& key) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT d.draft, d.scheduled_at, d.updated_at, COALESCE(m.email, ''), d.date "
        "FROM edition_drafts d "
        "LEFT JOIN members m ON m.id = d.updated_by WHERE d.newsletter = ?1 AND d.key = ?2");
    s->bind(1, newsletter).bind(2, key);
    if (!s->step()) return std::nullopt;
    EditionDraft d;
    d.sections = s->text(0);
    if (!s->is_null(1)) d.scheduled_at = s->int64(1);
    d.updated_at = s->int64(2);
    d.updated_by = s->text(3);
    d.date = s->text(4);
    return d;
  }

  core::Result<void> save_edition_draft(const std::string& newsletter, const std::string& key,
                                        const EditionDraft& d, long long member_id,
                                        core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO edition_drafts (newsletter, key, draft, scheduled_at, updated_at, updated_by, "
          "date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (newsletter, key) DO UPDATE SET "
          "draft = excluded.draft, scheduled_at = excluded.scheduled_at, "
          "updated_at = excluded.updated_at, updated_by = excluded.updated_by");
      std::optional<long long> by;
      if (member_id) by = member_id;
      s->bind(1, newsletter).bind(2, key).bind(3, d.sections).bind(4, d.scheduled_at)
          .bind(5, static_cast<std::int64_t>(now)).bind(6, by).bind(7, d.date);
      s->run();
    });
  }

  std::vector<std::pair<std::string, std::string>> scheduled_due(core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT d.newsletter, d.date FROM edition_drafts d WHERE d.scheduled_at <= ?1 AND ("
        "NOT EXISTS (SELECT 1 FROM editions e JOIN deliveries q ON q.edition_id = e.id "
        "  WHERE e.newsletter = d.newsletter AND e.key = d.key) "
        "OR EXISTS (SELECT 1 FROM editions e JOIN deliveries q ON q.edition_id = e.id "
        "  WHERE e.newsletter = d.newsletter AND e.key = d.key AND q.status = 'pending' "
        "  AND q.next_attempt_at <= ?1)) ORDER BY d.scheduled_at");
    s->bind(1, static_cast<std::int64_t>(now));
    std::vector<std::pair<std::string, std::string>> out;
    while (s->step()) out.emplace_back(s->text(0), s->text(1));
    return out;
  }

  core::Result<std::unique_ptr<SendHold>> hold_edition(long long edition_id,
                                                        int lease_seconds) override {
    try {
      // A sender id no live sender has (its lock is free), held for the hold's life.
      for (int tries = 0; tries < 8; ++tries) {
        int sender = static_cast<int>(std::random_device{}() & 0x7fffffff) | 1;
        auto ex = pool_.exclusive(kSenderLocks, sender);
        if (!ex.supported) return std::unique_ptr<SendHold>();
        if (ex.held) {
          return std::unique_ptr<SendHold>(
              new Hold(edition_id, sender, lease_seconds, std::move(ex.connection)));
        }
      }
      return core::fail(core::ErrorCode::kUnavailable, "no free sender id");
    } catch (const StoreError& e) {
      return core::fail(core::ErrorCode::kUnavailable, e.what());
    }
  }

  std::vector<MemberDelivery> deliveries_of(long long member_id, int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT e.newsletter, e.key, d.status, d.last_error, d.sent_at FROM deliveries d "
        "JOIN editions e ON e.id = d.edition_id WHERE d.member_id = ?1 ORDER BY e.id DESC LIMIT ?2");
    s->bind(1, static_cast<std::int64_t>(member_id)).bind(2, limit);
    std::vector<MemberDelivery> out;
    while (s->step()) {
      MemberDelivery d{s->text(0), s->text(1), s->text(2), s->text(3), std::nullopt};
      if (!s->is_null(4)) d.sent_at = s->int64(4);
      out.push_back(std::move(d));
    }
    return out;
  }

  std::vector<EditionStats> recent_editions(const std::string& newsletter, int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT e.id, e.newsletter, e.key, e.subject, e.created_at, "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.edition_id = e.id AND d.status = 'pending'), "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.edition_id = e.id AND d.status = 'sent'), "
        "(SELECT COUNT(*) FROM deliveries d WHERE d.edition_id = e.id AND d.status = 'failed') "
        "FROM editions e WHERE (?1 = '' OR e.newsletter = ?1) ORDER BY e.created_at DESC, e.id DESC "
        "LIMIT ?2");
    s->bind(1, newsletter).bind(2, limit);
    std::vector<EditionStats> out;
    while (s->step()) {
      EditionStats e;
      e.id = s->int64(0);
      e.newsletter = s->text(1);
      e.key = s->text(2);
      e.subject = s->text(3);
      e.created_at = s->int64(4);
      e.counts = {s->integer(5), s->integer(6), s->integer(7)};
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  Pool& pool_;
};

class SqlMailQueue final : public MailQueueStore {
 public:
  explicit SqlMailQueue(Pool& pool) : pool_(pool) {}

  core::Result<long long> enqueue_mail(const std::string& payload, core::UnixTime now) override {
    return guarded([&]() -> long long {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO mail_queue (payload, next_attempt_at, created_at) VALUES (?1, ?2, ?2) RETURNING id");
      s->bind(1, payload).bind(2, static_cast<std::int64_t>(now));
      if (!s->step()) throw StoreError("no id for a new row");
      return s->int64(0);
    });
  }

  std::vector<QueuedMail> claim_mail(core::UnixTime now, core::UnixTime lease_until,
                                     int limit) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "UPDATE mail_queue SET next_attempt_at = ?2 WHERE id IN (SELECT id FROM mail_queue "
        "WHERE next_attempt_at <= ?1 AND failed_config IS NULL ORDER BY id LIMIT ?3) "
        "RETURNING id, payload, attempts");
    s->bind(1, static_cast<std::int64_t>(now)).bind(2, static_cast<std::int64_t>(lease_until)).bind(3, limit);
    std::vector<QueuedMail> out;
    while (s->step()) out.push_back({s->int64(0), s->text(1), s->integer(2)});
    return out;
  }

  core::Result<void> mail_sent(long long id) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare("DELETE FROM mail_queue WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(id));
      s->run();
    });
  }

  core::Result<void> mail_failed(long long id, const std::string& error, bool permanent,
                                 core::UnixTime retry_at, const std::string& config) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE mail_queue SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3, "
          "failed_config = CASE WHEN ?4 THEN ?5 ELSE NULL END WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(id))
          .bind(2, static_cast<std::int64_t>(retry_at))
          .bind(3, error)
          .bind(4, permanent ? 1 : 0)
          .bind(5, config);
      s->run();
    });
  }

  int retry_failed_mail(const std::string& config, core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "UPDATE mail_queue SET failed_config = NULL, attempts = 0, next_attempt_at = ?2 "
        "WHERE failed_config IS NOT NULL AND failed_config != ?1");
    s->bind(1, config).bind(2, static_cast<std::int64_t>(now));
    s->run();
    return c->changes();
  }

  int queued_mail() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT COUNT(*) FROM mail_queue WHERE failed_config IS NULL");
    return s->step() ? s->integer(0) : 0;
  }

  FailedMail failed_mail() override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT COUNT(*), (SELECT last_error FROM mail_queue WHERE failed_config IS NOT NULL "
        "ORDER BY id DESC LIMIT 1) FROM mail_queue WHERE failed_config IS NOT NULL");
    FailedMail out;
    if (s->step()) {
      out.count = s->integer(0);
      if (!s->is_null(1)) out.last_error = s->text(1);
    }
    return out;
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<MailQueueStore> make_mail_queue(Pool& pool) {
  return std::make_unique<SqlMailQueue>(pool);
}

std::unique_ptr<NewsletterStore> make_newsletter_store(Pool& pool) {
  return std::make_unique<SqlNewsletterStore>(pool);
}

}  // namespace store::sql
