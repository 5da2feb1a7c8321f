// Static pages: About, Contact, Privacy, Terms, and the pages a publication brings from
// WordPress or Ghost. Free to every reader (no paywall, no credits), kept out of the
// article index and feeds, listed in the sitemap. A top-level page lives at
// /pages/{slug}; a page under a parent at /pages/{parent}/{slug} (its /pages/{slug}
// answers 301 there). Editors write them in the back office (Markdown, as articles) and
// choose which appear in the footer, in what order. Reads are served from memory, read
// again once per content version. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/page_store.h"

namespace pages {

// What an editor (or an import) supplies.
struct PageInput {
  std::string title;
  std::string slug;    // "" : made from the title
  std::string parent;  // the parent page's slug; "" for a top-level page
  std::string description;
  std::string body_md;
  bool published = false;
  int footer = 0;  // place in the footer (1–99); 0: not listed
};

inline constexpr int kMaxFooter = 99;

// `page`'s address: /pages/{slug} or /pages/{parent}/{slug} (`all`: every page, to find
// the parent).
std::string path_of(const store::StaticPage& page, const std::vector<store::StaticPage>& all);

// Checks `in` against the pages there are (`all`) and makes the page to store as `id`
// (0: a new one), its body rendered and sanitized. kInvalidInput naming the problem:
// no title, a slug that is not lower-case letters, digits and single hyphens, an unknown
// parent, a parent that is the page itself or sits under it, a footer place out of range,
// anything longer than the article limits.
core::Result<store::StaticPage> make_page(const PageInput& in, long long id,
                                          const std::vector<store::StaticPage>& all,
                                          core::UnixTime now);

// Stores `list` (imports, a whole-publication export): each page replaces the stored page
// with its slug, or is added, and is written after its parent (in `list` or stored
// already). `keep_footer`: a page that exists keeps its place in the footer (an editor put
// it there after an earlier import). The first refusal, naming the page; kInvalidInput when
// a parent is nowhere. How many were written.
core::Result<int> put_all(store::PageStore& store, const std::vector<PageInput>& list,
                          core::UnixTime now, bool keep_footer);

struct FooterLink {
  std::string title;
  std::string url;
};

class Pages {
 public:
  explicit Pages(store::PageStore& store) : store_(store) {}

  // A published page asked for at /pages/{first} or /pages/{first}/{second} (`second`
  // empty for the first), with its address; `path` differs from what was asked for when
  // the page lives under a parent (the caller answers 301 there).
  struct Found {
    store::StaticPage page;
    std::string path;
  };
  std::optional<Found> find(std::string_view first, std::string_view second, long long version);
  // The published pages the editors listed in the footer, in their order.
  std::vector<FooterLink> footer(long long version);
  // Every published page with its address (the sitemap).
  std::vector<Found> published(long long version);

  // The back office: every page (drafts too, not those in the bin) and one by id.
  std::vector<store::StaticPage> list() {
    auto all = store_.pages();
    std::erase_if(all, [](const store::StaticPage& p) { return p.binned_at != 0; });
    return all;
  }
  std::optional<store::StaticPage> get(long long id);
  // Checks (make_page) and stores; the page's id.
  core::Result<long long> save(long long id, const PageInput& in, core::UnixTime now);
  core::Result<void> remove(long long id) { return store_.remove_page(id); }
  // To the bin (web/bin_routes restores or deletes for good).
  core::Result<void> bin(long long id, core::UnixTime now) { return store_.bin_page(id, now); }

 private:
  struct Snapshot {
    long long version = -1;
    std::vector<store::StaticPage> pages;  // published only
    std::vector<std::string> paths;        // pages[i]'s address
    std::unordered_map<std::string, std::size_t> by_slug;
    std::vector<FooterLink> footer;
  };
  std::shared_ptr<const Snapshot> snapshot(long long version);

  store::PageStore& store_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // guarded by mu_
};

}  // namespace pages
