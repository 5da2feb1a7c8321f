// `meridian import FILE`: which format a file is in, and the words the summary is printed
// in. The formats: Meridian's JSON Lines (importers/jsonl.h) and whole-publication export
// (importers/publication.h), WordPress's WXR (importers/wxr.h), Ghost's JSON export.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "importers/migration.h"

namespace importers {

enum class Format { kJsonl, kPublication, kWxr, kGhost, kGhostMembers };

std::string_view to_string(Format f);
// "jsonl", "wxr", "ghost" (and "publication"); nothing for anything else.
std::optional<Format> parse_format(std::string_view name);
// By content: the first bytes of the file (a few KB are enough).
Format detect_format(std::string_view head);

// The summary an import prints: what was (or, on a dry run, would be) created, updated,
// left unchanged and skipped, and why.
std::string describe(const ImportSummary& summary, const std::string& file, bool dry_run);

}  // namespace importers
