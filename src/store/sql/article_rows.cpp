#include "store/sql/article_rows.h"

#include "core/text.h"

namespace store::sql {

using content::TermKind;

TermKind parse_kind(const std::string& s) {
  if (s == "country") return TermKind::kCountry;
  if (s == "author") return TermKind::kAuthor;
  return TermKind::kTopic;
}

content::ArticleSummary read_summary(Statement& s) {
  content::ArticleSummary a;
  a.id = s.int64(0);
  a.slug = s.text(1);
  a.headline = s.text(2);
  a.dek = s.text(3);
  a.type = content::parse_article_type(s.text(4)).value_or(content::ArticleType::kAnalysis);
  a.access = content::parse_access_class(s.text(5)).value_or(content::AccessClass::kMetered);
  a.status = content::parse_status(s.text(6)).value_or(content::Status::kDraft);
  a.featured = s.integer(7) != 0;
  a.published_at = s.int64(8);
  a.updated_at = s.int64(9);
  a.word_count = s.integer(10);
  a.hero_image = s.text(11);
  return a;
}

void load_terms(Connection& c, content::ArticleSummary& a) {
  auto s = c.prepare(
      "SELECT t.kind, t.slug, t.name FROM article_terms at JOIN terms t ON t.id = at.term_id "
      "WHERE at.article_id = ?1 ORDER BY at.position");
  s->bind(1, static_cast<std::int64_t>(a.id));
  while (s->step()) {
    content::Term t{parse_kind(s->text(0)), s->text(1), s->text(2)};
    auto& list = t.kind == TermKind::kAuthor    ? a.authors
                 : t.kind == TermKind::kCountry ? a.countries
                                                : a.topics;
    list.push_back(std::move(t));
  }
}

std::int64_t ensure_term(Connection& c, TermKind kind, const std::string& name) {
  std::string slug = core::slugify(name);
  {
    // By name first: a term made with a slug of its own (an import kept the source's,
    // e.g. "Template" at template-2 beside the tag "template" at template).
    auto s = c.prepare("SELECT id FROM terms WHERE kind = ?1 AND name = ?2");
    s->bind(1, content::to_string(kind)).bind(2, name);
    if (s->step()) return s->int64(0);
  }
  {
    auto s = c.prepare("SELECT id FROM terms WHERE kind = ?1 AND slug = ?2");
    s->bind(1, content::to_string(kind)).bind(2, slug);
    if (s->step()) return s->int64(0);
  }
  auto s = c.prepare("INSERT INTO terms (kind, slug, name) VALUES (?1, ?2, ?3) RETURNING id");
  s->bind(1, content::to_string(kind)).bind(2, slug).bind(3, name);
  if (!s->step()) throw StoreError("no id for a new term");
  return s->int64(0);
}

void load_term_names(Connection& c, long long id, content::ArticleInput& in) {
  auto s = c.prepare(
      "SELECT t.kind, t.name FROM article_terms at JOIN terms t ON t.id = at.term_id "
      "WHERE at.article_id = ?1 ORDER BY at.position");
  s->bind(1, static_cast<std::int64_t>(id));
  while (s->step()) {
    auto kind = parse_kind(s->text(0));
    auto& list = kind == TermKind::kAuthor    ? in.authors
                 : kind == TermKind::kCountry ? in.countries
                                              : in.topics;
    list.push_back(s->text(1));
  }
}

content::ArticleInput read_input(Statement& s, int col) {
  content::ArticleInput in;
  in.slug = s.text(col);
  in.headline = s.text(col + 1);
  in.dek = s.text(col + 2);
  in.body_md = s.text(col + 3);
  in.type = content::parse_article_type(s.text(col + 4)).value_or(in.type);
  in.access = content::parse_access_class(s.text(col + 5)).value_or(in.access);
  in.status = content::parse_status(s.text(col + 6)).value_or(in.status);
  in.featured = s.integer(col + 7) != 0;
  if (!s.is_null(col + 8)) in.published_at = s.int64(col + 8);
  in.updated_at = s.int64(col + 9);
  in.corrections = s.text(col + 10);
  in.hero_image = s.text(col + 11);
  in.hero_alt = s.text(col + 12);
  in.hero_caption = s.text(col + 13);
  in.hero_credit = s.text(col + 14);
  in.seo_title = s.text(col + 15);
  in.seo_description = s.text(col + 16);
  return in;
}

long long write_article(Connection& c, std::optional<long long> id,
                        const content::StoredArticle& stored, core::UnixTime now,
                        std::optional<long long> created_by) {
  const auto& in = stored.input;
  core::UnixTime updated = in.updated_at.value_or(id ? now : in.published_at.value_or(now));
  auto bind = [&](Statement& s) {
    s.bind(1, in.slug)
        .bind(2, in.headline)
        .bind(3, in.dek)
        .bind(4, in.body_md)
        .bind(5, stored.teaser_html)
        .bind(6, stored.gated_html)
        .bind(7, stored.word_count)
        .bind(8, content::to_string(in.type))
        .bind(9, content::to_string(in.access))
        .bind(10, content::to_string(in.status))
        .bind(11, in.featured ? 1 : 0)
        .bind(12, in.published_at)
        .bind(13, static_cast<std::int64_t>(updated))
        .bind(14, in.corrections)
        .bind(15, in.hero_image)
        .bind(16, in.hero_alt)
        .bind(17, in.hero_caption)
        .bind(18, in.hero_credit)
        .bind(19, in.seo_title)
        .bind(20, in.seo_description);
  };
  if (id) {
    auto s = c.prepare(
        "UPDATE articles SET slug=?1, headline=?2, dek=?3, body_md=?4, teaser_html=?5, "
        "gated_html=?6, word_count=?7, type=?8, access=?9, status=?10, featured=?11, "
        "published_at=?12, updated_at=?13, corrections=?14, hero_image=?15, hero_alt=?16, "
        "hero_caption=?17, hero_credit=?18, seo_title=?19, seo_description=?20 WHERE id=?21");
    bind(*s);
    s->bind(21, static_cast<std::int64_t>(*id));
    s->run();
  } else {
    auto s = c.prepare(
        "INSERT INTO articles (slug, headline, dek, body_md, teaser_html, gated_html, "
        "word_count, type, access, status, featured, published_at, updated_at, "
        "corrections, hero_image, hero_alt, hero_caption, hero_credit, seo_title, "
        "seo_description, created_at, created_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22) RETURNING id");
    bind(*s);
    s->bind(21, static_cast<std::int64_t>(now)).bind(22, created_by);
    if (!s->step()) throw StoreError("no id for a new article");
    id = s->int64(0);
  }
  {
    // Which teaser setting this cut was made with (Recut finds the ones made otherwise).
    auto s = c.prepare("UPDATE articles SET cut_paragraphs = NULLIF(?2, 0) WHERE id = ?1");
    s->bind(1, static_cast<std::int64_t>(*id)).bind(2, stored.teaser_paragraphs);
    s->run();
  }
  {
    auto s = c.prepare("DELETE FROM article_terms WHERE article_id = ?1");
    s->bind(1, static_cast<std::int64_t>(*id));
    s->run();
  }
  int position = 0;
  auto link = [&](TermKind kind, const std::vector<std::string>& names) {
    for (const auto& name : names) {
      auto term_id = ensure_term(c, kind, name);
      auto s = c.prepare(
          "INSERT INTO article_terms (article_id, term_id, position) "
          "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
      s->bind(1, static_cast<std::int64_t>(*id)).bind(2, term_id).bind(3, position++);
      s->run();
    }
  };
  link(TermKind::kAuthor, in.authors);
  link(TermKind::kTopic, in.topics);
  link(TermKind::kCountry, in.countries);
  c.index_article(*id, stored);
  return *id;
}

IndexedText indexed_text(const content::StoredArticle& stored) {
  const auto& in = stored.input;
  bool free = in.access == content::AccessClass::kFree;
  std::string teaser = core::strip_tags(stored.teaser_html);
  std::string gated = core::strip_tags(stored.gated_html);
  IndexedText t;
  t.headline = in.headline;
  t.dek = in.dek;
  t.public_body = free ? teaser + " " + gated : teaser;
  if (!free) t.gated_body = std::move(gated);
  for (const auto& a : in.authors) t.people += a + " ";
  for (const auto& x : in.topics) t.places += x + " ";
  for (const auto& x : in.countries) t.places += x + " ";
  return t;
}

void reindex_article(Connection& c, long long id) {
  content::StoredArticle a;
  {
    auto s = c.prepare(
        "SELECT headline, dek, teaser_html, gated_html, access FROM articles WHERE id = ?1");
    s->bind(1, static_cast<std::int64_t>(id));
    if (!s->step()) return;
    a.input.headline = s->text(0);
    a.input.dek = s->text(1);
    a.teaser_html = s->text(2);
    a.gated_html = s->text(3);
    a.input.access =
        content::parse_access_class(s->text(4)).value_or(content::AccessClass::kMetered);
  }
  load_term_names(c, id, a.input);
  c.index_article(id, a);
}

}  // namespace store::sql
