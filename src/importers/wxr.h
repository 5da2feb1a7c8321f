// WordPress's export (WXR 1.0–1.2, Tools → Export) into Meridian: posts → articles with
// their authors, categories and tags (→ topics, or countries when the tag names a place),
// statuses, dates, teaser cut (<!--more-->) and access (--access, or a paywall plugin's
// post meta); the old addresses of posts, category, tag and author archives and the feed
// as redirects. The file is read twice, streamed, one <item> in memory at a time: first
// to check it whole and plan, then to write. See docs/migrating.md.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "content/article.h"
#include "content/service.h"
#include "core/clock.h"
#include "core/result.h"
#include "importers/migration.h"
#include "importers/term_map.h"
#include "store/store.h"

namespace importers {

struct ImportOptions {
  bool dry_run = false;
  // Access for imported posts that the source does not set (default: metered, as a new
  // article in the editor).
  std::optional<content::AccessClass> access;
  // Until when members complimentary on the old site keep access (default: without end).
  std::optional<core::UnixTime> comp_until;
  // The old site's upload folder (--media-dir) and where pictures go (DATA/media): a
  // post's featured image becomes its hero image. Empty: pictures stay behind, listed.
  std::string media_from, media_into;
  // What categories and tags become (--map); null: the defaults.
  const TermMap* map = nullptr;
  // Told the bytes read so far of the pass being made (1 or 2) and the file's size.
  std::function<void(int pass, long long done, long long total)> progress;
};

core::Result<ImportSummary> import_wxr(const std::string& path, store::Store& store,
                                       content::ContentService& content,
                                       const core::Clock& clock, const ImportOptions& options);

}  // namespace importers
