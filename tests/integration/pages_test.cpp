// Static pages kept in the store the tier runs on, read the way the site does: published
// pages at their address (a child under its parent's), drafts nowhere, the footer in the
// editors' order; bad input refused with the reason and nothing written.
#include <gtest/gtest.h>

#include <filesystem>

#include "pages/pages.h"
#include "test_store.h"

namespace {

class PagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("pages");
    store_ = test_store::open(test_store::location(dir_));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  long long version() { return store_->versions().content; }
  static pages::PageInput page(std::string title, std::string slug, bool published, int footer = 0,
                               std::string parent = "") {
    pages::PageInput in;
    in.title = std::move(title);
    in.slug = std::move(slug);
    in.parent = std::move(parent);
    in.body_md = "Some **words** about us.\n\n<script>alert(1)</script>\n";
    in.published = published;
    in.footer = footer;
    return in;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace

TEST_F(PagesTest, PublishedPagesLiveAtTheirAddressAndDraftsNowhere) {
  pages::Pages p(store_->pages());
  auto about = p.save(0, page("About us", "", true, 2), 100);
  ASSERT_TRUE(about) << about.error().message;
  ASSERT_TRUE(p.save(0, page("Privacy", "privacy", true, 1), 100));
  ASSERT_TRUE(p.save(0, page("Masthead", "masthead", true, 0, "about-us"), 100));
  ASSERT_TRUE(p.save(0, page("Careers", "careers", false, 3), 100));
  long long v = version();

  auto found = p.find("about-us", "", v);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->path, "/pages/about-us");  // the slug was made from the title
  EXPECT_NE(found->page.body_html.find("<strong>words</strong>"), std::string::npos);
  EXPECT_EQ(found->page.body_html.find("script"), std::string::npos);  // sanitized
  // A child page's address names its parent; asked for alone it is found (the site
  // answers 301 to the path), under another parent it is not.
  ASSERT_TRUE(p.find("about-us", "masthead", v));
  EXPECT_EQ(p.find("masthead", "", v)->path, "/pages/about-us/masthead");
  EXPECT_FALSE(p.find("privacy", "masthead", v));
  // A draft is not public, and not in the footer even with a place there.
  EXPECT_FALSE(p.find("careers", "", v));
  auto footer = p.footer(v);
  ASSERT_EQ(footer.size(), 2u);
  EXPECT_EQ(footer[0].title, "Privacy");
  EXPECT_EQ(footer[1].url, "/pages/about-us");
  EXPECT_EQ(p.published(v).size(), 3u);

  // Publishing the draft is seen at the next content version.
  auto careers = page("Careers", "careers", true, 3);
  long long id = 0;
  for (const auto& s : p.list()) {
    if (s.slug == "careers") id = s.id;
  }
  ASSERT_TRUE(p.save(id, careers, 200));
  EXPECT_GT(version(), v);
  EXPECT_TRUE(p.find("careers", "", version()));
  EXPECT_EQ(p.footer(version()).size(), 3u);
  EXPECT_EQ(p.get(id)->created_at, 100);  // kept through the edit
  EXPECT_EQ(p.get(id)->updated_at, 200);

  // Deleting the parent moves its child to the top level.
  ASSERT_TRUE(p.remove(*about));
  EXPECT_EQ(p.find("masthead", "", version())->path, "/pages/masthead");
  EXPECT_FALSE(p.find("about-us", "", version()));
  EXPECT_FALSE(p.remove(*about));
}

TEST_F(PagesTest, BadPagesAreRefusedWithTheReasonAndNothingIsWritten) {
  pages::Pages p(store_->pages());
  auto top = p.save(0, page("Help", "help", true), 100);
  ASSERT_TRUE(top);
  auto child = p.save(0, page("Billing help", "billing", true, 0, "help"), 100);
  ASSERT_TRUE(child);
  long long v = version();
  auto refused = [&](const pages::PageInput& in, long long id, const std::string& words) {
    auto r = p.save(id, in, 300);
    ASSERT_FALSE(r) << in.title;
    EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().message;
  };
  refused(page("", "x", true), 0, "title");
  refused(page("Bad address", "Not A Slug", true), 0, "lower-case");
  refused(page("Nowhere", "nowhere", true, 0, "no-such-parent"), 0, "no page at /pages/no-such-parent");
  refused(page("Footer", "footer", true, 100), 0, "footer");
  refused(page("Help", "help", true, 0, "billing"), *top, "under itself");  // a loop
  refused(page("Help", "help", true, 0, "help"), *top, "under itself");
  auto taken = p.save(0, page("Another help", "help", true), 300);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, core::ErrorCode::kConflict);
  EXPECT_FALSE(p.save(999999, page("Ghost", "ghost", true), 300));
  EXPECT_EQ(version(), v);
  EXPECT_EQ(p.list().size(), 2u);
  EXPECT_EQ(p.get(*top)->updated_at, 100);
}

TEST_F(PagesTest, ABinnedPageIsSeenNowhereAndComesBackAsItWas) {
  pages::Pages p(store_->pages());
  auto privacy = p.save(0, page("Privacy", "privacy", true, 1), 100);
  ASSERT_TRUE(privacy);
  ASSERT_TRUE(p.bin(*privacy, 200));
  long long v = version();
  EXPECT_FALSE(p.find("privacy", "", v));
  EXPECT_TRUE(p.footer(v).empty());
  EXPECT_TRUE(p.list().empty());  // the back office's list leaves it out
  EXPECT_EQ(p.bin(*privacy, 300).error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(p.bin(999999, 300).error().code, core::ErrorCode::kNotFound);
  auto all = store_->pages().pages();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].binned_at, 200);
  ASSERT_TRUE(store_->pages().restore_page(*privacy));
  v = version();
  ASSERT_TRUE(p.find("privacy", "", v));
  ASSERT_EQ(p.footer(v).size(), 1u);  // back in the footer, at its place
  EXPECT_EQ(store_->pages().restore_page(*privacy).error().code, core::ErrorCode::kNotFound);
}
