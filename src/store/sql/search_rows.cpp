#include "store/sql/search_rows.h"

#include <unordered_map>

#include "core/time.h"
#include "store/sql/article_rows.h"

namespace store::sql {

using content::TermKind;

std::shared_ptr<search::Catalog> read_catalog(Connection& c, const std::string& tz,
                                              long long version) {
  auto cat = std::make_shared<search::Catalog>();
  cat->version = version;
  cat->timezone = tz;
  long long articles = 0;
  {
    auto n = c.prepare("SELECT COUNT(*) FROM articles");
    if (n->step()) articles = n->int64(0);
  }
  // Dense up to twice the number of articles (and a margin); sparse beyond.
  const long long dense_limit = 2 * articles + 1024;
  {
    auto s = c.prepare("SELECT id, COALESCE(published_at, 0), type, status FROM articles");
    while (s->step()) {
      search::DocMeta m;
      m.id = s->int64(0);
      m.published_at = s->int64(1);
      m.type = content::parse_article_type(s->text(2)).value_or(m.type);
      m.draft = s->text(3) == "draft";
      m.year = core::local_date(m.published_at, tz).year;
      cat->add(std::move(m), dense_limit);
    }
  }
  std::unordered_map<long long, int> term_index;
  {
    auto s = c.prepare("SELECT id, kind, slug, name FROM terms WHERE kind != 'author'");
    while (s->step()) {
      term_index[s->int64(0)] = static_cast<int>(cat->terms.size());
      cat->terms.push_back(content::Term{parse_kind(s->text(1)), s->text(2), s->text(3)});
    }
  }
  {
    auto s = c.prepare("SELECT article_id, term_id FROM article_terms");
    while (s->step()) {
      auto* doc = const_cast<search::DocMeta*>(cat->find(s->int64(0)));
      auto term = term_index.find(s->int64(1));
      if (!doc || term == term_index.end()) continue;
      auto& list = cat->terms[static_cast<std::size_t>(term->second)].kind == TermKind::kTopic
                       ? doc->topics
                       : doc->countries;
      list.push_back(term->second);
    }
  }
  return cat;
}

std::vector<std::optional<content::ArticleSummary>> read_summaries(
    Connection& c, const std::vector<long long>& ids, const char* articles) {
  std::vector<std::optional<content::ArticleSummary>> out(ids.size());
  if (ids.empty()) return out;
  std::unordered_map<long long, content::ArticleSummary*> by_id;
  std::string list = json_ids(ids);
  std::unordered_map<long long, std::size_t> position;
  for (std::size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
  {
    // The whole page in one read.
    auto s = c.prepare(std::string("SELECT ") + kSummaryColumns + " FROM " + articles +
                       " WHERE a.id IN (" + c.id_list(1) + ")");
    s->bind(1, list);
    while (s->step()) {
      auto summary = read_summary(*s);
      auto it = position.find(summary.id);
      if (it == position.end()) continue;
      out[it->second] = std::move(summary);
      by_id[it->first] = &*out[it->second];
    }
  }
  // Authors, topics and countries of the whole page in one read.
  auto s = c.prepare(
      "SELECT at.article_id, t.kind, t.slug, t.name FROM article_terms at "
      "JOIN terms t ON t.id = at.term_id "
      "WHERE at.article_id IN (" + c.id_list(1) + ") "
      "ORDER BY at.article_id, at.position");
  s->bind(1, list);
  while (s->step()) {
    auto it = by_id.find(s->int64(0));
    if (it == by_id.end()) continue;
    content::Term t{parse_kind(s->text(1)), s->text(2), s->text(3)};
    auto& a = *it->second;
    auto& dest = t.kind == TermKind::kAuthor    ? a.authors
                 : t.kind == TermKind::kCountry ? a.countries
                                                : a.topics;
    dest.push_back(std::move(t));
  }
  return out;
}

}  // namespace store::sql
