// SQLite implementation of store::EditorialStore.

#include "core/text.h"
#include "store/editorial_store.h"
#include "store/sql/article_rows.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

namespace {

using content::TermKind;

// Columns read by read_revision.
constexpr const char* kRevisionSelect =
    "SELECT r.id, r.article_id, r.member_id, COALESCE(m.email, ''), r.saved_at, r.action, "
    "r.snapshot FROM revisions r LEFT JOIN members m ON m.id = r.member_id ";

class SqlEditorialStore final : public EditorialStore {
 public:
  explicit SqlEditorialStore(Pool& pool) : pool_(pool) {}

  std::optional<EditableArticle> article(long long id) override {
    auto c = pool_.acquire();
    std::optional<EditableArticle> out;
    {
      auto s = c->prepare(std::string("SELECT id, ") + kInputColumns +
                          ", created_by, created_at FROM articles WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(id));
      if (!s->step()) return std::nullopt;
      EditableArticle a;
      a.id = s->int64(0);
      a.input = read_input(*s, 1);
      if (!s->is_null(18)) a.created_by = s->int64(18);
      a.created_at = s->int64(19);
      out = std::move(a);
    }
    load_term_names(*c, id, out->input);
    return out;
  }

  std::map<long long, Title> titles(const std::vector<long long>& ids) override {
    std::map<long long, Title> out;
    if (ids.empty()) return out;
    std::string list = json_ids(ids);
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, slug, headline FROM articles WHERE id IN (" + c->id_list(1) + ")");
    s->bind(1, list);
    while (s->step()) out[s->int64(0)] = {s->text(1), s->text(2)};
    return out;
  }

  std::vector<ArticleRow> list(const ArticleFilter& f, int& total) override {
    auto c = pool_.acquire();
    const char* where =
        " FROM articles a WHERE (CAST(?1 AS TEXT) IS NULL OR a.status = ?1) AND (CAST(?2 AS BIGINT) IS "
        "NULL OR a.created_by = "
        "?2) AND (?3 = '' OR instr(lower(a.headline), lower(?3)) > 0 OR instr(a.slug, lower(?3)) "
        "> 0) AND (?4 = 0 OR a.featured = 1) "
        "AND NOT EXISTS (SELECT 1 FROM article_bin b WHERE b.article_id = a.id)";
    auto bind = [&](Statement& s) {
      if (f.status) {
        s.bind(1, content::to_string(*f.status));
      } else {
        s.bind_null(1);
      }
      s.bind(2, f.created_by).bind(3, f.text).bind(4, f.featured_only ? 1 : 0);
    };
    {
      auto s = c->prepare(std::string("SELECT COUNT(*)") + where);
      bind(*s);
      total = s->step() ? s->integer(0) : 0;
    }
    std::vector<ArticleRow> rows;
    auto s = c->prepare(
        std::string("SELECT a.id, a.slug, a.headline, a.status, a.access, a.published_at, "
                    "a.updated_at, a.featured, a.created_by, (SELECT group_concat(t.name, ', ') "
                    "FROM article_terms at JOIN terms t ON t.id = at.term_id WHERE "
                    "at.article_id = a.id AND t.kind = 'author')") +
        where + " ORDER BY a.status = 'published', COALESCE(a.published_at, a.updated_at) DESC, "
                "a.id DESC LIMIT ?5 OFFSET ?6");
    bind(*s);
    s->bind(5, f.limit).bind(6, f.offset);
    while (s->step()) {
      ArticleRow r;
      r.id = s->int64(0);
      r.slug = s->text(1);
      r.headline = s->text(2);
      r.status = content::parse_status(s->text(3)).value_or(content::Status::kDraft);
      r.access = content::parse_access_class(s->text(4)).value_or(r.access);
      if (!s->is_null(5)) r.published_at = s->int64(5);
      r.updated_at = s->int64(6);
      r.featured = s->integer(7) != 0;
      if (!s->is_null(8)) r.created_by = s->int64(8);
      r.authors = s->text(9);
      rows.push_back(std::move(r));
    }
    return rows;
  }

  core::Result<long long> save(long long id, const content::StoredArticle& stored,
                               const std::string& action, const std::string& snapshot,
                               long long member_id, core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<long long> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("SELECT id FROM articles WHERE slug = ?1 AND id != ?2");
        s->bind(1, stored.input.slug).bind(2, static_cast<std::int64_t>(id));
        if (s->step()) {
          return core::fail(core::ErrorCode::kConflict,
                            "another article already uses the address '" + stored.input.slug + "'");
        }
      }
      if (id) {
        auto s = c->prepare("SELECT 1 FROM articles WHERE id = ?1");
        s->bind(1, static_cast<std::int64_t>(id));
        if (!s->step()) return core::fail(core::ErrorCode::kNotFound, "no such article");
      }
      std::optional<long long> creator;
      if (member_id) creator = member_id;
      long long written =
          write_article(*c, id ? std::optional<long long>(id) : std::nullopt, stored, now, creator);
      {
        auto s = c->prepare(
            "INSERT INTO revisions (article_id, member_id, saved_at, action, snapshot) "
            "VALUES (?1, ?2, ?3, ?4, ?5)");
        s->bind(1, static_cast<std::int64_t>(written))
            .bind(2, creator)
            .bind(3, static_cast<std::int64_t>(now))
            .bind(4, action)
            .bind(5, snapshot);
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return written;
    });
  }

