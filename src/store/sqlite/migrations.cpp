#include "store/sqlite/migrations.h"

#include <sqlite3.h>

#include <filesystem>

#include "store/store.h"

namespace store::sqlite {

SchemaStatus schema_status(const std::string& path) {
  SchemaStatus status;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    for (const auto& m : migrations()) status.pending.push_back(&m);
    return status;
  }
  status.exists = true;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) status.version = sqlite3_column_int(stmt, 0);
  std::string error = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if (!error.empty()) throw StoreError("cannot read " + path + ": " + error);
  for (const auto& m : migrations()) {
    if (m.version > status.version) status.pending.push_back(&m);
  }
  return status;
}

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "articles and taxonomy", R"SQL(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('content_version', '0');

CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  headline TEXT NOT NULL,
  dek TEXT NOT NULL DEFAULT '',
  body_md TEXT NOT NULL,
  teaser_html TEXT NOT NULL,
  gated_html TEXT NOT NULL,
  word_count INTEGER NOT NULL DEFAULT 0,
  type TEXT NOT NULL CHECK (type IN ('analysis', 'feature', 'briefing', 'review')),
  access TEXT NOT NULL CHECK (access IN ('free', 'metered', 'premium')),
  status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
  featured INTEGER NOT NULL DEFAULT 0,
  published_at INTEGER,
  updated_at INTEGER NOT NULL,
  corrections TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX articles_by_time ON articles (published_at DESC);

CREATE TABLE terms (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('topic', 'country', 'author')),
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (kind, slug)
);

CREATE TABLE article_terms (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  term_id INTEGER NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (article_id, term_id)
) WITHOUT ROWID;
CREATE INDEX article_terms_by_term ON article_terms (term_id, article_id);
)SQL"},
      {2, "members, sessions, links, unlocks, gifts, institutions, events", R"SQL(
INSERT INTO meta (key, value) VALUES ('members_version', '0');

CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  verified_at INTEGER,
  password_hash TEXT,
  role TEXT NOT NULL DEFAULT 'reader' CHECK (role IN ('reader', 'author', 'editor', 'admin')),
  comp_until INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_member ON sessions (member_id);

CREATE TABLE links (
  token_hash TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('signin', 'verify')),
  next TEXT NOT NULL DEFAULT '/',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) WITHOUT ROWID;

CREATE TABLE unlocks (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('credit', 'registration')),
  unlocked_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, article_id)
) WITHOUT ROWID;
CREATE INDEX unlocks_by_time ON unlocks (member_id, kind, unlocked_at);

