#include "editorial/service.h"
#include "media/images.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/text.h"
#include "core/time.h"
#include "importers/jsonl.h"
#include "redirects/redirects.h"

namespace editorial {

using core::ErrorCode;
using core::fail;

namespace {

std::vector<std::string> names(const std::string& list) {
  std::vector<std::string> out;
  for (auto& part : core::split(list, ',')) {
    auto n = core::trim(part);
    if (!n.empty() && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& n : list) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

std::string_view to_string(Action a) {
  switch (a) {
    case Action::kSave: return "save";
    case Action::kPublish: return "publish";
    case Action::kSchedule: return "schedule";
    case Action::kUnpublish: return "unpublish";
  }
  return "save";
}

std::optional<Action> parse_action(std::string_view s) {
  for (auto a : {Action::kSave, Action::kPublish, Action::kSchedule, Action::kUnpublish}) {
    if (s == to_string(a)) return a;
  }
  return std::nullopt;
}

bool may_publish(const accounts::Member& who) {
  return who.role == accounts::Role::kEditor || who.role == accounts::Role::kAdmin;
}

bool may_edit(const accounts::Member& who, const store::EditableArticle& article) {
  if (may_publish(who)) return true;
  return who.role == accounts::Role::kAuthor && article.created_by == who.id &&
         article.input.status == content::Status::kDraft;
}

EditorialService::EditorialService(store::EditorialStore& store,
                                   const content::ContentService& content,
                                   const core::Clock& clock, const core::Config& config,
                                   store::RedirectStore* redirects)
    : store_(store), redirects_(redirects), content_(content), clock_(clock), config_(config),
      media_dir_(config.media_dir.empty()
                     ? (std::filesystem::path(config.data_dir) / "media").string()
                     : config.media_dir) {}

core::Result<content::ArticleInput> EditorialService::to_input(const Draft& d, long long id) const {
  content::ArticleInput in;
  in.headline = core::trim(d.headline);
  if (in.headline.empty()) return fail(ErrorCode::kInvalidInput, "Headline: write a headline.");
  if (in.headline.size() > content::kMaxHeadlineBytes) {
    return fail(ErrorCode::kInvalidInput, "Headline: keep it under 500 bytes (about 500 letters of Latin script).");
  }
  in.dek = core::trim(d.dek);
  in.body_md = d.body;
  if (in.dek.size() > content::kMaxDekBytes) {
    return fail(ErrorCode::kInvalidInput, "Standfirst: keep it under 1,000 characters.");
  }
  if (in.body_md.size() > content::kMaxBodyBytes) {
    return fail(ErrorCode::kInvalidInput, "Text: an article may hold up to 2 MiB of Markdown.");
  }
  if (in.headline.find('\0') != std::string::npos || in.dek.find('\0') != std::string::npos ||
      in.body_md.find('\0') != std::string::npos) {
    return fail(ErrorCode::kInvalidInput, "Text: contains a NUL character.");
  }
  if (!core::valid_utf8(in.body_md) || !core::valid_utf8(in.headline) || !core::valid_utf8(in.dek)) {
    return fail(ErrorCode::kInvalidInput, "Text: not valid UTF-8.");
  }
  std::string slug = core::trim(d.slug);
  if (slug.empty()) {
    // Generated from the headline; made unique with a number.
    std::string base = core::slugify(in.headline);
    if (base.empty()) base = "article";
    if (base.size() > 80) base = core::slugify(base.substr(0, 80));
    slug = base;
    for (int n = 2; store_.slug_taken(slug, id); ++n) slug = base + "-" + std::to_string(n);
  } else if (!core::is_valid_slug(slug) || slug.size() > content::kMaxSlugBytes) {
    return fail(ErrorCode::kInvalidInput,
                "Address (slug): use lower-case letters, digits and single hyphens, like "
                "'water-talks-stall'.");
  } else if (store_.slug_taken(slug, id)) {
    return fail(ErrorCode::kConflict,
                "Address (slug): another article already uses '" + slug + "'. Choose another.");
  }
  in.slug = slug;
  in.authors = names(d.authors);
  in.topics = names(d.topics);
  in.countries = names(d.countries);
  for (const auto* list : {&in.authors, &in.topics, &in.countries}) {
    for (const auto& n : *list) {
      if (core::slugify(n).empty()) {
        return fail(ErrorCode::kInvalidInput, "Names: '" + n + "' has no letters or digits.");
      }
    }
  }
  if (!d.type.empty()) {
    auto t = content::parse_article_type(d.type);
    if (!t) return fail(ErrorCode::kInvalidInput, "Type: choose one of the listed types.");
    in.type = *t;
  }
  if (!d.access.empty()) {
    auto a = content::parse_access_class(d.access);
    if (!a) return fail(ErrorCode::kInvalidInput, "Access: choose free, metered or premium.");
    in.access = *a;
  }
  in.corrections = core::trim(d.corrections);
  in.featured = d.featured;
  if (!d.hero_image.empty() && !content::is_media_name(d.hero_image)) {
    return fail(ErrorCode::kInvalidInput, "Hero image: not an uploaded image.");
  }
  in.hero_image = d.hero_image;
  struct Text {
    const std::string& value;
    std::string* out;
    std::size_t max;
    const char* name;
  };
  for (const Text& t : {Text{d.hero_alt, &in.hero_alt, content::kMaxAltBytes, "Image description"},
                        Text{d.hero_caption, &in.hero_caption, content::kMaxCaptionBytes, "Caption"},
                        Text{d.hero_credit, &in.hero_credit, content::kMaxCreditBytes, "Credit"},
                        Text{d.seo_title, &in.seo_title, content::kMaxSeoTitleBytes, "Search title"},
                        Text{d.seo_description, &in.seo_description, content::kMaxDekBytes,
                             "Search description"}}) {
    *t.out = core::trim(t.value);
    if (t.out->size() > t.max) {
      return fail(ErrorCode::kInvalidInput, std::string(t.name) + ": at most " +
                                                std::to_string(t.max) + " characters.");
    }
  }
  return in;
}

Draft EditorialService::to_draft(const content::ArticleInput& in) const {
  Draft d;
  d.headline = in.headline;
  d.dek = in.dek;
  d.slug = in.slug;
  d.body = in.body_md;
  d.authors = joined(in.authors);
  d.topics = joined(in.topics);
  d.countries = joined(in.countries);
  d.type = std::string(content::to_string(in.type));
  d.access = std::string(content::to_string(in.access));
  d.corrections = in.corrections;
  d.hero_image = in.hero_image;
  d.hero_alt = in.hero_alt;
  d.hero_caption = in.hero_caption;
  d.hero_credit = in.hero_credit;
  d.seo_title = in.seo_title;
  d.seo_description = in.seo_description;
  d.featured = in.featured;
  if (in.published_at) d.publish_at = core::format_local_datetime(*in.published_at, config_.timezone);
  return d;
}

core::Result<Saved> EditorialService::save(const accounts::Member& who, long long id,
                                           const Draft& draft, Action action) {
  if (who.role == accounts::Role::kReader) return fail(ErrorCode::kForbidden, "Staff only.");
  std::optional<store::EditableArticle> existing;
  if (id) {
    existing = store_.article(id);
    if (!existing) return fail(ErrorCode::kNotFound, "No such article.");
    if (!may_edit(who, *existing)) {
      return fail(ErrorCode::kForbidden,
                  "Authors can edit only their own drafts; ask an editor to change this one.");
    }
  }
  if (action != Action::kSave && !may_publish(who)) {
    return fail(ErrorCode::kForbidden, "Only editors can publish, schedule or unpublish.");
  }
  auto input = to_input(draft, id);
  if (!input) return std::unexpected(input.error());
  auto now = clock_.now();
  // Status and time: a save keeps them, the other actions set them.
  if (existing) {
    input->status = existing->input.status;
    input->published_at = existing->input.published_at;
  } else {
    input->status = content::Status::kDraft;
  }
  switch (action) {
    case Action::kSave: break;
    case Action::kPublish:
      // Publishing a scheduled or new article makes it live now; a live one keeps its date.
      if (!(existing && content::is_live(existing->input.status, existing->input.published_at, now))) {
        input->published_at = now;
      }
      input->status = content::Status::kPublished;
      break;
    case Action::kSchedule: {
      auto when = core::parse_local_datetime(core::trim(draft.publish_at), config_.timezone);
      if (!when) {
        return fail(ErrorCode::kInvalidInput,
                    "Publish at: give a date and time, like 2026-12-01T07:00.");
      }
      if (*when <= now) {
        return fail(ErrorCode::kInvalidInput,
                    "Publish at: that time has passed; use Publish now instead.");
      }
      input->status = content::Status::kScheduled;
      input->published_at = *when;
      break;
    }
    case Action::kUnpublish: input->status = content::Status::kDraft; break;
  }
  input->updated_at = now;
  auto stored = content_.render(*input);
  auto written = store_.save(id, stored, std::string(to_string(action)),
                             importers::to_jsonl_line(*input), who.id, now);
  if (!written) return std::unexpected(written.error());
  Saved saved{*written, input->status, input->slug};
  if (existing) remember_move(*existing, input->slug, now);
  if (observer_) observer_(action, saved, *input);
  return saved;
}

void EditorialService::remember_move(const store::EditableArticle& before,
                                     const std::string& new_slug, core::UnixTime now) {
  if (!redirects_ || before.input.slug == new_slug ||
      !content::is_live(before.input.status, before.input.published_at, now)) {
    return;
  }
  auto put = redirects::put(*redirects_, "/articles/" + before.input.slug,
                            "/articles/" + new_slug, "editor", now);
  if (!put) {
    std::fprintf(stderr, "meridian: the old address of article %lld is not redirected: %s\n",
                 before.id, put.error().message.c_str());
  }
}

core::Result<Saved> EditorialService::restore(const accounts::Member& who, long long article_id,
                                              long long revision_id) {
  auto rev = store_.revision(revision_id);
  if (!rev || rev->article_id != article_id) return fail(ErrorCode::kNotFound, "No such revision.");
  auto existing = store_.article(article_id);
  if (!existing) return fail(ErrorCode::kNotFound, "No such article.");
  if (!may_edit(who, *existing)) {
    return fail(ErrorCode::kForbidden, "You cannot edit this article.");
  }
  auto parsed = importers::parse_article_line(rev->snapshot);
  if (!parsed) return std::unexpected(parsed.error());
  content::ArticleInput in = std::move(*parsed);
  in.status = existing->input.status;
  in.published_at = existing->input.published_at;
  // The slug stays if another article took it since.
  if (store_.slug_taken(in.slug, article_id)) in.slug = existing->input.slug;
  auto now = clock_.now();
  in.updated_at = now;
  auto stored = content_.render(in);
  auto written = store_.save(article_id, stored, "restore", importers::to_jsonl_line(in), who.id, now);
  if (!written) return std::unexpected(written.error());
  remember_move(*existing, in.slug, now);
  return Saved{*written, in.status, in.slug};
}

std::string EditorialService::media_type(std::string_view name) {
  if (name.ends_with(".jpg")) return "image/jpeg";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".webp")) return "image/webp";
  if (name.ends_with(".gif")) return "image/gif";
  return "";
}

core::Result<std::string> EditorialService::store_image(std::string_view bytes) const {
  if (bytes.empty()) return fail(ErrorCode::kInvalidInput, "Hero image: choose a file to upload.");
  if (bytes.size() > kMaxImageBytes) {
    return fail(ErrorCode::kInvalidInput, "Hero image: the file is larger than 5 MB.");
  }
  std::string ext = content::image_extension(bytes);
  if (ext.empty()) {
    return fail(ErrorCode::kInvalidInput,
                "Hero image: only JPEG, PNG, WebP and GIF images can be uploaded.");
  }
  // Decoded before anything is kept: a file that only starts like an image is refused.
  auto size = media::measure(bytes);
  if (!size) return fail(ErrorCode::kInvalidInput, "Hero image: " + size.error().message + ".");
  std::error_code ec;
  std::filesystem::create_directories(media_dir_, ec);
  if (ec) return fail(ErrorCode::kUnavailable, "cannot create " + media_dir_ + ": " + ec.message());
  // 128 random bits as lower-case hex: what a media name allows.
  // Its width in the name: pages know the copies' widths (media/images.h).
  std::string name = media::sized_name(core::token_hash(core::random_token(16)).substr(0, 32),
                                        size->width, ext);
  auto path = std::filesystem::path(media_dir_) / name;
  auto tmp = path;
  tmp += ".part";
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return fail(ErrorCode::kUnavailable, "cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(ErrorCode::kUnavailable, "cannot write " + path.string() + ": " + ec.message());
  // Smaller copies for phones and WebP for browsers that take it (media/images.h).
  if (auto made = media::write_variants(media_dir_, name, bytes); !made) {
    std::filesystem::remove(path, ec);
    return fail(made.error().code, "Hero image: " + made.error().message + ".");
  }
  return name;
}

}  // namespace editorial
