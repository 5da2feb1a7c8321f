#include "accounts/members_csv.h"

#include "accounts/member.h"
#include "core/text.h"

namespace accounts {

namespace {

// Splits CSV text into rows of fields (quotes, doubled quotes, CRLF, newlines in quotes).
std::vector<std::pair<int, std::vector<std::string>>> rows_of(std::string_view text) {
  std::vector<std::pair<int, std::vector<std::string>>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  int line = 1, row_line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.emplace_back(row_line, std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
      ++line;
      row_line = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.emplace_back(row_line, std::move(row));
  }
  return rows;
}

}  // namespace

core::Result<std::vector<CsvMember>> parse_members_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // spreadsheet BOM
  auto rows = rows_of(text);
  if (rows.empty()) return core::fail(core::ErrorCode::kInvalidInput, "the file is empty");
  int email_col = -1, name_col = -1, subscribed_col = -1, comp_col = -1, stripe_col = -1,
      created_col = -1, labels_col = -1, note_col = -1;
  const auto& header = rows[0].second;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string h = core::to_lower(core::trim(header[i]));
    int col = static_cast<int>(i);
    if (h == "email" || h == "email address" || h == "email_address") email_col = col;
    if (h == "name" || h == "full name" || h == "full_name") name_col = col;
    if (h == "subscribed_to_emails") subscribed_col = col;
    if (h == "complimentary_plan") comp_col = col;
    if (h == "stripe_customer_id") stripe_col = col;
    if (h == "created_at") created_col = col;
    if (h == "labels") labels_col = col;
    if (h == "note") note_col = col;
  }
  if (email_col < 0) {
    return core::fail(core::ErrorCode::kInvalidInput,
                      "line 1: no 'email' column in the header row (expected email,name, or a "
                      "Ghost or Substack member export)");
  }
  std::vector<CsvMember> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& [line, fields] = rows[r];
    for (const auto& f : fields) {
      if (!core::valid_utf8(f) || f.find('\0') != std::string::npos) {
        return core::fail(core::ErrorCode::kInvalidInput,
                          "line " + std::to_string(line) + ": text that is not valid UTF-8");
      }
    }
    std::string email = email_col < static_cast<int>(fields.size())
                            ? normalize_email(core::csv_undefuse(fields[static_cast<std::size_t>(email_col)]))
                            : "";
    if (email.empty() && fields.size() <= 1) continue;  // a blank row
    if (!plausible_email(email)) {
      return core::fail(core::ErrorCode::kInvalidInput,
                        "line " + std::to_string(line) + ": not an email address: '" + email + "'");
    }
    std::string name = name_col >= 0 && name_col < static_cast<int>(fields.size())
                           ? core::csv_undefuse(core::trim(fields[static_cast<std::size_t>(name_col)]))
                           : "";
    auto cell = [&](int col) {
      return col >= 0 && col < static_cast<int>(fields.size())
                 ? core::csv_undefuse(core::trim(fields[static_cast<std::size_t>(col)]))
                 : std::string();
    };
    CsvMember m;
    m.email = email;
    m.name = name;
    if (subscribed_col >= 0) m.subscribed = core::to_lower(cell(subscribed_col)) == "true";
    m.complimentary = core::to_lower(cell(comp_col)) == "true";
    m.stripe_customer_id = cell(stripe_col);
    m.created_at = cell(created_col);
    m.labels = cell(labels_col);
    m.note = cell(note_col);
    out.push_back(std::move(m));
  }
  return out;
}

bool is_ghost_members_csv(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  std::string first = core::to_lower(head.substr(0, head.find('\n')));
  return first.find("email") != std::string::npos &&
         (first.find("complimentary_plan") != std::string::npos ||
          first.find("subscribed_to_emails") != std::string::npos);
}


}  // namespace accounts
