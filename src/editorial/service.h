// The editorial use cases of the back office: writing, saving with revisions,
// publishing, scheduling, unpublishing and restoring articles, and hero images.
// Role rules live here, not in the web layer: authors edit their own drafts only;
// editors and admins edit and publish everything. Thread-safe as the Store is.
#pragma once

#include <functional>

#include <optional>
#include <string>
#include <string_view>

#include "accounts/member.h"
#include "content/service.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "store/editorial_store.h"
#include "store/redirect_store.h"

namespace editorial {

enum class Action { kSave, kPublish, kSchedule, kUnpublish };
std::string_view to_string(Action a);
std::optional<Action> parse_action(std::string_view s);

// The editor's form, as typed: lists are comma-separated names, the time is local.
struct Draft {
  std::string headline, dek, slug, body, authors, topics, countries, type, access, corrections,
      hero_image, hero_alt, hero_caption, hero_credit, seo_title, seo_description;
  std::string publish_at;  // "YYYY-MM-DDTHH:MM" in the publication's zone, for scheduling
  bool featured = false;
};

struct Saved {
  long long id = 0;
  content::Status status = content::Status::kDraft;
  std::string slug;
};

// What a role may do with an article (nullopt created_by: not created in the editor).
bool may_edit(const accounts::Member& who, const store::EditableArticle& article);
bool may_publish(const accounts::Member& who);

class EditorialService {
 public:
  // `redirects`: where a live article's old address is sent when its slug changes (null:
  // nowhere; the old address then answers 404).
  EditorialService(store::EditorialStore& store, const content::ContentService& content,
                   const core::Clock& clock, const core::Config& config,
                   store::RedirectStore* redirects = nullptr);

  // Validates the draft and turns it into article input (errors name the field).
  core::Result<content::ArticleInput> to_input(const Draft& d, long long id) const;
  Draft to_draft(const content::ArticleInput& in) const;

  // Saves a new article (id 0) or an existing one, applying the action. kForbidden
  // when the role does not allow it; kInvalidInput with a message naming the field.
  core::Result<Saved> save(const accounts::Member& who, long long id, const Draft& draft,
                           Action action);
  // Told after every successful save (outgoing webhooks): the action, the result and the
  // article as saved.
  using Observer = std::function<void(Action, const Saved&, const content::ArticleInput&)>;
  void set_observer(Observer o) { observer_ = std::move(o); }

  // Brings back the text of a revision as a new save; status and time stay as they are.
  core::Result<Saved> restore(const accounts::Member& who, long long article_id,
                              long long revision_id);

  // Stores an uploaded image under DATA/media with a random name; returns the name.
  // JPEG, PNG, WebP or GIF, recognised by content, at most kMaxImageBytes.
  core::Result<std::string> store_image(std::string_view bytes) const;
  static constexpr std::size_t kMaxImageBytes = 5 * 1024 * 1024;
  const std::string& media_dir() const { return media_dir_; }
  // The content type of a stored media file by its extension ("" when not an image).
  static std::string media_type(std::string_view name);

 private:
  // A live article's address changed: its old one redirects to the new.
  void remember_move(const store::EditableArticle& before, const std::string& new_slug,
                     core::UnixTime now);

  store::EditorialStore& store_;
  store::RedirectStore* redirects_;
  const content::ContentService& content_;
  const core::Clock& clock_;
  const core::Config& config_;
  std::string media_dir_;
  Observer observer_;
};

}  // namespace editorial