  std::vector<Revision> revisions(long long article_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string(kRevisionSelect) + "WHERE r.article_id = ?1 ORDER BY r.id DESC");
    s->bind(1, static_cast<std::int64_t>(article_id));
    std::vector<Revision> out;
    while (s->step()) out.push_back(read_revision(*s));
    return out;
  }

  std::optional<Revision> revision(long long revision_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string(kRevisionSelect) + "WHERE r.id = ?1");
    s->bind(1, static_cast<std::int64_t>(revision_id));
    if (!s->step()) return std::nullopt;
    return read_revision(*s);
  }

  bool slug_taken(const std::string& slug, long long except_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT 1 FROM articles WHERE slug = ?1 AND id != ?2");
    s->bind(1, slug).bind(2, static_cast<std::int64_t>(except_id));
    return s->step();
  }

  std::vector<content::TermCount> terms(TermKind kind) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT t.slug, t.name, (SELECT COUNT(*) FROM article_terms at WHERE at.term_id = t.id) "
        "FROM terms t WHERE t.kind = ?1 ORDER BY lower(t.name), t.name");
    s->bind(1, content::to_string(kind));
    std::vector<content::TermCount> out;
    while (s->step()) {
      out.push_back({content::Term{kind, s->text(0), s->text(1)}, s->integer(2)});
    }
    return out;
  }

  core::Result<void> create_term(TermKind kind, const std::string& name) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::string slug = core::slugify(name);
      {
        auto s = c->prepare("SELECT 1 FROM terms WHERE kind = ?1 AND slug = ?2");
        s->bind(1, content::to_string(kind)).bind(2, slug);
        if (s->step()) {
          return core::fail(core::ErrorCode::kConflict, "'" + name + "' already exists");
        }
      }
      ensure_term(*c, kind, name);
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<void> set_term_bio(TermKind kind, const std::string& slug,
                                  const std::string& bio) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto id = term_id(*c, kind, slug);
      if (!id) return core::fail(core::ErrorCode::kNotFound, "There is no such author: " + slug);
      if (bio.empty()) {
        auto s = c->prepare("DELETE FROM term_bios WHERE term_id = ?1");
        s->bind(1, *id);
        s->run();
      } else {
        auto s = c->prepare(
            "INSERT INTO term_bios (term_id, bio) VALUES (?1, ?2) "
            "ON CONFLICT (term_id) DO UPDATE SET bio = excluded.bio");
        s->bind(1, *id).bind(2, bio);
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<std::string> adopt_term(TermKind kind, const std::string& name,
                                       const std::string& slug, bool create) override {
    return guarded_result([&]() -> core::Result<std::string> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::string own = core::slugify(name);
      // A term of that name keeps its slug; else the wanted slug when it is free (the term
      // is made before any article names it, and ensure_term finds it by name); else
      // ensure_term's own choice, the name's slug.
      auto find = [&](const char* column, const std::string& value) -> std::optional<std::string> {
        auto s = c->prepare(std::string("SELECT slug FROM terms WHERE kind = ?1 AND ") + column + " = ?2");
        s->bind(1, content::to_string(kind)).bind(2, value);
        if (s->step()) return s->text(0);
        return std::nullopt;
      };
      if (auto found = find("name", name)) return *found;
      if (!core::is_valid_slug(slug) || find("slug", slug)) return own;
      if (create) {
        auto s = c->prepare("INSERT INTO terms (kind, slug, name) VALUES (?1, ?2, ?3)");
        s->bind(1, content::to_string(kind)).bind(2, slug).bind(3, name);
        s->run();
        c->exec(kBumpContentVersion);
        tx.commit();
      }
      return slug;
    });
  }

  core::Result<void> rename_term(TermKind kind, const std::string& slug,
                                 const std::string& name) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto id = term_id(*c, kind, slug);
      if (!id) return core::fail(core::ErrorCode::kNotFound, "no such term: " + slug);
      {
        auto s = c->prepare("UPDATE terms SET name = ?2 WHERE id = ?1");
        s->bind(1, *id).bind(2, name);
        s->run();
      }
      for (long long a : articles_of(*c, *id)) reindex_article(*c, a);
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<int> merge_terms(TermKind kind, const std::string& from,
                                const std::string& into) override {
    return guarded_result([&]() -> core::Result<int> {
      if (from == into) return core::fail(core::ErrorCode::kInvalidInput, "choose two different terms");
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto from_id = term_id(*c, kind, from);
      auto into_id = term_id(*c, kind, into);
      if (!from_id) return core::fail(core::ErrorCode::kNotFound, "no such term: " + from);
      if (!into_id) return core::fail(core::ErrorCode::kNotFound, "no such term: " + into);
      auto moved = articles_of(*c, *from_id);
      {
        // Articles that had both keep the target once.
        auto s = c->prepare(
            "INSERT INTO article_terms (article_id, term_id, position) SELECT article_id, ?2, "
            "position FROM article_terms WHERE term_id = ?1 ON CONFLICT DO NOTHING");
        s->bind(1, *from_id).bind(2, *into_id);
        s->run();
      }
      {
        auto s = c->prepare("DELETE FROM terms WHERE id = ?1");  // cascades leftovers
        s->bind(1, *from_id);
        s->run();
      }
      for (long long a : moved) reindex_article(*c, a);
      c->exec(kBumpContentVersion);
      tx.commit();
      return static_cast<int>(moved.size());
    });
  }

  core::Result<void> set_featured(long long id, bool featured) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto s = c->prepare("UPDATE articles SET featured = ?2 WHERE id = ?1");
      s->bind(1, static_cast<std::int64_t>(id)).bind(2, featured ? 1 : 0);
      s->run();
      if (c->changes() == 0) return core::fail(core::ErrorCode::kNotFound, "no such article");
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<void> bin_article(long long id, long long member_id, core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::string status;
      {
        auto s = c->prepare("SELECT status FROM articles WHERE id = ?1");
        s->bind(1, id);
        if (!s->step()) return core::fail(core::ErrorCode::kNotFound, "There is no such article.");
        status = s->text(0);
      }
      {
        auto s = c->prepare("SELECT 1 FROM article_bin WHERE article_id = ?1");
        s->bind(1, id);
        if (s->step()) return core::fail(core::ErrorCode::kConflict, "This article is already in the bin.");
      }
      {
        auto s = c->prepare(
            "INSERT INTO article_bin (article_id, status_before, binned_at, binned_by) "
            "VALUES (?1, ?2, ?3, ?4)");
        std::optional<long long> by;
        if (member_id > 0) by = member_id;
        s->bind(1, id).bind(2, status).bind(3, static_cast<std::int64_t>(now)).bind(4, by);
        s->run();
      }
      {
        auto s = c->prepare("UPDATE articles SET status = 'draft' WHERE id = ?1");
        s->bind(1, id);
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<void> restore_binned(long long id) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::string status;
      {
        auto s = c->prepare("SELECT status_before FROM article_bin WHERE article_id = ?1");
        s->bind(1, id);
        if (!s->step()) return core::fail(core::ErrorCode::kNotFound, "This article is not in the bin.");
        status = s->text(0);
      }
      {
        auto s = c->prepare("UPDATE articles SET status = ?2 WHERE id = ?1");
        s->bind(1, id).bind(2, status);
        s->run();
      }
      {
        auto s = c->prepare("DELETE FROM article_bin WHERE article_id = ?1");
        s->bind(1, id);
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  bool is_binned(long long id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT 1 FROM article_bin WHERE article_id = ?1");
    s->bind(1, id);
    return s->step();
  }

  std::vector<BinnedArticle> binned() override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT a.id, a.slug, a.headline, b.status_before, b.binned_at, COALESCE(m.email, '') "
        "FROM article_bin b JOIN articles a ON a.id = b.article_id "
        "LEFT JOIN members m ON m.id = b.binned_by ORDER BY b.binned_at DESC, a.id DESC");
    std::vector<BinnedArticle> out;
    while (s->step()) {
      BinnedArticle b;
      b.id = s->int64(0);
      b.slug = s->text(1);
      b.headline = s->text(2);
      b.status_before = content::parse_status(s->text(3)).value_or(content::Status::kDraft);
      b.binned_at = s->int64(4);
      b.binned_by = s->text(5);
      out.push_back(std::move(b));
    }
    return out;
  }

  core::Result<int> purge_bin(core::UnixTime before, long long only_id) override {
    return guarded_result([&]() -> core::Result<int> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::vector<long long> ids;
      {
        auto s = c->prepare(
            "SELECT article_id FROM article_bin WHERE binned_at < ?1 AND (?2 = 0 OR article_id = ?2)");
        s->bind(1, static_cast<std::int64_t>(before)).bind(2, only_id);
        while (s->step()) ids.push_back(s->int64(0));
      }
      for (long long id : ids) {
        c->unindex_article(id);
        auto s = c->prepare("DELETE FROM articles WHERE id = ?1");
        s->bind(1, id);
        s->run();
      }
      if (!ids.empty()) c->exec(kBumpContentVersion);
      tx.commit();
      return static_cast<int>(ids.size());
    });
  }

  std::map<std::string, std::string> settings() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT key, value FROM settings");
    std::map<std::string, std::string> out;
    while (s->step()) out[s->text(0)] = s->text(1);
    return out;
  }

  core::Result<void> save_settings(const std::map<std::string, std::string>& values,
                                   core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      for (const auto& [k, v] : values) {
        auto s = c->prepare(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
        s->bind(1, k).bind(2, v).bind(3, static_cast<std::int64_t>(now));
        s->run();
      }
      c->exec("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'settings_version'");
      // Pages show settings (the site name): cached pages must go.
      c->exec(kBumpContentVersion);
      tx.commit();
    });
  }

  long long settings_version() override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'settings_version'");
    return s->step() ? s->int64(0) : 0;
  }

 private:
  static Revision read_revision(Statement& s) {
    Revision r;
    r.id = s.int64(0);
    r.article_id = s.int64(1);
    if (!s.is_null(2)) r.member_id = s.int64(2);
    r.member_email = s.text(3);
    r.saved_at = s.int64(4);
    r.action = s.text(5);
    r.snapshot = s.text(6);
    return r;
  }

  static std::optional<std::int64_t> term_id(Connection& c, TermKind kind, const std::string& slug) {
    auto s = c.prepare("SELECT id FROM terms WHERE kind = ?1 AND slug = ?2");
    s->bind(1, content::to_string(kind)).bind(2, slug);
    if (!s->step()) return std::nullopt;
    return s->int64(0);
  }

  static std::vector<long long> articles_of(Connection& c, std::int64_t term) {
    auto s = c.prepare("SELECT article_id FROM article_terms WHERE term_id = ?1");
    s->bind(1, term);
    std::vector<long long> out;
    while (s->step()) out.push_back(s->int64(0));
    return out;
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<EditorialStore> make_editorial_store(Pool& pool) {
  return std::make_unique<SqlEditorialStore>(pool);
}

}  // namespace store::sql
