// BillingService on a real SQLite file, with Stripe's API answered by Stripe's own object
// fixtures (../shared/stripe/fixtures3.json, every field present) and webhooks signed as
// Stripe signs them. The e2e tests drive the same flows over HTTP against the stand-in;
// these pin the store's access arithmetic and the service's reading of Stripe's objects.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "billing/service.h"
#include "billing/signature.h"
#include "core/crypto.h"
#include "store/billing_store.h"
#include "store/sqlite/sqlite_store.h"
#include "test_store.h"

#ifndef MERIDIAN_SHARED_DIR
#error "MERIDIAN_SHARED_DIR: the folder holding stripe/fixtures3.json"
#endif

namespace {

using nlohmann::json;

constexpr core::UnixTime kNow = 1800000000;
constexpr core::UnixTime kDay = 86400;

const json& fixtures() {
  static const json f = [] {
    std::ifstream in(std::string(MERIDIAN_SHARED_DIR) + "/stripe/fixtures3.json");
    return json::parse(in)["resources"];
  }();
  return f;
}

class KeptMail final : public mail::Mailer {
 public:
  core::Result<void> send(const mail::Message& m) override {
    std::lock_guard lock(mu_);
    sent.push_back(m);
    return {};
  }
  int count(const std::string& subject_part) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& m : sent) n += m.subject.find(subject_part) != std::string::npos;
    return n;
  }
  std::vector<mail::Message> sent;

 private:
  std::mutex mu_;
};

// Stripe's API as a table of objects by path; GETs answer from it, POSTs are recorded.
class FakeStripe final : public billing::StripeApi {
 public:
  core::Result<json> post(const std::string& path, const billing::Form& form,
                          const std::string& key) override {
    posts.push_back({path, form, key});
    if (down) return core::fail(core::ErrorCode::kUnavailable, "Stripe is unavailable");
    auto it = objects.find(path);
    if (it == objects.end()) return core::fail(core::ErrorCode::kNotFound, "no " + path);
    return it->second;
  }
  core::Result<json> get(const std::string& path, const billing::Form& query) override {
    gets.push_back(path);
    if (down) return core::fail(core::ErrorCode::kUnavailable, "Stripe is unavailable");
    if (path == "/v1/subscriptions") return list_page(query);
    auto it = objects.find(path);
    if (it == objects.end()) return core::fail(core::ErrorCode::kNotFound, "no " + path);
    return it->second;
  }
  json list_page(const billing::Form& query) {
    std::string after;
    for (const auto& [k, v] : query) {
      if (k == "starting_after") after = v;
    }
    json data = json::array();
    bool started = after.empty();
    std::size_t i = 0;
    for (; i < listed.size() && data.size() < 2; ++i) {  // pages of two
      if (started) data.push_back(objects[listed[i]]);
      if (objects[listed[i]]["id"] == after) started = true;
    }
    bool more = false;
    for (; i < listed.size(); ++i) more = true;
    return {{"object", "list"}, {"data", data}, {"has_more", more && !data.empty()}};
  }
  struct Post {
    std::string path;
    billing::Form form;
    std::string key;
  };
  std::map<std::string, json> objects;
  std::vector<std::string> listed;  // subscription paths in list order
  std::vector<Post> posts;
  std::vector<std::string> gets;
  bool down = false;
};

class BillingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::init_crypto();
    dir_ = test_store::fresh_folder("billing");
    store_ = test_store::open_new(dir_);
    config_.stripe_secret_key = "sk_test_integration";
    config_.stripe_webhook_secrets = {"whsec_integration"};
    config_.billing_grace_days = 3;
    config_.plans = {{"Monthly", "$15", "month", "", "monthly", "price_monthly", 0},
                     {"Team", "$40", "month", "", "team", "price_team", 3}};
    config_.gifts = {{3, "$45", "price_gift3"}};
    auto fake = std::make_unique<FakeStripe>();
    stripe_ = fake.get();
    service_ = std::make_unique<billing::BillingService>(
        store_->billing(), store_->members(), mail_, clock_, config_, std::move(fake),
        [this](const std::string& kind, const std::string& from, long long) {
          counted_.push_back(kind + from);
        });
    reader_ = *store_->members().create_member("reader@example.org", "", true, kNow);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A subscription as Stripe sends it: the fixture, every field, with ours on top.
  json subscription(const std::string& id, const std::string& status, core::UnixTime period_end,
                    long long member_id, const std::string& price = "price_monthly", int quantity = 1) {
    json s = fixtures()["subscription"];
    s["id"] = id;
    s["customer"] = "cus_" + id.substr(4);
    s["status"] = status;
    s["cancel_at_period_end"] = false;
    s["cancel_at"] = nullptr;
    s["ended_at"] = nullptr;
    s["metadata"] = {{"member_id", std::to_string(member_id)}};
    auto& item = s["items"]["data"][0];
    item["current_period_end"] = period_end;
    item["price"]["id"] = price;
    item["quantity"] = quantity;
    stripe_->objects["/v1/subscriptions/" + id] = s;
    return s;
  }

  int deliver(const std::string& type, const json& object, const std::string& event_id = "") {
    json e = fixtures()["event"];
    e["id"] = event_id.empty() ? "evt_" + std::to_string(++events_) : event_id;
    e["type"] = type;
    e["data"] = {{"object", object}};
    std::string body = e.dump();
    return service_->handle_webhook(billing::sign_payload(body, "whsec_integration", kNow), body).status;
  }

  accounts::Member reader() { return *store_->members().find_member(reader_.id); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  core::Config config_;
  core::FixedClock clock_{kNow};
  KeptMail mail_;
  FakeStripe* stripe_ = nullptr;
  std::unique_ptr<billing::BillingService> service_;
  accounts::Member reader_;
  std::vector<std::string> counted_;
  int events_ = 0;
};

TEST_F(BillingTest, ReadsStripesObjectsWithEveryFieldPresent) {
  auto s = subscription("sub_A1", "active", kNow + 30 * kDay, reader_.id);
  EXPECT_EQ(deliver("customer.subscription.created", s), 200);
  EXPECT_TRUE(reader().subscribed(kNow));
  EXPECT_EQ(reader().paid_until, kNow + 30 * kDay);
  auto row = store_->billing().find_subscription("sub_A1");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->plan_id, "monthly");
  EXPECT_EQ(row->unit_amount, fixtures()["subscription"]["items"]["data"][0]["price"]["unit_amount"]);
  EXPECT_EQ(store_->billing().member_of_customer("cus_A1"), reader_.id);
  EXPECT_EQ(mail_.count("Welcome"), 1);
  EXPECT_EQ(counted_, std::vector<std::string>{"paid"});
  // The event's copy is only a hint: what counts is the subscription fetched from Stripe.
  EXPECT_EQ(stripe_->gets.back(), "/v1/subscriptions/sub_A1");
}

TEST_F(BillingTest, AnOldEventCannotUndoTheCurrentState) {
  auto s = subscription("sub_B1", "active", kNow + 30 * kDay, reader_.id);
  json stale = s;
  subscription("sub_B1", "canceled", kNow + 30 * kDay, reader_.id);  // Stripe now
  EXPECT_EQ(deliver("customer.subscription.created", stale), 200);
  EXPECT_FALSE(reader().subscribed(kNow));
  EXPECT_EQ(mail_.count("Welcome"), 0);
}

