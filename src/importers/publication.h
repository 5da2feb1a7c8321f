// The whole publication as one documented JSON file (docs/import-format.md, "Whole
// publication"): articles (the JSON Lines objects), topics, countries and authors, members
// with their states and newsletter choices, newsletter editions, the settings edited in
// the back office, static pages and redirects — so nobody is locked in. `import` reads it back into any publication
// (updating articles by slug and members by address). Not included, on purpose: passwords,
// sessions and one-time links (readers sign in again by link), billing records (Stripe is
// their authority: `meridian billing sync`), analytics counts.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "content/service.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace importers {

constexpr const char* kPublicationFormat = "meridian-publication";

// True when `text` looks like a whole-publication export (a JSON object naming the format).
bool is_publication_export(std::string_view text);

// Keys in a fixed order ("format" first, so the file announces itself).
core::Result<nlohmann::ordered_json> export_publication(store::Store& store, content::ContentService& content,
                                                const core::Clock& clock);

struct PublicationReport {
  int articles = 0, topics = 0, countries = 0, authors = 0, members = 0, editions = 0,
      settings = 0, pages = 0, redirects = 0;
};
// All or nothing per part: a malformed file is refused before anything is written.
core::Result<PublicationReport> import_publication(std::string_view text, store::Store& store,
                                                   content::ContentService& content,
                                                   const core::Clock& clock);

}  // namespace importers
