#include <limits>
#include <mutex>

#include "search/searcher.h"
#include "store/sql/article_rows.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

using content::AccessClass;
using content::Article;
using content::ArticleSummary;
using content::Term;
using content::TermKind;

namespace {

constexpr const char* kVisible = "a.status != 'draft' AND a.published_at <= ?1";

class SqlContentStore final : public ContentStore {
 public:
  SqlContentStore(Pool& pool, ContentSearch& search) : pool_(pool), search_(search) {}

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
        write_article(*c, id, stored, now, in.created_by);
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
                          "CASE WHEN ?2 THEN a.gated_html END, a.hero_image, a.hero_alt, a.hero_caption, "
                          "a.hero_credit, a.seo_title, a.seo_description "
                          "FROM articles a WHERE a.slug = ?1");
      s->bind(1, slug).bind(2, with_gated ? 1 : 0);
      if (!s->step()) return std::nullopt;
      Article a;
      a.summary = read_summary(*s);
      a.teaser_html = s->text(12);
      a.corrections = s->text(13);
      if (with_gated) a.gated_html = s->text(14);
      a.hero_image = s->text(15);
      a.hero_alt = s->text(16);
      a.hero_caption = s->text(17);
      a.hero_credit = s->text(18);
      a.seo_title = s->text(19);
      a.seo_description = s->text(20);
      out = std::move(a);
    }
    load_terms(*c, out->summary);
    return out;
  }

  ArticleList list_articles(const ArticleQuery& q) override {
    auto c = pool_.acquire();
    ArticleList list;
    std::string exclude = json_ids(q.exclude_ids);
    // Static SQL; optional filters are NULL-able parameters.
    const std::string kWhere =
        std::string(" WHERE ") + kVisible +
        " AND (CAST(?2 AS TEXT) IS NULL OR a.type = ?2)"
        " AND (CAST(?3 AS BIGINT) IS NULL OR a.published_at >= ?3)"
        " AND (CAST(?4 AS BIGINT) IS NULL OR a.published_at < ?4)"
        " AND (?5 = 0 OR a.featured = 1)"
        " AND a.id NOT IN (" + c->id_list(6) + ")"
        " AND (CAST(?7 AS TEXT) IS NULL OR a.id IN (SELECT at.article_id FROM article_terms at"
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

  std::vector<ArticleSummary> visible_summaries(const std::vector<long long>& ids,
                                                core::UnixTime now) override {
    std::vector<ArticleSummary> found;
    if (ids.empty()) return found;
    auto c = pool_.acquire();
    {
      auto s = c->prepare(std::string("SELECT ") + kSummaryColumns + " FROM articles a WHERE " +
                          kVisible + " AND a.id IN (" + c->id_list(2) + ")");
      s->bind(1, static_cast<std::int64_t>(now)).bind(2, json_ids(ids));
      while (s->step()) found.push_back(read_summary(*s));
    }
    std::vector<ArticleSummary> out;
    for (long long id : ids) {
      for (auto& a : found) {
        if (a.id == id) {
          load_terms(*c, a);
          out.push_back(std::move(a));
          break;
        }
      }
    }
    return out;
  }

  // Every page's navigation asks (and a cache miss renders one), and counting reads every
  // article's entry: remembered per kind and content version until the next scheduled
  // publication, as last_modified is.
  std::vector<content::TermCount> list_terms(TermKind kind, core::UnixTime now) override {
    long long version = content_version();
    auto k = static_cast<std::size_t>(kind);
    {
      std::lock_guard lock(terms_mu_);
      const auto& e = terms_cache_[k];
      if (e.version == version && now >= e.from && now < e.until) return e.terms;
    }
    auto terms = list_terms_uncached(kind, now);
    auto next = next_publication_after(now);
    std::lock_guard lock(terms_mu_);
    terms_cache_[k] = {version, now, next ? *next : std::numeric_limits<core::UnixTime>::max(), terms};
    return terms;
  }

  std::vector<content::TermCount> list_terms_uncached(TermKind kind, core::UnixTime now) {
    auto c = pool_.acquire();
    std::vector<content::TermCount> out;
    auto s = c->prepare(std::string(
                            "SELECT t.slug, t.name, COUNT(*) FROM terms t"
                            " JOIN article_terms at ON at.term_id = t.id"
                            " JOIN articles a ON a.id = at.article_id"
                            " WHERE t.kind = ?2 AND ") +
                        kVisible + " GROUP BY t.id, t.slug, t.name ORDER BY lower(t.name), t.name");
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

  std::string term_bio(TermKind kind, const std::string& slug) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT b.bio FROM term_bios b JOIN terms t ON t.id = b.term_id "
        "WHERE t.kind = ?1 AND t.slug = ?2");
    s->bind(1, content::to_string(kind)).bind(2, slug);
    return s->step() ? s->text(0) : std::string();
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
    auto s = c->prepare("SELECT COUNT(*) FROM articles WHERE cut_paragraphs IS DISTINCT FROM ?1");
    s->bind(1, paragraphs);
    return s->step() ? s->integer(0) : 0;
  }

  std::vector<content::ArticleInput> cut_otherwise(int paragraphs, int limit) override {
    auto c = pool_.acquire();
    std::vector<std::pair<long long, content::ArticleInput>> rows;
    {
      auto s = c->prepare(std::string("SELECT id, ") + kInputColumns +
                          " FROM articles WHERE cut_paragraphs IS DISTINCT FROM ?1 ORDER BY id LIMIT ?2");
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
    auto s = c->prepare("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'content_version'");
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
    auto s = c->prepare(std::string("SELECT MAX(GREATEST(a.updated_at, a.published_at)) FROM "
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
      c->clear_index();
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
        c->index_article(id, a);
      }
      tx.commit();
      return static_cast<int>(batch.size());
    });
  }

  core::Result<search::SearchResult> search(const search::SearchRequest& req) override {
    return guarded([&] { return search_.search(req); });
  }

  void warm_search(const std::string& timezone) override { search_.warm_search(timezone); }

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

  int schema_version() override { return search_.schema_version(); }

 private:
  Pool& pool_;
  ContentSearch& search_;
  struct TermsEntry {
    long long version = -1;
    core::UnixTime from = 0, until = 0;  // valid for `now` in [from, until)
    std::vector<content::TermCount> terms;
  };
  std::mutex terms_mu_;
  TermsEntry terms_cache_[3];  // by TermKind
  std::mutex lm_mu_;
  long long lm_version_ = -1;
  core::UnixTime lm_value_ = 0;
  core::UnixTime lm_valid_until_ = 0;
};

}  // namespace

std::unique_ptr<ContentStore> make_content_store(Pool& pool, ContentSearch& search) {
  return std::make_unique<SqlContentStore>(pool, search);
}

}  // namespace store::sql
