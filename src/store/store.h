// The storage interface. Code above it never knows which database is underneath
// (SQLite now, PostgreSQL later); only src/app picks the implementation.
//
// Threading: a Store is shared by all request threads; implementations are
// thread-safe. Writes are transactional and return Result; read failures (a broken
// disk, a corrupt file) are exceptional and throw StoreError.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "accounts/member.h"
#include "content/article.h"
#include "core/clock.h"
#include "core/result.h"
#include "search/search.h"

namespace store {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The database cannot be reached (a server that went away, a refused connection): the
// request may succeed later; pages answer 503 meanwhile.
struct StoreUnavailable : StoreError {
  using StoreError::StoreError;
};

// Filters for listing visible articles, newest first.
struct ArticleQuery {
  core::UnixTime now = 0;  // only articles published at or before `now` are listed
  std::optional<content::Term> term;  // a topic, country or author (by kind + slug)
  std::optional<content::ArticleType> type;
  std::optional<core::UnixTime> from;  // published_at >= from
  std::optional<core::UnixTime> to;    // published_at < to
  bool featured_only = false;
  std::vector<long long> exclude_ids;
  int limit = 20;
  int offset = 0;
};

struct ArticleList {
  std::vector<content::ArticleSummary> items;
  int total = 0;
};

struct UpsertStats {
  int created = 0;
  int updated = 0;
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // Creates or updates articles by slug, all in one transaction: either every
  // article is written or none is.
  virtual core::Result<UpsertStats> upsert_articles(
      const std::vector<content::StoredArticle>& articles, core::UnixTime now) = 0;

  // Any status. The gated half is loaded only when with_gated is true.
  virtual std::optional<content::Article> find_article(const std::string& slug,
                                                       bool with_gated) = 0;
  virtual ArticleList list_articles(const ArticleQuery& query) = 0;
  // Terms with their count of visible articles (terms with none are left out).
  virtual std::vector<content::TermCount> list_terms(content::TermKind kind,
                                                     core::UnixTime now) = 0;
  virtual std::optional<content::Term> find_term(content::TermKind kind,
                                                 const std::string& slug) = 0;
  // The visible articles among `ids`, in the order of `ids` (e.g. "Most read").
  virtual std::vector<content::ArticleSummary> visible_summaries(const std::vector<long long>& ids,
                                                                 core::UnixTime now) = 0;
  // A few lines about the term shown on its page (an author's biography); "" when none.
  virtual std::string term_bio(content::TermKind kind, const std::string& slug) = 0;
  // Publication times of all visible articles (for the archive index).
  virtual std::vector<core::UnixTime> published_times(core::UnixTime now) = 0;
  // Every article, any status, in publication order, as its editable input.
  virtual void for_each_article(const std::function<void(const content::ArticleInput&)>& fn) = 0;
  // Articles whose teaser was cut with another setting than `paragraphs` (or unknown):
  // how many, and the first `limit` of them as inputs to render again.
  virtual int count_cut_otherwise(int paragraphs) = 0;
  virtual std::vector<content::ArticleInput> cut_otherwise(int paragraphs, int limit) = 0;
  virtual int count_articles() = 0;

  // Changes whenever content changes, also by another process on the same data.
  virtual long long content_version() = 0;
  // When the next scheduled article becomes visible, if any (caches expire then).
  virtual std::optional<core::UnixTime> next_publication_after(core::UnixTime now) = 0;
  // The latest update time among visible articles.
  virtual core::UnixTime last_modified(core::UnixTime now) = 0;

  virtual int schema_version() = 0;
  // Full-text search over visible articles (see search/search.h for the paywall rule).
  virtual core::Result<search::SearchResult> search(const search::SearchRequest& request) = 0;
  // Reads what makes a server's first searches as fast as the rest (the catalogue in
  // `timezone`, the index's vocabulary) before it takes requests; commands need not.
  virtual void warm_search(const std::string& timezone) { (void)timezone; }
  // Rebuilds the search index from the articles; returns how many were indexed.
  virtual core::Result<int> reindex() = 0;