TEST_F(BillingTest, TheInvoiceNamesItsSubscriptionUnderParent) {
  subscription("sub_C1", "active", kNow + 30 * kDay, reader_.id);
  json inv = fixtures()["invoice"];
  inv["id"] = "in_C1";
  inv["status"] = "paid";
  inv["amount_paid"] = 1500;
  inv["currency"] = "usd";
  inv["parent"] = {{"type", "subscription_details"},
                   {"subscription_details", {{"subscription", "sub_C1"}, {"metadata", nullptr}}}};
  stripe_->objects["/v1/invoices/in_C1"] = inv;
  json payments = fixtures().contains("invoice_payment") ? fixtures()["invoice_payment"] : json::object();
  payments["status"] = "paid";
  payments["payment"] = {{"type", "payment_intent"}, {"payment_intent", "pi_C1"}};
  stripe_->objects["/v1/invoice_payments"] = {{"object", "list"}, {"data", {payments}}};
  EXPECT_EQ(deliver("invoice.paid", inv), 200);
  EXPECT_TRUE(reader().subscribed(kNow));
  auto paid = store_->billing().payments_of(reader_.id);
  ASSERT_EQ(paid.size(), 1u);
  EXPECT_EQ(paid[0].payment_intent, "pi_C1");
  EXPECT_EQ(paid[0].amount, 1500);
  // A full refund of that payment ends access at once; the charge names the intent.
  json charge = fixtures()["charge"];
  charge["id"] = "ch_C1";
  charge["payment_intent"] = "pi_C1";
  charge["amount"] = 1500;
  charge["amount_refunded"] = 500;
  stripe_->objects["/v1/charges/ch_C1"] = charge;
  EXPECT_EQ(deliver("charge.refunded", charge), 200);
  EXPECT_TRUE(reader().subscribed(kNow));  // partly refunded: still paid for
  json stale = charge;                     // an event saying nothing was refunded yet
  stale["amount_refunded"] = 0;
  charge["amount_refunded"] = 1500;
  stripe_->objects["/v1/charges/ch_C1"] = charge;
  EXPECT_EQ(deliver("charge.refunded", stale), 200);  // the charge is read again: in full
  EXPECT_FALSE(reader().subscribed(kNow));
  EXPECT_EQ(store_->billing().payments_of(reader_.id)[0].refunded, 1500);
}

TEST_F(BillingTest, RepeatsAreAcknowledgedAndIgnored) {
  auto s = subscription("sub_D1", "active", kNow + 30 * kDay, reader_.id);
  EXPECT_EQ(deliver("customer.subscription.updated", s, "evt_same"), 200);
  auto gets = stripe_->gets.size();
  EXPECT_EQ(deliver("customer.subscription.updated", s, "evt_same"), 200);
  EXPECT_EQ(stripe_->gets.size(), gets);  // not even read again
  EXPECT_EQ(mail_.count("Welcome"), 1);
}

TEST_F(BillingTest, StripeDownMeansRetryLaterAndNothingChanged) {
  auto s = subscription("sub_E1", "active", kNow + 30 * kDay, reader_.id);
  stripe_->down = true;
  EXPECT_EQ(deliver("customer.subscription.created", s, "evt_down"), 503);
  EXPECT_FALSE(reader().subscribed(kNow));
  EXPECT_EQ(*store_->billing().event_result("evt_down"), "failed: Stripe is unavailable");
  stripe_->down = false;
  EXPECT_EQ(deliver("customer.subscription.created", s, "evt_down"), 200);  // Stripe's retry
  EXPECT_TRUE(reader().subscribed(kNow));
}

TEST_F(BillingTest, UnknownCustomersAreAcknowledgedAndKept) {
  auto s = subscription("sub_F1", "active", kNow + 30 * kDay, 0);
  s["metadata"] = json::object();
  stripe_->objects["/v1/subscriptions/sub_F1"] = s;
  EXPECT_EQ(deliver("customer.subscription.created", s, "evt_unknown"), 200);
  EXPECT_EQ(*store_->billing().event_result("evt_unknown"), "unknown customer");
  auto failed = store_->billing().recent_events(10, true);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].id, "evt_unknown");
}

TEST_F(BillingTest, GraceDaysThenRegistered) {
  auto s = subscription("sub_G1", "past_due", kNow - kDay, reader_.id);
  deliver("customer.subscription.updated", s);
  EXPECT_TRUE(reader().subscribed(kNow));
  EXPECT_FALSE(reader().subscribed(kNow + 2 * kDay + 1));
  // The day before access ends, one reminder (and only one).
  clock_.set(kNow + kDay + 60);
  EXPECT_EQ(service_->tick(), 1);
  EXPECT_EQ(service_->tick(), 0);
  EXPECT_EQ(mail_.count("access ends tomorrow"), 1);
}

