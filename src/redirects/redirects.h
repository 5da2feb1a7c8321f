// Redirects: old addresses answered with 301 to new ones — pages that moved when a
// publication came from WordPress or Ghost (`/?p=22`, `/2014/05/some-slug/`), renamed
// slugs, retired sections. Editors keep them at /admin/redirects; importers add theirs.
// The site asks here only for addresses it cannot answer (a 404), and for an address
// with a query that a redirect names exactly (WordPress's `/?p=22` is otherwise the home
// page). Lookups are served from memory, read again once per content version (every
// change to a redirect moves it, on any node). Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/redirect_store.h"

namespace redirects {

// A redirect from `from` to `to`, checked: `from` is a path on this site (with its query,
// if the old address had one), not `/` itself; `to` is a path on this site or an http(s)
// address; neither has spaces or control characters or is longer than 2,000 bytes, and
// they differ. kInvalidInput naming the problem otherwise.
core::Result<store::Redirect> make_redirect(std::string_view from, std::string_view to,
                                            std::string origin, core::UnixTime now);

// Checks a redirect (make_redirect) and stores it, replacing one from the same address.
core::Result<void> put(store::RedirectStore& store, std::string_view from, std::string_view to,
                       std::string origin, core::UnixTime now);

// An address as browsers send it: bytes outside ASCII percent-encoded, and the hex digits
// of every %XX in upper case (so /café/, /caf%c3%a9/ and /caf%C3%A9/ are one address).
std::string normalize_address(std::string_view address);

class Redirects {
 public:
  explicit Redirects(store::RedirectStore& store) : store_(store) {}

  // Where `target` (path and query as the browser sent them) has moved. `version`: the
  // content version the request was answered at. `missing`: nothing here answers the
  // address, so the path is tried without its query and with or without a final `/`
  // too; otherwise only a redirect naming the address with its query exactly counts.
  std::optional<std::string> find(std::string_view target, long long version, bool missing);

  std::vector<store::Redirect> list() { return store_.redirects(); }
  core::Result<void> add(std::string_view from, std::string_view to, const std::string& origin,
                         core::UnixTime now) {
    return put(store_, from, to, origin, now);
  }
  core::Result<void> remove(const std::string& from) { return store_.remove_redirect(from); }

 private:
  struct Snapshot {
    long long version = -1;
    std::unordered_map<std::string, std::string> to;
    bool any_query = false;  // some `from` has a query
  };
  std::shared_ptr<const Snapshot> snapshot(long long version);

  store::RedirectStore& store_;
  // What the last snapshot read says, for a look without the lock: most addresses (every
  // one with a query, when no redirect has one) need no lookup at all.
  std::atomic<long long> known_version_{-1};
  std::atomic<bool> known_any_query_{false};
  std::atomic<bool> known_empty_{true};
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
};

}  // namespace redirects
