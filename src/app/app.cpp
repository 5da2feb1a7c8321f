#include "app/app.h"

#include <filesystem>

#include "store/sqlite/sqlite_store.h"

namespace app {

core::Result<std::unique_ptr<App>> open_app(core::Config config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "cannot create data folder " + config.data_dir + ": " + ec.message());
  }
  if (auto loaded = core::load_config(config, core::process_environment()); !loaded) {
    return std::unexpected(loaded.error());
  }
  auto a = std::make_unique<App>();
  a->config = std::move(config);
  try {
    a->store = store::sqlite::open_sqlite_store(
        (std::filesystem::path(a->config.data_dir) / "meridian.db").string());
  } catch (const store::StoreError& e) {
    return core::fail(core::ErrorCode::kUnavailable, e.what());
  }
  a->content = std::make_unique<content::ContentService>(a->store->content(), a->clock,
                                                         a->config.teaser_paragraphs);
  return a;
}

}  // namespace app
