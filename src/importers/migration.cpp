#include "importers/migration.h"

#include "core/text.h"
#include "pages/pages.h"
#include "redirects/redirects.h"
#include "store/editorial_store.h"
#include "store/page_store.h"

namespace importers {

namespace {

// `s` cut to at most `max` bytes without splitting a UTF-8 character.
std::string cut_bytes(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return core::trim(s);
}

std::vector<std::string> fit_names(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& n : names) {
    std::string name = cut_bytes(core::trim(n), content::kMaxNameBytes);
    std::string key = core::slugify(name);
    if (key.empty() || !seen.insert(key).second) continue;
    out.push_back(std::move(name));
    if (out.size() == content::kMaxNames) break;
  }
  return out;
}

}  // namespace

std::string fit_article(content::ArticleInput& a) {
  if (a.body_md.size() > content::kMaxBodyBytes) return "body over 2 MB";
  a.headline = cut_bytes(core::trim(a.headline), content::kMaxHeadlineBytes);
  if (a.headline.empty()) a.headline = "Untitled";
  a.dek = cut_bytes(core::trim(a.dek), content::kMaxDekBytes);
  a.authors = fit_names(a.authors);
  a.topics = fit_names(a.topics);
  a.countries = fit_names(a.countries);
  a.hero_alt = cut_bytes(core::trim(a.hero_alt), content::kMaxAltBytes);
  a.hero_caption = cut_bytes(core::trim(a.hero_caption), content::kMaxCaptionBytes);
  a.hero_credit = cut_bytes(core::trim(a.hero_credit), content::kMaxCreditBytes);
  a.seo_title = cut_bytes(core::trim(a.seo_title), content::kMaxSeoTitleBytes);
  a.seo_description = cut_bytes(core::trim(a.seo_description), content::kMaxDekBytes);
  return {};
}

std::string wanted_slug(std::string_view source_slug, std::string_view title,
                        std::string_view fallback) {
  std::string slug = core::slugify(core::url_decode(source_slug, false));
  if (slug.empty()) slug = core::slugify(title);
  if (slug.empty()) slug = core::slugify(fallback);
  // Room for a "-N" when another item already has it.
  if (slug.size() > content::kMaxSlugBytes - 8) {
    slug.resize(content::kMaxSlugBytes - 8);
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
  }
  return slug;
}

std::string old_path(std::string_view url) {
  url = url.substr(0, url.find('#'));
  std::string_view rest;
  if (url.starts_with("http://")) rest = url.substr(7);
  else if (url.starts_with("https://")) rest = url.substr(8);
  else return {};
  auto slash = rest.find_first_of("/?");
  if (slash == std::string_view::npos) return {};
  std::string path(rest.substr(slash));
  if (path.front() == '?') path.insert(path.begin(), '/');
  std::string t = core::trim(path);
  return t == "/" ? std::string() : t;
}

Migration::Migration(store::Store& store, content::ContentService& content,
                     const core::Clock& clock, std::string origin, std::string source_key,
                     bool dry_run)
    : store_(store), content_(content), clock_(clock), origin_(std::move(origin)),
      record_origin_(origin_ + " " + source_key), dry_run_(dry_run) {
  for (auto& r : store_.imports().imported(record_origin_)) earlier_.emplace(r.source_id, r);
}

bool Migration::slug_taken(ItemKind kind, const std::string& slug) {
  if (kind == ItemKind::kArticle) return store_.content().article_id(slug).has_value();
  if (!page_slugs_) {
    page_slugs_.emplace();
    for (const auto& p : store_.pages().pages()) page_slugs_->insert(p.slug);
  }
  return page_slugs_->contains(slug);
}

void Migration::plan(const std::string& source_id, const std::string& wanted,
                     const std::string& digest, ItemKind kind) {
  Planned p;
  p.digest = digest;
  auto& planned = kind == ItemKind::kPage ? planned_page_slugs_ : planned_slugs_;
  std::string kind_name = kind == ItemKind::kPage ? "page" : "article";
  auto it = earlier_.find(source_id);
  if (it != earlier_.end() && it->second.kind == kind_name && !planned.contains(it->second.slug)) {
    p.slug = it->second.slug;
    p.exists = slug_taken(kind, p.slug);
    p.unchanged = p.exists && !it->second.digest.empty() && it->second.digest == digest;
  } else {
    std::string base = wanted.empty() ? "untitled" : wanted;
    std::string slug = base;
    // Another item of this import, or an article (page) that is not this item's, has it.
    for (int n = 2; planned.contains(slug) || slug_taken(kind, slug); ++n) {
      slug = base + "-" + std::to_string(n);
    }
    p.slug = slug;
  }
  planned.insert(p.slug);
  plan_[source_id] = std::move(p);
}

std::string Migration::slug_of(const std::string& source_id) const {
  auto it = plan_.find(source_id);
  return it == plan_.end() ? std::string() : it->second.slug;
}

bool Migration::unchanged(const std::string& source_id) const {
  auto it = plan_.find(source_id);
  return it != plan_.end() && it->second.unchanged;
}

void Migration::want_term_slug(content::TermKind kind, const std::string& name,
                               const std::string& slug) {
  std::string clean = core::slugify(slug);
  if (!name.empty() && !clean.empty()) wanted_terms_.emplace(TermKey{kind, name}, clean);
}

