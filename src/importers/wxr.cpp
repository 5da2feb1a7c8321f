#include "importers/wxr.h"

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "accounts/member.h"
#include "content/sanitize.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/time.h"
#include "importers/media.h"
#include "importers/wordpress_content.h"
#include "importers/xml_records.h"

namespace importers {

namespace {

using content::AccessClass;
using content::Status;

struct Category {
  std::string name;
  std::string parent;  // its nicename
};

// What the first pass learns about the site.
struct Site {
  std::string version;
  std::string base_url;  // base_blog_url, else base_site_url, else the channel's link
  std::string blog_path;  // its path without the final '/', e.g. "" or "/path"
  std::string title;      // the channel's, to tell sites without an address apart
  std::map<std::string, std::string> authors;  // login → display name
  std::map<std::string, Category> categories;  // nicename → name, parent
  std::map<std::string, std::string> tags;     // slug → name
  std::map<std::string, std::string> author_emails;  // login → address (staff matching only)
};

using File = std::unique_ptr<std::FILE, decltype(&std::fclose)>;

core::Result<File> open(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return core::fail(core::ErrorCode::kNotFound, "cannot read " + path);
  return f;
}

long long file_size(std::FILE* f) {
  if (std::fseek(f, 0, SEEK_END) != 0) return -1;
  long long n = std::ftell(f);
  std::rewind(f);
  return n;
}

// "2014-05-06 07:08:09" (UTC) → a time; WordPress writes "0000-00-00 00:00:00" for none.
std::optional<core::UnixTime> wp_time(std::string_view s) {
  std::string t = core::trim(s);
  if (t.size() != 19 || t.starts_with("0000")) return std::nullopt;
  t[10] = 'T';
  return core::parse_rfc3339(t + "Z");
}

void digest_node(const XmlNode& n, std::string& out) {
  out += '<';
  out += n.name;
  for (const auto& [k, v] : n.attributes) out += ' ' + k + '=' + v;
  out += '>';
  out += n.text;
  for (const auto& c : n.children) digest_node(c, out);
  out += "</>";
}

std::string digest(const XmlNode& item, const ImportOptions& options) {
  std::string text = options.access ? std::string(content::to_string(*options.access)) : "-";
  if (options.map) text += options.map->digest();
  text += "\x01" + options.media_from;
  digest_node(item, text);
  return core::token_hash(text);
}

std::string text_of(const XmlNode& item, std::string_view name) {
  return core::trim(item.child_text(name));
}

// A known paywall plugin's word on the post, from its post meta: Restrict Content Pro
// (rcp_subscription_level, rcp_access_level, _is_paid) and Leaky Paywall
// (_issuem_leaky_paywall_visibility "only" some levels) mean subscribers only.
std::optional<AccessClass> plugin_access(const XmlNode& item) {
  for (const auto& c : item.children) {
    if (c.name != "wp:postmeta") continue;
    std::string key = text_of(c, "wp:meta_key");
    std::string value = text_of(c, "wp:meta_value");
    if (key == "_is_paid" && (value == "on" || value == "1" || value == "yes")) return AccessClass::kPremium;
    if ((key == "rcp_subscription_level" || key == "rcp_access_level") && !value.empty() &&
        value != "0" && value != "a:0:{}" && value != "all" && value != "none") {
      return AccessClass::kPremium;
    }
    if (key == "_issuem_leaky_paywall_visibility" && value.find("\"only\"") != std::string::npos) {
      return AccessClass::kPremium;
    }
  }
  return std::nullopt;
}

std::string post_id(const XmlNode& item) { return text_of(item, "wp:post_id"); }

class WxrImport {
 public:
  WxrImport(const std::string& path, store::Store& store, content::ContentService& content,
            const core::Clock& clock, const ImportOptions& options)
      : path_(path), store_(store), content_(content), clock_(clock), options_(options),
        media_(options.media_from, options.media_into, {"/wp-content/uploads/", "files.wordpress.com/"},
               options.dry_run) {}

