// A real Ghost 5 export (../shared/corpora/ghost, made by a Ghost 5.130 install, README
// there with the counts) imported into the store the tier runs on: posts with their
// statuses, access from `visibility`, the <!--members-only--> cut, staff authors, tags
// (internal ones dropped, places as countries), old addresses; again changes nothing; a
// broken file is refused with its line and column, writing nothing.
#include <gtest/gtest.h>

#include "media/images.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "content/service.h"
#include "core/time.h"
#include "importers/ghost.h"
#include "importers/ghost_members.h"
#include "pages/pages.h"
#include "store/billing_store.h"
#include "store/editorial_store.h"
#include "store/redirect_store.h"
#include "test_store.h"

namespace {

namespace fs = std::filesystem;

const fs::path kExport = fs::path(MERIDIAN_SHARED_DIR) / "corpora" / "ghost" / "ghost-5-export.json";

class GhostImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_store::fresh_folder("ghost");
    store_ = test_store::open(test_store::location(dir_));
    content_ = std::make_unique<content::ContentService>(store_->content(), clock_, 3);
  }
  void TearDown() override {
    content_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  core::Result<importers::ImportSummary> import(const fs::path& file, bool dry_run = false,
                                                const std::string& media_from = "") {
    importers::ImportOptions options;
    options.dry_run = dry_run;
    if (!media_from.empty()) {
      options.media_from = media_from;
      options.media_into = (dir_ / "media").string();
    }
    return importers::import_ghost(file.string(), *store_, *content_, clock_, options);
  }
  std::optional<std::string> redirect(const std::string& from) {
    for (const auto& r : store_->redirects().redirects()) {
      if (r.from == from) return r.to;
    }
    return std::nullopt;
  }

  core::FixedClock clock_{*core::parse_rfc3339("2026-11-30T12:00:00Z")};
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<content::ContentService> content_;
};

}  // namespace

TEST_F(GhostImportTest, ARealGhostExportComesOverWithItsAccessAndCuts) {
  auto r = import(kExport);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "Ghost 5.130.6");
  EXPECT_EQ(r->articles, 61);
  EXPECT_EQ(r->pages, 5);
  EXPECT_EQ(r->created, 66);
  std::map<std::string, int> statuses, access;
  int cut = 0;
  store_->content().for_each_article([&](const content::ArticleInput& a) {
    ++statuses[std::string(content::to_string(a.status))];
    ++access[std::string(content::to_string(a.access))];
    cut += a.body_md.find("<!-- paywall -->") != std::string::npos;
  });
  EXPECT_EQ(statuses["published"], 58);
  EXPECT_EQ(statuses["scheduled"], 1);
  EXPECT_EQ(statuses["draft"], 2);
  // public → free (25), members → metered (17), paid and tiers → premium (19).
  EXPECT_EQ(access["free"], 25);
  EXPECT_EQ(access["metered"], 17);
  EXPECT_EQ(access["premium"], 19);
  // Every members-only post was cut where Ghost's divider was (36 posts; the 37th is a page).
  EXPECT_EQ(cut, 36);

  auto a = store_->content().find_article("nigerias-gamble-on-maritime-security-8", true);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->summary.access, content::AccessClass::kPremium);
  EXPECT_TRUE(a->summary.featured);
  EXPECT_EQ(a->summary.published_at, *core::parse_rfc3339("2026-11-28T10:35:41Z"));
  std::set<std::string> topics, countries;
  for (const auto& t : a->summary.topics) topics.insert(t.name);
  for (const auto& t : a->summary.countries) countries.insert(t.name);
  EXPECT_EQ(topics, (std::set<std::string>{"Maritime security", "Interviews", "Data"}));
  EXPECT_EQ(countries, (std::set<std::string>{"Horn of Africa"}));
  // The seeded paid posts: paragraph, the Background heading, paragraph, then the cut.
  EXPECT_NE(a->teaser_html.find("id=\"background\""), std::string::npos) << a->teaser_html;
  ASSERT_TRUE(a->gated_html);
  EXPECT_FALSE(a->gated_html->empty());
  EXPECT_EQ(a->teaser_html.find(a->gated_html->substr(0, 40)), std::string::npos);

  // Internal #tags never become topics.
  for (const auto& t : store_->content().list_terms(content::TermKind::kTopic, clock_.now())) {
    EXPECT_FALSE(t.term.name.starts_with("#")) << t.term.name;
  }
  EXPECT_EQ(redirect("/nigerias-gamble-on-maritime-security-8/").value_or(""),
            "/articles/nigerias-gamble-on-maritime-security-8");
  EXPECT_EQ(redirect("/tag/maritime-security/").value_or(""), "/topics/maritime-security");
  EXPECT_EQ(redirect("/tag/horn-of-africa/").value_or(""), "/countries/horn-of-africa");
  EXPECT_EQ(redirect("/rss/").value_or(""), "/feed.xml");
  // Staff users are authors at their Ghost slug, with their bio.
  auto maren = store_->content().find_term(content::TermKind::kAuthor, "maren");
  ASSERT_TRUE(maren);
  EXPECT_EQ(maren->name, "Maren Okafor");
  EXPECT_EQ(store_->content().term_bio(content::TermKind::kAuthor, "maren"),
            "Managing editor. Covers West African politics and regional trade.");
  EXPECT_EQ(redirect("/author/maren/").value_or(""), "/authors/maren");
  // A bio an editor rewrote here stays through the next import.
  ASSERT_TRUE(store_->editorial().set_term_bio(content::TermKind::kAuthor, "maren", "Editor, Lagos."));
  EXPECT_FALSE(redirect("/tag/hash-sponsored/"));

  auto again = import(kExport);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, 66);
  EXPECT_EQ(store_->content().term_bio(content::TermKind::kAuthor, "maren"), "Editor, Lagos.");
  EXPECT_EQ(store_->content().count_articles(), 61);
  EXPECT_EQ(store_->pages().pages().size(), 5u);
}

