#include "store/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <atomic>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/text.h"
#include "core/time.h"
#include "store/sqlite/article_rows.h"
#include "store/sqlite/guarded.h"
#include "store/sqlite/search_index.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_members.h"

namespace store::sqlite {

using content::AccessClass;
using content::Article;
using content::ArticleSummary;
using content::Term;
using content::TermKind;

namespace {

constexpr const char* kVisible = "a.status != 'draft' AND a.published_at <= ?1";

constexpr const char* kSummaryColumns =
    "a.id, a.slug, a.headline, a.dek, a.type, a.access, a.status, a.featured, "
    "COALESCE(a.published_at, 0), a.updated_at, a.word_count";

ArticleSummary read_summary(Statement& s) {
  ArticleSummary a;
  a.id = s.int64(0);
  a.slug = s.text(1);
  a.headline = s.text(2);
  a.dek = s.text(3);
  a.type = content::parse_article_type(s.text(4)).value_or(content::ArticleType::kAnalysis);
  a.access = content::parse_access_class(s.text(5)).value_or(AccessClass::kMetered);
  a.status = content::parse_status(s.text(6)).value_or(content::Status::kDraft);
  a.featured = s.integer(7) != 0;
  a.published_at = s.int64(8);
  a.updated_at = s.int64(9);
  a.word_count = s.integer(10);
  return a;
}

class SqliteContentStore final : public ContentStore {
 public:
  SqliteContentStore(Pool& pool, ColumnLengths& lengths) : pool_(pool), lengths_(lengths) {}

  core::Result<UpsertStats> upsert_articles(const std::vector<content::StoredArticle>& articles,
                                            core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      UpsertStats stats;
      Transaction tx(*c);
      for (const auto& stored : articles) {
        const auto& in = stored.input;
        std::optional<long long> id;
        {
          auto s = c->prepare("SELECT id FROM articles WHERE slug = ?1");
          s->bind(1, in.slug);
          if (s->step()) id = s->int64(0);
        }
        ++(id ? stats.updated : stats.created);
        write_article(*c, id, stored, now);
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return stats;
    });
  }

  std::optional<Article> find_article(const std::string& slug, bool with_gated) override {
    auto c = pool_.acquire();
    std::optional<Article> out;
    {
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns +
                          ", a.teaser_html, a.corrections, "
                          "CASE WHEN ?2 THEN a.gated_html END, a.hero_image "
                          "FROM articles a WHERE a.slug = ?1");
      s->bind(1, slug).bind(2, with_gated ? 1 : 0);
      if (!s->step()) return std::nullopt;
      Article a;
      a.summary = read_summary(*s);
      a.teaser_html = s->text(11);
      a.corrections = s->text(12);
      if (with_gated) a.gated_html = s->text(13);
      a.hero_image = s->text(14);
      out = std::move(a);
    }
    load_terms(*c, out->summary);
    return out;
  }

