// The schema's single source of truth: numbered migrations, applied in order at
// start-up inside one transaction each. Never edit a released migration; add one.
#pragma once

#include <string>
#include <vector>

namespace store::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& migrations();

// Where a database file's schema stands, read without changing anything (no migration
// runs, a missing file is not created). Throws StoreError when the file cannot be read.
struct SchemaStatus {
  bool exists = false;
  int version = 0;
  std::vector<const Migration*> pending;
};
SchemaStatus schema_status(const std::string& path);

}  // namespace store::sqlite
