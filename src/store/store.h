// The storage interface. Code above it never knows which database is underneath
// (SQLite now, PostgreSQL later); only src/app picks the implementation.
//
// Threading: a Store is shared by all request threads; implementations are
// thread-safe. Writes are transactional and return Result; read failures (a broken
// disk, a corrupt file) are exceptional and throw StoreError.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "content/article.h"
#include "core/clock.h"
#include "core/result.h"

namespace store {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
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

class Store {
 public:
  virtual ~Store() = default;

  // Creates or updates articles by slug, all in one transaction: either every
  // article is written or none is.
  virtual core::Result<UpsertStats> upsert_articles(
      const std::vector<content::StoredArticle>& articles, core::UnixTime now) = 0;

  // Any status. The gated half is loaded only when with_gated is true.
  virtual std::optional<content::Article> find_article(const std::string& slug,
                                                       bool with_gated) = 0;
  virtual ArticleList list_articles(const ArticleQuery& query) = 0;
  // Visible articles sharing topics/countries with the given one, best first.
  virtual std::vector<content::ArticleSummary> related_articles(long long article_id,
                                                                core::UnixTime now,
                                                                int limit) = 0;
  // Terms with their count of visible articles (terms with none are left out).
  virtual std::vector<content::TermCount> list_terms(content::TermKind kind,
                                                     core::UnixTime now) = 0;
  virtual std::optional<content::Term> find_term(content::TermKind kind,
                                                 const std::string& slug) = 0;
  // Publication times of all visible articles (for the archive index).
  virtual std::vector<core::UnixTime> published_times(core::UnixTime now) = 0;
  // Every article, any status, in publication order, as its editable input.
  virtual void for_each_article(const std::function<void(const content::ArticleInput&)>& fn) = 0;
  virtual int count_articles() = 0;

  // Changes whenever content changes, also by another process on the same data.
  virtual long long content_version() = 0;
  // When the next scheduled article becomes visible, if any (caches expire then).
  virtual std::optional<core::UnixTime> next_publication_after(core::UnixTime now) = 0;
  // The latest update time among visible articles.
  virtual core::UnixTime last_modified(core::UnixTime now) = 0;

  virtual int schema_version() = 0;
};

}  // namespace store