  // The article's id by slug (any status), for records that point at articles.
  virtual std::optional<long long> article_id(const std::string& slug) = 0;
  // Just enough to decide access, in one indexed read (no terms, no body).
  struct ArticleRef {
    long long id = 0;
    content::AccessClass access = content::AccessClass::kMetered;
    content::Status status = content::Status::kDraft;
    core::UnixTime published_at = 0;
  };
  virtual std::optional<ArticleRef> article_ref(const std::string& slug) = 0;
};

enum class UnlockKind { kCredit, kRegistration };

enum class UnlockOutcome { kUnlocked, kAlreadyUnlocked, kNoCreditsLeft };

struct UnlockedArticle {
  std::string slug;
  std::string headline;
  core::UnixTime unlocked_at = 0;
};

struct GiftRecord {
  long long article_id = 0;
  long long member_id = 0;
  std::string slug;
  std::string headline;
  core::UnixTime created_at = 0;
  core::UnixTime expires_at = 0;
};

struct InstitutionRange {
  long long institution_id = 0;
  std::string name;
  std::string cidr;
};

// Members, sessions, one-time links, unlocks, gifts, institutions, rate limits.
// Tokens arrive here already hashed; nothing raw is stored.
class MemberStore {
 public:
  virtual ~MemberStore() = default;

  virtual std::optional<accounts::Member> find_member(long long id) = 0;
  virtual std::optional<accounts::Member> find_member_by_email(const std::string& email) = 0;
  // kConflict when the address already has an account.
  virtual core::Result<accounts::Member> create_member(const std::string& email,
                                                       const std::string& name, bool verified,
                                                       core::UnixTime now) = 0;
  // Creates the member if needed (verified: the publisher vouches for the address). An
  // existing unconfirmed account is vouched for as mark_verified does, in the same
  // transaction, so nothing a stranger set up before the grant keeps it.
  virtual core::Result<accounts::Member> grant(const std::string& email, const std::string& name,
                                               std::optional<core::UnixTime> comp_until,
                                               core::UnixTime now) = 0;
  virtual core::Result<void> set_role(long long member_id, accounts::Role role) = 0;
  // The address is proven (a link sent to it was used, or the publisher vouches for it).
  // Sessions made before any proof end; if the address was unconfirmed until now, a
  // password and pending address changes set up before the proof are dropped too.
  virtual core::Result<void> mark_verified(long long member_id, core::UnixTime now) = 0;
  virtual core::Result<void> set_password_hash(long long member_id, const std::string& hash) = 0;
  virtual std::optional<std::string> password_hash(long long member_id) = 0;
  virtual std::vector<accounts::Member> list_members() = 0;
  // The back office's member search: `text` in the address or name; `state` one of
  // "", "registered" (readers without access), "unverified", "verified", "subscriber"
  // (access now), "complimentary" (a grant; today every subscription is one, until
  // payments arrive), "staff". Newest first.
  struct MemberFilter {
    std::string text;
    std::string state;
    core::UnixTime now = 0;
    int limit = 50;
    int offset = 0;
  };
  virtual std::vector<accounts::Member> search_members(const MemberFilter& filter, int& total) = 0;
  virtual core::Result<void> delete_member(long long member_id) = 0;

  // `proven`: made from a link or password of a confirmed address (false: registration).
  virtual core::Result<void> create_session(const std::string& token_hash, long long member_id,
                                            core::UnixTime now, core::UnixTime expires,
                                            bool proven) = 0;
  // The member of a live session (and touches it), with Member::session_proven set.
  virtual std::optional<accounts::Member> session_member(const std::string& token_hash,
                                                         core::UnixTime now) = 0;
  virtual void delete_session(const std::string& token_hash) = 0;
  virtual void delete_member_sessions(long long member_id) = 0;

  virtual core::Result<void> create_link(const std::string& token_hash, long long member_id,
                                         accounts::LinkPurpose purpose, const std::string& next,
                                         core::UnixTime now, core::UnixTime expires,
                                         const std::string& new_email = "",
                                         bool approved = false) = 0;
  // Changes the address (it counts as confirmed: the link proved it, and sessions made
  // before any proof end); kConflict when another account has it.
  virtual core::Result<void> change_email(long long member_id, const std::string& email,
                                          core::UnixTime now) = 0;
  // Valid, unused and unexpired? Does not consume.
  virtual std::optional<accounts::LinkInfo> peek_link(const std::string& token_hash,
                                                      accounts::LinkPurpose purpose,
                                                      core::UnixTime now) = 0;
  // Atomically marks the link used; nullopt when it was used, expired or unknown.
  virtual std::optional<accounts::LinkInfo> consume_link(const std::string& token_hash,
                                                         accounts::LinkPurpose purpose,
                                                         core::UnixTime now) = 0;