  ArticleList list_articles(const ArticleQuery& q) override {
    auto c = pool_.acquire();
    ArticleList list;
    std::string exclude = "[";
    for (std::size_t i = 0; i < q.exclude_ids.size(); ++i) {
      if (i) exclude += ',';
      exclude += std::to_string(q.exclude_ids[i]);
    }
    exclude += ']';
    // Static SQL; optional filters are NULL-able parameters.
    static const std::string kWhere =
        std::string(" WHERE ") + kVisible +
        " AND (?2 IS NULL OR a.type = ?2)"
        " AND (?3 IS NULL OR a.published_at >= ?3)"
        " AND (?4 IS NULL OR a.published_at < ?4)"
        " AND (?5 = 0 OR a.featured = 1)"
        " AND a.id NOT IN (SELECT value FROM json_each(?6))"
        " AND (?7 IS NULL OR a.id IN (SELECT at.article_id FROM article_terms at"
        "  JOIN terms t ON t.id = at.term_id WHERE t.kind = ?7 AND t.slug = ?8))";
    auto bind = [&](Statement& s) {
      s.bind(1, static_cast<std::int64_t>(q.now));
      if (q.type) {
        s.bind(2, content::to_string(*q.type));
      } else {
        s.bind_null(2);
      }
      s.bind(3, q.from);
      s.bind(4, q.to);
      s.bind(5, q.featured_only ? 1 : 0);
      s.bind(6, exclude);
      if (q.term) {
        s.bind(7, content::to_string(q.term->kind));
        s.bind(8, q.term->slug);
      } else {
        s.bind_null(7);
        s.bind_null(8);
      }
    };
    {
      auto s = c->prepare("SELECT COUNT(*) FROM articles a" + kWhere);
      bind(*s);
      if (s->step()) list.total = s->integer(0);
    }
    {
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns + " FROM articles a" + kWhere +
                          " ORDER BY a.published_at DESC, a.id DESC LIMIT ?9 OFFSET ?10");
      bind(*s);
      s->bind(9, q.limit).bind(10, q.offset);
      while (s->step()) list.items.push_back(read_summary(*s));
    }
    for (auto& a : list.items) load_terms(*c, a);
    return list;
  }

  std::vector<ArticleSummary> related_articles(long long article_id, core::UnixTime now,
                                               int limit) override {
    auto c = pool_.acquire();
    std::vector<ArticleSummary> out;
    {
      // Shared topics and countries, discounted by distance in time from this article.
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns +
                          " FROM articles a JOIN ("
                          "  SELECT other.article_id AS id, COUNT(*) AS shared"
                          "  FROM article_terms mine"
                          "  JOIN terms t ON t.id = mine.term_id AND t.kind != 'author'"
                          "  JOIN article_terms other ON other.term_id = mine.term_id"
                          "   AND other.article_id != mine.article_id"
                          "  WHERE mine.article_id = ?2 GROUP BY other.article_id"
                          " ) r ON r.id = a.id"
                          " WHERE " + kVisible +
                          " ORDER BY r.shared / (1.0 + ABS(a.published_at - (SELECT "
                          "  COALESCE(published_at, ?1) FROM articles WHERE id = ?2)) / "
                          "  2592000.0) DESC, a.published_at DESC LIMIT ?3");
      s->bind(1, static_cast<std::int64_t>(now))
          .bind(2, static_cast<std::int64_t>(article_id))
          .bind(3, limit);
      while (s->step()) out.push_back(read_summary(*s));
    }
    for (auto& a : out) load_terms(*c, a);
    return out;
  }

  std::vector<content::TermCount> list_terms(TermKind kind, core::UnixTime now) override {
    auto c = pool_.acquire();
    std::vector<content::TermCount> out;
    auto s = c->prepare(std::string(
                            "SELECT t.slug, t.name, COUNT(*) FROM terms t"
                            " JOIN article_terms at ON at.term_id = t.id"
                            " JOIN articles a ON a.id = at.article_id"
                            " WHERE t.kind = ?2 AND ") +
                        kVisible + " GROUP BY t.id ORDER BY t.name COLLATE NOCASE");
    s->bind(1, static_cast<std::int64_t>(now)).bind(2, content::to_string(kind));
    while (s->step()) {
      out.push_back({Term{kind, s->text(0), s->text(1)}, s->integer(2)});
    }
    return out;
  }

  std::optional<Term> find_term(TermKind kind, const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT slug, name FROM terms WHERE kind = ?1 AND slug = ?2");
    s->bind(1, content::to_string(kind)).bind(2, slug);
    if (!s->step()) return std::nullopt;
    return Term{kind, s->text(0), s->text(1)};
  }

  std::vector<core::UnixTime> published_times(core::UnixTime now) override {
    auto c = pool_.acquire();
    std::vector<core::UnixTime> out;
    auto s = c->prepare(std::string("SELECT a.published_at FROM articles a WHERE ") + kVisible +
                        " ORDER BY a.published_at DESC");
    s->bind(1, static_cast<std::int64_t>(now));
    while (s->step()) out.push_back(s->int64(0));
    return out;
  }

  void for_each_article(const std::function<void(const content::ArticleInput&)>& fn) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, content::ArticleInput>> batch;
    long long after = 0;
    for (;;) {
      batch.clear();
      {
        auto s = c->prepare(
            std::string("SELECT id, ") + kInputColumns +
            " FROM articles WHERE id > ?1 ORDER BY id LIMIT 500");
        s->bind(1, static_cast<std::int64_t>(after));
        while (s->step()) {
          content::ArticleInput in = read_input(*s, 1);
          batch.emplace_back(s->int64(0), std::move(in));
        }
      }
      if (batch.empty()) break;
      for (auto& [id, in] : batch) {
        load_term_names(*c, id, in);
        after = id;
        fn(in);
      }
    }
  }

  int count_cut_otherwise(int paragraphs) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT COUNT(*) FROM articles WHERE cut_paragraphs IS NOT ?1");
    s->bind(1, paragraphs);
    return s->step() ? s->integer(0) : 0;
  }

  std::vector<content::ArticleInput> cut_otherwise(int paragraphs, int limit) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, content::ArticleInput>> rows;
    {
      auto s = c->prepare(std::string("SELECT id, ") + kInputColumns +
                          " FROM articles WHERE cut_paragraphs IS NOT ?1 ORDER BY id LIMIT ?2");
      s->bind(1, paragraphs).bind(2, limit);
      while (s->step()) rows.emplace_back(s->int64(0), read_input(*s, 1));
    }
    std::vector<content::ArticleInput> out;
    for (auto& [id, in] : rows) {
      load_term_names(*c, id, in);
      out.push_back(std::move(in));
    }
    return out;
  }

  int count_articles() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT COUNT(*) FROM articles");
    return s->step() ? s->integer(0) : 0;
  }

  long long content_version() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'content_version'");
    return s->step() ? s->int64(0) : 0;
  }

  std::optional<core::UnixTime> next_publication_after(core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT MIN(published_at) FROM articles WHERE status != 'draft' AND published_at > ?1");
    s->bind(1, static_cast<std::int64_t>(now));
    if (s->step() && !s->is_null(0)) return s->int64(0);
    return std::nullopt;
  }

  // Reads every visible article's index entry, so it is remembered per content version
  // until the next scheduled publication (cache misses ask for it on every page).
  core::UnixTime last_modified(core::UnixTime now) override {
    long long version = content_version();
    {
      std::lock_guard lock(lm_mu_);
      if (lm_version_ == version && now < lm_valid_until_) return lm_value_;
    }
    auto value = last_modified_uncached(now);
    auto next = next_publication_after(now);
    std::lock_guard lock(lm_mu_);
    lm_version_ = version;
    lm_value_ = value;
    lm_valid_until_ = next ? *next : std::numeric_limits<core::UnixTime>::max();
    return value;
  }

  core::UnixTime last_modified_uncached(core::UnixTime now) {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT MAX(MAX(a.updated_at, a.published_at)) FROM "
                                    "articles a WHERE ") +
                        kVisible);
    s->bind(1, static_cast<std::int64_t>(now));
    return s->step() ? s->int64(0) : 0;
  }

  std::optional<long long> article_id(const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT id FROM articles WHERE slug = ?1");
    s->bind(1, slug);
    if (s->step()) return s->int64(0);
    return std::nullopt;
  }

  core::Result<int> reindex() override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      c->exec("DELETE FROM search_index");
      std::vector<std::pair<long long, content::StoredArticle>> batch;
      {
        auto s = c->prepare(
            "SELECT id, headline, dek, teaser_html, gated_html, access FROM articles ORDER BY id");
        while (s->step()) {
          content::StoredArticle a;
          a.input.headline = s->text(1);
          a.input.dek = s->text(2);
          a.teaser_html = s->text(3);
          a.gated_html = s->text(4);
          a.input.access = content::parse_access_class(s->text(5)).value_or(AccessClass::kMetered);
          batch.emplace_back(s->int64(0), std::move(a));
        }
      }
      for (auto& [id, a] : batch) {
        load_term_names(*c, id, a.input);
        index_article(*c, id, a);
      }
      tx.commit();
      return static_cast<int>(batch.size());
    });
  }

  // Rebuilds the index when it does not hold every article (first start after the
  // migration that created it, or an interrupted reindex).
  void ensure_index() {
    auto c = pool_.acquire();
    long long indexed = 0, articles = 0;
    {
      auto s = c->prepare("SELECT COUNT(*) FROM search_index_docsize");  // small rows
      if (s->step()) indexed = s->int64(0);
    }
    {
      auto s = c->prepare("SELECT COUNT(*) FROM articles");
      if (s->step()) articles = s->int64(0);
    }
    if (indexed != articles) {
      if (auto r = reindex(); !r) throw StoreError(r.error().message);
    }
  }

  core::Result<search::SearchResult> search(const search::SearchRequest& req) override {
    return guarded([&] { return run_search(req); });
  }

  std::optional<ArticleRef> article_ref(const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, access, status, COALESCE(published_at, 0) FROM articles WHERE slug = ?1");
    s->bind(1, slug);
    if (!s->step()) return std::nullopt;
    return ArticleRef{s->int64(0),
                      content::parse_access_class(s->text(1)).value_or(AccessClass::kMetered),
                      content::parse_status(s->text(2)).value_or(content::Status::kDraft),
                      s->int64(3)};
  }

  int schema_version() override {
    auto c = pool_.acquire();
    auto s = c->prepare("PRAGMA user_version");
    return s->step() ? s->integer(0) : 0;
  }

 private:
  // What filters and facets need of every article, kept in memory per content version.
  struct DocMeta {
    long long id = 0;
    core::UnixTime published_at = 0;
    content::ArticleType type = content::ArticleType::kAnalysis;
    bool visible_draft = false;  // drafts never match
    int year = 0;
    std::vector<int> topics, countries;  // indexes into terms_
  };
  struct Catalog {
    long long version = -1;
    std::string timezone;
    // Indexed by article id while ids are dense (they are SQLite rowids); id 0 marks an
    // empty slot. Ids far beyond the number of articles go to `sparse` instead, so none
    // is ever left out of search, whatever its size.
    std::vector<DocMeta> docs;
    std::unordered_map<long long, DocMeta> sparse;
    std::size_t count = 0;
    const DocMeta* find(long long id) const {
      if (id > 0 && static_cast<std::size_t>(id) < docs.size()) {
        const auto& d = docs[static_cast<std::size_t>(id)];
        return d.id == 0 ? nullptr : &d;
      }
      auto it = sparse.find(id);
      return it == sparse.end() ? nullptr : &it->second;
    }
    std::vector<Term> terms;
  };

  std::shared_ptr<const Catalog> catalog(const std::string& tz) {
    long long version = content_version();
    {
      std::lock_guard lock(catalog_mu_);
      if (catalog_ && catalog_->version == version && catalog_->timezone == tz) return catalog_;
    }
    auto cat = std::make_shared<Catalog>();
    cat->version = version;
    cat->timezone = tz;
    auto c = pool_.acquire();
    {
      long long articles = 0;
      {
        auto n = c->prepare("SELECT COUNT(*) FROM articles");
        if (n->step()) articles = n->int64(0);
      }
      // Dense up to twice the number of articles (and a margin); sparse beyond.
      const long long dense_limit = 2 * articles + 1024;
      auto s = c->prepare("SELECT id, COALESCE(published_at, 0), type, status FROM articles");
      while (s->step()) {
        DocMeta m;
        m.id = s->int64(0);
        m.published_at = s->int64(1);
        m.type = content::parse_article_type(s->text(2)).value_or(m.type);
        m.visible_draft = s->text(3) == "draft";
        m.year = core::local_date(m.published_at, tz).year;
        if (m.id <= 0) continue;  // never a rowid SQLite assigns
        if (m.id >= dense_limit) {
          cat->sparse.emplace(m.id, std::move(m));
        } else {
          if (static_cast<std::size_t>(m.id) >= cat->docs.size()) {
            cat->docs.resize(static_cast<std::size_t>(m.id) + 1);
          }
          cat->docs[static_cast<std::size_t>(m.id)] = std::move(m);
        }
        ++cat->count;
      }
    }
    std::unordered_map<long long, int> term_index;
    {
      auto s = c->prepare("SELECT id, kind, slug, name FROM terms WHERE kind != 'author'");
      while (s->step()) {
        term_index[s->int64(0)] = static_cast<int>(cat->terms.size());
        cat->terms.push_back(Term{parse_kind(s->text(1)), s->text(2), s->text(3)});
      }
    }
    {
      auto s = c->prepare("SELECT article_id, term_id FROM article_terms");
      while (s->step()) {
        auto* doc = const_cast<DocMeta*>(cat->find(s->int64(0)));
        auto term = term_index.find(s->int64(1));
        if (!doc || term == term_index.end()) continue;
        auto& list = cat->terms[static_cast<std::size_t>(term->second)].kind == TermKind::kTopic
                         ? doc->topics
                         : doc->countries;
        list.push_back(term->second);
      }
    }
    lengths_.replace(load_column_lengths(*c));
    std::lock_guard lock(catalog_mu_);
    catalog_ = cat;
    return cat;
  }

  search::SearchResult run_search(const search::SearchRequest& req) {
    auto T0 = std::chrono::steady_clock::now();
    auto ms = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - T0).count(); };
    search::SearchResult result;
    auto cat = catalog(req.timezone);
    double t_cat = ms();
    const auto& p = rank_params_;
    std::string match = fts_match(req.query, req.full_text);
    int scored = static_cast<int>(req.query.words.size() + req.query.phrases.size());
    std::vector<std::pair<double, const DocMeta*>> hits;
    std::optional<int> topic, country;
    auto find_term = [&](TermKind kind, const std::optional<std::string>& slug) -> std::optional<int> {
      if (!slug) return std::nullopt;
      for (std::size_t i = 0; i < cat->terms.size(); ++i) {
        if (cat->terms[i].kind == kind && cat->terms[i].slug == *slug) return static_cast<int>(i);
      }
      return -1;  // no such term: nothing matches
    };
    topic = find_term(TermKind::kTopic, req.topic);
    country = find_term(TermKind::kCountry, req.country);
    auto admit = [&](long long id) -> const DocMeta* {
      const DocMeta* found = cat->find(id);
      if (!found) return nullptr;
      const DocMeta& m = *found;
      if (m.visible_draft || m.published_at > req.now) return nullptr;
      if (req.type && m.type != *req.type) return nullptr;
      if (req.year && m.year != *req.year) return nullptr;
      if (req.from && m.published_at < *req.from) return nullptr;
      if (req.to && m.published_at >= *req.to) return nullptr;
      if (topic && std::find(m.topics.begin(), m.topics.end(), *topic) == m.topics.end()) return nullptr;
      if (country && std::find(m.countries.begin(), m.countries.end(), *country) == m.countries.end()) {
        return nullptr;
      }
      return &m;
    };
    // Which documents match, and (for relevance order) their scores, in one pass. FTS5
    // scores every row a MATCH yields (about a microsecond each here); sorting by date
    // needs no scores, so that pass skips the ranking function.
    {
      auto c = pool_.acquire();
      bool by_date = req.sort == search::Sort::kDate;
      auto s = c->prepare(by_date
                              ? "SELECT rowid, 0 FROM search_index WHERE search_index MATCH ?1"
                              : "SELECT rowid, meridian_rank(search_index, ?2, ?3, ?4, ?5, ?6, ?6, "
                                "?7, ?8, ?9, ?10, NULL, ?11) FROM search_index "
                                "WHERE search_index MATCH ?1");
      s->bind(1, match);
      if (!by_date) {
        sqlite3_bind_double(raw(*s), 2, p.k1);
        sqlite3_bind_double(raw(*s), 3, p.b);
        sqlite3_bind_double(raw(*s), 4, p.w_headline);
        sqlite3_bind_double(raw(*s), 5, p.w_dek);
        sqlite3_bind_double(raw(*s), 6, p.w_body);
        sqlite3_bind_double(raw(*s), 7, p.w_people);
        sqlite3_bind_double(raw(*s), 8, p.w_places);
        sqlite3_bind_double(raw(*s), 9, p.coverage);
        s->bind(10, scored);
        sqlite3_bind_double(raw(*s), 11, p.proximity);
      }
      while (s->step()) {
        const DocMeta* m = admit(s->int64(0));
        if (!m) continue;
        double score = sqlite3_column_double(raw(*s), 1);
        // Recency as a gentle tie-breaker: at most +5% for today, fading over years.
        double age_days = std::max<double>(0, static_cast<double>(req.now - m->published_at) / 86400.0);
        score *= 1.0 + 0.05 * std::exp(-age_days / 365.0);
        hits.emplace_back(score, m);
      }
    }
    std::size_t need = static_cast<std::size_t>(req.page * req.per_page);
    double t_rank = ms();
    // Feedback helps verbose, selective queries (and costs a few milliseconds); broad
    // queries keep their first-pass order.
    if (req.sort == search::Sort::kRelevance && p.feedback_docs > 0 &&
        req.query.words.size() >= 2 && hits.size() >= 3 &&
        hits.size() <= static_cast<std::size_t>(p.feedback_max_hits)) {
      rerank_with_feedback(req, hits, *cat);
    }
    double t_prf = ms();
    result.total = static_cast<int>(hits.size());
    // Facets over everything that matched the query and the filters.
    std::vector<int> topic_counts(cat->terms.size()), country_counts(cat->terms.size());
    std::map<int, int> year_counts;
    std::map<content::ArticleType, int> type_counts;
    for (const auto& [score, m] : hits) {
      for (int t : m->topics) ++topic_counts[static_cast<std::size_t>(t)];
      for (int t : m->countries) ++country_counts[static_cast<std::size_t>(t)];
      ++year_counts[m->year];
      ++type_counts[m->type];
    }
    auto term_facets = [&](const std::vector<int>& counts) {
      std::vector<search::FacetCount> out;
      for (std::size_t t = 0; t < counts.size(); ++t) {
        if (counts[t] == 0) continue;
        const auto& term = cat->terms[t];
        out.push_back({term.slug, term.name, counts[t]});
      }
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
      });
      if (out.size() > 20) out.resize(20);
      return out;
    };
    result.topics = term_facets(topic_counts);
    result.countries = term_facets(country_counts);
    for (auto it = year_counts.rbegin(); it != year_counts.rend(); ++it) {
      result.years.push_back({std::to_string(it->first), std::to_string(it->first), it->second});
    }
    for (const auto& [type, n] : type_counts) {
      result.types.push_back({std::string(content::to_string(type)),
                              std::string(content::display_name(type)), n});
    }
    // Order and page.
    if (req.sort == search::Sort::kDate) {
      std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return a.second->published_at != b.second->published_at
                   ? a.second->published_at > b.second->published_at
                   : a.second->id > b.second->id;
      });
    } else {
      // Scored documents by score; any unscored (broad queries) after them, newest first.
      std::size_t top = std::min(hits.size(), need);
      auto better = [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second->published_at > b.second->published_at;
      };
      std::partial_sort(hits.begin(), hits.begin() + static_cast<long>(top), hits.end(), better);
    }
    double t_facets = ms();
    std::size_t from = static_cast<std::size_t>((req.page - 1) * req.per_page);
    auto c = pool_.acquire();
    for (std::size_t i = from; i < hits.size() && i < from + static_cast<std::size_t>(req.per_page); ++i) {
      search::Hit hit;
      hit.score = hits[i].first;
      {
        // The covering index holds every summary column; the table row would be walked
        // through its body's overflow pages (SQLite prefers the rowid unless told).
        auto s = c->prepare(std::string("SELECT ") + kSummaryColumns +
                            " FROM articles a INDEXED BY articles_summary WHERE a.id = ?1");
        s->bind(1, static_cast<std::int64_t>(hits[i].second->id));
        if (!s->step()) continue;
        hit.summary = read_summary(*s);
      }
      {
        // Snippets come from public text only, unless the reader may read everything.
        auto s = c->prepare(
            "SELECT snippet(search_index, ?3, char(1), char(2), '…', 30) FROM search_index "
            "WHERE search_index MATCH ?1 AND rowid = ?2");
        s->bind(1, match).bind(2, static_cast<std::int64_t>(hits[i].second->id));
        s->bind(3, req.full_text ? -1 : 2);
        std::string raw_snippet = s->step() ? s->text(0) : std::string();
        if (raw_snippet.find('\x01') == std::string::npos && !req.full_text) {
          // Matched in the headline, dek, authors or places: show the dek instead.
          raw_snippet = hit.summary.dek.empty() ? raw_snippet : hit.summary.dek;
        }
        std::string html = core::html_escape(raw_snippet);
        std::string out;
        for (char ch : html) {
          if (ch == '\x01') out += "<mark>";
          else if (ch == '\x02') out += "</mark>";
          else out += ch;
        }
        hit.snippet_html = out;
      }
      result.hits.push_back(std::move(hit));
    }
    std::vector<ArticleSummary*> page;
    for (auto& h : result.hits) page.push_back(&h.summary);
    load_terms_batch(*c, page);
    if (timing_) std::fprintf(stderr, "search %zu hits: catalog %.1f rank %.1f prf %.1f facets+sort %.1f page %.1f ms\n", hits.size(), t_cat, t_rank - t_cat, t_prf - t_rank, t_facets - t_prf, ms() - t_facets);
    return result;
  }

  // Pseudo-relevance feedback (RM3): words that are frequent in the best first-pass
  // results, and rare in the collection, are added to the query with a lower weight; the
  // result set stays what the reader's own words matched, only its order changes. The
  // words come only from columns this reader may match, so gated text never steers the
  // ranking for readers who cannot read it.
  void rerank_with_feedback(const search::SearchRequest& req,
                            std::vector<std::pair<double, const DocMeta*>>& hits,
                            const Catalog& cat) {
    const auto& p = rank_params_;
    std::size_t fb = std::min<std::size_t>(static_cast<std::size_t>(p.feedback_docs), hits.size());
    std::partial_sort(hits.begin(), hits.begin() + static_cast<long>(fb), hits.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    auto c = pool_.acquire();
    sqlite3* db = c->handle();
    std::unordered_map<std::string, bool> query_stems;
    for (const auto& w : req.query.words) {
      for (const auto& t : index_tokens(db, w.text)) query_stems[t.stem] = true;
    }
    struct Cand {
      double weight = 0;
      std::string surface;
    };
    std::unordered_map<std::string, Cand> cands;
    double total_score = 0;
    for (std::size_t i = 0; i < fb; ++i) total_score += hits[i].first;
    if (total_score <= 0) return;
    // Stem counts of a result's text in the columns this reader may match.
    struct DocStems {
      std::unordered_map<std::string, int> tf;
      std::size_t length = 0;
    };
    auto stems_of = [&](long long id, std::vector<Token>* tokens_out) {
      DocStems d;
      auto s = c->prepare(
          "SELECT headline, dek, public_body, CASE WHEN ?2 THEN gated_body ELSE '' END "
          "FROM search_index WHERE rowid = ?1");
      s->bind(1, static_cast<std::int64_t>(id)).bind(2, req.full_text ? 1 : 0);
      if (!s->step()) return d;
      std::string text = s->text(0) + "\n" + s->text(1) + "\n" + s->text(2) + "\n" + s->text(3);
      auto tokens = index_tokens(db, text);
      d.length = tokens.size();
      for (const auto& t : tokens) ++d.tf[t.stem];
      if (tokens_out) *tokens_out = std::move(tokens);
      return d;
    };
    std::size_t depth = std::min<std::size_t>(hits.size(), static_cast<std::size_t>(p.feedback_depth));
    std::partial_sort(hits.begin() + static_cast<long>(fb), hits.begin() + static_cast<long>(std::max(fb, depth)),
                      hits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    // Every result read for feedback and every one reranked has its stems here.
    std::vector<DocStems> top(std::max(fb, depth));
    for (std::size_t i = 0; i < fb; ++i) {
      std::vector<Token> tokens;
      top[i] = stems_of(hits[i].second->id, &tokens);
      if (tokens.empty()) continue;
      double doc_weight = hits[i].first / total_score / static_cast<double>(tokens.size());
      for (const auto& t : tokens) {
        if (t.stem.size() < 3 || query_stems.count(t.stem) || search::is_stop_word(t.surface)) {
          continue;
        }
        bool digits = t.stem.find_first_not_of("0123456789") == std::string::npos;
        if (digits) continue;
        auto& cand = cands[t.stem];
        cand.weight += doc_weight;
        if (cand.surface.empty()) cand.surface = t.surface;
      }
    }
    auto P0 = std::chrono::steady_clock::now();
    auto pms = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - P0).count(); };
    std::vector<std::pair<double, std::string>> ranked;  // (weight, stem)
    for (const auto& [stem, cand] : cands) ranked.emplace_back(cand.weight, stem);
    std::size_t consider = std::min<std::size_t>(ranked.size(), 12);
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(consider), ranked.end(),
                      std::greater<>());
    ranked.resize(consider);
    // Weigh by rarity: document frequency over the columns this reader may match.
    // (COUNT(*) on the FTS table would read every row: the catalog knows the number.)
    long long docs = static_cast<long long>(cat.count);
    std::unordered_map<std::string, double> df_of;
    for (auto& [weight, stem] : ranked) {
      double df = document_frequency(*c, stem, req.full_text, cat.version);
      df_of[stem] = df;
      weight *= std::log((static_cast<double>(docs) + 1) / (df + 1));
    }
    double t_df = pms();
    std::sort(ranked.begin(), ranked.end(), std::greater<>());
    std::size_t terms = std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(p.feedback_terms));
    if (terms == 0 || ranked[0].first <= 0) return;
    // Rerank the first `depth` results: each added word contributes its feedback weight
    // times a BM25 term score computed from the result's own text. Results below keep
    // their first-pass order (their scores are lower than any reranked one's).
    for (std::size_t i = fb; i < depth; ++i) top[i] = stems_of(hits[i].second->id, nullptr);
    double avg_len = 0;
    for (std::size_t i = 0; i < depth; ++i) avg_len += static_cast<double>(top[i].length);
    avg_len = depth ? std::max(1.0, avg_len / static_cast<double>(depth)) : 1.0;
    struct Added {
      std::string stem;
      double weight;
      double idf;
    };
    std::vector<Added> added;
    for (std::size_t i = 0; i < terms && ranked[i].first > 0; ++i) {
      double df = df_of[ranked[i].second];
      double n = static_cast<double>(docs);
      added.push_back({ranked[i].second, p.feedback_weight * ranked[i].first / ranked[0].first,
                       std::log((n - df + 0.5) / (df + 0.5) + 1.0)});
    }
    for (std::size_t i = 0; i < depth; ++i) {
      const auto& d = top[i];
      double norm = 1.0 - p.b + p.b * static_cast<double>(d.length) / avg_len;
      double bonus = 0;
      for (const auto& a : added) {
        auto it = d.tf.find(a.stem);
        if (it == d.tf.end()) continue;
        double t = p.w_body * it->second / norm;
        bonus += a.weight * a.idf * t / (p.k1 + t);
      }
      hits[i].first += bonus;
    }
    if (timing_) std::fprintf(stderr, "  prf: df %.1f rerank %.1f\n", t_df, pms() - t_df);
  }

  // Documents containing a stem in the columns this reader may match; cached per
  // content version (a lookup reads the term's whole document list). `version` is the
  // catalogue's, read once per search.
  double document_frequency(Connection& c, const std::string& stem, bool full_text,
                            long long version) {
    std::string key = (full_text ? "f:" : "p:") + stem;
    {
      std::lock_guard lock(df_mu_);
      if (df_version_ != version) {
        df_cache_.clear();
        df_version_ = version;
      }
      if (auto it = df_cache_.find(key); it != df_cache_.end()) return it->second;
    }
    auto s = c.prepare(
        "SELECT COALESCE(MAX(doc), 0) FROM search_vocab WHERE term = ?1 AND "
        "(?2 OR col != 'gated_body')");
    s->bind(1, stem).bind(2, full_text ? 1 : 0);
    double df = s->step() ? static_cast<double>(s->int64(0)) : 0;
    std::lock_guard lock(df_mu_);
    if (df_cache_.size() > 200000) df_cache_.clear();
    df_cache_[key] = df;
    return df;
  }

  static sqlite3_stmt* raw(Statement& s) { return s.raw(); }

  // Terms of several articles in one read (a page of search results).
  static void load_terms_batch(Connection& c, const std::vector<ArticleSummary*>& list) {
    if (list.empty()) return;
    std::string ids = "[";
    std::unordered_map<long long, ArticleSummary*> by_id;
    for (auto* a : list) {
      if (ids.size() > 1) ids += ',';
      ids += std::to_string(a->id);
      by_id[a->id] = a;
    }
    ids += ']';
    auto s = c.prepare(
        "SELECT at.article_id, t.kind, t.slug, t.name FROM article_terms at "
        "JOIN terms t ON t.id = at.term_id "
        "WHERE at.article_id IN (SELECT value FROM json_each(?1)) "
        "ORDER BY at.article_id, at.position");
    s->bind(1, ids);
    while (s->step()) {
      auto it = by_id.find(s->int64(0));
      if (it == by_id.end()) continue;
      Term t{parse_kind(s->text(1)), s->text(2), s->text(3)};
      auto& a = *it->second;
      auto& dest = t.kind == TermKind::kAuthor    ? a.authors
                   : t.kind == TermKind::kCountry ? a.countries
                                                  : a.topics;
      dest.push_back(std::move(t));
    }
  }

  static void load_terms(Connection& c, ArticleSummary& a) {
    auto s = c.prepare(
        "SELECT t.kind, t.slug, t.name FROM article_terms at JOIN terms t ON t.id = at.term_id "
        "WHERE at.article_id = ?1 ORDER BY at.position");
    s->bind(1, static_cast<std::int64_t>(a.id));
    while (s->step()) {
      Term t{parse_kind(s->text(0)), s->text(1), s->text(2)};
      auto& list = t.kind == TermKind::kAuthor    ? a.authors
                   : t.kind == TermKind::kCountry ? a.countries
                                                  : a.topics;
      list.push_back(std::move(t));
    }
  }

  Pool& pool_;
  ColumnLengths& lengths_;
  std::mutex catalog_mu_;
  std::shared_ptr<const Catalog> catalog_;
  search::RankParams rank_params_ = search::rank_params_from_env();
  // MERIDIAN_SEARCH_TIMING: phase timings on stderr, read once (not on every search).
  const bool timing_ = std::getenv("MERIDIAN_SEARCH_TIMING") != nullptr;
  std::mutex lm_mu_;
  long long lm_version_ = -1;
  core::UnixTime lm_value_ = 0;
  core::UnixTime lm_valid_until_ = 0;
  std::mutex df_mu_;
  long long df_version_ = -1;
  std::unordered_map<std::string, double> df_cache_;
};

}  // namespace