  core::Result<ImportSummary> run() {
    // Pass 1: the whole file is read and checked before anything is written.
    std::vector<std::pair<std::string, std::string>> posts;  // id → wanted slug, digest below
    std::vector<std::string> digests;
    std::vector<std::array<std::string, 3>> pages;  // id, wanted slug, digest
    auto first = read(1, [&](const XmlNode& r) -> core::Result<void> {
      learn(r);
      if (r.name == "item" && text_of(r, "wp:post_type") == "attachment") {
        Attachment& at = attachments_[post_id(r)];
        at.url = text_of(r, "wp:attachment_url");
        at.caption = core::strip_tags(content::sanitize_html(r.child_text("excerpt:encoded")));
        for (const auto& c : r.children) {
          if (c.name == "wp:postmeta" && text_of(c, "wp:meta_key") == "_wp_attachment_image_alt") {
            at.alt = text_of(c, "wp:meta_value");
          }
        }
      }
      if (r.name == "item" && text_of(r, "wp:post_type") == "post") {
        std::string id = post_id(r);
        if (id.empty()) {
          return core::fail(core::ErrorCode::kInvalidInput,
                            "line " + std::to_string(r.line) + ": a post without <wp:post_id>");
        }
        posts.emplace_back(id, wanted_slug(text_of(r, "wp:post_name"), text_of(r, "title"),
                                           "post-" + id));
        digests.push_back(digest(r, options_));
      }
      if (r.name == "item" && text_of(r, "wp:post_type") == "page") {
        std::string id = post_id(r);
        if (id.empty()) {
          return core::fail(core::ErrorCode::kInvalidInput,
                            "line " + std::to_string(r.line) + ": a page without <wp:post_id>");
        }
        pages.push_back({id, wanted_slug(text_of(r, "wp:post_name"), text_of(r, "title"), "page-" + id),
                         digest(r, options_)});
      }
      return {};
    });
    if (!first) return std::unexpected(first.error());
    if (*first != "rss") {
      return core::fail(core::ErrorCode::kInvalidInput,
                        "not a WordPress export: the document is <" + *first + ">, not <rss>");
    }
    if (site_.version.empty()) {
      return core::fail(core::ErrorCode::kInvalidInput,
                        "not a WordPress export: it has no <wp:wxr_version>");
    }
    if (site_.version != "1.0" && site_.version != "1.1" && site_.version != "1.2") {
      return core::fail(core::ErrorCode::kInvalidInput,
                        "WXR version '" + site_.version +
                            "' is not one this importer reads (1.0, 1.1, 1.2)");
    }
    std::set<std::string> ids;
    for (const auto& [id, slug] : posts) {
      if (!ids.insert(id).second) {
        return core::fail(core::ErrorCode::kInvalidInput, "two posts with <wp:post_id> " + id);
      }
    }
    migration_.emplace(store_, content_, clock_, "wordpress",
                       site_.base_url.empty() ? "title:" + site_.title : site_.base_url,
                       options_.dry_run);
    migration_->summary().format = "WordPress (WXR " + site_.version + ")";
    for (std::size_t i = 0; i < posts.size(); ++i) {
      migration_->plan("post:" + posts[i].first, posts[i].second, digests[i]);
    }
    // A topic keeps its category's nicename (a tag naming it the same way yields to it).
    for (const auto& [nicename, category] : site_.categories) {
      TermTarget to;
      if (options_.map) to = options_.map->category(nicename, category.name);
      if (to.kind == TermTarget::Kind::kDefault) {
        migration_->want_term_slug(content::TermKind::kTopic, core::trim(category.name), nicename);
      }
    }
    for (const auto& [id, slug, d] : pages) {
      if (!ids.insert(id).second) {
        return core::fail(core::ErrorCode::kInvalidInput, "two items with <wp:post_id> " + id);
      }
      migration_->plan("page:" + id, slug, d, ItemKind::kPage);
    }
    // Pass 2: convert and write.
    auto second = read(2, [&](const XmlNode& r) -> core::Result<void> {
      if (r.name != "item") return {};
      return item(r);
    });
    if (!second) return std::unexpected(second.error());
    site_redirects();
    if (protected_pages_ > 0) {
      migration_->note(std::to_string(protected_pages_) +
                       (protected_pages_ == 1 ? " password-protected page kept as a draft"
                                              : " password-protected pages kept as drafts") +
                       " (a static page is public to all)");
    }
    return migration_->finish();
  }

