// The back office's storage: articles by id in any status, their revisions, the
// taxonomy, and settings edited in the browser. Same threading and error rules as
// store/store.h (writes return Result, reads throw StoreError).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "content/article.h"
#include "core/clock.h"
#include "core/result.h"

namespace store {

struct EditableArticle {
  long long id = 0;
  content::ArticleInput input;
  std::optional<long long> created_by;  // the staff member who created it in the editor
  core::UnixTime created_at = 0;
};

struct ArticleRow {
  long long id = 0;
  std::string slug, headline;
  content::Status status = content::Status::kDraft;
  content::AccessClass access = content::AccessClass::kMetered;
  std::optional<core::UnixTime> published_at;
  core::UnixTime updated_at = 0;
  bool featured = false;
  std::optional<long long> created_by;
  std::string authors;  // names, comma-separated
};

// An article in the bin (deleted, restorable for 30 days).
struct BinnedArticle {
  long long id = 0;
  std::string slug, headline;
  content::Status status_before = content::Status::kDraft;
  core::UnixTime binned_at = 0;
  std::string binned_by;  // the staff member's email ("" once they are gone)
};

struct ArticleFilter {
  std::optional<content::Status> status;
  std::optional<long long> created_by;
  std::string text;  // in the headline or slug
  bool featured_only = false;
  int limit = 50;
  int offset = 0;
};

struct Revision {
  long long id = 0;
  long long article_id = 0;
  std::optional<long long> member_id;
  std::string member_email;
  core::UnixTime saved_at = 0;
  std::string action;    // "save", "publish", "schedule", "unpublish", "restore"
  std::string snapshot;  // the article as a JSON line (docs/import-format.md)
};

class EditorialStore {
 public:
  virtual ~EditorialStore() = default;

  virtual std::optional<EditableArticle> article(long long id) = 0;
  struct Title {
    std::string slug, headline;
  };
  // Slugs and headlines of these articles (any status), in one read; unknown ids are
  // left out.
  virtual std::map<long long, Title> titles(const std::vector<long long>& ids) = 0;
  virtual std::vector<ArticleRow> list(const ArticleFilter& filter, int& total) = 0;
  // Writes the article (a new one when id is 0), its terms, its search entry and a
  // revision in one transaction; kConflict when another article has the slug.
  virtual core::Result<long long> save(long long id, const content::StoredArticle& stored,
                                       const std::string& action, const std::string& snapshot,
                                       long long member_id, core::UnixTime now) = 0;
  virtual std::vector<Revision> revisions(long long article_id) = 0;
  virtual std::optional<Revision> revision(long long revision_id) = 0;
  virtual bool slug_taken(const std::string& slug, long long except_id) = 0;

  // Every term of a kind with its count of articles in any status.
  virtual std::vector<content::TermCount> terms(content::TermKind kind) = 0;
  virtual core::Result<void> create_term(content::TermKind kind, const std::string& name) = 0;
  // Sets the term's biography or description ("" removes it); kNotFound for an unknown slug.
  virtual core::Result<void> set_term_bio(content::TermKind kind, const std::string& slug,
                                          const std::string& bio) = 0;
  // The slug the term named `name` has, or will have once an article names it: an
  // import keeps the source's slug (`slug`, e.g. a WordPress category's nicename) for a
  // term that is new here. A term of that name keeps its slug; a `slug` another term holds
  // is not taken (the term then gets the name's own slug, as any new term). With `create`,
  // a new term is made now with `slug` (articles naming it then find it by name).
  virtual core::Result<std::string> adopt_term(content::TermKind kind, const std::string& name,
                                               const std::string& slug, bool create) = 0;
  // kNotFound for an unknown slug; the slug stays (links keep working).
  virtual core::Result<void> rename_term(content::TermKind kind, const std::string& slug,
                                         const std::string& name) = 0;
  // Moves every article of `from` to `into` and deletes `from`; rebuilds search entries.
  virtual core::Result<int> merge_terms(content::TermKind kind, const std::string& from,
                                        const std::string& into) = 0;
  virtual core::Result<void> set_featured(long long id, bool featured) = 0;

  // The bin. bin_article makes the article a draft (seen nowhere: site, search, feeds,
  // sitemaps, newsletters) and remembers its status; list() leaves binned articles out.
  // kNotFound: no such article; kConflict: already in the bin.
  virtual core::Result<void> bin_article(long long id, long long member_id, core::UnixTime now) = 0;
  // Back to the status it had. kNotFound when it is not in the bin.
  virtual core::Result<void> restore_binned(long long id) = 0;
  virtual bool is_binned(long long id) = 0;
  virtual std::vector<BinnedArticle> binned() = 0;  // newest first
  // Deletes for good what was binned before `before` (one id: only that one, if binned);
  // returns how many.
  virtual core::Result<int> purge_bin(core::UnixTime before, long long only_id = 0) = 0;

  virtual std::map<std::string, std::string> settings() = 0;
  // Replaces the given keys (others stay) and bumps the settings version.
  virtual core::Result<void> save_settings(const std::map<std::string, std::string>& values,
                                           core::UnixTime now) = 0;
  virtual long long settings_version() = 0;
};

}  // namespace store
