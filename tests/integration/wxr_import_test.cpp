// WordPress exports imported into the store the tier runs on: the WordPress importer's own
// fixtures (../shared/corpora/wxr, written by others) each import or are refused whole,
// naming the line; the theme unit test data comes over faithfully (statuses, dates, cut,
// authors, topics, old addresses); importing again changes nothing; a dry run writes
// nothing; access follows --access and the paywall plugins' meta.
#include <gtest/gtest.h>

#include "media/images.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "content/service.h"
#include "core/time.h"
#include "importers/wxr.h"
#include "pages/pages.h"
#include "redirects/redirects.h"
#include "store/editorial_store.h"
#include "store/import_store.h"
#include "store/redirect_store.h"
#include "test_store.h"

namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(MERIDIAN_SHARED_DIR) / "corpora" / "wxr";

class WxrImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("wxr");
    store_ = test_store::open(test_store::location(dir_));
    content_ = std::make_unique<content::ContentService>(store_->content(), clock_, 3);
  }
  void TearDown() override {
    content_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  core::Result<importers::ImportSummary> import(const fs::path& file,
                                                importers::ImportOptions options = {}) {
    return importers::import_wxr(file.string(), *store_, *content_, clock_, options);
  }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::optional<std::string> redirect(const std::string& from) {
    for (const auto& r : store_->redirects().redirects()) {
      if (r.from == from) return r.to;
    }
    return std::nullopt;
  }
  content::Article article(const std::string& slug) {
    auto a = store_->content().find_article(slug, true);
    EXPECT_TRUE(a) << slug;
    return a.value_or(content::Article{});
  }

  core::FixedClock clock_{*core::parse_rfc3339("2026-11-30T12:00:00Z")};
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<content::ContentService> content_;
};

// A small export of our own making, for what the fixtures do not show.
std::string wxr(const std::string& items) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old Review</title><link>https://old.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example</wp:base_site_url>
<wp:base_blog_url>https://old.example</wp:base_blog_url>
<wp:author><wp:author_login>ana</wp:author_login><wp:author_email>Ana@Old.example</wp:author_email><wp:author_display_name>Ana Lima</wp:author_display_name></wp:author>
)" + items + "</channel></rss>\n";
}

std::string post(int id, const std::string& slug, const std::string& extra = "",
                 const std::string& body = "<p>First.</p>\n\n<p>Second.</p>") {
  return "<item><title>Post " + std::to_string(id) + "</title><link>https://old.example/2014/05/" +
         slug + "/</link><guid isPermaLink=\"false\">https://old.example/?p=" + std::to_string(id) +
         "</guid><dc:creator>ana</dc:creator><content:encoded><![CDATA[" + body +
         "]]></content:encoded><wp:post_id>" + std::to_string(id) +
         "</wp:post_id><wp:post_date_gmt>2014-05-06 07:08:09</wp:post_date_gmt><wp:post_name>" + slug +
         "</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>" + extra +
         "</item>\n";
}

}  // namespace

TEST_F(WxrImportTest, EveryFixtureImportsOrIsRefusedWholeNamingWhy) {
  // Not well-formed XML (the first two by design; crazy-cdata nests "]]>" inside CDATA,
  // which only WordPress's regex parser reads) or not WXR: refused with the line named.
  const std::map<std::string, std::string> refused = {
      {"malformed.xml", "line 90, column 3: mismatched tag"},
      {"malformed-simple.xml", "line 14, column 1: no element found"},
      {"crazy-cdata.xml", "line 18, column 72"},
      {"missing-version-tag.xml", "no <wp:wxr_version>"},
      {"invalid-version-tag.xml", "WXR version 'abc'"},
  };
  int files = 0;
  for (const auto& dir : {kCorpus, kCorpus / "e2e"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".xml") continue;
      ++files;
      std::string name = entry.path().filename().string();
      int articles = store_->content().count_articles();
      auto redirects = store_->redirects().redirects().size();
      auto r = import(entry.path());
      if (auto it = refused.find(name); it != refused.end()) {
        ASSERT_FALSE(r) << name;
        EXPECT_NE(r.error().message.find(it->second), std::string::npos) << r.error().message;
        EXPECT_EQ(store_->content().count_articles(), articles) << name << " wrote something";
        EXPECT_EQ(store_->redirects().redirects().size(), redirects) << name;
      } else {
        ASSERT_TRUE(r) << name << ": " << r.error().message;
        EXPECT_EQ(r->created + r->updated + r->unchanged, r->articles + r->pages) << name;
      }
    }
  }
  EXPECT_EQ(files, 36);
}

