// The editorial use cases on a real SQLite file, with an injected clock: scheduling,
// role rules, revisions and restore, taxonomy merges.
#include <gtest/gtest.h>

#include "media/images.h"

#include <filesystem>

#include "content/service.h"
#include "core/time.h"
#include "editorial/service.h"
#include "store/editorial_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

class EditorialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("editorial");
    config_.data_dir = dir_.string();
    config_.timezone = "Asia/Tokyo";
    store_ = test_store::open_new(dir_);
    content_ = std::make_unique<content::ContentService>(store_->content(), clock_, 2);
    service_ = std::make_unique<editorial::EditorialService>(store_->editorial(), *content_, clock_,
                                                             config_, &store_->redirects());
    editor_ = *store_->members().grant("ed@example.org", "Ed", std::nullopt, clock_.now());
    (void)store_->members().set_role(editor_.id, accounts::Role::kEditor);
    editor_.role = accounts::Role::kEditor;
    author_ = *store_->members().grant("au@example.org", "Au", std::nullopt, clock_.now());
    (void)store_->members().set_role(author_.id, accounts::Role::kAuthor);
    author_.role = accounts::Role::kAuthor;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  editorial::Draft draft(const std::string& headline) {
    editorial::Draft d;
    d.headline = headline;
    d.body = "Public one.\n\nPublic two.\n\n<!-- paywall -->\n\nGated three.";
    d.topics = "Energy";
    return d;
  }
  bool visible(const std::string& slug) {
    store::ArticleQuery q;
    q.now = clock_.now();
    q.limit = 100;
    for (const auto& a : store_->content().list_articles(q).items) {
      if (a.slug == slug) return true;
    }
    return false;
  }

  std::filesystem::path dir_;
  core::Config config_;
  core::FixedClock clock_{*core::parse_rfc3339("2026-03-01T00:00:00Z")};  // 09:00 in Tokyo
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<content::ContentService> content_;
  std::unique_ptr<editorial::EditorialService> service_;
  accounts::Member editor_, author_;
};

}  // namespace

TEST_F(EditorialTest, ScheduledArticleAppearsAtItsLocalTime) {
  auto d = draft("Tokyo morning");
  d.publish_at = "2026-03-01T10:30";  // Tokyo time: 01:30 UTC
  auto saved = service_->save(editor_, 0, d, editorial::Action::kSchedule);
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_EQ(saved->status, content::Status::kScheduled);
  EXPECT_FALSE(visible("tokyo-morning"));
  EXPECT_EQ(store_->content().next_publication_after(clock_.now()),
            *core::parse_rfc3339("2026-03-01T01:30:00Z"));
  clock_.set(*core::parse_rfc3339("2026-03-01T01:29:59Z"));
  EXPECT_FALSE(visible("tokyo-morning"));
  clock_.set(*core::parse_rfc3339("2026-03-01T01:30:00Z"));
  EXPECT_TRUE(visible("tokyo-morning"));
}

TEST_F(EditorialTest, SchedulingInThePastOrGarbageIsRefused) {
  auto d = draft("Late");
  d.publish_at = "2026-03-01T08:59";
  auto r = service_->save(editor_, 0, d, editorial::Action::kSchedule);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("has passed"), std::string::npos);
  d.publish_at = "tomorrow";
  EXPECT_FALSE(service_->save(editor_, 0, d, editorial::Action::kSchedule));
  int total = 0;
  store_->editorial().list({}, total);
  EXPECT_EQ(total, 0) << "nothing written";
}

TEST_F(EditorialTest, AuthorsSaveOwnDraftsOnly) {
  EXPECT_EQ(service_->save(author_, 0, draft("Mine"), editorial::Action::kPublish).error().code,
            core::ErrorCode::kForbidden);
  auto mine = service_->save(author_, 0, draft("Mine"), editorial::Action::kSave);
  ASSERT_TRUE(mine);
  auto theirs = service_->save(editor_, 0, draft("Theirs"), editorial::Action::kSave);
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(service_->save(author_, mine->id, draft("Mine, better"), editorial::Action::kSave));
  EXPECT_EQ(service_->save(author_, theirs->id, draft("Hijack"), editorial::Action::kSave).error().code,
            core::ErrorCode::kForbidden);
  // Published by an editor: no longer the author's to change.
  ASSERT_TRUE(service_->save(editor_, mine->id, draft("Mine, better"), editorial::Action::kPublish));
  EXPECT_EQ(service_->save(author_, mine->id, draft("Again"), editorial::Action::kSave).error().code,
            core::ErrorCode::kForbidden);
}

TEST_F(EditorialTest, SlugsAreGeneratedUniqueAndCheckedWhenGiven) {
  auto a = service_->save(editor_, 0, draft("Same headline"), editorial::Action::kSave);
  auto b = service_->save(editor_, 0, draft("Same headline"), editorial::Action::kSave);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->slug, "same-headline");
  EXPECT_EQ(b->slug, "same-headline-2");
  auto d = draft("Other");
  d.slug = "same-headline";
  EXPECT_EQ(service_->save(editor_, 0, d, editorial::Action::kSave).error().code, core::ErrorCode::kConflict);
  d.slug = "Not a slug";
  EXPECT_EQ(service_->save(editor_, 0, d, editorial::Action::kSave).error().code, core::ErrorCode::kInvalidInput);
}

