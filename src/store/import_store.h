// What earlier imports from another system brought in: for each item of the source (a
// WordPress post, a Ghost post), the slug it became here and a digest of what it was, so
// that importing the same export again updates in place, creates no duplicates and can say
// "unchanged". Same threading and error rules as store/store.h.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace store {

struct ImportRecord {
  std::string origin;     // the source: "wordpress https://old.example", "ghost", …
  std::string source_id;  // the item's id there, e.g. "post:22"
  std::string kind;       // what it became: "article", "page"
  std::string slug;       // its slug here
  std::string digest;     // of the source item and the import's options; "" = not yet written
  core::UnixTime imported_at = 0;
};

class ImportStore {
 public:
  virtual ~ImportStore() = default;
  // Every record from `origin`.
  virtual std::vector<ImportRecord> imported(const std::string& origin) = 0;
  // Adds or replaces (by origin and source id) all of `records` in one transaction.
  virtual core::Result<void> record_imports(const std::vector<ImportRecord>& records) = 0;
};

}  // namespace store
