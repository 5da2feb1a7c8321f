#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "newsletter/journal.h"

namespace {

std::filesystem::path temp_dir(const char* name) {
  auto d = std::filesystem::temp_directory_path() /
           ("meridian-journal-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace

TEST(SendJournal, WhatAKilledSenderJournalledIsFoundByTheNext) {
  auto dir = temp_dir("leftovers");
  {
    auto j = newsletter::SendJournal::open(dir.string(), 7);
    ASSERT_TRUE(j);
    EXPECT_TRUE((*j)->leftovers().empty());
    ASSERT_TRUE((*j)->begin());
    ASSERT_TRUE((*j)->append(11));
    ASSERT_TRUE((*j)->append(12));
    // While it sends, nobody else may send the edition (this process included).
    auto other = newsletter::SendJournal::open(dir.string(), 7);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, core::ErrorCode::kConflict);
    EXPECT_TRUE(newsletter::SendJournal::open(dir.string(), 8)) << "other editions are free";
    // Killed here: no discard().
  }
  // A torn last line (no newline) is not trusted.
  {
    std::ofstream torn(dir / "newsletter-journal" / "edition-7-99999.log");
    torn << "13\n14";
  }
  auto next = newsletter::SendJournal::open(dir.string(), 7);
  ASSERT_TRUE(next);
  auto ids = (*next)->leftovers();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<long long>{11, 12, 13}));
  ASSERT_TRUE((*next)->begin());
  (*next)->discard();
  next->reset();
  auto clean = newsletter::SendJournal::open(dir.string(), 7);
  ASSERT_TRUE(clean);
  EXPECT_TRUE((*clean)->leftovers().empty()) << "begin() removed the old journals";
  std::filesystem::remove_all(dir);
}