TEST_F(BillingTest, ComplimentaryAndPaidTheLaterEndWins) {
  subscription("sub_H1", "active", kNow + 10 * kDay, reader_.id);
  deliver("customer.subscription.created", stripe_->objects["/v1/subscriptions/sub_H1"]);
  ASSERT_TRUE(store_->members().grant("reader@example.org", "", kNow + 40 * kDay, kNow));
  EXPECT_EQ(*reader().access_until(), kNow + 40 * kDay);
  ASSERT_TRUE(store_->members().grant("reader@example.org", "", kNow + 5 * kDay, kNow));
  EXPECT_EQ(*reader().access_until(), kNow + 10 * kDay);
}

TEST_F(BillingTest, SeatsFollowTheQuantity) {
  auto s = subscription("sub_I1", "active", kNow + 30 * kDay, reader_.id, "price_team", 3);
  deliver("customer.subscription.created", s);
  auto owner = reader();
  ASSERT_TRUE(service_->invite_seat(owner, "one@example.org"));
  ASSERT_TRUE(service_->invite_seat(owner, "two@example.org"));
  auto third = service_->invite_seat(owner, "three@example.org");
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, core::ErrorCode::kConflict);
  // Accept by link: the invitee reads while the group does.
  std::string link;
  for (const auto& m : mail_.sent) {
    if (m.to == "one@example.org") link = m.text.substr(m.text.find("token=") + 6, 43);
  }
  auto one = *store_->members().create_member("one@example.org", "", true, kNow);
  ASSERT_TRUE(service_->accept_seat(link, one));
  EXPECT_TRUE(store_->members().find_member(one.id)->subscribed(kNow));
  // Fewer seats bought: the newest invitation goes, the accepted seat stays.
  subscription("sub_I1", "active", kNow + 30 * kDay, reader_.id, "price_team", 2);
  deliver("customer.subscription.updated", stripe_->objects["/v1/subscriptions/sub_I1"]);
  auto seats = store_->billing().seats_of("sub_I1");
  ASSERT_EQ(seats.size(), 1u);
  EXPECT_EQ(seats[0].email, "one@example.org");
  // The group ends: so does the seat's access.
  subscription("sub_I1", "canceled", kNow + 30 * kDay, reader_.id, "price_team", 2);
  deliver("customer.subscription.deleted", stripe_->objects["/v1/subscriptions/sub_I1"]);
  EXPECT_FALSE(store_->members().find_member(one.id)->subscribed(kNow));
}

TEST_F(BillingTest, GiftsStackOnExistingAccess) {
  auto& b = store_->billing();
  billing::Gift g;
  g.checkout_session = "cs_gift1";
  g.buyer_id = reader_.id;
  g.recipient_email = "friend@example.org";
  g.months = 3;
  g.deliver_at = kNow;
  ASSERT_TRUE(b.create_gift(g, core::token_hash("unused")));
  ASSERT_TRUE(*b.mark_gift_paid("cs_gift1", "pi_gift1", kNow));
  EXPECT_FALSE(*b.mark_gift_paid("cs_gift1", "pi_gift1", kNow));  // once
  ASSERT_TRUE(*b.mark_gift_sent(b.gift_by_session("cs_gift1")->id, core::token_hash("tok"), kNow));
  auto friend_ = *store_->members().grant("friend@example.org", "", kNow + 20 * kDay, kNow);
  auto redeemed = b.redeem_gift(core::token_hash("tok"), friend_.id, kNow);
  ASSERT_TRUE(redeemed);
  EXPECT_EQ(redeemed->starts_at, kNow + 20 * kDay);  // after the complimentary access
  EXPECT_GT(*store_->members().find_member(friend_.id)->access_until(), kNow + 20 * kDay + 88 * kDay);
  auto other = *store_->members().create_member("other@example.org", "", true, kNow);
  EXPECT_EQ(b.redeem_gift(core::token_hash("tok"), other.id, kNow).error().code,
            core::ErrorCode::kConflict);
  ASSERT_TRUE(b.refund_gift(redeemed->id));
  EXPECT_EQ(*store_->members().find_member(friend_.id)->access_until(), kNow + 20 * kDay);
}