 private:
  core::Result<std::string> read(int pass, const XmlRecordSink& sink) {
    auto f = open(path_);
    if (!f) return std::unexpected(f.error());
    long long total = file_size(f->get());
    auto summary = read_xml_records(f->get(), XmlReadOptions{}, sink, [&](long long done) {
      if (options_.progress) options_.progress(pass, done, total);
    });
    if (!summary) return std::unexpected(summary.error());
    return summary->root;
  }

  void learn(const XmlNode& r) {
    if (r.name == "wp:wxr_version") {
      site_.version = core::trim(r.text);
    } else if (r.name == "title") {
      site_.title = core::trim(r.text);
    } else if (r.name == "wp:base_blog_url" || (r.name == "wp:base_site_url" && site_.base_url.empty()) ||
               (r.name == "link" && site_.base_url.empty())) {
      site_.base_url = core::trim(r.text);
      while (site_.base_url.ends_with("/")) site_.base_url.pop_back();
      site_.blog_path = old_path(site_.base_url + "/");
      while (site_.blog_path.ends_with("/")) site_.blog_path.pop_back();
    } else if (r.name == "wp:author") {
      std::string login = text_of(r, "wp:author_login");
      std::string name = text_of(r, "wp:author_display_name");
      if (!login.empty()) site_.authors[login] = name.empty() ? login : name;
      // Kept only to match staff accounts here; never shown or stored with the author.
      if (!login.empty()) site_.author_emails[login] = text_of(r, "wp:author_email");
    } else if (r.name == "wp:category") {
      site_.categories[text_of(r, "wp:category_nicename")] = {text_of(r, "wp:cat_name"),
                                                              text_of(r, "wp:category_parent")};
    } else if (r.name == "wp:tag") {
      site_.tags[text_of(r, "wp:tag_slug")] = text_of(r, "wp:tag_name");
    } else if (r.name == "wp:term") {
      std::string taxonomy = text_of(r, "wp:term_taxonomy");
      std::string slug = text_of(r, "wp:term_slug");
      if (taxonomy == "category") {
        site_.categories[slug] = {text_of(r, "wp:term_name"), text_of(r, "wp:term_parent")};
      } else if (taxonomy == "post_tag") {
        site_.tags[slug] = text_of(r, "wp:term_name");
      }
    }
  }

