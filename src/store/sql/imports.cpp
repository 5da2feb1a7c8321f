// store::ImportStore in the SQL both databases read.
#include "store/import_store.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

namespace {

class SqlImportStore final : public ImportStore {
 public:
  explicit SqlImportStore(Pool& pool) : pool_(pool) {}

  std::vector<ImportRecord> imported(const std::string& origin) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT origin, source_id, kind, slug, digest, imported_at FROM import_sources "
        "WHERE origin = ?1 ORDER BY source_id");
    s->bind(1, origin);
    std::vector<ImportRecord> out;
    while (s->step()) {
      out.push_back({s->text(0), s->text(1), s->text(2), s->text(3), s->text(4), s->int64(5)});
    }
    return out;
  }

  core::Result<void> record_imports(const std::vector<ImportRecord>& records) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      for (const auto& r : records) {
        auto s = c->prepare(
            "INSERT INTO import_sources (origin, source_id, kind, slug, digest, imported_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (origin, source_id) DO UPDATE SET "
            "kind = excluded.kind, slug = excluded.slug, digest = excluded.digest, "
            "imported_at = excluded.imported_at");
        s->bind(1, r.origin).bind(2, r.source_id).bind(3, r.kind).bind(4, r.slug).bind(5, r.digest);
        s->bind(6, static_cast<std::int64_t>(r.imported_at));
        s->run();
      }
      tx.commit();
    });
  }

 private:
  Pool& pool_;
};

}  // namespace

std::unique_ptr<ImportStore> make_import_store(Pool& pool) {
  return std::make_unique<SqlImportStore>(pool);
}

}  // namespace store::sql
