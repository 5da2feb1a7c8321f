#include "accounts/member.h"

#include "core/text.h"

namespace accounts {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::kReader: return "reader";
    case Role::kAuthor: return "author";
    case Role::kEditor: return "editor";
    case Role::kAdmin: return "admin";
  }
  return "reader";
}

std::optional<Role> parse_role(std::string_view s) {
  for (auto r : {Role::kReader, Role::kAuthor, Role::kEditor, Role::kAdmin}) {
    if (s == to_string(r)) return r;
  }
  return std::nullopt;
}

std::string_view to_string(LinkPurpose p) {
  switch (p) {
    case LinkPurpose::kSignIn: return "signin";
    case LinkPurpose::kVerify: return "verify";
    case LinkPurpose::kEmailChange: return "email";
    case LinkPurpose::kEmailApprove: return "email-approve";
  }
  return "signin";
}

bool plausible_email(std::string_view email) {
  if (email.size() < 3 || email.size() > 254) return false;
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  auto domain = email.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\' ||
        u == 0x7f) {
      return false;
    }
  }
  return true;
}

std::string normalize_email(std::string_view email) { return core::to_lower(core::trim(email)); }

}  // namespace accounts
