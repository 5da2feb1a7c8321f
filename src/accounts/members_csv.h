// Member lists as CSV: Meridian's own columns (email,name), and the member exports of
// Ghost and Substack (their header rows are recognised; unknown columns are ignored).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace accounts {

struct CsvMember {
  std::string email;
  std::string name;
};

// Parses the whole file; a row without a plausible address fails it with its line number.
// A cell that core::csv_field defused (a leading "'" before = + - @ tab CR) gets its
// value back.
core::Result<std::vector<CsvMember>> parse_members_csv(std::string_view text);

}  // namespace accounts
