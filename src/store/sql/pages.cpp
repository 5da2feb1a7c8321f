// store::PageStore in the SQL both databases read.
#include "store/page_store.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

namespace {

class SqlPageStore final : public PageStore {
 public:
  explicit SqlPageStore(Pool& pool) : pool_(pool) {}

  std::vector<StaticPage> pages() override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT p.id, p.slug, p.parent_id, p.title, p.description, p.body_md, p.body_html, "
        "p.published, p.footer, p.created_at, p.updated_at, COALESCE(b.binned_at, 0) "
        "FROM pages p LEFT JOIN page_bin b ON b.page_id = p.id ORDER BY p.slug");
    std::vector<StaticPage> out;
    while (s->step()) {
      StaticPage p;
      p.id = s->int64(0);
      p.slug = s->text(1);
      p.parent_id = s->is_null(2) ? 0 : s->int64(2);
      p.title = s->text(3);
      p.description = s->text(4);
      p.body_md = s->text(5);
      p.body_html = s->text(6);
      p.published = s->int64(7) != 0;
      p.footer = s->integer(8);
      p.created_at = s->int64(9);
      p.updated_at = s->int64(10);
      p.binned_at = s->int64(11);
      out.push_back(std::move(p));
    }
    return out;
  }

  core::Result<long long> put_page(const StaticPage& p) override {
    return guarded_result([&]() -> core::Result<long long> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("SELECT id FROM pages WHERE slug = ?1 AND id <> ?2");
        s->bind(1, p.slug).bind(2, p.id);
        if (s->step()) {
          return core::fail(core::ErrorCode::kConflict,
                            "Another page already lives at /pages/" + p.slug + ".");
        }
      }
      if (p.parent_id != 0) {
        auto s = c->prepare("SELECT 1 FROM pages WHERE id = ?1");
        s->bind(1, p.parent_id);
        if (!s->step()) return core::fail(core::ErrorCode::kConflict, "The parent page is gone.");
      }
      long long id = p.id;
      std::optional<long long> parent;
      if (p.parent_id != 0) parent = p.parent_id;
      if (id == 0) {
        auto s = c->prepare(
            "INSERT INTO pages (slug, parent_id, title, description, body_md, body_html, "
            "published, footer, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id");
        s->bind(1, p.slug).bind(2, parent).bind(3, p.title).bind(4, p.description);
        s->bind(5, p.body_md).bind(6, p.body_html).bind(7, p.published ? 1 : 0).bind(8, p.footer);
        s->bind(9, static_cast<std::int64_t>(p.created_at));
        s->bind(10, static_cast<std::int64_t>(p.updated_at));
        s->step();
        id = s->int64(0);
      } else {
        auto s = c->prepare(
            "UPDATE pages SET slug = ?2, parent_id = ?3, title = ?4, description = ?5, "
            "body_md = ?6, body_html = ?7, published = ?8, footer = ?9, updated_at = ?10 "
            "WHERE id = ?1");
        s->bind(1, id).bind(2, p.slug).bind(3, parent).bind(4, p.title).bind(5, p.description);
        s->bind(6, p.body_md).bind(7, p.body_html).bind(8, p.published ? 1 : 0).bind(9, p.footer);
        s->bind(10, static_cast<std::int64_t>(p.updated_at));
        s->run();
        if (c->changes() == 0) return core::fail(core::ErrorCode::kNotFound, "There is no such page.");
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return id;
    });
  }

  core::Result<void> remove_page(long long id) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("UPDATE pages SET parent_id = NULL WHERE parent_id = ?1");
        s->bind(1, id);
        s->run();
      }
      auto s = c->prepare("DELETE FROM pages WHERE id = ?1");
      s->bind(1, id);
      s->run();
      if (c->changes() == 0) return core::fail(core::ErrorCode::kNotFound, "There is no such page.");
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<void> bin_page(long long id, core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      int published = 0, footer = 0;
      {
        auto s = c->prepare("SELECT published, footer FROM pages WHERE id = ?1");
        s->bind(1, id);
        if (!s->step()) return core::fail(core::ErrorCode::kNotFound, "There is no such page.");
        published = s->integer(0);
        footer = s->integer(1);
      }
      {
        auto s = c->prepare("SELECT 1 FROM page_bin WHERE page_id = ?1");
        s->bind(1, id);
        if (s->step()) return core::fail(core::ErrorCode::kConflict, "This page is already in the bin.");
      }
      {
        auto s = c->prepare(
            "INSERT INTO page_bin (page_id, published_before, footer_before, binned_at) "
            "VALUES (?1, ?2, ?3, ?4)");
        s->bind(1, id).bind(2, published).bind(3, footer).bind(4, static_cast<std::int64_t>(now));
        s->run();
      }
      {
        auto s = c->prepare("UPDATE pages SET published = 0, footer = 0 WHERE id = ?1");
        s->bind(1, id);
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

  core::Result<void> restore_page(long long id) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      int published = 0, footer = 0;
      {
        auto s = c->prepare("SELECT published_before, footer_before FROM page_bin WHERE page_id = ?1");
        s->bind(1, id);
        if (!s->step()) return core::fail(core::ErrorCode::kNotFound, "This page is not in the bin.");
        published = s->integer(0);
        footer = s->integer(1);
      }
      {
        auto s = c->prepare("UPDATE pages SET published = ?2, footer = ?3 WHERE id = ?1");
        s->bind(1, id).bind(2, published).bind(3, footer);
        s->run();
      }
      {
        auto s = c->prepare("DELETE FROM page_bin WHERE page_id = ?1");
        s->bind(1, id);
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
      return {};
    });
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<PageStore> make_page_store(Pool& pool) {
  return std::make_unique<SqlPageStore>(pool);
}

}  // namespace store::sql
