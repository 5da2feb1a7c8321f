// Redirects kept in the store the tier runs on, looked up the way the site does: an old
// address with its query exactly, or a missing page by its path; every change seen at the
// next content version, including changes made through another connection (another node).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "redirects/redirects.h"
#include "test_store.h"

namespace {

class RedirectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("redirects");
    location_ = test_store::location(dir_);
    store_ = test_store::open(location_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  long long version() { return store_->versions().content; }
  // The content version once it is past `v`: a change made through another connection
  // reaches this one within moments (a file check on SQLite, a notification on PostgreSQL).
  long long version_after(long long v) {
    for (int i = 0; i < 400 && version() <= v; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return version();
  }

  std::filesystem::path dir_;
  std::string location_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace

TEST_F(RedirectsTest, OldAddressesAnswerWithTheirNewPlace) {
  redirects::Redirects r(store_->redirects());
  ASSERT_TRUE(r.add("/?p=22", "/articles/kenya-elections", "wordpress", 100));
  ASSERT_TRUE(r.add("/2014/05/some-slug/", "/articles/some-slug", "wordpress", 100));
  ASSERT_TRUE(r.add("/old-name", "/articles/new-name", "admin", 100));
  long long v = version();
  // A query named exactly counts even where the site answers the path (WordPress's ?p=).
  EXPECT_EQ(r.find("/?p=22", v, false).value_or(""), "/articles/kenya-elections");
  EXPECT_FALSE(r.find("/?p=23", v, false));
  EXPECT_FALSE(r.find("/?p=23", v, true));
  // Without a query, only a missing page is redirected; with or without its final slash,
  // and whatever query a link added.
  EXPECT_FALSE(r.find("/2014/05/some-slug/", v, false));
  EXPECT_EQ(r.find("/2014/05/some-slug/", v, true).value_or(""), "/articles/some-slug");
  EXPECT_EQ(r.find("/2014/05/some-slug", v, true).value_or(""), "/articles/some-slug");
  EXPECT_EQ(r.find("/2014/05/some-slug/?utm_source=x", v, true).value_or(""), "/articles/some-slug");
  EXPECT_EQ(r.find("/old-name/", v, true).value_or(""), "/articles/new-name");
  EXPECT_FALSE(r.find("/never-was", v, true));
  // Typed with its accent, asked for percent-encoded in either case.
  ASSERT_TRUE(r.add("/2019/05/café/", "/articles/cafe", "wordpress", 100));
  v = version();
  EXPECT_EQ(r.find("/2019/05/caf%c3%a9/", v, true).value_or(""), "/articles/cafe");
  EXPECT_EQ(r.find("/2019/05/caf%C3%A9", v, true).value_or(""), "/articles/cafe");
  ASSERT_TRUE(r.remove("/2019/05/caf%C3%A9/"));
  auto all = r.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].from, "/2014/05/some-slug/");  // ordered by the old address
  EXPECT_EQ(all[1].from, "/?p=22");
  EXPECT_EQ(all[1].origin, "wordpress");
  EXPECT_EQ(all[2].origin, "admin");
}

TEST_F(RedirectsTest, AChangeOnAnotherConnectionIsSeenAtTheNextContentVersion) {
  redirects::Redirects here(store_->redirects());
  auto other_store = test_store::open(location_);  // another node on the same database
  redirects::Redirects there(other_store->redirects());
  long long before = version();
  EXPECT_FALSE(here.find("/gone", before, true));
  ASSERT_TRUE(there.add("/gone", "/articles/a", "admin", 1));
  long long after = version_after(before);
  ASSERT_GT(after, before);
  EXPECT_EQ(here.find("/gone", after, true).value_or(""), "/articles/a");
  // Saving the same address again replaces it; removing it ends it.
  ASSERT_TRUE(there.add("/gone", "/articles/b", "admin", 2));
  EXPECT_EQ(here.find("/gone", version_after(after), true).value_or(""), "/articles/b");
  EXPECT_EQ(here.list().size(), 1u);
  long long replaced = version();
  ASSERT_TRUE(there.remove("/gone"));
  EXPECT_FALSE(here.find("/gone", version_after(replaced), true));
  auto again = there.remove("/gone");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::kNotFound);
}

TEST_F(RedirectsTest, ABadRedirectIsRefusedAndNothingIsWritten) {
  redirects::Redirects r(store_->redirects());
  long long before = version();
  auto bad = r.add("no-slash", "/articles/a", "admin", 1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidInput);
  EXPECT_TRUE(r.list().empty());
  EXPECT_EQ(version(), before);
}