namespace {

void migrate(Pool& pool_) {
  auto c = pool_.acquire();
  int current = 0;
  {
    auto s = c->prepare("PRAGMA user_version");
    if (s->step()) current = s->integer(0);
  }
  const auto& all = migrations();
  if (!all.empty() && current > all.back().version) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this meridian (" + std::to_string(all.back().version) +
                     "); upgrade meridian");
  }
  for (const auto& m : all) {
    if (m.version <= current) continue;
    Transaction tx(*c);
    // Another process may have migrated between our check and the lock.
    int now_version = 0;
    {
      auto s = c->prepare("PRAGMA user_version");
      if (s->step()) now_version = s->integer(0);
    }
    if (now_version >= m.version) continue;
    try {
      c->exec(m.sql);
      c->exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
    } catch (const StoreError& e) {
      // The transaction rolls back: the schema stays as it was, and the log says why.
      throw StoreError("migration " + std::to_string(m.version) + " (" + m.description +
                       ") failed; the schema stays at version " + std::to_string(now_version) +
                       ": " + e.what());
    }
    tx.commit();
  }
}


class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : pool_(path,
              [this](sqlite3* db) {
                register_search_functions(db, &lengths_);
                // Each statement's run time, for /metrics (a counter add per statement).
                sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, &SqliteStore::profile, &profile_);
              }),
        content_(pool_, lengths_), members_(make_member_store(pool_)),
        events_(make_event_store(pool_)), newsletters_(make_newsletter_store(pool_)),
        editorial_(make_editorial_store(pool_)), mail_queue_(make_mail_queue(pool_)),
        billing_(make_billing_store(pool_)), integrations_(make_integration_store(pool_)) {
    migrate(pool_);
    content_.ensure_index();
    wal_path_ = path + "-wal";
  }
  ContentStore& content() override { return content_; }
  MemberStore& members() override { return *members_; }
  EventStore& events() override { return *events_; }
  NewsletterStore& newsletters() override { return *newsletters_; }
  EditorialStore& editorial() override { return *editorial_; }
  MailQueueStore& mail_queue() override { return *mail_queue_; }
  BillingStore& billing() override { return *billing_; }
  IntegrationStore& integrations() override { return *integrations_; }
  core::Result<void> snapshot(const std::string& path) override {
    return guarded([&] {
      auto c = pool_.acquire();
      // One read transaction: the copy is the database as of one instant, in WAL mode
      // without blocking writers.
      auto s = c->prepare("VACUUM INTO ?1");
      s->bind(1, path);
      s->run();
    });
  }
  DbStats db_stats() override {
    return {profile_.statements.load(std::memory_order_relaxed),
            static_cast<double>(profile_.nanoseconds.load(std::memory_order_relaxed)) / 1e9};
  }
  // Every request asks; the answer changes only when something commits. A commit in WAL
  // mode always writes the -wal file, so its size, time and inode (one stat) tell whether
  // anything may have changed since the last read, in this process or another (the CLI);
  // commits here are counted too, and an answer is trusted for at most a second in any
  // case (a checkpoint can restart the WAL at the same size within one clock tick).
  Versions versions() override {
    struct stat st {};
    bool wal = ::stat(wal_path_.c_str(), &st) == 0;
    long long commits = pool_.commits();
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(versions_mu_);
      const auto& c = versions_cache_;
      if (c.valid && c.wal == wal && c.commits == commits && now - c.at < std::chrono::seconds(1) &&
          (!wal || (c.size == st.st_size && c.ino == st.st_ino &&
                    c.mtime_s == st.st_mtim.tv_sec && c.mtime_ns == st.st_mtim.tv_nsec))) {
        return c.versions;
      }
    }
    Versions v = read_versions();
    std::lock_guard lock(versions_mu_);
    // What was seen before the read: a change during it is caught by the next request.
    versions_cache_ = {true, wal, wal ? st.st_size : 0, wal ? st.st_ino : 0,
                       wal ? st.st_mtim.tv_sec : 0, wal ? st.st_mtim.tv_nsec : 0, commits, now, v};
    return v;
  }

  Versions read_versions() {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'content_version'), "
        "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'members_version')");
    Versions v;
    if (s->step()) {
      v.content = s->int64(0);
      v.members = s->int64(1);
    }
    return v;
  }

 private:
  struct VersionsCache {
    bool valid = false;
    bool wal = false;
    off_t size = 0;
    ino_t ino = 0;
    time_t mtime_s = 0;
    long mtime_ns = 0;
    long long commits = 0;
    std::chrono::steady_clock::time_point at;
    Versions versions;
  };
  std::mutex versions_mu_;
  VersionsCache versions_cache_;
  std::string wal_path_;
  struct Profile {
    std::atomic<long long> statements{0};
    std::atomic<long long> nanoseconds{0};
  };
  static int profile(unsigned, void* ctx, void*, void* x) {
    auto* p = static_cast<Profile*>(ctx);
    p->statements.fetch_add(1, std::memory_order_relaxed);
    p->nanoseconds.fetch_add(*static_cast<sqlite3_int64*>(x), std::memory_order_relaxed);
    return 0;
  }
  Profile profile_;        // before pool_: connections refer to it
  ColumnLengths lengths_;  // before pool_: connections refer to it
  Pool pool_;
  SqliteContentStore content_;
  std::unique_ptr<MemberStore> members_;
  std::unique_ptr<EventStore> events_;
  std::unique_ptr<NewsletterStore> newsletters_;
  std::unique_ptr<EditorialStore> editorial_;
  std::unique_ptr<MailQueueStore> mail_queue_;
  std::unique_ptr<BillingStore> billing_;
  std::unique_ptr<IntegrationStore> integrations_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace store::sqlite
