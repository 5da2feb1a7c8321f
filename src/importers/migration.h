// What every import from another system shares (WordPress, Ghost): items in a neutral
// shape, the plan that decides each one's slug and whether it is new, changed or
// unchanged since the last import of the same source, and the writer that stores them in
// batches with their old addresses as redirects. An importer reads its file twice: once to
// check it whole and plan (nothing is written if the file is refused), once to write.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "content/article.h"
#include "content/service.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/import_store.h"
#include "store/redirect_store.h"
#include "store/store.h"

namespace importers {

enum class ItemKind { kArticle, kPage };

// One post or page of the source, converted. A page (a static page here, pages/pages.h)
// uses the input's headline, dek (its description), body and status (draft or not).
struct SourceItem {
  std::string source_id;  // unique within the source, e.g. "post:22"
  ItemKind kind = ItemKind::kArticle;
  content::ArticleInput input;  // slug left empty: the plan gives it
  std::vector<std::string> old_addresses;  // paths (and queries) it answered at before
  std::string parent_source_id;  // a page's parent page, when it has one
};

struct ImportSummary {
  std::string format;  // "WordPress (WXR 1.2)", "Ghost 5.130.6"
  int created = 0, updated = 0, unchanged = 0;
  int articles = 0, pages = 0, members = 0;
  std::set<std::string> authors, topics, countries;
  int redirects = 0;
  std::map<std::string, int> skipped;  // why → how many
  std::vector<std::string> notes;      // things an operator should know (left-behind images…)
  int images = 0;                      // featured images brought over as hero images
  std::vector<std::string> images_left;  // featured images not brought over (why)
  int pictures = 0, pictures_left = 0;   // <img> in posts' text copied / left as links
};

class Migration {
 public:
  // `origin` names the source for the import records and the redirects' origin column
  // ("wordpress", "ghost"); `source_key` tells one source of that kind from another (the
  // old site's address). Nothing is written when `dry_run`.
  Migration(store::Store& store, content::ContentService& content, const core::Clock& clock,
            std::string origin, std::string source_key, bool dry_run);

  // Pass 1: the item exists, would like `wanted_slug`, and is `digest` (of its source
  // text and the import's options). Call once per item, in file order. Articles and
  // pages have slugs of their own (/articles/x and /pages/x).
  void plan(const std::string& source_id, const std::string& wanted_slug,
            const std::string& digest, ItemKind kind = ItemKind::kArticle);
  // The slug planned for an item (empty when it was not planned).
  std::string slug_of(const std::string& source_id) const;
  // Whether the item is as the last import left it (its body need not even be converted).
  bool unchanged(const std::string& source_id) const;

  // Pass 2: stores the item (or counts it, on a dry run). Items come in the same order.
  core::Result<void> add(SourceItem item);
  // A term of the source keeps its slug when it is new here (a WordPress category's
  // nicename, a tag's slug, an author's login; Ghost's tag and staff slugs): made so when
  // an imported article first names it.
  void want_term_slug(content::TermKind kind, const std::string& name, const std::string& slug);
  // The page of the term named `name` (e.g. "/topics/world-news"), as the import leaves it.
  std::string term_path(content::TermKind kind, const std::string& name);
  // Redirects that belong to no item (a category's archive, the old feed).
  void add_redirect(const std::string& from, const std::string& to);
  void skip(const std::string& why) { ++summary_.skipped[why]; }
  void note(std::string text) { summary_.notes.push_back(std::move(text)); }
  // Writes what is left; returns the summary.
  core::Result<ImportSummary> finish();

  ImportSummary& summary() { return summary_; }
  static constexpr std::size_t kBatch = 250;

 private:
  struct Planned {
    std::string slug;
    std::string digest;
    bool exists = false;     // recorded by an earlier import and still there
    bool unchanged = false;
  };
  core::Result<void> flush();
  core::Result<void> write_pages();
  core::Result<void> adopt_terms(const content::ArticleInput& input);
  bool slug_taken(ItemKind kind, const std::string& slug);

  store::Store& store_;
  content::ContentService& content_;
  const core::Clock& clock_;
  std::string origin_, record_origin_;
  bool dry_run_;
  std::map<std::string, store::ImportRecord> earlier_;  // by source id
  std::map<std::string, Planned> plan_;
  std::set<std::string> planned_slugs_, planned_page_slugs_;
  std::optional<std::set<std::string>> page_slugs_;  // stored pages', read when first needed
  std::vector<SourceItem> batch_;
  std::vector<std::pair<std::string, SourceItem>> pages_;  // written last: parents first
  std::vector<store::Redirect> redirects_;
  using TermKey = std::pair<content::TermKind, std::string>;  // kind, name
  std::map<TermKey, std::string> wanted_terms_;    // the source's slug
  std::map<TermKey, std::string> resolved_terms_;  // the slug it has here
  std::set<std::string> redirect_from_;
  ImportSummary summary_;
};

// Fits an item into Meridian's limits (content/article.h): a headline, names and lists cut
// to length at a character boundary, names without letters or digits dropped. Returns why
// the item cannot be imported at all ("body over 2 MB"), or "" when it can.
std::string fit_article(content::ArticleInput& input);

// A slug Meridian accepts from the source's (percent-encoded UTF-8, as WordPress keeps
// non-ASCII slugs), else from the title, else `fallback`.
std::string wanted_slug(std::string_view source_slug, std::string_view title,
                        std::string_view fallback);

// The path and query of an address on the old site ("https://old.example/2014/05/x/" →
// "/2014/05/x/"); "" for the front page or what is not an http(s) address.
std::string old_path(std::string_view url);

}  // namespace importers