TEST_F(WxrImportTest, TheThemeUnitTestDataComesOverFaithfully) {
  auto r = import(kCorpus / "theme-unit-test-data.xml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "WordPress (WXR 1.2)");
  EXPECT_EQ(r->articles, 58);
  EXPECT_EQ(r->pages, 21);
  EXPECT_EQ(r->created, 79);
  EXPECT_EQ(r->skipped["attachments (media files; see --media-dir)"], 37);
  EXPECT_EQ(r->skipped["items of type 'nav_menu_item'"], 70);
  EXPECT_EQ(r->skipped["comments"], 28);
  EXPECT_EQ(store_->content().count_articles(), 58);

  std::map<std::string, int> statuses;
  store_->content().for_each_article(
      [&](const content::ArticleInput& a) { ++statuses[std::string(content::to_string(a.status))]; });
  EXPECT_EQ(statuses["published"], 56);
  EXPECT_EQ(statuses["scheduled"], 1);
  EXPECT_EQ(statuses["draft"], 1);

  // The scheduled post keeps its date (post_date_gmt); the draft without a slug gets one.
  auto scheduled = article("scheduled");
  EXPECT_EQ(scheduled.summary.status, content::Status::kScheduled);
  EXPECT_EQ(scheduled.summary.published_at, *core::parse_rfc3339("2030-01-01T19:00:18Z"));
  EXPECT_EQ(article("draft").summary.status, content::Status::kDraft);

  // <!--more--> is the teaser cut; the author is the display name; categories and tags
  // are topics ("Uncategorized", WordPress's default, is not).
  auto more = article("template-more-tag");
  EXPECT_EQ(more.summary.published_at, *core::parse_rfc3339("2012-03-15T21:41:11Z"));
  EXPECT_NE(more.teaser_html.find("before the"), std::string::npos);
  EXPECT_EQ(more.teaser_html.find("after the more tag"), std::string::npos);
  ASSERT_TRUE(more.gated_html);
  EXPECT_NE(more.gated_html->find("after the more tag"), std::string::npos);
  ASSERT_EQ(more.summary.authors.size(), 1u);
  EXPECT_EQ(more.summary.authors[0].name, "Theme Buster");
  std::set<std::string> topics;
  for (const auto& t : more.summary.topics) topics.insert(t.name);
  EXPECT_TRUE(topics.contains("Classic"));
  EXPECT_TRUE(topics.contains("read more"));
  EXPECT_FALSE(topics.contains("Uncategorized"));
  EXPECT_EQ(more.summary.access, content::AccessClass::kMetered);

  // [caption] became a figure with its caption.
  auto caption = article("post-format-image-caption");
  std::string all = caption.teaser_html + caption.gated_html.value_or("");
  EXPECT_NE(all.find("<figcaption>Bell on wharf in San Francisco</figcaption>"), std::string::npos) << all;

  // Old addresses: the permalink, the guid's ?p= and the category and tag archives.
  EXPECT_EQ(redirect("/2012/03/15/template-more-tag/").value_or(""), "/articles/template-more-tag");
  EXPECT_EQ(redirect("/demo/?p=996").value_or(""), "/articles/template-more-tag");
  EXPECT_EQ(redirect("/?p=996").value_or(""), "/articles/template-more-tag");
  EXPECT_EQ(redirect("/category/classic/").value_or(""), "/topics/classic");
  EXPECT_EQ(redirect("/tag/read-more/").value_or(""), "/topics/read-more");
  EXPECT_EQ(redirect("/author/themedemos/").value_or(""), "/authors/themedemos");
  // A topic's slug is its category's nicename (a tag's slug for a tag's topic), its name
  // the category's name; an author's slug is the login.
  EXPECT_EQ(redirect("/category/edge-case-2/").value_or(""), "/topics/edge-case");
  // Two categories named "Foo A" (one under "Foo Parent") are one topic here.
  EXPECT_EQ(redirect("/category/foo-parent/foo-a-foo-parent/").value_or(""), "/topics/foo-a");
  EXPECT_EQ(redirect("/tag/mustread/").value_or(""), "/topics/mustread");
  std::map<std::string, std::string> topic_names;
  for (const auto& t : store_->content().list_terms(content::TermKind::kTopic, clock_.now())) {
    topic_names[t.term.slug] = t.term.name;
  }
  // The tag "template" and the category "Template" name the same posts, first the tag:
  // one topic, and the category's archive leads there.
  EXPECT_EQ(topic_names["template"], "template");
  EXPECT_EQ(redirect("/category/template-2/").value_or(""), "/topics/template");
  EXPECT_EQ(topic_names["mustread"], "Must Read");
  EXPECT_EQ(more.summary.authors[0].slug, "themedemos");
  EXPECT_EQ(redirect("/feed/").value_or(""), "/feed.xml");
  // A draft's old ?p= is not made public.
  for (const auto& rd : store_->redirects().redirects()) {
    EXPECT_NE(rd.to, "/articles/draft") << rd.from;
    EXPECT_EQ(rd.origin, "wordpress");
  }
  // The site answers them (the way web::Site asks on a missing page).
  redirects::Redirects live(store_->redirects());
  EXPECT_EQ(live.find("/2012/03/15/template-more-tag", store_->versions().content, true).value_or(""),
            "/articles/template-more-tag");
}

TEST_F(WxrImportTest, ATopicKeepsItsCategorysNicenameUnlessTheMapRenamesIt) {
  auto cat = [](const std::string& nicename, const std::string& name) {
    return "<category domain=\"category\" nicename=\"" + nicename + "\"><![CDATA[" + name + "]]></category>";
  };
  auto file = write("old.xml", wxr(post(1, "one", cat("world", "World News") + cat("eu-affairs", "Europe Desk")) +
                                   post(2, "two", cat("world", "World News"))));
  auto r = import(file);
  ASSERT_TRUE(r) << r.error().message;
  auto one = article("one");
  ASSERT_EQ(one.summary.topics.size(), 2u);
  EXPECT_EQ(one.summary.topics[0].slug, "world");
  EXPECT_EQ(one.summary.topics[0].name, "World News");
  EXPECT_EQ(one.summary.topics[1].slug, "eu-affairs");
  EXPECT_EQ(article("two").summary.topics.at(0).slug, "world");
  EXPECT_EQ(one.summary.authors.at(0).slug, "ana");  // the login; the name is Ana Lima
  EXPECT_EQ(one.summary.authors.at(0).name, "Ana Lima");
  EXPECT_EQ(redirect("/category/world/").value_or(""), "/topics/world");
  EXPECT_EQ(redirect("/author/ana/").value_or(""), "/authors/ana");
  // A map that renames the category makes its own slug from the new name.
  auto map = importers::TermMap::parse("[categories]\neu-affairs = \"European Union\"\n", "map.toml");
  ASSERT_TRUE(map);
  importers::ImportOptions options;
  options.map = &*map;
  ASSERT_TRUE(import(file, options));
  EXPECT_EQ(article("one").summary.topics.at(1).slug, "european-union");
  EXPECT_EQ(redirect("/category/eu-affairs/").value_or(""), "/topics/european-union");
}

TEST_F(WxrImportTest, AnAuthorWhoseAddressIsAStaffMembersPostsAsThem) {
  auto ana = store_->members().create_member("ana@old.example", "Ana", true, 100);
  ASSERT_TRUE(ana);
  auto file = write("old.xml", wxr(post(1, "one")));
  // A reader with that address is no staff member: nothing is theirs.
  ASSERT_TRUE(import(file));
  auto id = store_->content().article_id("one");
  ASSERT_TRUE(id);
  EXPECT_FALSE(store_->editorial().article(*id)->created_by);
  // An author: the new article is theirs (so they may edit it as their own draft).
  ASSERT_TRUE(store_->members().set_role(ana->id, accounts::Role::kAuthor));
  auto two = write("two.xml", wxr(post(2, "two")));
  ASSERT_TRUE(import(two));
  EXPECT_EQ(store_->editorial().article(*store_->content().article_id("two"))->created_by, ana->id);
}

TEST_F(WxrImportTest, PagesBecomeStaticPagesUnderTheirParents) {
  auto r = import(kCorpus / "theme-unit-test-data.xml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(store_->pages().pages().size(), 21u);
  pages::Pages p(store_->pages());
  long long v = store_->versions().content;
  EXPECT_EQ(p.published(v).size(), 21u);
  auto about = p.find("about", "", v);
  ASSERT_TRUE(about);
  EXPECT_EQ(about->path, "/pages/about");
  // A child lives under its parent; a grandchild under its own parent (level-3 comes
  // before level-2 in the file).
  EXPECT_EQ(p.find("page-with-comments", "", v)->path, "/pages/about/page-with-comments");
  EXPECT_EQ(p.find("level-3", "", v)->path, "/pages/level-2/level-3");
  EXPECT_EQ(p.find("level-2", "", v)->path, "/pages/level-1/level-2");
  // The text came through the same conversion as posts', without a teaser cut.
  auto markup = p.find("page-markup-and-formatting", "", v);
  ASSERT_TRUE(markup);
  EXPECT_NE(markup->page.body_html.find("<h2"), std::string::npos);
  EXPECT_EQ(markup->page.body_md.find("<!-- paywall -->"), std::string::npos);
  // Old addresses: the permalink and ?page_id=.
  EXPECT_EQ(redirect("/about/page-with-comments/").value_or(""), "/pages/about/page-with-comments");
  EXPECT_EQ(redirect("/level-1/level-2/level-3/").value_or(""), "/pages/level-2/level-3");
  EXPECT_EQ(redirect("/?page_id=146").value_or(""), "/pages/lorem-ipsum");
  // Again: nothing changes.
  auto again = import(kCorpus / "theme-unit-test-data.xml");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 79);
  EXPECT_EQ(store_->pages().pages().size(), 21u);
  // The editor put About in the footer; an import that changes the pages (other options)
  // updates them in place and leaves it there.
  auto in = pages::PageInput{about->page.title, "about", "", about->page.description,
                             about->page.body_md, true, 1};
  ASSERT_TRUE(p.save(about->page.id, in, 1000));
  importers::ImportOptions premium;
  premium.access = content::AccessClass::kPremium;
  auto changed = import(kCorpus / "theme-unit-test-data.xml", premium);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->updated, 79);
  EXPECT_EQ(store_->pages().pages().size(), 21u);
  auto footer = p.footer(store_->versions().content);
  ASSERT_EQ(footer.size(), 1u);
  EXPECT_EQ(footer[0].url, "/pages/about");
}

