// AccountService and MemberAdmin on a real SQLite file: privileges and access attach
// only to a proven address (issue 14, finding 1).
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <regex>

#include "accounts/admin.h"
#include "accounts/service.h"
#include "core/crypto.h"
#include "core/time.h"
#include "mail/mailer.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

namespace {

// Keeps what would be mailed, so a test can follow the links in it.
class KeptMail final : public mail::Mailer {
 public:
  core::Result<void> send(const mail::Message& m) override {
    std::lock_guard lock(mu_);
    sent_.push_back(m);
    return {};
  }
  // The token of the newest link to `path` mailed to `to`, or "".
  std::string token(const std::string& to, const std::string& path) {
    std::lock_guard lock(mu_);
    std::regex link(path + "\\?token=([A-Za-z0-9_-]+)");
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it) {
      std::smatch match;
      if (it->to == to && std::regex_search(it->text, match, link)) return match[1];
    }
    return {};
  }

 private:
  std::mutex mu_;
  std::vector<mail::Message> sent_;
};

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::init_crypto();
    dir_ = test_store::fresh_folder("accounts");
    store_ = test_store::open_new(dir_);
    accounts_ = std::make_unique<accounts::AccountService>(store_->members(), mailer_, clock_,
                                                           config_);
    admin_ = std::make_unique<accounts::MemberAdmin>(store_->members(), clock_, "UTC", nullptr);
  }
  void TearDown() override {
    // The service's mail jobs finish (and close their connections) before the files go.
    admin_.reset();
    accounts_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::optional<accounts::Member> who(const std::string& token) {
    return accounts_->member_for_session(token, store_->versions().members);
  }

  std::filesystem::path dir_;
  core::FixedClock clock_{*core::parse_rfc3339("2026-06-01T00:00:00Z")};
  core::Config config_;
  std::unique_ptr<store::Store> store_;
  KeptMail mailer_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<accounts::MemberAdmin> admin_;
};

}  // namespace

TEST_F(AccountsTest, TheWallsSessionIsNotProven) {
  auto r = accounts_->register_from_wall("victim@example.org", "/", "192.0.2.1");
  ASSERT_TRUE(r.has_value());
  auto m = who(r->session_token);
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->session_proven);
  EXPECT_FALSE(accounts_->set_password(*m, "a long enough password").has_value());
}

TEST_F(AccountsTest, AGrantToAnUnconfirmedAccountEndsItsSessions) {
  auto r = accounts_->register_from_wall("victim@example.org", "/", "192.0.2.1");
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(admin_->grant("victim@example.org", "", "2099-12-31").has_value());
  EXPECT_FALSE(who(r->session_token).has_value());
  auto r2 = accounts_->register_from_wall("boss@example.org", "/", "192.0.2.1");
  ASSERT_TRUE(r2.has_value());
  auto staff = admin_->set_staff_role("boss@example.org", accounts::Role::kAdmin);
  ASSERT_TRUE(staff.has_value());
  EXPECT_FALSE(who(r2->session_token).has_value());
  EXPECT_TRUE(store_->members().find_member_by_email("boss@example.org")->verified());
}

TEST_F(AccountsTest, AnUnprovenSessionNeverCarriesARoleOrAccess) {
  // Defence in depth: even if such a session outlived the proof (a database from before
  // sessions were marked), it reads as a plain reader.
  auto r = accounts_->register_from_wall("victim@example.org", "/", "192.0.2.1");
  ASSERT_TRUE(r.has_value());
  auto& members = store_->members();
  std::string token = core::random_token(32);
  ASSERT_TRUE(members.create_session(core::token_hash(token), r->member.id, clock_.now(),
                                     clock_.now() + 3600, /*proven=*/false).has_value());
  ASSERT_TRUE(members.set_role(r->member.id, accounts::Role::kAdmin).has_value());
  auto m = who(token);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->role, accounts::Role::kReader);
  EXPECT_FALSE(m->subscribed(clock_.now()));
}

TEST_F(AccountsTest, ProofEndsEarlierSessionsAndDropsWhatTheyLeft) {
  auto r = accounts_->register_from_wall("victim@example.org", "/", "192.0.2.1");
  ASSERT_TRUE(r.has_value());
  auto& members = store_->members();
  // Whatever was set while the address was unproven (an older version allowed passwords).
  ASSERT_TRUE(members.set_password_hash(r->member.id, core::hash_password("stranger pw 123"))
                  .has_value());
  ASSERT_TRUE(accounts_->request_email_change(*who(r->session_token), "thief@example.org",
                                              "192.0.2.1").has_value());
  ASSERT_TRUE(members.mark_verified(r->member.id, clock_.now()).has_value());
  EXPECT_FALSE(who(r->session_token).has_value());
  EXPECT_FALSE(members.password_hash(r->member.id).has_value());
  EXPECT_FALSE(accounts_->password_signin("victim@example.org", "stranger pw 123", "192.0.2.9")
                   .has_value());
  // The address change the stranger asked for is gone with them.
  std::string token = mailer_.token("thief@example.org", "/account/email/confirm");
  ASSERT_FALSE(token.empty());
  EXPECT_FALSE(accounts_->confirm_email_change(token).has_value());
  EXPECT_EQ(members.find_member(r->member.id)->email, "victim@example.org");
}

TEST_F(AccountsTest, AnAddressChangeLinkDoesNotMoveAnAccountThatGainedAccessSince) {
  auto m = store_->members().create_member("reader@example.org", "", true, clock_.now());
  ASSERT_TRUE(m.has_value());
  ASSERT_TRUE(accounts_->request_email_change(*m, "new@example.org", "192.0.2.1").has_value());
  EXPECT_EQ(accounts_->email_change_step(*m), accounts::EmailChangeStep::kConfirmNewAddress);
  ASSERT_TRUE(admin_->grant("reader@example.org", "", "2099-12-31").has_value());
  auto granted = store_->members().find_member(m->id);
  EXPECT_EQ(accounts_->email_change_step(*granted),
            accounts::EmailChangeStep::kApproveFromCurrentAddress);
  auto moved = accounts_->confirm_email_change(mailer_.token("new@example.org", "/account/email/confirm"));
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error().code, core::ErrorCode::kForbidden);
  EXPECT_EQ(store_->members().find_member(m->id)->email, "reader@example.org");
}
