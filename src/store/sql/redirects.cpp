// store::RedirectStore in the SQL both databases read.
#include "store/redirect_store.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

namespace {

class SqlRedirectStore final : public RedirectStore {
 public:
  explicit SqlRedirectStore(Pool& pool) : pool_(pool) {}

  std::vector<Redirect> redirects() override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT from_path, to_path, origin, created_at FROM redirects ORDER BY from_path");
    std::vector<Redirect> out;
    while (s->step()) out.push_back({s->text(0), s->text(1), s->text(2), s->int64(3)});
    return out;
  }

  core::Result<void> put_redirect(const Redirect& r) override { return put_redirects({r}); }

  core::Result<void> put_redirects(const std::vector<Redirect>& list) override {
    if (list.empty()) return {};
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      for (const auto& r : list) {
        auto s = c->prepare(
            "INSERT INTO redirects (from_path, to_path, origin, created_at) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (from_path) DO UPDATE SET to_path = excluded.to_path, "
            "origin = excluded.origin, created_at = excluded.created_at");
        s->bind(1, r.from).bind(2, r.to).bind(3, r.origin).bind(4, static_cast<std::int64_t>(r.created_at));
        s->run();
      }
      c->exec(kBumpContentVersion);
      tx.commit();
    });
  }

  core::Result<void> remove_redirect(const std::string& from) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      auto s = c->prepare("DELETE FROM redirects WHERE from_path = ?1");
      s->bind(1, from);
      s->run();
      if (c->changes() == 0) {
        return core::fail(core::ErrorCode::kNotFound, "there is no redirect from " + from);
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

std::unique_ptr<RedirectStore> make_redirect_store(Pool& pool) {
  return std::make_unique<SqlRedirectStore>(pool);
}

}  // namespace store::sql
