// Ghost's JSON export (Settings → Advanced → Export; Ghost 4 and 5, the
// {"db":[{"meta":…,"data":{table: rows}}]} shape) into Meridian: posts → articles with their
// authors (staff users), tags (internal #tags dropped; a tag naming a place → a country),
// statuses, dates, custom excerpt (→ dek), `visibility` → access (public → free, members →
// metered, paid/tiers → premium) and the <!--members-only--> card as the teaser cut; old
// addresses (/{slug}/, tag and author archives, /rss/) as redirects. The file is streamed
// twice (one row in memory at a time): the first pass checks it whole and learns the
// tables that relate posts to tags and authors, the second writes. See docs/migrating.md.
#pragma once

#include <string>

#include "importers/wxr.h"  // ImportOptions

namespace importers {

core::Result<ImportSummary> import_ghost(const std::string& path, store::Store& store,
                                         content::ContentService& content,
                                         const core::Clock& clock, const ImportOptions& options);

}  // namespace importers