TEST_F(GhostImportTest, PagesBecomeStaticPagesAndMembersOnlyOnesStayPrivate) {
  auto r = import(kExport);
  ASSERT_TRUE(r) << r.error().message;
  pages::Pages p(store_->pages());
  long long v = store_->versions().content;
  // The three public published pages are public here, with their description.
  for (const char* slug : {"about", "about-us", "contact"}) EXPECT_TRUE(p.find(slug, "", v)) << slug;
  auto about_us = p.find("about-us", "", v);
  ASSERT_TRUE(about_us);
  EXPECT_EQ(about_us->page.title, "About us");
  EXPECT_EQ(about_us->page.description, "Who we are.");
  // Ghost's form posting elsewhere is not carried over.
  EXPECT_EQ(p.find("contact", "", v)->page.body_html.find("forms.example.com"), std::string::npos);
  // The draft stays a draft; the members-only page is kept as a draft (a static page has
  // no wall) and the summary says so; its divider is not left in the text.
  EXPECT_FALSE(p.find("style-guide-draft", "", v));
  EXPECT_FALSE(p.find("members-resources", "", v));
  std::string notes;
  for (const auto& n : r->notes) notes += n + "\n";
  EXPECT_NE(notes.find("1 members-only page kept as a draft"), std::string::npos) << notes;
  bool found = false;
  for (const auto& page : store_->pages().pages()) {
    if (page.slug != "members-resources") continue;
    found = true;
    EXPECT_FALSE(page.published);
    EXPECT_NE(page.body_html.find("Pledges dataset"), std::string::npos);
    EXPECT_EQ(page.body_md.find("paywall"), std::string::npos);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(redirect("/about-us/").value_or(""), "/pages/about-us");
  EXPECT_FALSE(redirect("/members-resources/"));
  EXPECT_FALSE(redirect("/style-guide-draft/"));
}

TEST_F(GhostImportTest, SearchFieldsAndTheFeatureImagesTextComeFromPostsMeta) {
  // Ghost's content/images, as an operator copies it (one picture is enough here).
  fs::path images = dir_ / "images" / "2026" / "11";
  fs::create_directories(images);
  auto jpg = media::resize(R"(<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30"><rect width="60" height="30" fill="#8a1c1c"/></svg>)",
                           600, "jpg", 300);
  ASSERT_TRUE(jpg);
  std::ofstream(images / "a-banner.jpg", std::ios::binary) << jpg->bytes;
  auto r = import(kExport, false, (dir_ / "images").string());
  ASSERT_TRUE(r) << r.error().message;
  auto a = store_->content().find_article("the-long-road-to-election-observation-in-the-arctic", false);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->seo_title, "Election observation in the Arctic — a long read");
  EXPECT_EQ(a->seo_description, "How election observation is negotiated in the Arctic, with data and interviews.");
  ASSERT_FALSE(a->hero_image.empty());
  EXPECT_EQ(a->hero_alt, "Abstract banner with the story title");
  EXPECT_EQ(a->hero_caption, "Illustration: Example Studio");  // Ghost's caption is HTML
  // A post without posts_meta fields keeps empty ones (the headline and dek serve).
  auto plain = store_->content().find_article("nigerias-gamble-on-maritime-security-8", false);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->seo_title, "");
  EXPECT_EQ(plain->hero_alt, "");
}