TEST_F(BillingTest, SyncPagesThroughAndRepairsDrift) {
  for (int i = 1; i <= 5; ++i) {
    std::string id = "sub_S" + std::to_string(i);
    auto m = *store_->members().create_member("s" + std::to_string(i) + "@example.org", "", true, kNow);
    subscription(id, "active", kNow + 30 * kDay, m.id);
    stripe_->listed.push_back("/v1/subscriptions/" + id);
    deliver("customer.subscription.created", stripe_->objects["/v1/subscriptions/" + id]);
  }
  // A deletion we never heard about.
  stripe_->objects["/v1/subscriptions/sub_S4"]["status"] = "canceled";
  auto dry = service_->sync(true);
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->seen, 5);
  ASSERT_EQ(dry->changes.size(), 1u);
  EXPECT_NE(dry->changes[0].find("sub_S4"), std::string::npos);
  EXPECT_EQ(store_->billing().find_subscription("sub_S4")->status, "active");  // dry: untouched
  auto done = service_->sync(false);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->changes.size(), 1u);
  EXPECT_EQ(store_->billing().find_subscription("sub_S4")->status, "canceled");
  EXPECT_EQ(service_->sync(false)->changes.size(), 0u);
}

TEST_F(BillingTest, CheckoutSendsWhatStripeExpects) {
  json session = fixtures()["checkout.session"];
  session["id"] = "cs_test_X";
  session["url"] = "https://checkout.stripe.com/c/pay/cs_test_X";
  stripe_->objects["/v1/checkout/sessions"] = session;
  auto url = service_->start_checkout(reader(), "team", "/articles/a", "browser-hash");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*url, "https://checkout.stripe.com/c/pay/cs_test_X");
  const auto& post = stripe_->posts.back();
  std::map<std::string, std::string> form(post.form.begin(), post.form.end());
  EXPECT_EQ(form["mode"], "subscription");
  EXPECT_EQ(form["line_items[0][price]"], "price_team");
  EXPECT_EQ(form["line_items[0][quantity]"], "3");
  EXPECT_EQ(form["customer_email"], "reader@example.org");
  EXPECT_FALSE(post.key.empty());
  EXPECT_EQ(store_->billing().find_checkout("cs_test_X")->next, "/articles/a");
  EXPECT_EQ(service_->start_checkout(reader(), "nope", "/", "").error().code,
            core::ErrorCode::kInvalidInput);
  stripe_->down = true;
  EXPECT_EQ(service_->start_checkout(reader(), "monthly", "/", "").error().code,
            core::ErrorCode::kUnavailable);
}

}  // namespace

namespace {

TEST_F(BillingTest, APayingReaderGetsTheReviewsNotTheFreeNewsletter) {
  auto& letters = store_->newsletters();
  auto has = [&](const std::string& n) {
    for (const auto& [id, email] : letters.audience(n, kNow, 3)) {
      if (id == reader_.id) return true;
    }
    return false;
  };
  EXPECT_FALSE(has("daily"));
  EXPECT_TRUE(has("free"));
  deliver("customer.subscription.created",
          subscription("sub_N1", "active", kNow + 30 * kDay, reader_.id));
  EXPECT_TRUE(has("daily"));
  EXPECT_TRUE(has("weekly"));
  EXPECT_FALSE(has("free"));
  int total = 0;
  auto found = store_->members().search_members({"", "paying", kNow, 10, 0}, total);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, reader_.id);
}

TEST_F(BillingTest, AGiftForALaterDayWaitsForIt) {
  auto& b = store_->billing();
  billing::Gift g;
  g.checkout_session = "cs_later";
  g.buyer_id = reader_.id;
  g.recipient_email = "later@example.org";
  g.months = 3;
  g.deliver_at = kNow + 10 * kDay;
  ASSERT_TRUE(b.create_gift(g, core::token_hash("x")));
  ASSERT_TRUE(b.mark_gift_paid("cs_later", "pi_later", kNow));
  EXPECT_EQ(service_->tick(), 0);
  clock_.set(kNow + 10 * kDay);
  EXPECT_EQ(service_->tick(), 1);
  EXPECT_EQ(service_->tick(), 0);  // once
  ASSERT_EQ(mail_.sent.size(), 1u);
  EXPECT_EQ(mail_.sent[0].to, "later@example.org");
  EXPECT_NE(mail_.sent[0].text.find("/billing/gift/redeem?token="), std::string::npos);
}

}  // namespace