CREATE TABLE gifts (
  token_hash TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX gifts_by_member ON gifts (member_id, created_at);

CREATE TABLE institutions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE institution_ranges (
  institution_id INTEGER NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
  cidr TEXT NOT NULL,
  PRIMARY KEY (institution_id, cidr)
) WITHOUT ROWID;

CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  hits INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
  day TEXT NOT NULL,
  article_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  reader_state TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, article_id, kind, reader_state)
) WITHOUT ROWID;
CREATE INDEX events_by_article ON events (article_id, day);
)SQL"},
      {3, "newsletter switches", R"SQL(
-- One row per switch a reader has touched; no row means the newsletter's default (on).
CREATE TABLE newsletter_prefs (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  newsletter TEXT NOT NULL CHECK (newsletter IN ('daily', 'weekly', 'free')),
  enabled INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, newsletter)
) WITHOUT ROWID;
)SQL"},
      {4, "full-text search index", R"SQL(
-- Public and gated body text live in separate columns so that readers who may not read
-- the gated part can be limited to public columns. Filled from the articles by the
-- store at start-up (reindex) and kept in step in every article write.
CREATE VIRTUAL TABLE search_index USING fts5 (
  headline, dek, public_body, gated_body, people, places,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
)SQL"},
      {5, "search vocabulary", R"SQL(
-- Per-column document frequencies, for choosing query-expansion terms.
CREATE VIRTUAL TABLE search_vocab USING fts5vocab (search_index, col);
)SQL"},
      {6, "covering index for listings", R"SQL(
-- Listing, counting and visibility checks read only these columns. Without a covering
-- index SQLite walks the article rows, whose large body columns come first, and a scan
-- at 50,000 articles costs a quarter of a second.
CREATE INDEX articles_listing ON articles (published_at, status, type, featured, updated_at);
)SQL"},
      {7, "covering index for article summaries", R"SQL(
-- Summaries (cards, search results) read only these columns; the large body columns come
-- first in each row, so reading a summary from the table walks its overflow pages.
CREATE INDEX articles_summary ON articles (id, slug, headline, dek, type, access, status,
  featured, published_at, updated_at, word_count);
)SQL"},
      {8, "newsletter editions and the delivery queue", R"SQL(
CREATE TABLE editions (
  id INTEGER PRIMARY KEY,
  newsletter TEXT NOT NULL CHECK (newsletter IN ('daily', 'weekly', 'free')),
  key TEXT NOT NULL,          -- YYYY-MM-DD (daily, free) or YYYY-Www (weekly)
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (newsletter, key)
);
-- One row per (edition, reader): the primary key is what makes a second send impossible.
CREATE TABLE deliveries (
  edition_id INTEGER NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  sent_at INTEGER,
  PRIMARY KEY (edition_id, member_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_pending ON deliveries (edition_id, status, next_attempt_at);
ALTER TABLE members ADD COLUMN hard_bounces INTEGER NOT NULL DEFAULT 0;
)SQL"},
      {9, "the back office: owners, hero images, revisions, settings, edition sections", R"SQL(
ALTER TABLE articles ADD COLUMN hero_image TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN created_by INTEGER REFERENCES members (id) ON DELETE SET NULL;
CREATE INDEX articles_by_owner ON articles (created_by);
-- Every save from the editor, as the article's JSON line (docs/import-format.md).
CREATE TABLE revisions (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  member_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
  saved_at INTEGER NOT NULL,
  action TEXT NOT NULL,       -- "save", "publish", "schedule", "unpublish", "restore"
  snapshot TEXT NOT NULL
);
CREATE INDEX revisions_by_article ON revisions (article_id, id);
-- Settings edited in the back office; they override meridian.toml.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('settings_version', '0');
-- The newsletter desk: editor-written sections and the order and notes of automatic
-- items for one edition not yet sent, as JSON; the edition is composed from it.
CREATE TABLE edition_drafts (
  newsletter TEXT NOT NULL,
  key TEXT NOT NULL,
  date TEXT NOT NULL,         -- the local day the edition is for (YYYY-MM-DD)
  draft TEXT NOT NULL,
  scheduled_at INTEGER,
  updated_at INTEGER NOT NULL,
  updated_by INTEGER REFERENCES members (id) ON DELETE SET NULL,
  PRIMARY KEY (newsletter, key)
) WITHOUT ROWID;
)SQL"},
      {10, "email change links", R"SQL(
-- A link may now confirm a new address; SQLite cannot widen a CHECK in place.
CREATE TABLE links_new (
  token_hash TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('signin', 'verify', 'email')),
  next TEXT NOT NULL DEFAULT '/',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  new_email TEXT              -- purpose 'email': the address to change to
) WITHOUT ROWID;
INSERT INTO links_new (token_hash, member_id, purpose, next, created_at, expires_at, used_at)
  SELECT token_hash, member_id, purpose, next, created_at, expires_at, used_at FROM links;
DROP TABLE links;
ALTER TABLE links_new RENAME TO links;
)SQL"},
      {11, "account mail queue", R"SQL(
CREATE TABLE mail_queue (
  id INTEGER PRIMARY KEY,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at);
)SQL"},
      {12, "proven sessions, approved address changes", R"SQL(
-- A session made before anyone proved the address (registration from the wall) is not
-- proven and never carries a role or access. Sessions of accounts still unconfirmed are
-- exactly those; passwords on them were set by someone who had not proven the address.
ALTER TABLE sessions ADD COLUMN proven INTEGER NOT NULL DEFAULT 1;
UPDATE sessions SET proven = 0
  WHERE member_id IN (SELECT id FROM members WHERE verified_at IS NULL);
UPDATE members SET password_hash = NULL WHERE verified_at IS NULL;
-- The current address of a privileged account approves a change of address first.
CREATE TABLE links_new (
  token_hash TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('signin', 'verify', 'email', 'email-approve')),
  next TEXT NOT NULL DEFAULT '/',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  new_email TEXT,             -- 'email', 'email-approve': the address to change to
  approved INTEGER NOT NULL DEFAULT 0  -- 'email': the current address approved it
) WITHOUT ROWID;
INSERT INTO links_new (token_hash, member_id, purpose, next, created_at, expires_at, used_at,
                       new_email)
  SELECT token_hash, member_id, purpose, next, created_at, expires_at, used_at, new_email
  FROM links;
DROP TABLE links;
ALTER TABLE links_new RENAME TO links;
CREATE INDEX links_by_member ON links (member_id);
UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'members_version';
)SQL"},
      {13, "account mail that failed for good is kept", R"SQL(
-- Set when the mail server refused a message for good: the fingerprint of the mail
-- configuration it failed under. Such mail waits (shown in /admin) and is sent again
-- once the configuration changes.
ALTER TABLE mail_queue ADD COLUMN failed_config TEXT;
)SQL"},
      {14, "the teaser setting each article was cut with", R"SQL(
-- NULL: unknown (cut before this column); a change of the setting re-cuts, in the
-- background, every article cut otherwise.
ALTER TABLE articles ADD COLUMN cut_paragraphs INTEGER;
)SQL"},
      {15, "billing: Stripe subscriptions, payments, seats, gifts, events", R"SQL(
-- Access bought through Stripe (own subscription, a group seat, redeemed gifts): the
-- billing store recomputes it whenever billing rows change. comp_until stays the grant.
ALTER TABLE members ADD COLUMN paid_until INTEGER;
CREATE TABLE billing_customers (
  member_id INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
  customer_id TEXT NOT NULL UNIQUE
);
CREATE TABLE billing_checkouts (
  session_id TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('subscription', 'gift')),
  plan_id TEXT NOT NULL DEFAULT '',
  browser TEXT NOT NULL DEFAULT '',
  next TEXT NOT NULL DEFAULT '/',
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE billing_subscriptions (
  id TEXT PRIMARY KEY,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  customer_id TEXT NOT NULL,
  plan_id TEXT NOT NULL DEFAULT '',
  price_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  quantity INTEGER NOT NULL DEFAULT 1,
  period_end INTEGER NOT NULL DEFAULT 0,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  cancel_at INTEGER,
  ended_at INTEGER,
  refunded_at INTEGER,
  unit_amount INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT '',
  interval TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT 0,
  access_until INTEGER,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX billing_subscriptions_by_member ON billing_subscriptions (member_id);
CREATE TABLE billing_payments (
  id TEXT PRIMARY KEY,
  member_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
  subscription_id TEXT NOT NULL DEFAULT '',
  payment_intent TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  refunded INTEGER NOT NULL DEFAULT 0,
  url TEXT NOT NULL DEFAULT '',
  paid_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX billing_payments_by_member ON billing_payments (member_id, paid_at);
CREATE INDEX billing_payments_by_intent ON billing_payments (payment_intent);
CREATE TABLE billing_seats (
  id INTEGER PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES billing_subscriptions (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  member_id INTEGER REFERENCES members (id) ON DELETE CASCADE,
  invited_at INTEGER NOT NULL,
  accepted_at INTEGER,
  removed_at INTEGER
);
CREATE INDEX billing_seats_by_subscription ON billing_seats (subscription_id);
CREATE INDEX billing_seats_by_member ON billing_seats (member_id);
CREATE TABLE billing_gifts (
  id INTEGER PRIMARY KEY,
  checkout_session TEXT NOT NULL UNIQUE,
  buyer_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
  recipient_email TEXT NOT NULL,
  recipient_name TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  months INTEGER NOT NULL,
  deliver_at INTEGER NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  payment_intent TEXT NOT NULL DEFAULT '',
  paid_at INTEGER,
  sent_at INTEGER,
  redeemed_by INTEGER REFERENCES members (id) ON DELETE SET NULL,
  redeemed_at INTEGER,
  starts_at INTEGER NOT NULL DEFAULT 0,
  ends_at INTEGER NOT NULL DEFAULT 0,
  refunded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX billing_gifts_due ON billing_gifts (deliver_at) WHERE sent_at IS NULL;
CREATE TABLE billing_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  result TEXT NOT NULL,
  received_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX billing_events_recent ON billing_events (received_at);
CREATE TABLE billing_notices (
  key TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
)SQL"},
      {16, "admin API tokens and their audit log", R"SQL(
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE TABLE api_audit (
  id INTEGER PRIMARY KEY,
  token_id INTEGER NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX api_audit_by_token ON api_audit (token_id, at);
)SQL"},
      {17, "outgoing webhooks", R"SQL(
CREATE TABLE webhook_endpoints (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  endpoint_id INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE TABLE webhook_cursors (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)SQL"},
      {18, "webhook deliveries once per happening", R"SQL(
ALTER TABLE webhook_deliveries ADD COLUMN once_key TEXT;
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, once_key);
)SQL"},
      {19, "event journal generations stored", R"SQL(
CREATE TABLE event_flushes (
  source TEXT PRIMARY KEY,
  generation INTEGER NOT NULL
);
)SQL"},
      {20, "redirects from old addresses", R"SQL(
CREATE TABLE redirects (
  from_path TEXT PRIMARY KEY,
  to_path TEXT NOT NULL,
  origin TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
)SQL"},
      {21, "what imports from WordPress and Ghost brought in", R"SQL(
CREATE TABLE import_sources (
  origin TEXT NOT NULL,
  source_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  digest TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (origin, source_id)
);
)SQL"},
      {22, "static pages", R"SQL(
CREATE TABLE pages (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  parent_id INTEGER REFERENCES pages (id),
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  published INTEGER NOT NULL,
  footer INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)SQL"},
      {23, "hero image text and search-engine fields of articles", R"SQL(
ALTER TABLE articles ADD COLUMN hero_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN hero_caption TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN hero_credit TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
)SQL"},
      {24, "staff notes about members", R"SQL(
CREATE TABLE member_notes (
  member_id INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
  note TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)SQL"},
      {25, "terms found by name", R"SQL(
CREATE INDEX terms_by_name ON terms (kind, name);
)SQL"},
      {26, "authors' biographies", R"SQL(
CREATE TABLE term_bios (
  term_id INTEGER PRIMARY KEY REFERENCES terms (id) ON DELETE CASCADE,
  bio TEXT NOT NULL
);
)SQL"},
      {27, "the personal curator: follows, saved articles, reading history, alerts", R"SQL(
CREATE TABLE follows (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  term_id INTEGER NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
  alert TEXT NOT NULL DEFAULT 'none' CHECK (alert IN ('none', 'instant', 'daily')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, term_id)
);
CREATE INDEX follows_by_term ON follows (term_id);
CREATE TABLE saved_articles (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  saved_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, article_id)
);
CREATE INDEX saved_by_time ON saved_articles (member_id, saved_at);
CREATE TABLE reading_history (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  opened_at INTEGER NOT NULL,
  read_fully INTEGER NOT NULL,
  PRIMARY KEY (member_id, article_id)
);
CREATE INDEX history_by_time ON reading_history (member_id, opened_at);
CREATE TABLE curator_prefs (
  member_id INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
  keep_history INTEGER NOT NULL
);
CREATE TABLE alerts_sent (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, article_id)
);
-- Ranking reads these facts newest first without touching the rows (whose body columns
-- come first: reading a row walks its overflow pages).
CREATE INDEX articles_facts ON articles (published_at, status, type, word_count);
)SQL"},
      {28, "the articles' bin", R"SQL(
-- A deleted article waits here for 30 days as a draft (seen nowhere), restorable to the
-- status it had.
CREATE TABLE article_bin (
  article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
  status_before TEXT NOT NULL,
  binned_at INTEGER NOT NULL,
  binned_by INTEGER REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX article_bin_by_time ON article_bin (binned_at);
)SQL"},
      {29, "the static pages' bin", R"SQL(
-- A deleted page waits here for 30 days unpublished and out of the footer, restorable as
-- it was.
CREATE TABLE page_bin (
  page_id INTEGER PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
  published_before INTEGER NOT NULL,
  footer_before INTEGER NOT NULL,
  binned_at INTEGER NOT NULL
);
)SQL"},
  };
  return kMigrations;
}

}  // namespace store::sqlite
