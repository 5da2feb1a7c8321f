#include "accounts/members_csv.h"
#include "core/text.h"

#include <gtest/gtest.h>

using namespace accounts;

TEST(MembersCsv, MeridiansOwnColumns) {
  auto r = parse_members_csv("email,name\nAnn@Example.org,Ann Lee\n\"bob@example.org\",\"Bob, Jr.\"\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].email, "ann@example.org");
  EXPECT_EQ((*r)[1].name, "Bob, Jr.");
}

TEST(MembersCsv, GhostExportHeaders) {
  auto r = parse_members_csv(
      "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,"
      "deleted_at,labels,tiers\r\n"
      "5f1,reader@example.org,Rea Der,\"multi\nline note\",true,false,,2024-01-01T00:00:00.000Z,,"
      "VIP,\r\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].email, "reader@example.org");
  EXPECT_EQ((*r)[0].name, "Rea Der");
}

TEST(MembersCsv, SubstackExportHeaders) {
  auto r = parse_members_csv(
      "\xEF\xBB\xBF" "Email,active_subscription,expiry,plan,email_disabled,created_at\n"
      "sub@example.org,true,2026-12-01,yearly,false,2024-02-02\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].email, "sub@example.org");
  EXPECT_EQ((*r)[0].name, "");
}

TEST(MembersCsv, BadRowsNameTheirLine) {
  auto r = parse_members_csv("email,name\nok@example.org,A\nnot-an-address,B\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "line 3: not an email address: 'not-an-address'");
  auto none = parse_members_csv("name,phone\nA,1\n");
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message.find("no 'email' column"), std::string::npos);
}

TEST(MembersCsv, QuotesFieldsOnExport) {
  EXPECT_EQ(core::csv_field("plain"), "plain");
  EXPECT_EQ(core::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(core::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(MembersCsv, FormulasAreDefusedOnExportAndRestoredOnImport) {
  // A name a reader typed must not run as a formula when staff open the export.
  EXPECT_EQ(core::csv_field("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"");
  for (const char* bad : {"+1", "-2+3", "@SUM(A1)", "\tx", "\rx"}) {
    std::string cell = core::csv_field(bad);
    if (cell.front() == '"') cell.erase(0, 1);  // quoted because of the CR
    EXPECT_EQ(cell.front(), '\'') << bad;
  }
  EXPECT_EQ(core::csv_field("Ann = Lee"), "Ann = Lee");  // only a leading character counts
  std::string file = "email,name\n" + core::csv_field("-dash@example.org") + "," +
                     core::csv_field("=cmd|' /C calc'!A0") + "\n";
  auto rows = parse_members_csv(file);
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].email, "-dash@example.org");
  EXPECT_EQ((*rows)[0].name, "=cmd|' /C calc'!A0");
}