TEST_F(EditorialTest, EverySaveIsARevisionAndRestoreBringsTextBack) {
  auto first = service_->save(editor_, 0, draft("First words"), editorial::Action::kSave);
  ASSERT_TRUE(first);
  clock_.set(clock_.now() + 60);
  ASSERT_TRUE(service_->save(editor_, first->id, draft("Second words"), editorial::Action::kPublish));
  auto revs = store_->editorial().revisions(first->id);
  ASSERT_EQ(revs.size(), 2u);
  EXPECT_EQ(revs[0].action, "publish");
  EXPECT_EQ(revs[0].member_email, "ed@example.org");
  EXPECT_EQ(revs[1].action, "save");
  auto restored = service_->restore(editor_, first->id, revs[1].id);
  ASSERT_TRUE(restored);
  auto now = store_->editorial().article(first->id);
  EXPECT_EQ(now->input.headline, "First words");
  EXPECT_EQ(now->input.status, content::Status::kPublished) << "restore keeps the status";
  EXPECT_EQ(store_->editorial().revisions(first->id).size(), 3u);
}

TEST_F(EditorialTest, UnpublishHidesAndTheGatedHalfStaysApart) {
  auto saved = service_->save(editor_, 0, draft("Live piece"), editorial::Action::kPublish);
  ASSERT_TRUE(saved);
  EXPECT_TRUE(visible("live-piece"));
  auto teaser = store_->content().find_article("live-piece", false);
  EXPECT_EQ(teaser->teaser_html.find("Gated three"), std::string::npos);
  EXPECT_FALSE(teaser->gated_html.has_value());
  ASSERT_TRUE(service_->save(editor_, saved->id, draft("Live piece"), editorial::Action::kUnpublish));
  EXPECT_FALSE(visible("live-piece"));
}

TEST_F(EditorialTest, MergingTopicsMovesArticlesAndRemovesTheOld) {
  auto d = draft("One");
  d.topics = "Oil";
  ASSERT_TRUE(service_->save(editor_, 0, d, editorial::Action::kPublish));
  d = draft("Two");
  d.topics = "Energy, Oil";
  ASSERT_TRUE(service_->save(editor_, 0, d, editorial::Action::kPublish));
  auto moved = store_->editorial().merge_terms(content::TermKind::kTopic, "oil", "energy");
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 2);
  EXPECT_FALSE(store_->content().find_term(content::TermKind::kTopic, "oil"));
  auto terms = store_->editorial().terms(content::TermKind::kTopic);
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].articles, 2);
  EXPECT_EQ(store_->editorial().merge_terms(content::TermKind::kTopic, "nope", "energy").error().code,
            core::ErrorCode::kNotFound);
}

TEST_F(EditorialTest, ImagesAreCheckedByContent) {
  EXPECT_FALSE(service_->store_image("GIF8 but not really"));
  EXPECT_FALSE(service_->store_image(std::string(editorial::EditorialService::kMaxImageBytes + 1, '\xFF')));
  // Starting like a JPEG is not enough: the picture is decoded before it is kept.
  auto fake = service_->store_image(std::string("\xFF\xD8\xFF\xE0", 4) + "jpeg bytes");
  ASSERT_FALSE(fake);
  EXPECT_NE(fake.error().message.find("could not be read as an image"), std::string::npos);
  auto jpeg = media::resize(R"(<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="500"><rect width="1000" height="500" fill="#0b4f8a"/></svg>)",
                            1000, "jpg", 500);
  ASSERT_TRUE(jpeg);
  auto name = service_->store_image(jpeg->bytes);
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_TRUE(name->ends_with(".jpg"));
  EXPECT_TRUE(content::is_media_name(*name));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(service_->media_dir()) / *name));
  // With its responsive copies beside it.
  auto copies = media::variants(service_->media_dir(), *name, "webp");
  ASSERT_EQ(copies.size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(service_->media_dir()) / copies[0].file));
}

TEST_F(EditorialTest, ALiveArticlesOldAddressRedirectsToItsNewSlug) {
  // A draft's slug changes freely: it had no public address.
  auto d = draft("First title");
  auto saved = service_->save(editor_, 0, d, editorial::Action::kSave);
  ASSERT_TRUE(saved) << saved.error().message;
  d.slug = "draft-renamed";
  ASSERT_TRUE(service_->save(editor_, saved->id, d, editorial::Action::kPublish));
  EXPECT_TRUE(store_->redirects().redirects().empty());
  // Once live, renaming leaves the old address pointing at the new one.
  d.slug = "live-renamed";
  ASSERT_TRUE(service_->save(editor_, saved->id, d, editorial::Action::kSave));
  auto all = store_->redirects().redirects();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].from, "/articles/draft-renamed");
  EXPECT_EQ(all[0].to, "/articles/live-renamed");
  EXPECT_EQ(all[0].origin, "editor");
  // Saving without a change of address adds nothing.
  ASSERT_TRUE(service_->save(editor_, saved->id, d, editorial::Action::kSave));
  EXPECT_EQ(store_->redirects().redirects().size(), 1u);
}
