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
