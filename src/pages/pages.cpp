#include "pages/pages.h"

#include <algorithm>

#include "content/article.h"
#include "content/markdown.h"
#include "core/text.h"

namespace pages {

namespace {

auto invalid(const std::string& why) { return core::fail(core::ErrorCode::kInvalidInput, why); }

const store::StaticPage* by_id(const std::vector<store::StaticPage>& all, long long id) {
  for (const auto& p : all) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

}  // namespace

std::string path_of(const store::StaticPage& page, const std::vector<store::StaticPage>& all) {
  const store::StaticPage* parent = page.parent_id ? by_id(all, page.parent_id) : nullptr;
  return parent ? "/pages/" + parent->slug + "/" + page.slug : "/pages/" + page.slug;
}

core::Result<store::StaticPage> make_page(const PageInput& in, long long id,
                                          const std::vector<store::StaticPage>& all,
                                          core::UnixTime now) {
  store::StaticPage p;
  p.id = id;
  p.title = core::trim(in.title);
  if (p.title.empty()) return invalid("Give the page a title.");
  if (p.title.size() > content::kMaxHeadlineBytes) {
    return invalid("A title may be at most 500 characters long.");
  }
  p.slug = core::trim(in.slug);
  if (p.slug.empty()) p.slug = core::slugify(p.title);
  if (!core::is_valid_slug(p.slug)) {
    return invalid("The address may hold only lower-case letters, digits and single hyphens "
                   "(for example about-us), at most 120 characters.");
  }
  std::string parent = core::trim(in.parent);
  if (!parent.empty()) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& q) { return q.slug == parent; });
    if (it == all.end()) return invalid("There is no page at /pages/" + parent + " to put this one under.");
    // Walking up from the parent must never reach this page.
    const store::StaticPage* up = &*it;
    for (std::size_t steps = 0; up && steps <= all.size(); ++steps) {
      if (id != 0 && up->id == id) return invalid("A page cannot sit under itself or under a page below it.");
      up = up->parent_id ? by_id(all, up->parent_id) : nullptr;
    }
    p.parent_id = it->id;
  }
  p.description = core::trim(in.description);
  if (p.description.size() > content::kMaxDekBytes) {
    return invalid("The description may be at most 1,000 characters long.");
  }
  if (in.body_md.size() > content::kMaxBodyBytes) return invalid("The text may be at most 2 MB.");
  if (in.footer < 0 || in.footer > kMaxFooter) {
    return invalid("The place in the footer is a number from 1 to 99 (or none).");
  }
  p.body_md = in.body_md;
  p.body_html = content::render_markdown(in.body_md);
  p.published = in.published;
  p.footer = in.footer;
  const store::StaticPage* old = id ? by_id(all, id) : nullptr;
  p.created_at = old ? old->created_at : now;
  p.updated_at = now;
  return p;
}

core::Result<int> put_all(store::PageStore& store, const std::vector<PageInput>& list,
                          core::UnixTime now, bool keep_footer) {
  std::vector<bool> done(list.size(), false);
  int written = 0;
  // Read once, then kept in step with what is written (make_page needs every page).
  auto all = store.pages();
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (done[i]) continue;
      PageInput in = list[i];
      std::optional<std::size_t> existing;
      bool parent_there = in.parent.empty();
      for (std::size_t k = 0; k < all.size(); ++k) {
        if (all[k].slug == in.slug) existing = k;
        if (all[k].slug == in.parent) parent_there = true;
      }
      if (!parent_there) continue;
      if (existing && keep_footer) in.footer = all[*existing].footer;
      auto page = make_page(in, existing ? all[*existing].id : 0, all, now);
      if (!page) return core::fail(page.error().code, "/pages/" + in.slug + ": " + page.error().message);
      auto saved = store.put_page(*page);
      if (!saved) return core::fail(saved.error().code, "/pages/" + in.slug + ": " + saved.error().message);
      page->id = *saved;
      if (existing) {
        all[*existing] = std::move(*page);
      } else {
        all.push_back(std::move(*page));
      }
      done[i] = progress = true;
      ++written;
    }
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!done[i]) {
      return invalid("/pages/" + list[i].slug + ": its parent /pages/" + list[i].parent + " is not there");
    }
  }
  return written;
}

std::shared_ptr<const Pages::Snapshot> Pages::snapshot(long long version) {
  std::lock_guard lock(mu_);
  if (snapshot_ && snapshot_->version == version) return snapshot_;
  auto s = std::make_shared<Snapshot>();
  s->version = version;
  auto all = store_.pages();
  for (const auto& p : all) {
    if (!p.published) continue;
    s->by_slug[p.slug] = s->pages.size();
    s->paths.push_back(path_of(p, all));
    s->pages.push_back(p);
  }
  std::vector<std::size_t> listed;
  for (std::size_t i = 0; i < s->pages.size(); ++i) {
    if (s->pages[i].footer > 0) listed.push_back(i);
  }
  std::stable_sort(listed.begin(), listed.end(), [&](std::size_t a, std::size_t b) {
    return s->pages[a].footer < s->pages[b].footer;
  });
  for (auto i : listed) s->footer.push_back({s->pages[i].title, s->paths[i]});
  snapshot_ = s;
  return s;
}

std::optional<Pages::Found> Pages::find(std::string_view first, std::string_view second,
                                        long long version) {
  auto s = snapshot(version);
  std::string slug(second.empty() ? first : second);
  auto it = s->by_slug.find(slug);
  if (it == s->by_slug.end()) return std::nullopt;
  const auto& path = s->paths[it->second];
  // /pages/{parent}/{slug} must name the page's own parent.
  if (!second.empty() && path != "/pages/" + std::string(first) + "/" + slug) return std::nullopt;
  return Found{s->pages[it->second], path};
}

std::vector<FooterLink> Pages::footer(long long version) { return snapshot(version)->footer; }

std::vector<Pages::Found> Pages::published(long long version) {
  auto s = snapshot(version);
  std::vector<Found> out;
  for (std::size_t i = 0; i < s->pages.size(); ++i) out.push_back({s->pages[i], s->paths[i]});
  return out;
}

std::optional<store::StaticPage> Pages::get(long long id) {
  for (auto& p : store_.pages()) {
    if (p.id == id) return std::move(p);
  }
  return std::nullopt;
}

core::Result<long long> Pages::save(long long id, const PageInput& in, core::UnixTime now) {
  auto all = store_.pages();
  if (id != 0 && !by_id(all, id)) return core::fail(core::ErrorCode::kNotFound, "There is no such page.");
  auto page = make_page(in, id, all, now);
  if (!page) return std::unexpected(page.error());
  return store_.put_page(*page);
}

}  // namespace pages
