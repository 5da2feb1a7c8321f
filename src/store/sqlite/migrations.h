// The schema's single source of truth: numbered migrations, applied in order at
// start-up inside one transaction each. Never edit a released migration; add one.
#pragma once

#include <vector>

namespace store::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace store::sqlite
