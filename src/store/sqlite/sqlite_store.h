// The SQLite implementation of store::Store: one database file in WAL mode, shared
// safely by the server and by CLI commands running at the same time.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace store::sqlite {

// Opens (creating if needed) the database at `path` and applies pending migrations.
// Throws StoreError when the file cannot be opened or migrated.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace store::sqlite
