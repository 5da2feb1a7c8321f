// Storage for static pages: About, Contact, Privacy, Terms, and the pages a publication
// brings from WordPress or Ghost. Free to every reader, outside the paywall and the
// article index; a page may sit under a parent page and may be listed in the footer.
// Every change moves the content version, so each node's copy and the page caches
// follow. Same threading and error rules as store/store.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace store {

struct StaticPage {
  long long id = 0;         // 0: not stored yet
  std::string slug;         // unique among pages
  long long parent_id = 0;  // the page it sits under; 0 for none
  std::string title;
  std::string description;  // for search engines and link previews
  std::string body_md;      // the source (Markdown; may carry HTML)
  std::string body_html;    // rendered and sanitized from body_md
  bool published = false;   // drafts are seen only in the back office
  int footer = 0;           // place in the footer's list (1, 2, …); 0: not listed
  core::UnixTime created_at = 0;
  core::UnixTime updated_at = 0;
  core::UnixTime binned_at = 0;  // in the bin since (0: not binned)
};

class PageStore {
 public:
  virtual ~PageStore() = default;
  // Every page, bodies included, ordered by slug.
  virtual std::vector<StaticPage> pages() = 0;
  // Stores `page`: a new one when its id is 0 (the new id is returned), else replaces the
  // page with that id (kNotFound when there is none). kConflict when another page has the
  // slug, or the parent does not exist.
  virtual core::Result<long long> put_page(const StaticPage& page) = 0;
  // Deletes for good: kNotFound when there is none; pages under it move to the top level.
  virtual core::Result<void> remove_page(long long id) = 0;
  // The bin: the page is unpublished and leaves the footer, remembering both; restore puts
  // them back. kNotFound: no such page (or, restoring, not in the bin); kConflict: binned.
  virtual core::Result<void> bin_page(long long id, core::UnixTime now) = 0;
  virtual core::Result<void> restore_page(long long id) = 0;
};

}  // namespace store
