#include "store/sqlite/migrations.h"

namespace store::sqlite {

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
  };
  return kMigrations;
}

}  // namespace store::sqlite