TEST_F(WxrImportTest, ImportingAgainChangesNothingAndAChangedPostIsUpdatedInPlace) {
  auto file = write("old.xml", wxr(post(1, "kenya-vote") + post(2, "trade-talks")));
  auto first = import(file);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->created, 2);
  auto again = import(file);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(store_->content().count_articles(), 2);

  auto changed = write("old2.xml", wxr(post(1, "kenya-vote", "", "<p>Revised.</p>") + post(2, "trade-talks")));
  auto third = import(changed);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->updated, 1);
  EXPECT_EQ(third->unchanged, 1);
  EXPECT_EQ(store_->content().count_articles(), 2);
  auto revised = article("kenya-vote");
  EXPECT_NE((revised.teaser_html + revised.gated_html.value_or("")).find("Revised."), std::string::npos);
  // Other options make another result: that is a change too.
  importers::ImportOptions premium;
  premium.access = content::AccessClass::kPremium;
  auto fourth = import(changed, premium);
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->updated, 2);
  EXPECT_EQ(article("trade-talks").summary.access, content::AccessClass::kPremium);
}

TEST_F(WxrImportTest, ASlugTakenByAnotherArticleGetsASuffixAndStaysMatched) {
  content::ArticleInput mine;
  mine.slug = "kenya-vote";
  mine.headline = "Our own piece";
  mine.body_md = "Ours.";
  mine.published_at = clock_.now();
  ASSERT_TRUE(content_->import_articles({mine}));
  auto file = write("old.xml", wxr(post(1, "kenya-vote") + post(2, "kenya-vote")));
  ASSERT_TRUE(import(file));
  EXPECT_EQ(article("kenya-vote").summary.headline, "Our own piece");
  EXPECT_EQ(article("kenya-vote-2").summary.headline, "Post 1");
  EXPECT_EQ(article("kenya-vote-3").summary.headline, "Post 2");
  EXPECT_EQ(redirect("/?p=2").value_or(""), "/articles/kenya-vote-3");
  auto again = import(file);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(store_->content().count_articles(), 3);
}