  // Credits spent in [from, to).
  virtual int credits_spent(long long member_id, core::UnixTime from, core::UnixTime to) = 0;
  // Whether the reader unlocked this article, and credits spent in [from, to), in one read
  // (the article page asks both on every view).
  struct CreditFacts {
    bool unlocked = false;
    int spent = 0;
  };
  virtual CreditFacts credit_facts(long long member_id, long long article_id, core::UnixTime from,
                                   core::UnixTime to) = 0;
  // Atomically checks the allowance for [from, to) and records the unlock. Registration
  // unlocks do not count against credits.
  virtual core::Result<UnlockOutcome> unlock(long long member_id, long long article_id,
                                             UnlockKind kind, core::UnixTime now,
                                             core::UnixTime from, core::UnixTime to,
                                             int allowance) = 0;
  virtual std::vector<UnlockedArticle> unlocked_articles(long long member_id) = 0;

  // Atomically checks the allowance (gifts created in [from, to)) and records the gift;
  // kForbidden when the allowance is spent.
  virtual core::Result<void> create_gift(const std::string& token_hash, long long member_id,
                                         long long article_id, core::UnixTime now,
                                         core::UnixTime expires, core::UnixTime from,
                                         core::UnixTime to, int allowance) = 0;
  virtual int gifts_sent(long long member_id, core::UnixTime from, core::UnixTime to) = 0;
  virtual std::optional<GiftRecord> find_gift(const std::string& token_hash,
                                              core::UnixTime now) = 0;
  virtual std::vector<GiftRecord> gifts_of(long long member_id) = 0;

  virtual core::Result<long long> add_institution(const std::string& name,
                                                  const std::vector<std::string>& cidrs,
                                                  core::UnixTime now) = 0;
  virtual std::vector<InstitutionRange> institution_ranges() = 0;
  // kNotFound when there is no such institution.
  virtual core::Result<void> remove_institution(long long institution_id) = 0;

  // The staff's note about a member ("" when none): shown in the back office and in the
  // member's own data export, deleted with the member.
  virtual std::string member_note(long long member_id) = 0;
  // "" removes it.
  virtual core::Result<void> set_member_note(long long member_id, const std::string& note,
                                             core::UnixTime now) = 0;

  // Newsletter switches: "daily", "weekly", "free". Absent means on (the default).
  virtual std::vector<std::pair<std::string, bool>> newsletter_prefs(long long member_id) = 0;
  virtual core::Result<void> set_newsletter(long long member_id, const std::string& newsletter,
                                            bool enabled, core::UnixTime now) = 0;

