#include "importers/ghost.h"

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "content/sanitize.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/time.h"
#include "importers/media.h"
#include "importers/wordpress_content.h"
#include "store/editorial_store.h"

namespace importers {

namespace {

using nlohmann::json;
using content::AccessClass;
using content::Status;

// Hands over each row of db[0].data.<table> as a small JSON value once it is read, and the
// export's meta; nothing else is kept.
class RowReader final : public nlohmann::json_sax<json> {
 public:
  using Sink = std::function<bool(const std::string& table, json& row)>;
  explicit RowReader(Sink sink) : sink_(std::move(sink)) {}

  json meta;
  std::string error;

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override { return value(v); }
  bool number_float(number_float_t v, const string_t&) override { return value(v); }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t&) override { return value(nullptr); }
  bool key(string_t& k) override {
    if (building_) key_ = k;
    else path_.back().key = k;
    return true;
  }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    error_at = position;
    error = e.what();
    return false;
  }
  std::size_t error_at = 0;

 private:
  struct Level {
    bool array = false;
    std::string key;  // the key being read in an object
    int index = -1;   // the element being read in an array
  };

  // Where the reader is: db[0].data.<table>[i] is a row; db[0].meta is the meta.
  bool at_row() const {
    return path_.size() == 5 && !path_[0].array && path_[0].key == "db" && path_[1].array &&
           path_[1].index == 0 && !path_[2].array && path_[2].key == "data" && !path_[3].array &&
           path_[4].array;
  }
  bool at_meta() const {
    return path_.size() == 3 && path_[0].key == "db" && path_[1].index == 0 && !path_[2].array &&
           path_[2].key == "meta";
  }

  bool open(json container) {
    if (building_) return place(std::move(container), true);
    if (!path_.empty() && path_.back().array) ++path_.back().index;
    if (at_row() || at_meta()) {
      building_ = true;
      root_ = std::move(container);
      stack_ = {&root_};
      table_ = at_row() ? path_[3].key : "";
      return true;
    }
    path_.push_back({container.is_array(), "", -1});
    return true;
  }

  bool close() {
    if (building_) {
      stack_.pop_back();
      if (!stack_.empty()) return true;
      building_ = false;
      if (table_.empty()) {
        meta = std::move(root_);
        return true;
      }
      return sink_(table_, root_);
    }
    path_.pop_back();
    return true;
  }

  bool value(json v) {
    if (building_) return place(std::move(v), false);
    if (!path_.empty() && path_.back().array) ++path_.back().index;
    return true;
  }

  bool place(json v, bool container) {
    json& top = *stack_.back();
    json* added;
    if (top.is_array()) {
      top.push_back(std::move(v));
      added = &top.back();
    } else {
      added = &(top[key_] = std::move(v));
    }
    if (container) stack_.push_back(added);
    return true;
  }

  Sink sink_;
  std::vector<Level> path_;
  bool building_ = false;
  json root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string table_;
};