TEST_F(GhostImportTest, ABrokenExportIsRefusedWithItsLineAndNothingIsWritten) {
  std::ifstream in(kExport, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::path cut = dir_ / "cut.json";
  std::ofstream(cut, std::ios::binary) << text.substr(0, text.size() / 2);
  auto r = import(cut);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 1, column "), std::string::npos) << r.error().message;
  EXPECT_EQ(store_->content().count_articles(), 0);
  EXPECT_TRUE(store_->redirects().redirects().empty());

  fs::path other = dir_ / "other.json";
  std::ofstream(other, std::ios::binary) << "{\"db\": [{\"data\": {\"posts\": []}}]}";
  auto no_meta = import(other);
  ASSERT_FALSE(no_meta);
  EXPECT_NE(no_meta.error().message.find("not a Ghost export"), std::string::npos);
}

TEST_F(GhostImportTest, ADryRunWritesNothing) {
  auto r = import(kExport, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->created, 66);
  EXPECT_EQ(r->pages, 5);
  EXPECT_EQ(store_->content().count_articles(), 0);
  EXPECT_TRUE(store_->pages().pages().empty());
  EXPECT_TRUE(store_->redirects().redirects().empty());
}

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const fs::path kMembers = kExport.parent_path() / "ghost-5-members.csv";

}  // namespace

TEST_F(GhostImportTest, GhostsMembersKeepTheirStateAndTheirConsent) {
  importers::ImportOptions options;
  auto r = importers::import_ghost_members(read_file(kMembers), *store_, clock_, options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->members, 34);
  EXPECT_EQ(r->created, 34);
  auto& ms = store_->members();
  int subscribers = 0, verified = 0;
  for (const auto& m : ms.list_members()) {
    subscribers += m.subscribed(clock_.now());
    verified += m.verified();
    EXPECT_FALSE(m.has_password) << m.email;
  }
  EXPECT_EQ(subscribers, 6);  // the comped ones
  EXPECT_EQ(verified, 34);
  auto prefs = [&](const std::string& email) {
    std::map<std::string, bool> out;
    auto m = ms.find_member_by_email(email);
    EXPECT_TRUE(m) << email;
    if (m) for (auto& [n, on] : ms.newsletter_prefs(m->id)) out[n] = on;
    return out;
  };
  EXPECT_TRUE(prefs("free.reader@example.test")["free"]);
  EXPECT_FALSE(prefs("renee.zhou24@example.org")["free"]);  // unsubscribed stays so
  EXPECT_TRUE(prefs("paid.reader@example.test")["daily"]);
  EXPECT_EQ(ms.find_member_by_email("renee.zhou24@example.org")->name, "Renée Zhou");

  // Ghost's notes and labels are the staff's note (a multi-line note stays whole).
  auto note = [&](const std::string& email) { return ms.member_note(ms.find_member_by_email(email)->id); };
  EXPECT_EQ(note("wen.ivanova@example.test"),
            "Asked about group subscriptions for a university department.\nGhost labels: Conference 2025, Press");
  EXPECT_EQ(note("quentin.schmidt@example.com"), "Ghost labels: VIP, Conference 2025");
  EXPECT_EQ(note("uma.eze@example.net"),
            "Requested invoice by post.\nSecond line of the note, with a comma, and \"quotes\".");
  EXPECT_EQ(note("free.reader@example.test"), "");
  // A note staff rewrote here is theirs: importing again leaves it.
  auto zofia = ms.find_member_by_email("zofia.wang@example.org");
  ASSERT_TRUE(ms.set_member_note(zofia->id, "Press contact; moved to the features desk.", 100));

  auto again = importers::import_ghost_members(read_file(kMembers), *store_, clock_, options);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 34);
  EXPECT_EQ(note("zofia.wang@example.org"), "Press contact; moved to the features desk.");
  EXPECT_EQ(again->created + again->updated, 0);

  // --comp-until ends the complimentary access; a paying member keeps their Stripe customer.
  options.comp_until = *core::parse_rfc3339("2027-06-30T00:00:00Z");
  std::string csv =
      "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers\n"
      "1,paid.reader@example.test,Paid Reader,,true,true,,2026-11-30T05:36:05.000Z,,,\n"
      "2,payer@example.net,Pay Er,,true,,cus_Ghost123,2025-01-02T03:04:05.000Z,,VIP,Premium";
  auto third = importers::import_ghost_members(csv, *store_, clock_, options);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->updated, 1);
  EXPECT_EQ(third->created, 1);
  EXPECT_EQ(ms.find_member_by_email("paid.reader@example.test")->comp_until, options.comp_until);
  auto payer = ms.find_member_by_email("payer@example.net");
  ASSERT_TRUE(payer);
  EXPECT_EQ(store_->billing().customer_of(payer->id).value_or(""), "cus_Ghost123");
  EXPECT_EQ(payer->created_at, *core::parse_rfc3339("2025-01-02T03:04:05Z"));
  EXPECT_FALSE(payer->subscribed(clock_.now()));  // until billing sync asks Stripe
}

TEST_F(GhostImportTest, AMembersFileWithABadAddressIsRefusedWhole) {
  std::string csv =
      "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers\n"
      "1,good@example.org,Good,,true,,,2026-11-30T05:36:05.000Z,,,\n"
      "2,not-an-address,Bad,,true,,,2026-11-30T05:36:05.000Z,,,\n";
  auto r = importers::import_ghost_members(csv, *store_, clock_, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
  EXPECT_TRUE(store_->members().list_members().empty());
}