TEST_F(WxrImportTest, ADryRunWritesNothingAndSaysWhatWouldHappen) {
  auto file = write("old.xml", wxr(post(1, "kenya-vote") + post(2, "trade-talks")));
  importers::ImportOptions dry;
  dry.dry_run = true;
  auto r = import(file, dry);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->created, 2);
  EXPECT_GT(r->redirects, 0);
  EXPECT_EQ(store_->content().count_articles(), 0);
  EXPECT_TRUE(store_->redirects().redirects().empty());
  EXPECT_TRUE(store_->imports().imported("wordpress https://old.example").empty());
}

TEST_F(WxrImportTest, AccessComesFromThePaywallPluginsOrTheOption) {
  auto meta = [](const std::string& key, const std::string& value) {
    return "<wp:postmeta><wp:meta_key>" + key + "</wp:meta_key><wp:meta_value><![CDATA[" + value +
           "]]></wp:meta_value></wp:postmeta>";
  };
  auto file = write(
      "old.xml",
      wxr(post(1, "rcp", meta("rcp_subscription_level", "a:1:{i:0;s:1:\"2\";}")) +
          post(2, "leaky", meta("_issuem_leaky_paywall_visibility",
                                "a:2:{s:4:\"type\";s:4:\"only\";s:13:\"only_visible\";a:1:{i:0;s:1:\"1\";}}")) +
          post(3, "locked", "<wp:post_password>secret</wp:post_password>") +
          post(4, "plain", meta("_edit_last", "1")) +
          post(5, "kenya", "<category domain=\"post_tag\" nicename=\"kenya\"><![CDATA[Kenya]]></category>"
                           "<category domain=\"post_tag\" nicename=\"elections\"><![CDATA[Elections]]></category>")));
  importers::ImportOptions free;
  free.access = content::AccessClass::kFree;
  ASSERT_TRUE(import(file, free));
  EXPECT_EQ(article("rcp").summary.access, content::AccessClass::kPremium);
  EXPECT_EQ(article("leaky").summary.access, content::AccessClass::kPremium);
  EXPECT_EQ(article("locked").summary.access, content::AccessClass::kPremium);
  EXPECT_EQ(article("plain").summary.access, content::AccessClass::kFree);
  // A tag naming a place is a country; another tag a topic.
  auto kenya = article("kenya");
  ASSERT_EQ(kenya.summary.countries.size(), 1u);
  EXPECT_EQ(kenya.summary.countries[0].name, "Kenya");
  ASSERT_EQ(kenya.summary.topics.size(), 1u);
  EXPECT_EQ(kenya.summary.topics[0].name, "Elections");
  EXPECT_EQ(redirect("/tag/kenya/").value_or(""), "/countries/kenya");
  EXPECT_EQ(article("plain").summary.authors.at(0).name, "Ana Lima");
  EXPECT_EQ(article("plain").summary.published_at, *core::parse_rfc3339("2014-05-06T07:08:09Z"));
}

