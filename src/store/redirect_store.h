// Storage for redirects: old addresses (a path, with its query where the old site used
// one, e.g. `/?p=22`) answered with 301 to a new one. Written by the back office and by
// importers; every change moves the content version, so each node's copy and the page
// caches follow. Same threading and error rules as store/store.h.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace store {

struct Redirect {
  std::string from;    // path and query as a browser sends them, e.g. /2014/05/slug/
  std::string to;      // a path on this site, or an http(s) address
  std::string origin;  // who made it: "admin", "wordpress", "ghost", …
  core::UnixTime created_at = 0;
};

class RedirectStore {
 public:
  virtual ~RedirectStore() = default;
  // Every redirect, ordered by `from`.
  virtual std::vector<Redirect> redirects() = 0;
  // Adds `r`, or replaces the redirect from the same address.
  virtual core::Result<void> put_redirect(const Redirect& r) = 0;
  // Many at once (an import's), in one transaction.
  virtual core::Result<void> put_redirects(const std::vector<Redirect>& list) = 0;
  // kNotFound when there is none from `from`.
  virtual core::Result<void> remove_redirect(const std::string& from) = 0;
};

}  // namespace store