std::string Migration::term_path(content::TermKind kind, const std::string& name) {
  std::string prefix = kind == content::TermKind::kTopic     ? "/topics/"
                       : kind == content::TermKind::kCountry ? "/countries/"
                                                             : "/authors/";
  TermKey key{kind, name};
  if (auto it = resolved_terms_.find(key); it != resolved_terms_.end()) return prefix + it->second;
  auto wanted = wanted_terms_.find(key);
  if (wanted == wanted_terms_.end()) return prefix + core::slugify(name);
  auto slug = store_.editorial().adopt_term(kind, name, wanted->second, /*create=*/false);
  return prefix + (slug ? *slug : core::slugify(name));
}

core::Result<void> Migration::adopt_terms(const content::ArticleInput& input) {
  for (auto [kind, names] : {std::pair{content::TermKind::kTopic, &input.topics},
                             std::pair{content::TermKind::kCountry, &input.countries},
                             std::pair{content::TermKind::kAuthor, &input.authors}}) {
    for (const auto& name : *names) {
      TermKey key{kind, name};
      if (resolved_terms_.contains(key)) continue;
      auto wanted = wanted_terms_.find(key);
      if (wanted == wanted_terms_.end()) continue;
      auto slug = store_.editorial().adopt_term(kind, name, wanted->second, /*create=*/true);
      if (!slug) return std::unexpected(slug.error());
      resolved_terms_[key] = *slug;
    }
  }
  return {};
}

void Migration::add_redirect(const std::string& from, const std::string& to) {
  auto r = redirects::make_redirect(from, to, origin_, clock_.now());
  if (!r || !redirect_from_.insert(r->from).second) return;
  redirects_.push_back(std::move(*r));
  ++summary_.redirects;
}

core::Result<void> Migration::add(SourceItem item) {
  auto it = plan_.find(item.source_id);
  if (it == plan_.end()) {
    return core::fail(core::ErrorCode::kInternal, "an item that was not planned: " + item.source_id);
  }
  const Planned& p = it->second;
  item.input.slug = p.slug;
  if (auto why = fit_article(item.input); !why.empty()) {
    skip(why);
    return {};
  }
  ++(item.kind == ItemKind::kPage ? summary_.pages : summary_.articles);
  for (const auto& n : item.input.authors) summary_.authors.insert(n);
  for (const auto& n : item.input.topics) summary_.topics.insert(n);
  for (const auto& n : item.input.countries) summary_.countries.insert(n);
  std::string to = "/articles/" + p.slug;
  if (item.kind == ItemKind::kPage) {
    auto parent = plan_.find(item.parent_source_id);
    to = parent == plan_.end() || item.parent_source_id.empty()
             ? "/pages/" + p.slug
             : "/pages/" + parent->second.slug + "/" + p.slug;
  }
  for (const auto& from : item.old_addresses) add_redirect(from, to);
  if (p.unchanged) {
    ++summary_.unchanged;
  } else {
    ++(p.exists ? summary_.updated : summary_.created);
    if (item.kind == ItemKind::kPage) {
      pages_.emplace_back(item.source_id, std::move(item));
      return {};
    }
    batch_.push_back(std::move(item));
  }
  if (batch_.size() >= kBatch) return flush();
  return {};
}

core::Result<void> Migration::flush() {
  if (dry_run_) {
    batch_.clear();
    redirects_.clear();
    return {};
  }
  core::UnixTime now = clock_.now();
  std::vector<store::ImportRecord> records;
  std::vector<content::ArticleInput> inputs;
  for (auto& item : batch_) {
    if (auto ok = adopt_terms(item.input); !ok) return ok;
    records.push_back({record_origin_, item.source_id,
                       item.kind == ItemKind::kPage ? "page" : "article", item.input.slug, "", now});
    inputs.push_back(std::move(item.input));
  }
  // The slugs are recorded before the articles are written and the digests after: a run
  // stopped in between finds its own articles again and writes them once more.
  if (!records.empty()) {
    if (auto ok = store_.imports().record_imports(records); !ok) return ok;
    auto written = content_.import_articles(inputs);
    if (!written) return std::unexpected(written.error());
    for (auto& r : records) r.digest = plan_[r.source_id].digest;
    if (auto ok = store_.imports().record_imports(records); !ok) return ok;
  }
  if (auto ok = store_.redirects().put_redirects(redirects_); !ok) return ok;
  batch_.clear();
  redirects_.clear();
  return {};
}

core::Result<void> Migration::write_pages() {
  if (dry_run_ || pages_.empty()) return {};
  core::UnixTime now = clock_.now();
  std::vector<pages::PageInput> inputs;
  std::vector<store::ImportRecord> records;
  for (auto& [source_id, item] : pages_) {
    pages::PageInput in;
    in.title = item.input.headline;
    in.slug = item.input.slug;
    if (!item.parent_source_id.empty()) {
      if (auto it = plan_.find(item.parent_source_id); it != plan_.end()) in.parent = it->second.slug;
    }
    in.description = item.input.dek;
    in.body_md = std::move(item.input.body_md);
    in.published = item.input.status != content::Status::kDraft;
    inputs.push_back(std::move(in));
    records.push_back({record_origin_, source_id, "page", item.input.slug, plan_[source_id].digest, now});
  }
  auto written = pages::put_all(store_.pages(), inputs, now, /*keep_footer=*/true);
  if (!written) return std::unexpected(written.error());
  if (auto ok = store_.imports().record_imports(records); !ok) return ok;
  pages_.clear();
  return {};
}

core::Result<ImportSummary> Migration::finish() {
  if (auto ok = flush(); !ok) return std::unexpected(ok.error());
  if (auto ok = write_pages(); !ok) return std::unexpected(ok.error());
  return summary_;
}

}  // namespace importers