  // Counts a hit on `key` in a fixed window; returns the count including this hit.
  virtual int rate_hit(const std::string& key, core::UnixTime now, int window_seconds) = 0;
  // The hits on `key` in its current window, without counting one.
  virtual int rate_count(const std::string& key, core::UnixTime now, int window_seconds) = 0;
  // A per-installation secret (created on first use) for signing tokens.
  virtual std::string site_secret() = 0;
};

struct EventCount {
  std::string day;  // YYYY-MM-DD in the publication's zone
  long long article_id = 0;  // 0: not about one article
  std::string kind;          // "view", "wall", "registration", "credit", "gift_open", "subscription"
  std::string reader_state;  // paywall::to_string(ReaderState)
  long long count = 0;
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  virtual core::Result<void> add_events(const std::vector<EventCount>& counts) = 0;
  // The same, as generation `generation` of an event journal `source` (events/journal.h):
  // nothing when the store already holds that generation (or a later one) of the source;
  // else the counts and the generation in one transaction.
  virtual core::Result<void> add_events_once(const std::vector<EventCount>& counts,
                                             const std::string& source, long long generation) = 0;
  // The journal `source` is gone (every generation stored, its files removed).
  virtual void forget_event_source(const std::string& source) = 0;
  virtual std::vector<EventCount> events_for_article(long long article_id) = 0;
  // Articles by their count of views with from_day <= day <= to_day, most first (ties:
  // the newer id), at most `limit`: (article id, views).
  virtual std::vector<std::pair<long long, long long>> most_viewed(const std::string& from_day,
                                                                   const std::string& to_day,
                                                                   int limit) = 0;
  // Every count with from_day <= day <= to_day (YYYY-MM-DD).
  virtual std::vector<EventCount> events_between(const std::string& from_day,
                                                 const std::string& to_day) = 0;
};

struct Edition {
  long long id = 0;
  std::string newsletter;  // "daily", "weekly", "free"
  std::string key;         // YYYY-MM-DD or YYYY-Www
  std::string subject;
  std::string text;
  std::string html;
};

struct Delivery {
  long long edition_id = 0;
  long long member_id = 0;
  std::string email;
  int attempts = 0;
};

struct DeliveryCounts {
  int pending = 0, sent = 0, failed = 0;
};

// Newsletter editions and the durable per-recipient queue.
class NewsletterStore {
 public:
  virtual ~NewsletterStore() = default;
  virtual std::optional<Edition> find_edition(const std::string& newsletter,
                                              const std::string& key) = 0;
  // Creates the edition, or replaces its text while nobody has been queued for it (the
  // desk may still change it); once a delivery exists the stored edition is final and is
  // returned unchanged.
  virtual core::Result<Edition> save_edition(const Edition& e, core::UnixTime now) = 0;
  // The current audience: daily/weekly go to subscribers, free to verified registered
  // readers who are not subscribers; always minus switched-off readers and addresses
  // that hard-bounced `max_bounces` times.
  virtual std::vector<std::pair<long long, std::string>> audience(const std::string& newsletter,
                                                                  core::UnixTime now,
                                                                  int max_bounces) = 0;
  virtual int audience_count(const std::string& newsletter, core::UnixTime now,
                             int max_bounces) = 0;
  // Adds a pending delivery for each reader without one; returns how many were added.
  virtual core::Result<int> enqueue(long long edition_id,
                                    const std::vector<std::pair<long long, std::string>>& readers) = 0;
  // Pending deliveries due at `now`, in member order after `after_member`.
  virtual std::vector<Delivery> due(long long edition_id, core::UnixTime now, int limit,
                                    long long after_member = 0) = 0;
  virtual core::Result<void> mark_sent(long long edition_id, long long member_id,
                                       core::UnixTime now) = 0;
  // Many at once, in one transaction.
  virtual core::Result<void> mark_sent_batch(long long edition_id,
                                             const std::vector<long long>& member_ids,
                                             core::UnixTime now) = 0;
  // A temporary failure is retried at `retry_at`; a permanent one ends the delivery and
  // counts a hard bounce against the address.
  virtual core::Result<void> mark_failed(long long edition_id, long long member_id,
                                         const std::string& error, bool permanent,
                                         core::UnixTime retry_at) = 0;
  virtual DeliveryCounts counts(long long edition_id) = 0;
  virtual std::optional<Edition> latest_sent_edition(const std::string& newsletter,
                                                     const std::string& before_key) = 0;

  // The newsletter desk's work on an edition (editor sections as JSON, a send time).
  struct EditionDraft {
    std::string date;      // YYYY-MM-DD the edition is for
    std::string sections;  // JSON (newsletter/sections.h)
    std::optional<core::UnixTime> scheduled_at;
    core::UnixTime updated_at = 0;
    std::string updated_by;  // email
  };
  virtual std::optional<EditionDraft> edition_draft(const std::string& newsletter,
                                                    const std::string& key) = 0;
  virtual core::Result<void> save_edition_draft(const std::string& newsletter,
                                                const std::string& key, const EditionDraft& d,
                                                long long member_id, core::UnixTime now) = 0;
  // (newsletter, date) of drafts scheduled at or before `now` with nobody queued yet, or
  // with deliveries due for a retry.
  virtual std::vector<std::pair<std::string, std::string>> scheduled_due(core::UnixTime now) = 0;
  // A sender's share of an edition, where the database can give one that every process
  // on it respects (PostgreSQL): several senders (nodes, commands) send one edition
  // together, each claiming batches of deliveries no other live sender holds. Accepted
  // deliveries go through the sender's journal in its data folder and then the store in
  // batches (mark_sent_batch), as with one sender. A sender that dies leaves its claims
  // to the others once `lease_seconds` have passed since it claimed them (its liveness is
  // a lock its connection holds), or at once to the next sender on its data folder, which
  // stores its journal first (release_senders). Empty when the database cannot: the
  // sender then locks the edition in its data folder (SQLite, where every process shares
  // the folder).
  class SendHold {
   public:
    virtual ~SendHold() = default;
    // This sender's id (> 0): journals name it, so a later sender can free its claims.
    virtual int sender() const = 0;
    // Up to `limit` due deliveries for this sender, in member order: none claimed by this
    // sender, by a live one, or by a dead one less than the lease ago.
    virtual std::vector<Delivery> claim(core::UnixTime now, int limit) = 0;
    // Gives a claimed delivery back (a temporary failure: any sender may retry it when due).
    virtual void release(long long member_id) = 0;
    // Frees what the senders `ids` (dead: their journals were found and stored) claimed.
    virtual core::Result<void> release_senders(const std::vector<int>& ids) = 0;
  };
  virtual core::Result<std::unique_ptr<SendHold>> hold_edition(long long edition_id,
                                                                int lease_seconds) = 0;

