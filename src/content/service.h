// Content use cases shared by the CLI and the web layer: import and export in
// Meridian's JSON Lines format, rendering articles for storage, and the demo.
// Thread-safe as long as the Store is.
#pragma once

#include <ostream>
#include <string_view>

#include "content/article.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace content {

struct ImportReport {
  int created = 0;
  int updated = 0;
};

class ContentService {
 public:
  ContentService(store::ContentStore& store, const core::Clock& clock, int teaser_paragraphs)
      : store_(store), clock_(clock), teaser_paragraphs_(teaser_paragraphs) {}

  // Renders Markdown once and splits it at the paywall cut.
  StoredArticle render(const ArticleInput& input) const;

  // All-or-nothing: a bad line fails the whole file and nothing is written.
  // The whole file is checked first (a bad line imports nothing); it is then written in
  // transactions of kImportBatch articles, so requests never wait long behind an import.
  core::Result<ImportReport> import_jsonl(std::string_view text);
  core::Result<ImportReport> import_articles(const std::vector<ArticleInput>& articles);
  static constexpr std::size_t kImportBatch = 250;
  // Writes every article as JSON Lines; returns how many.
  int export_jsonl(std::ostream& out);

  // Renders every article again (after the teaser length changed); returns how many.
  core::Result<int> rerender_all();

  // Fills an empty store with the demo publication; returns articles created (0 if
  // the store already had content).
  core::Result<int> load_demo_if_empty();

 private:
  store::ContentStore& store_;
  const core::Clock& clock_;
  int teaser_paragraphs_;
};

}  // namespace content