  core::Result<void> item(const XmlNode& r) {
    std::string type = text_of(r, "wp:post_type");
    std::string status = text_of(r, "wp:status");
    if (type == "attachment") {
      migration_->skip("attachments (media files; see --media-dir)");
      return {};
    }
    if (type == "page") return page(r, status);
    if (type != "post") {
      migration_->skip("items of type '" + (type.empty() ? std::string("none") : type) + "'");
      return {};
    }
    int comments = 0;
    for (const auto& c : r.children) comments += c.name == "wp:comment";
    if (comments > 0) migration_->summary().skipped["comments"] += comments;
    std::string id = post_id(r);
    if (status == "auto-draft") {
      migration_->skip("auto-drafts (WordPress's empty placeholders)");
      return {};
    }

    SourceItem s;
    s.source_id = "post:" + id;
    auto& a = s.input;
    a.headline = text_of(r, "title");
    if (!migration_->unchanged(s.source_id)) {  // else only its names and addresses are needed
      a.dek = core::strip_tags(content::sanitize_html(r.child_text("excerpt:encoded")));
      WordPressBody body =
          wordpress_html(media_.pictures(r.child_text("content:encoded"), migration_->summary()));
      a.body_md = html_body(body.before_more, body.after_more, body.has_more);
      for (const auto& c : r.children) {
        if (c.name == "wp:postmeta" && text_of(c, "wp:meta_key") == "_thumbnail_id") {
          auto it = attachments_.find(text_of(c, "wp:meta_value"));
          if (it != attachments_.end() && !it->second.url.empty()) {
            media_.hero(it->second.url, a, migration_->summary());
            if (!a.hero_image.empty()) {
              a.hero_alt = it->second.alt;
              a.hero_caption = it->second.caption;
            }
          }
        } else if (c.name == "wp:postmeta") {
          // Yoast SEO's title and description, where the site used it (its %%variables%%
          // are WordPress's to expand: a title holding one is left to the headline).
          std::string key = text_of(c, "wp:meta_key");
          std::string value = core::trim(text_of(c, "wp:meta_value"));
          if (value.find("%%") != std::string::npos) continue;
          if (key == "_yoast_wpseo_title") a.seo_title = value;
          if (key == "_yoast_wpseo_metadesc") a.seo_description = value;
        }
      }
    }
    a.published_at = wp_time(text_of(r, "wp:post_date_gmt"));
    if (!a.published_at) a.published_at = wp_time(text_of(r, "wp:post_date"));
    if (auto modified = wp_time(text_of(r, "wp:post_modified_gmt"));
        modified && a.published_at && *modified > *a.published_at) {
      a.updated_at = modified;
    }
    if (status == "publish") {
      a.status = Status::kPublished;
      if (!a.published_at) a.published_at = clock_.now();
    } else if (status == "future" && a.published_at) {
      a.status = Status::kScheduled;
    } else {
      // draft, pending, private, trash: not public here either.
      a.status = Status::kDraft;
    }
    a.featured = text_of(r, "wp:is_sticky") == "1";
    std::string login = text_of(r, "dc:creator");
    if (!login.empty()) {
      auto it = site_.authors.find(login);
      std::string name = it != site_.authors.end() ? it->second : login;
      a.authors.push_back(name);
      used_authors_[login] = name;
      a.created_by = staff_account(login);
      migration_->want_term_slug(content::TermKind::kAuthor, name, login);  // /authors/{login}
    }
    for (const auto& c : r.children) {
      if (c.name != "category") continue;
      std::string domain(c.attribute("domain"));
      std::string nicename(c.attribute("nicename"));
      std::string name = core::trim(c.text);
      TermTarget to;
      if (domain == "post_tag") {
        to = tag_target(options_.map, nicename, name);
      } else if (domain == "category") {
        if (options_.map) to = options_.map->category(nicename, name);
        if (to.kind == TermTarget::Kind::kDefault) {
          if (nicename == "uncategorized" && name == "Uncategorized") continue;  // WordPress's default
          to = {TermTarget::Kind::kTopic, name};
        }
      } else {
        continue;
      }
      // "template" (a tag) and "Template" (a category) on one post are one name here: the
      // first; the other's archive redirects to it.
      const auto& list = to.kind == TermTarget::Kind::kCountry ? a.countries : a.topics;
      for (const auto& earlier : list) {
        if (earlier != to.name && core::slugify(earlier) == core::slugify(to.name)) to.name = earlier;
      }
      if (std::string page = add_term(to, a.topics, a.countries); !page.empty()) {
        auto kind = to.kind == TermTarget::Kind::kCountry ? content::TermKind::kCountry
                                                           : content::TermKind::kTopic;
        // A topic keeps the category's (tag's) slug, unless the map renamed it.
        if (kind == content::TermKind::kTopic && to.name == name) {
          migration_->want_term_slug(kind, to.name, nicename);
        }
        (domain == "category" ? used_categories_ : used_tags_)[nicename] = {kind, to.name};
      }
    }
    if (auto access = plugin_access(r)) a.access = *access;
    else if (!text_of(r, "wp:post_password").empty()) a.access = AccessClass::kPremium;
    else a.access = options_.access.value_or(AccessClass::kMetered);

    if (a.status != Status::kDraft) {
      for (const char* field : {"link", "guid"}) {
        if (auto p = old_path(text_of(r, field)); !p.empty()) s.old_addresses.push_back(p);
      }
      s.old_addresses.push_back(site_.blog_path + "/?p=" + id);
    }
    return migration_->add(std::move(s));
  }

  // The staff account whose address is the WordPress author's, if any (cached per login).
  std::optional<long long> staff_account(const std::string& login) {
    auto cached = staff_of_.find(login);
    if (cached != staff_of_.end()) return cached->second;
    std::optional<long long> id;
    auto email = site_.author_emails.find(login);
    if (email != site_.author_emails.end() && accounts::plausible_email(email->second)) {
      auto m = store_.members().find_member_by_email(accounts::normalize_email(email->second));
      if (m && m->role != accounts::Role::kReader) id = m->id;
    }
    staff_of_[login] = id;
    return id;
  }

