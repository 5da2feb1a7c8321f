// Reading and writing article rows (internal to src/store), shared by the content
// store (imports) and the editorial store (the back office's editor).
#pragma once

#include <optional>
#include <string>

#include "content/article.h"
#include "core/clock.h"
#include "store/sql/db.h"

namespace store::sql {

content::TermKind parse_kind(const std::string& s);

// Columns read by read_summary, in order: use as "SELECT <kSummaryColumns> FROM articles a".
inline constexpr const char* kSummaryColumns =
    "a.id, a.slug, a.headline, a.dek, a.type, a.access, a.status, a.featured, "
    "COALESCE(a.published_at, 0), a.updated_at, a.word_count, a.hero_image";
content::ArticleSummary read_summary(Statement& s);

// An article's authors, topics and countries, in their stored order.
void load_terms(Connection& c, content::ArticleSummary& a);

// The term's id, creating it from the name (slugified) when it does not exist.
std::int64_t ensure_term(Connection& c, content::TermKind kind, const std::string& name);

// Authors, topics and countries of an article by name, in their stored order.
void load_term_names(Connection& c, long long id, content::ArticleInput& in);

// Columns read by read_input, in order, after `id`: use as "SELECT id, <kInputColumns>"
// (17 columns: what follows them starts at index 18).
inline constexpr const char* kInputColumns =
    "slug, headline, dek, body_md, type, access, status, featured, published_at, updated_at, "
    "corrections, hero_image, hero_alt, hero_caption, hero_credit, seo_title, seo_description";
// Fills everything but the terms from a row selected with kInputColumns starting at `col`.
content::ArticleInput read_input(Statement& s, int col);

// Writes one article row (inserting when `id` is empty), its terms and its search-index
// entry; the caller holds the transaction and bumps the content version. Returns the id.
long long write_article(Connection& c, std::optional<long long> id,
                        const content::StoredArticle& stored, core::UnixTime now,
                        std::optional<long long> created_by = std::nullopt);

// The text a search index holds for an article, by column: the gated half of a free
// article counts as public, of any other only as gated (see search/search.h).
struct IndexedText {
  std::string headline, dek, public_body, gated_body, people, places;
};
IndexedText indexed_text(const content::StoredArticle& stored);

// Rewrites one article's search entry from its stored row (after a term changes).
void reindex_article(Connection& c, long long id);


}  // namespace store::sql
