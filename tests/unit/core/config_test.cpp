#include "core/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace core;

namespace {

std::string temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("meridian-config-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
              "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

TEST(Config, DefaultsWorkWithNoFile) {
  Config c;
  c.data_dir = temp_dir();
  ASSERT_TRUE(load_config(c, {}).has_value());
  EXPECT_EQ(c.site_name, "Meridian");
  EXPECT_EQ(c.base_url(), "http://127.0.0.1:8080");
  EXPECT_EQ(c.teaser_paragraphs, 3);
}

TEST(Config, ReadsTomlAndEnvironmentOverrides) {
  Config c;
  c.data_dir = temp_dir();
  std::ofstream(c.data_dir + "/meridian.toml")
      << "[site]\nurl = \"https://example.org/\"\nname = \"The Ledger\"\n"
         "timezone = \"Europe/Paris\"\n[mail]\nsmtp = \"smtp://127.0.0.1:2525\"\n";
  ASSERT_TRUE(load_config(c, {{"MERIDIAN_SITE_NAME", "Override"}}).has_value());
  EXPECT_EQ(c.site_name, "Override");
  EXPECT_EQ(c.base_url(), "https://example.org");
  EXPECT_EQ(c.timezone, "Europe/Paris");
  EXPECT_EQ(c.smtp_url, "smtp://127.0.0.1:2525");
}

TEST(Config, BadTomlIsAClearError) {
  Config c;
  c.data_dir = temp_dir();
  std::ofstream(c.data_dir + "/meridian.toml") << "[site\nname = 1\n";
  auto r = load_config(c, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("meridian.toml"), std::string::npos);
  EXPECT_NE(r.error().message.find("line 1"), std::string::npos);
}

TEST(Config, UnknownTimeZoneIsRejected) {
  Config c;
  c.data_dir = temp_dir();
  auto r = load_config(c, {{"MERIDIAN_SITE_TIMEZONE", "Mars/Olympus"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("Mars/Olympus"), std::string::npos);
}

TEST(Config, ParsesListenAddresses) {
  Config c;
  ASSERT_TRUE(parse_listen("0.0.0.0:9000", c).has_value());
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  ASSERT_TRUE(parse_listen(":8181", c).has_value());
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_FALSE(parse_listen("localhost:http", c).has_value());
  EXPECT_FALSE(parse_listen("host:70000", c).has_value());
}

TEST(Config, BillingFromTomlAndEnvironment) {
  Config c;
  c.data_dir = temp_dir();
  std::ofstream(c.data_dir + "/meridian.toml")
      << "[billing]\nstripe_secret_key = \"sk_test_file\"\n"
         "stripe_webhook_secret = [\"whsec_old\", \"whsec_new\"]\ngrace_days = 5\n"
         "[[plans]]\nname = \"Team of ten\"\nprice = \"$300\"\nperiod = \"month\"\n"
         "stripe_price = \"price_team\"\nseats = 10\n"
         "[[gifts]]\nmonths = 6\nprice = \"$80\"\nstripe_price = \"price_gift6\"\n";
  ASSERT_TRUE(load_config(c, {}).has_value());
  EXPECT_TRUE(c.billing_enabled());
  EXPECT_EQ(c.stripe_webhook_secrets, (std::vector<std::string>{"whsec_old", "whsec_new"}));
  EXPECT_EQ(c.billing_grace_days, 5);
  EXPECT_EQ(c.stripe_api_base, "https://api.stripe.com");
  ASSERT_EQ(c.plans.size(), 1u);
  EXPECT_EQ(c.plans[0].id, "team-of-ten");  // from the name when not given
  EXPECT_EQ(c.plans[0].seats, 10);
  ASSERT_EQ(c.gifts.size(), 1u);
  EXPECT_EQ(c.gifts[0].months, 6);

  Config e;
  e.data_dir = c.data_dir;
  ASSERT_TRUE(load_config(e, {{"MERIDIAN_BILLING_STRIPE_SECRET_KEY", "sk_test_env"},
                              {"MERIDIAN_BILLING_STRIPE_WEBHOOK_SECRET", "whsec_a,whsec_b"},
                              {"MERIDIAN_BILLING_STRIPE_API_BASE", "http://127.0.0.1:9999/"},
                              {"MERIDIAN_BILLING_GRACE_DAYS", "0"}})
                  .has_value());
  EXPECT_EQ(e.stripe_secret_key, "sk_test_env");
  EXPECT_EQ(e.stripe_webhook_secrets, (std::vector<std::string>{"whsec_a", "whsec_b"}));
  EXPECT_EQ(e.stripe_api_base, "http://127.0.0.1:9999");
  EXPECT_EQ(e.billing_grace_days, 0);
}

TEST(Config, BillingMistakesAreNamed) {
  auto error_for = [](const std::map<std::string, std::string>& env, const std::string& toml = "") {
    Config c;
    c.data_dir = temp_dir();
    if (!toml.empty()) std::ofstream(c.data_dir + "/meridian.toml") << toml;
    auto r = load_config(c, env);
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(error_for({{"MERIDIAN_BILLING_STRIPE_SECRET_KEY", "sk_live_x"}})
                .find("stripe_webhook_secret is required"),
            std::string::npos);
  EXPECT_NE(error_for({{"MERIDIAN_BILLING_STRIPE_API_BASE", "http://api.example.org"}})
                .find("stripe_api_base"),
            std::string::npos);
  EXPECT_NE(error_for({{"MERIDIAN_BILLING_GRACE_DAYS", "-1"}}).find("grace_days"),
            std::string::npos);
  EXPECT_NE(error_for({}, "[[plans]]\nid = \"a\"\nname = \"A\"\n[[plans]]\nid = \"a\"\nname = \"B\"\n")
                .find("two plans with the id a"),
            std::string::npos);
  EXPECT_NE(error_for({}, "[[gifts]]\nmonths = 0\n").find("months"), std::string::npos);
  // Without keys: not enabled, and no error.
  EXPECT_EQ(error_for({}), "");
}
