// Member lists as CSV: Meridian's own columns (email,name), and the member exports of
// Ghost and Substack (their header rows are recognised; unknown columns are ignored).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace accounts {

struct CsvMember {
  std::string email;
  std::string name;
  // Ghost's members export also says (empty or false when the file has no such column):
  std::optional<bool> subscribed;  // subscribed_to_emails
  bool complimentary = false;      // complimentary_plan
  std::string stripe_customer_id;
  std::string created_at;          // ISO 8601
  std::string labels;              // comma-joined
  std::string note;                // Ghost's member note
};

// Whether the header row is Ghost's members export (it has complimentary_plan or
// subscribed_to_emails beside email).
bool is_ghost_members_csv(std::string_view head);

// Parses the whole file; a row without a plausible address fails it with its line number.
// A cell that core::csv_field defused (a leading "'" before = + - @ tab CR) gets its
// value back.
core::Result<std::vector<CsvMember>> parse_members_csv(std::string_view text);

}  // namespace accounts