TEST_F(WxrImportTest, ATruncatedExportIsRefusedWithItsLineAndNothingIsWritten) {
  std::string whole = wxr(post(1, "kenya-vote") + post(2, "trade-talks"));
  auto file = write("cut.xml", whole.substr(0, whole.size() / 2));
  auto r = import(file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line "), std::string::npos) << r.error().message;
  EXPECT_EQ(store_->content().count_articles(), 0);
  EXPECT_TRUE(store_->redirects().redirects().empty());
}

TEST_F(WxrImportTest, AMapFileRenamesMergesMakesCountriesAndDrops) {
  auto cat = [](const std::string& domain, const std::string& slug, const std::string& name) {
    return "<category domain=\"" + domain + "\" nicename=\"" + slug + "\"><![CDATA[" + name + "]]></category>";
  };
  auto file = write("old.xml", wxr(post(1, "one", cat("category", "world-news", "World News") +
                                                      cat("post_tag", "misc", "Misc") +
                                                      cat("post_tag", "nairobi-desk", "Nairobi desk")) +
                                    post(2, "two", cat("category", "global", "Global"))));
  auto map = importers::TermMap::parse(
      "[categories]\nworld-news = \"World\"\nglobal = \"World\"\n"
      "[tags]\nmisc = \"drop\"\nnairobi-desk = \"country:Kenya\"\n", "map.toml");
  ASSERT_TRUE(map);
  importers::ImportOptions options;
  options.map = &*map;
  auto r = import(file, options);
  ASSERT_TRUE(r) << r.error().message;
  auto one = article("one");
  ASSERT_EQ(one.summary.topics.size(), 1u);
  EXPECT_EQ(one.summary.topics[0].name, "World");
  ASSERT_EQ(one.summary.countries.size(), 1u);
  EXPECT_EQ(one.summary.countries[0].name, "Kenya");
  ASSERT_EQ(article("two").summary.topics.size(), 1u);
  EXPECT_EQ(article("two").summary.topics[0].slug, "world");  // merged
  EXPECT_EQ(redirect("/category/world-news/").value_or(""), "/topics/world");
  EXPECT_EQ(redirect("/category/global/").value_or(""), "/topics/world");
  EXPECT_EQ(redirect("/tag/nairobi-desk/").value_or(""), "/countries/kenya");
  EXPECT_FALSE(redirect("/tag/misc/"));
  // The same file without the map is a change: the topics come back as they were.
  auto again = import(file);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->updated, 2);
  EXPECT_EQ(article("two").summary.topics.at(0).name, "Global");
}

