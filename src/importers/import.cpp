#include "importers/import.h"

#include "accounts/members_csv.h"
#include "core/text.h"
#include "importers/publication.h"

namespace importers {

std::string_view to_string(Format f) {
  switch (f) {
    case Format::kJsonl: return "jsonl";
    case Format::kPublication: return "publication";
    case Format::kWxr: return "wxr";
    case Format::kGhost: return "ghost";
    case Format::kGhostMembers: return "ghost-members";
  }
  return "jsonl";
}

std::optional<Format> parse_format(std::string_view name) {
  for (Format f : {Format::kJsonl, Format::kPublication, Format::kWxr, Format::kGhost,
                   Format::kGhostMembers}) {
    if (name == to_string(f)) return f;
  }
  return std::nullopt;
}

Format detect_format(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  auto start = head.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Format::kJsonl;
  head.remove_prefix(start);
  if (head.starts_with("<")) return Format::kWxr;  // XML: the WXR reader says if it is not WXR
  if (is_publication_export(head)) return Format::kPublication;
  // Ghost: {"db":[{"meta":…,"data":…}]} (possibly pretty-printed).
  std::string compact;
  for (char c : head.substr(0, 64)) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  }
  if (compact.starts_with("{\"db\":[")) return Format::kGhost;
  if (accounts::is_ghost_members_csv(head)) return Format::kGhostMembers;
  return Format::kJsonl;
}

namespace {

std::string plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string describe(const ImportSummary& s, const std::string& file, bool dry_run) {
  std::string out = dry_run ? "dry run: nothing was written. " : "";
  int items = s.created + s.updated + s.unchanged;
  out += std::string(dry_run ? "would import " : "imported ") + plural(items, "item", "items") +
         " from " + file + " (" + s.format + "): " + std::to_string(s.created) + " new, " +
         std::to_string(s.updated) + " updated, " + std::to_string(s.unchanged) + " unchanged\n";
  out += "  " + plural(s.articles, "article", "articles") + ", " +
         plural(s.pages, "page", "pages") + ", " +
         plural(static_cast<int>(s.authors.size()), "author", "authors") + ", " +
         plural(static_cast<int>(s.topics.size()), "topic", "topics") + ", " +
         plural(static_cast<int>(s.countries.size()), "country", "countries") + ", " +
         plural(s.members, "member", "members") + ", " +
         plural(s.redirects, "redirect", "redirects") + "\n";
  for (const auto& [why, n] : s.skipped) out += "  skipped " + std::to_string(n) + " " + why + "\n";
  if (s.images > 0) out += "  " + plural(s.images, "featured image", "featured images") + " brought over\n";
  if (!s.images_left.empty()) {
    out += "  " + plural(static_cast<int>(s.images_left.size()), "featured image was", "featured images were") +
           " not brought over" + " (give the old site's upload folder with --media-dir):\n";
    for (std::size_t i = 0; i < s.images_left.size() && i < 10; ++i) out += "    " + s.images_left[i] + "\n";
    if (s.images_left.size() > 10) out += "    …\n";
  }
  if (s.pictures > 0) out += "  " + plural(s.pictures, "picture", "pictures") + " in posts' text brought over\n";
  if (s.pictures_left > 0) {
    out += "  " + plural(s.pictures_left, "picture", "pictures") +
           " in posts' text left as links to the old site (--media-dir brings them over)\n";
  }
  for (const auto& note : s.notes) out += "  note: " + note + "\n";
  return out;
}

}  // namespace importers
