// `meridian db copy --to URL`: a publication's SQLite file moved into an empty PostgreSQL
// database. Every table is copied row for row (COPY … FROM STDIN), in an order that keeps
// foreign keys satisfied, in one transaction that commits only when each table's count
// matches its source; then identity counters are moved past the copied ids and the
// search documents are made from the articles.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace store::postgres {

struct CopiedTable {
  std::string name;
  long long rows = 0;
};

// `progress(done, total)` after every thousand rows and at the end. kConflict when the
// target holds a publication already; kUnavailable when either database fails.
core::Result<std::vector<CopiedTable>> copy_from_sqlite(
    const std::string& sqlite_path, const std::string& url,
    const std::function<void(long long done, long long total)>& progress);

}  // namespace store::postgres