std::string str(const json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

bool truthy(const json& row, const char* key) {
  std::string v = str(row, key);
  return v == "1" || v == "true";
}

// Ghost's raw SQLite datetimes ("2026-11-30 05:35:07", UTC), or ISO 8601 from Ghost 4's.
std::optional<core::UnixTime> ghost_time(const std::string& s) {
  if (s.size() < 19) return std::nullopt;
  std::string t = s.substr(0, 19);
  t[10] = 'T';
  return core::parse_rfc3339(t + "Z");
}

// Line and column of a byte offset, for an error message.
std::pair<long, long> line_column(const std::string& path, std::size_t offset) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  long line = 1, column = 1;
  if (!f) return {line, column};
  for (std::size_t i = 1; i < offset; ++i) {
    int c = std::fgetc(f.get());
    if (c == EOF) break;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

struct Tag {
  std::string name, slug;
  bool internal = false;
};

class GhostImport {
 public:
  GhostImport(const std::string& path, store::Store& store, content::ContentService& content,
              const core::Clock& clock, const ImportOptions& options)
      : path_(path), store_(store), content_(content), clock_(clock), options_(options),
        media_(options.media_from, options.media_into, {"/content/images/"}, options.dry_run) {}

  core::Result<ImportSummary> run() {
    std::vector<std::array<std::string, 3>> posts;  // id, wanted slug, digest of the row
    auto first = read([&](const std::string& table, json& row) {
      if (table == "posts") {
        posts.push_back({str(row, "id"), wanted_slug(str(row, "slug"), str(row, "title"), "post-" + str(row, "id")),
                         core::token_hash(row.dump())});
        types_[str(row, "id")] = str(row, "type");
      } else if (table == "tags") {
        std::string name = str(row, "name");
        tags_[str(row, "id")] = {name, str(row, "slug"),
                                 str(row, "visibility") == "internal" || name.starts_with("#")};
      } else if (table == "users") {
        users_[str(row, "id")] = {str(row, "name"), str(row, "slug")};
        if (std::string bio = core::trim(str(row, "bio")); !bio.empty()) bios_[str(row, "slug")] = bio;
      } else if (table == "posts_tags") {
        post_tags_[str(row, "post_id")].emplace(row.value("sort_order", 0), str(row, "tag_id"));
      } else if (table == "posts_meta") {
        meta_of_[str(row, "post_id")] = {str(row, "meta_title"), str(row, "meta_description"),
                                          str(row, "feature_image_alt"),
                                          str(row, "feature_image_caption")};
      } else if (table == "posts_authors") {
        post_authors_[str(row, "post_id")].emplace(row.value("sort_order", 0), str(row, "author_id"));
      }
      return true;
    });
    if (!first) return std::unexpected(first.error());
    if (!meta_.is_object() || !meta_.contains("version")) {
      return core::fail(core::ErrorCode::kInvalidInput,
                        "not a Ghost export: no db[0].meta.version");
    }
    std::string version = str(meta_, "version");
    migration_.emplace(store_, content_, clock_, "ghost", "export", options_.dry_run);
    migration_->summary().format = "Ghost " + version;
    for (auto& [id, slug, digest] : posts) {
      if (types_[id] == "page") {
        migration_->plan("page:" + id, slug,
                         core::token_hash(digest + "\x01" + meta_of_[id].digest() + "\x01" +
                                          options_.media_from),
                         ItemKind::kPage);
      }
      if (types_[id] != "post") continue;
      // The row and what it is related to make the item.
      std::string related = digest;
      for (const auto& [order, tag] : post_tags_[id]) related += " t" + tag;
      for (const auto& [order, user] : post_authors_[id]) related += " a" + user;
      related += "\x01" + meta_of_[id].digest();
      if (options_.map) related += options_.map->digest();
      related += "\x01" + options_.media_from;
      migration_->plan("post:" + id, slug, core::token_hash(related));
    }
    auto second = read([&](const std::string& table, json& row) {
      if (table != "posts") return true;
      if (auto ok = post(row); !ok) {
        failure_ = ok.error();
        return false;
      }
      return true;
    });
    if (failure_) return std::unexpected(*failure_);
    if (!second) return std::unexpected(second.error());
    for (const auto& [slug, term] : used_tags_) {
      migration_->add_redirect("/tag/" + slug + "/", migration_->term_path(term.first, term.second));
    }
    for (const auto& [slug, term] : used_authors_) {
      migration_->add_redirect("/author/" + slug + "/", migration_->term_path(term.first, term.second));
    }
    migration_->add_redirect("/rss/", "/feed.xml");
    if (members_pages_ > 0) {
      migration_->note(std::to_string(members_pages_) +
                       (members_pages_ == 1 ? " members-only page kept as a draft"
                                            : " members-only pages kept as drafts") +
                       " (a static page is public to all)");
    }
    auto summary = migration_->finish();
    if (!summary || options_.dry_run) return summary;
    // Staff bios become their author pages' biographies (one an editor wrote here stays).
    for (const auto& [slug, term] : used_authors_) {
      auto bio = bios_.find(slug);
      if (bio == bios_.end()) continue;
      std::string here = migration_->term_path(term.first, term.second).substr(9);  // "/authors/"
      if (!store_.content().term_bio(term.first, here).empty()) continue;
      auto ok = store_.editorial().set_term_bio(term.first, here, bio->second.substr(0, 2000));
      if (!ok) return std::unexpected(ok.error());
    }
    return summary;
  }

 private:
  core::Result<void> read(const RowReader::Sink& sink) {
    std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path_.c_str(), "rb"), &std::fclose);
    if (!f) return core::fail(core::ErrorCode::kNotFound, "cannot read " + path_);
    RowReader reader(sink);
    bool ok = json::sax_parse(f.get(), &reader);
    if (!ok && !reader.error.empty()) {
      auto [line, column] = line_column(path_, reader.error_at);
      std::string what = reader.error;
      auto colon = what.rfind(": ");
      return core::fail(core::ErrorCode::kInvalidInput,
                        "line " + std::to_string(line) + ", column " + std::to_string(column) +
                            ": not valid JSON (" + (colon == std::string::npos ? what : what.substr(colon + 2)) + ")");
    }
    meta_ = reader.meta;
    return {};
  }

  core::Result<void> post(const json& row) {
    std::string id = str(row, "id");
    std::string type = str(row, "type");
    if (type == "page") return page(row);
    if (type != "post") {
      migration_->skip("items of type '" + type + "'");
      return {};
    }
    std::string status = str(row, "status");
    SourceItem s;
    s.source_id = "post:" + id;
    auto& a = s.input;
    a.headline = str(row, "title");
    if (!migration_->unchanged(s.source_id)) {  // else only its names and addresses are needed
      a.dek = core::strip_tags(content::sanitize_html(str(row, "custom_excerpt")));
      std::string html = media_.pictures(str(row, "html"), migration_->summary());
      auto cut = html.find("<!--members-only-->");
      a.body_md = cut == std::string::npos
                      ? html_body(html, "", false)
                      : html_body(std::string_view(html).substr(0, cut),
                                  std::string_view(html).substr(cut + 19), true);
    }
    a.published_at = ghost_time(str(row, "published_at"));
    auto updated = ghost_time(str(row, "updated_at"));
    if (updated && a.published_at && *updated > *a.published_at) a.updated_at = updated;
    if (status == "published") {
      a.status = Status::kPublished;
      if (!a.published_at) a.published_at = clock_.now();
    } else if (status == "scheduled" && a.published_at) {
      a.status = Status::kScheduled;
    } else {
      a.status = Status::kDraft;  // draft, sent (email only)
    }
    a.featured = truthy(row, "featured");
    std::string visibility = str(row, "visibility");
    a.access = visibility == "public"    ? AccessClass::kFree
               : visibility == "members" ? AccessClass::kMetered
                                         : AccessClass::kPremium;  // paid, tiers, a filter
    for (const auto& [order, user_id] : post_authors_[id]) {
      auto it = users_.find(user_id);
      if (it == users_.end() || it->second.first.empty()) continue;
      a.authors.push_back(it->second.first);
      if (!core::slugify(it->second.first).empty()) {
        migration_->want_term_slug(content::TermKind::kAuthor, it->second.first, it->second.second);
        used_authors_[it->second.second] = {content::TermKind::kAuthor, it->second.first};
      }
    }
    for (const auto& [order, tag_id] : post_tags_[id]) {
      auto it = tags_.find(tag_id);
      if (it == tags_.end() || it->second.internal) continue;
      const Tag& t = it->second;
      TermTarget to = tag_target(options_.map, t.slug, t.name);
      if (std::string page = add_term(to, a.topics, a.countries); !page.empty()) {
        auto kind = to.kind == TermTarget::Kind::kCountry ? content::TermKind::kCountry
                                                           : content::TermKind::kTopic;
        if (kind == content::TermKind::kTopic && to.name == t.name) {
          migration_->want_term_slug(kind, to.name, t.slug);  // the tag's slug, unless renamed
        }
        used_tags_[t.slug] = {kind, to.name};
      }
    }
    if (!migration_->unchanged(s.source_id)) {
      const Meta& meta = meta_of_[id];
      if (std::string image = str(row, "feature_image"); !image.empty()) {
        media_.hero(image, a, migration_->summary());
        if (!a.hero_image.empty()) {
          a.hero_alt = meta.image_alt;
          a.hero_caption = core::strip_tags(content::sanitize_html(meta.image_caption));
        }
      }
      a.seo_title = meta.title;
      a.seo_description = meta.description;
    }
    if (a.status != Status::kDraft) {
      std::string slug = str(row, "slug");
      if (!slug.empty()) s.old_addresses.push_back("/" + slug + "/");
    }
    return migration_->add(std::move(s));
  }

  // A Ghost page → a static page. Static pages are public to all, so a page Ghost showed
  // only to members is kept as a draft (and said so), never published without its wall.
  core::Result<void> page(const json& row) {
    std::string id = str(row, "id");
    SourceItem s;
    s.source_id = "page:" + id;
    s.kind = ItemKind::kPage;
    auto& a = s.input;
    a.headline = str(row, "title");
    if (!migration_->unchanged(s.source_id)) {
      const auto& meta = meta_of_[id];
      a.dek = core::strip_tags(content::sanitize_html(
          !meta.description.empty() ? meta.description : str(row, "custom_excerpt")));
      std::string html = media_.pictures(str(row, "html"), migration_->summary());
      if (auto cut = html.find("<!--members-only-->"); cut != std::string::npos) html.erase(cut, 19);
      a.body_md = html_body(html, "", false);
    }
    bool is_public = str(row, "visibility") == "public";
    bool published = str(row, "status") == "published";
    a.status = published && is_public ? Status::kPublished : Status::kDraft;
    if (published && !is_public) ++members_pages_;
    if (a.status == Status::kPublished) {
      std::string slug = str(row, "slug");
      if (!slug.empty()) s.old_addresses.push_back("/" + slug + "/");
    }
    return migration_->add(std::move(s));
  }

  const std::string& path_;
  store::Store& store_;
  content::ContentService& content_;
  const core::Clock& clock_;
  const ImportOptions& options_;
  json meta_;
  // posts_meta: what Ghost keeps beside a post for search engines and its feature image.
  struct Meta {
    std::string title, description, image_alt, image_caption;
    std::string digest() const {
      return title + "\x01" + description + "\x01" + image_alt + "\x01" + image_caption;
    }
  };
  std::map<std::string, Meta> meta_of_;  // by post id
  int members_pages_ = 0;
  std::map<std::string, std::string> types_;
  std::map<std::string, Tag> tags_;
  std::map<std::string, std::pair<std::string, std::string>> users_;  // id → name, slug
  std::map<std::string, std::string> bios_;  // a staff user's slug → bio
  std::map<std::string, std::multimap<long long, std::string>> post_tags_, post_authors_;
  // By Ghost's slug: the term each tag or staff user became (kind, name).
  std::map<std::string, std::pair<content::TermKind, std::string>> used_tags_, used_authors_;
  std::optional<Migration> migration_;
  std::optional<core::Error> failure_;
  MediaCopier media_;
};

}  // namespace

core::Result<ImportSummary> import_ghost(const std::string& path, store::Store& store,
                                         content::ContentService& content,
                                         const core::Clock& clock, const ImportOptions& options) {
  return GhostImport(path, store, content, clock, options).run();
}

}  // namespace importers