  struct MemberDelivery {
    std::string newsletter, key, status, last_error;
    std::optional<core::UnixTime> sent_at;
  };
  virtual std::vector<MemberDelivery> deliveries_of(long long member_id, int limit) = 0;
  struct EditionStats {
    long long id = 0;
    std::string newsletter, key, subject;
    core::UnixTime created_at = 0;
    DeliveryCounts counts;
  };
  // Newest first; `newsletter` empty for all.
  virtual std::vector<EditionStats> recent_editions(const std::string& newsletter, int limit) = 0;
};

// Account mail waiting to go out over SMTP (see mail/queue.h). Rows are claimed with a
// lease, so two workers (a reload, a second process) never send the same one at once.
struct QueuedMail {
  long long id = 0;
  std::string payload;  // the message as JSON
  int attempts = 0;
};

class MailQueueStore {
 public:
  virtual ~MailQueueStore() = default;
  virtual core::Result<long long> enqueue_mail(const std::string& payload, core::UnixTime now) = 0;
  // Claims up to `limit` due messages until `lease_until`.
  virtual std::vector<QueuedMail> claim_mail(core::UnixTime now, core::UnixTime lease_until,
                                             int limit) = 0;
  virtual core::Result<void> mail_sent(long long id) = 0;
  // A temporary failure is tried again at retry_at. A permanent one is kept, not sent
  // again, under `config` (a fingerprint of the mail configuration it failed with).
  virtual core::Result<void> mail_failed(long long id, const std::string& error, bool permanent,
                                         core::UnixTime retry_at, const std::string& config) = 0;
  // Mail that failed for good under another configuration than `config` is due again
  // (the operator fixed the server, the password, the CA); returns how many.
  virtual int retry_failed_mail(const std::string& config, core::UnixTime now) = 0;
  // Waiting to go out (not failed for good).
  virtual int queued_mail() = 0;
  struct FailedMail {
    int count = 0;
    std::string last_error;
  };
  virtual FailedMail failed_mail() = 0;
};

class EditorialStore;  // store/editorial_store.h
class BillingStore;    // store/billing_store.h
class IntegrationStore;  // store/integration_store.h
class RedirectStore;     // store/redirect_store.h
class ImportStore;       // store/import_store.h
class PageStore;         // store/page_store.h
class CuratorStore;      // store/curator_store.h

// One backing database, handing out its capability interfaces. All three are
// thread-safe and live as long as the Store.
class Store {
 public:
  virtual ~Store() = default;
  virtual ContentStore& content() = 0;
  virtual MemberStore& members() = 0;
  virtual EventStore& events() = 0;
  virtual NewsletterStore& newsletters() = 0;
  virtual EditorialStore& editorial() = 0;
  virtual MailQueueStore& mail_queue() = 0;
  virtual BillingStore& billing() = 0;
  virtual IntegrationStore& integrations() = 0;
  virtual RedirectStore& redirects() = 0;
  virtual ImportStore& imports() = 0;
  virtual PageStore& pages() = 0;
  virtual CuratorStore& curator() = 0;

  // Both change counters in one read: every request checks them to keep caches honest.
  // `members` changes whenever members, grants, roles, verification, institutions or the
  // set of live sessions change (creating a session does not change it).
  struct Versions {
    long long content = 0;
    long long members = 0;
  };
  virtual Versions versions() = 0;

  // Statements run and the time they took, since the process started (metrics).
  struct DbStats {
    long long statements = 0;
    double seconds = 0;
  };
  virtual DbStats db_stats() { return {}; }

  // Writes a consistent copy of the whole database to `path` (a new file) while readers
  // and writers carry on (backups).
  virtual core::Result<void> snapshot(const std::string& path) {
    return core::fail(core::ErrorCode::kUnavailable, "this store cannot take snapshots: " + path);
  }
};

}  // namespace store