  // A WordPress page → a static page (free, like every page here): published or a draft,
  // under its parent page, its old addresses redirected.
  core::Result<void> page(const XmlNode& r, const std::string& status) {
    if (status == "auto-draft") {
      migration_->skip("auto-drafts (WordPress's empty placeholders)");
      return {};
    }
    std::string id = post_id(r);
    SourceItem s;
    s.source_id = "page:" + id;
    s.kind = ItemKind::kPage;
    auto& a = s.input;
    a.headline = text_of(r, "title");
    if (!migration_->unchanged(s.source_id)) {
      a.dek = core::strip_tags(content::sanitize_html(r.child_text("excerpt:encoded")));
      WordPressBody body =
          wordpress_html(media_.pictures(r.child_text("content:encoded"), migration_->summary()));
      a.body_md = html_body(body.before_more, body.after_more, false);
    }
    // Only what WordPress shows to everyone is public here; a password-protected page is
    // kept as a draft (a static page has no wall).
    bool is_public = status == "publish" && text_of(r, "wp:post_password").empty();
    a.status = is_public ? Status::kPublished : Status::kDraft;
    if (status == "publish" && !is_public) ++protected_pages_;
    std::string parent = text_of(r, "wp:post_parent");
    if (!parent.empty() && parent != "0") s.parent_source_id = "page:" + parent;
    if (is_public) {
      for (const char* field : {"link", "guid"}) {
        if (auto p = old_path(text_of(r, field)); !p.empty()) s.old_addresses.push_back(p);
      }
      s.old_addresses.push_back(site_.blog_path + "/?page_id=" + id);
    }
    return migration_->add(std::move(s));
  }

  // The category chain of an archive address: /category/parent/child/.
  std::string category_path(const std::string& nicename) {
    std::string path = nicename;
    std::string at = nicename;
    for (int depth = 0; depth < 10; ++depth) {
      auto it = site_.categories.find(at);
      if (it == site_.categories.end() || it->second.parent.empty()) break;
      at = it->second.parent;
      path = at + "/" + path;
    }
    return path;
  }

  void site_redirects() {
    const std::string& b = site_.blog_path;
    for (const auto& [nicename, term] : used_categories_) {
      if (!nicename.empty()) {
        migration_->add_redirect(b + "/category/" + category_path(nicename) + "/",
                                 migration_->term_path(term.first, term.second));
      }
    }
    for (const auto& [slug, term] : used_tags_) {
      if (!slug.empty()) migration_->add_redirect(b + "/tag/" + slug + "/", migration_->term_path(term.first, term.second));
    }
    for (const auto& [login, name] : used_authors_) {
      if (!core::slugify(name).empty()) {
        migration_->add_redirect(b + "/author/" + login + "/",
                                 migration_->term_path(content::TermKind::kAuthor, name));
      }
    }
    migration_->add_redirect(b + "/feed/", "/feed.xml");
  }

  const std::string& path_;
  store::Store& store_;
  content::ContentService& content_;
  const core::Clock& clock_;
  const ImportOptions& options_;
  Site site_;
  std::optional<Migration> migration_;
  // By the source's slug: the term each category or tag became (kind, name).
  std::map<std::string, std::pair<content::TermKind, std::string>> used_categories_, used_tags_;
  std::map<std::string, std::string> used_authors_;  // login → display name
  struct Attachment {
    std::string url, caption, alt;
  };
  std::map<std::string, Attachment> attachments_;  // by post id
  int protected_pages_ = 0;
  std::map<std::string, std::optional<long long>> staff_of_;  // login → staff account
  MediaCopier media_;
};

}  // namespace

core::Result<ImportSummary> import_wxr(const std::string& path, store::Store& store,
                                       content::ContentService& content,
                                       const core::Clock& clock, const ImportOptions& options) {
  return WxrImport(path, store, content, clock, options).run();
}

}  // namespace importers