TEST_F(WxrImportTest, FeaturedImagesComeFromTheUploadFolderOrAreListed) {
  // The attachment's excerpt is its caption; _wp_attachment_image_alt its alternative text.
  auto attachment = [](int id, const std::string& url) {
    return "<item><title>pic</title><excerpt:encoded><![CDATA[Lake <em>Turkana</em>, May 2014]]>"
           "</excerpt:encoded><wp:post_id>" + std::to_string(id) +
           "</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
           "<wp:attachment_url>" + url + "</wp:attachment_url><wp:postmeta><wp:meta_key>"
           "_wp_attachment_image_alt</wp:meta_key><wp:meta_value>A map of northern Kenya"
           "</wp:meta_value></wp:postmeta></item>\n";
  };
  auto yoast = [](const std::string& key, const std::string& value) {
    return "<wp:postmeta><wp:meta_key>" + key + "</wp:meta_key><wp:meta_value>" + value +
           "</wp:meta_value></wp:postmeta>";
  };
  auto thumb = [](int id) {
    return "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>" +
           std::to_string(id) + "</wp:meta_value></wp:postmeta>";
  };
  // The post comes before its attachment, as WordPress may write them.
  const std::string text =
      "<p>See the map.</p><p><img src=\"https://old.example/wp-content/uploads/2014/05/map.png\" alt=\"Map\"></p>";
  auto file = write("old.xml", wxr(post(1, "with-picture",
                                        thumb(10) + yoast("_yoast_wpseo_title", "Kenya's north, mapped") +
                                            yoast("_yoast_wpseo_metadesc", "Where the new road runs."),
                                        text) +
                                   post(2, "missing-picture", thumb(11) + yoast("_yoast_wpseo_title", "%%title%% %%sep%% %%sitename%%")) +
                                   post(3, "not-a-picture", thumb(12)) +
                                   attachment(10, "https://old.example/wp-content/uploads/2014/05/map.png") +
                                   attachment(11, "https://old.example/wp-content/uploads/2014/05/gone.jpg") +
                                   attachment(12, "https://old.example/wp-content/uploads/2014/05/notes.jpg")));
  importers::ImportOptions plain;
  auto listed = import(file, plain);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->images, 0);
  EXPECT_EQ(listed->images_left.size(), 3u);
  EXPECT_EQ(listed->pictures_left, 1);
  EXPECT_EQ(article("with-picture").hero_image, "");
  EXPECT_EQ(article("with-picture").hero_caption, "");  // no picture, no caption
  // Yoast's title and description are the article's search-engine fields; a title made of
  // Yoast's %%variables%% is not.
  EXPECT_EQ(article("with-picture").seo_title, "Kenya's north, mapped");
  EXPECT_EQ(article("with-picture").seo_description, "Where the new road runs.");
  EXPECT_EQ(article("missing-picture").seo_title, "");

  fs::path uploads = dir_ / "uploads" / "2014" / "05";
  fs::create_directories(uploads);
  // A real picture, 1000 px wide (drawn here: no image files in the repository).
  auto png = media::resize(R"(<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="#1a5e3a"/></svg>)",
                           1000, "png", 500);
  ASSERT_TRUE(png);
  std::ofstream(uploads / "map.png", std::ios::binary) << png->bytes;
  std::ofstream(uploads / "notes.jpg", std::ios::binary) << "not a picture";
  importers::ImportOptions media;
  media.media_from = (dir_ / "uploads").string();
  media.media_into = (dir_ / "media").string();
  auto r = import(file, media);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->updated, 3);  // another option, another result
  EXPECT_EQ(r->images, 1);
  ASSERT_EQ(r->images_left.size(), 2u);
  EXPECT_NE(r->images_left[0].find("missing from"), std::string::npos) << r->images_left[0];
  EXPECT_NE(r->images_left[1].find("not a JPEG, PNG, WebP or GIF image"), std::string::npos);
  std::string hero = article("with-picture").hero_image;
  ASSERT_TRUE(content::is_media_name(hero)) << hero;
  EXPECT_TRUE(hero.ends_with("-w1000.png")) << hero;  // named with its width, as an upload is
  // … and given the responsive copies an upload gets.
  std::string stem = hero.substr(0, hero.size() - 4);
  for (const char* copy : {"-480.jpg", "-480.webp", "-960.jpg", "-960.webp", ".webp"}) {
    EXPECT_TRUE(fs::exists(dir_ / "media" / (stem + copy))) << copy;
  }
  EXPECT_EQ(article("with-picture").hero_alt, "A map of northern Kenya");
  EXPECT_EQ(article("with-picture").hero_caption, "Lake Turkana, May 2014");
  EXPECT_EQ(r->pictures, 1);
  auto with = article("with-picture");
  EXPECT_NE((with.teaser_html + with.gated_html.value_or("")).find("src=\"/media/" + hero + "\""), std::string::npos)
      << with.teaser_html;
  std::ifstream copied(dir_ / "media" / hero, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(copied)), std::istreambuf_iterator<char>()), png->bytes);
  // Again: nothing new, and the picture is the same file.
  auto again = import(file, media);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 3);
  EXPECT_EQ(article("with-picture").hero_image, hero);
  // The picture and its five copies, once.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "media"), fs::directory_iterator()), 6);
}
