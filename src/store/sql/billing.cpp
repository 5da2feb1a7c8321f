// SQLite implementation of store::BillingStore.
#include "store/billing_store.h"
#include "store/sql/db.h"
#include "store/sql/stores.h"

namespace store::sql {

using billing::Gift;
using billing::Payment;
using billing::Seat;
using billing::Subscription;
using core::ErrorCode;

namespace {

using I64 = std::int64_t;

std::optional<I64> opt(Statement& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  return s.int64(col);
}

constexpr const char* kSubColumns =
    "id, member_id, customer_id, plan_id, price_id, status, quantity, period_end, "
    "cancel_at_period_end, cancel_at, ended_at, refunded_at, unit_amount, currency, interval, "
    "created, access_until, updated_at";

Subscription read_sub(Statement& s) {
  Subscription r;
  r.id = s.text(0);
  r.member_id = s.int64(1);
  r.customer_id = s.text(2);
  r.plan_id = s.text(3);
  r.price_id = s.text(4);
  r.status = s.text(5);
  r.quantity = s.integer(6);
  r.period_end = s.int64(7);
  r.cancel_at_period_end = s.integer(8) != 0;
  r.cancel_at = opt(s, 9);
  r.ended_at = opt(s, 10);
  r.refunded_at = opt(s, 11);
  r.unit_amount = s.int64(12);
  r.currency = s.text(13);
  r.interval = s.text(14);
  r.created = s.int64(15);
  r.access_until = opt(s, 16);
  r.updated_at = s.int64(17);
  return r;
}

constexpr const char* kPayColumns =
    "id, COALESCE(member_id, 0), subscription_id, payment_intent, kind, amount, currency, "
    "refunded, url, paid_at";

Payment read_payment(Statement& s) {
  Payment p;
  p.id = s.text(0);
  p.member_id = s.int64(1);
  p.subscription_id = s.text(2);
  p.payment_intent = s.text(3);
  p.kind = s.text(4);
  p.amount = s.int64(5);
  p.currency = s.text(6);
  p.refunded = s.int64(7);
  p.url = s.text(8);
  p.paid_at = s.int64(9);
  return p;
}

constexpr const char* kSeatColumns =
    "id, subscription_id, email, member_id, invited_at, accepted_at";

Seat read_seat(Statement& s) {
  Seat r;
  r.id = s.int64(0);
  r.subscription_id = s.text(1);
  r.email = s.text(2);
  r.member_id = opt(s, 3);
  r.invited_at = s.int64(4);
  r.accepted_at = opt(s, 5);
  return r;
}

constexpr const char* kGiftColumns =
    "id, checkout_session, COALESCE(buyer_id, 0), recipient_email, recipient_name, message, "
    "months, deliver_at, payment_intent, paid_at, sent_at, redeemed_by, redeemed_at, starts_at, "
    "ends_at, refunded";

Gift read_gift(Statement& s) {
  Gift g;
  g.id = s.int64(0);
  g.checkout_session = s.text(1);
  g.buyer_id = s.int64(2);
  g.recipient_email = s.text(3);
  g.recipient_name = s.text(4);
  g.message = s.text(5);
  g.months = s.integer(6);
  g.deliver_at = s.int64(7);
  g.payment_intent = s.text(8);
  g.paid_at = opt(s, 9);
  g.sent_at = opt(s, 10);
  g.redeemed_by = opt(s, 11);
  g.redeemed_at = opt(s, 12);
  g.starts_at = s.int64(13);
  g.ends_at = s.int64(14);
  g.refunded = s.integer(15) != 0;
  return g;
}

// The calendar months of a gift, approximated as 30.44 days each; adding calendar months
// would make "3 months" mean 89 to 92 days depending on the start.
constexpr I64 kMonthSeconds = 2629800;

class SqlBillingStore final : public BillingStore {
 public:
  explicit SqlBillingStore(Pool& pool) : pool_(pool) {}

  std::optional<std::string> customer_of(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT customer_id FROM billing_customers WHERE member_id = ?1");
    s->bind(1, member_id);
    if (!s->step()) return std::nullopt;
    return s->text(0);
  }

  std::optional<long long> member_of_customer(const std::string& customer_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT member_id FROM billing_customers WHERE customer_id = ?1");
    s->bind(1, customer_id);
    if (!s->step()) return std::nullopt;
    return s->int64(0);
  }

  core::Result<void> link_customer(long long member_id, const std::string& customer_id) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare("SELECT member_id FROM billing_customers WHERE customer_id = ?1");
        s->bind(1, customer_id);
        if (s->step() && s->int64(0) != member_id) {
          return core::fail(ErrorCode::kConflict, "that customer belongs to another member");
        }
      }
      auto s = c->prepare(
          "INSERT INTO billing_customers (member_id, customer_id) VALUES (?1, ?2) "
          "ON CONFLICT (member_id) DO UPDATE SET customer_id = excluded.customer_id");
      s->bind(1, member_id).bind(2, customer_id);
      s->run();
      tx.commit();
      return {};
    });
  }

  core::Result<void> record_checkout(const billing::Checkout& k) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO billing_checkouts (session_id, member_id, kind, plan_id, browser, "
          "next, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (session_id) DO "
          "UPDATE SET member_id = excluded.member_id, kind = excluded.kind, plan_id = "
          "excluded.plan_id, browser = excluded.browser, next = excluded.next, created_at = "
          "excluded.created_at");
      s->bind(1, k.session_id).bind(2, k.member_id).bind(3, k.kind).bind(4, k.plan_id)
          .bind(5, k.browser).bind(6, k.next).bind(7, static_cast<I64>(k.created_at));
      s->run();
    });
  }

  std::optional<billing::Checkout> find_checkout(const std::string& session_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT session_id, member_id, kind, plan_id, browser, next, created_at "
        "FROM billing_checkouts WHERE session_id = ?1");
    s->bind(1, session_id);
    if (!s->step()) return std::nullopt;
    return billing::Checkout{s->text(0), s->int64(1), s->text(2), s->text(3),
                             s->text(4), s->text(5), s->int64(6)};
  }

  std::optional<billing::Checkout> latest_checkout(long long member_id,
                                                   const std::string& kind) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT session_id, member_id, kind, plan_id, browser, next, created_at "
        "FROM billing_checkouts WHERE member_id = ?1 AND kind = ?2 ORDER BY created_at DESC "
        "LIMIT 1");
    s->bind(1, member_id).bind(2, kind);
    if (!s->step()) return std::nullopt;
    return billing::Checkout{s->text(0), s->int64(1), s->text(2), s->text(3),
                             s->text(4), s->text(5), s->int64(6)};
  }

  std::optional<Subscription> find_subscription(const std::string& id) override {
    auto c = pool_.acquire();
    return find_sub_locked(*c, id);
  }

  std::vector<Subscription> subscriptions_of(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kSubColumns +
                        " FROM billing_subscriptions WHERE member_id = ?1 ORDER BY created DESC");
    s->bind(1, member_id);
    std::vector<Subscription> out;
    while (s->step()) out.push_back(read_sub(*s));
    return out;
  }

  std::vector<Subscription> all_subscriptions() override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kSubColumns +
                        " FROM billing_subscriptions ORDER BY created");
    std::vector<Subscription> out;
    while (s->step()) out.push_back(read_sub(*s));
    return out;
  }

  core::Result<void> save_subscription(const Subscription& r) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::optional<long long> previous_owner;
      if (auto old = find_sub_locked(*c, r.id)) previous_owner = old->member_id;
      {
        auto s = c->prepare(
            // An upsert, not REPLACE: a replaced row would take its seats with it (cascade).
            "INSERT INTO billing_subscriptions (id, member_id, customer_id, plan_id, "
            "price_id, status, quantity, period_end, cancel_at_period_end, cancel_at, ended_at, "
            "refunded_at, unit_amount, currency, interval, created, access_until, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
            "?18) ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, "
            "customer_id = excluded.customer_id, plan_id = excluded.plan_id, "
            "price_id = excluded.price_id, status = excluded.status, quantity = excluded.quantity, "
            "period_end = excluded.period_end, "
            "cancel_at_period_end = excluded.cancel_at_period_end, cancel_at = excluded.cancel_at, "
            "ended_at = excluded.ended_at, refunded_at = excluded.refunded_at, "
            "unit_amount = excluded.unit_amount, currency = excluded.currency, "
            "interval = excluded.interval, created = excluded.created, "
            "access_until = excluded.access_until, updated_at = excluded.updated_at");
        s->bind(1, r.id).bind(2, r.member_id).bind(3, r.customer_id).bind(4, r.plan_id)
            .bind(5, r.price_id).bind(6, r.status).bind(7, r.quantity)
            .bind(8, static_cast<I64>(r.period_end)).bind(9, r.cancel_at_period_end ? 1 : 0)
            .bind(10, r.cancel_at).bind(11, r.ended_at).bind(12, r.refunded_at)
            .bind(13, r.unit_amount).bind(14, r.currency).bind(15, r.interval)
            .bind(16, static_cast<I64>(r.created)).bind(17, r.access_until)
            .bind(18, static_cast<I64>(r.updated_at));
        s->run();
      }
      refresh_subscription_access(*c, r.id);
      if (previous_owner && *previous_owner != r.member_id) refresh_member(*c, *previous_owner);
      c->exec(kBumpMembersVersion);
      tx.commit();
    });
  }

  core::Result<void> record_payment(const Payment& p) override {
    return guarded([&] {
      auto c = pool_.acquire();
      // A repeat keeps what we learnt since (a refund).
      auto s = c->prepare(
          "INSERT INTO billing_payments (id, member_id, subscription_id, payment_intent, kind, "
          "amount, currency, refunded, url, paid_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
          "?10) ON CONFLICT (id) DO UPDATE SET payment_intent = CASE WHEN "
          "excluded.payment_intent != '' THEN excluded.payment_intent ELSE billing_payments.payment_intent END, "
          "url = CASE WHEN excluded.url != '' THEN excluded.url ELSE billing_payments.url END");
      s->bind(1, p.id).bind(3, p.subscription_id).bind(4, p.payment_intent).bind(5, p.kind)
          .bind(6, p.amount).bind(7, p.currency).bind(8, p.refunded).bind(9, p.url)
          .bind(10, static_cast<I64>(p.paid_at));
      if (p.member_id) {
        s->bind(2, p.member_id);
      } else {
        s->bind_null(2);
      }
      s->run();
    });
  }

  std::vector<Payment> payments_of(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kPayColumns +
                        " FROM billing_payments WHERE member_id = ?1 ORDER BY paid_at DESC");
    s->bind(1, member_id);
    std::vector<Payment> out;
    while (s->step()) out.push_back(read_payment(*s));
    return out;
  }

  std::vector<Payment> all_payments() override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kPayColumns +
                        " FROM billing_payments ORDER BY paid_at");
    std::vector<Payment> out;
    while (s->step()) out.push_back(read_payment(*s));
    return out;
  }

  std::optional<Payment> payment_by_intent(const std::string& pi) override {
    if (pi.empty()) return std::nullopt;
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kPayColumns +
                        " FROM billing_payments WHERE payment_intent = ?1");
    s->bind(1, pi);
    if (!s->step()) return std::nullopt;
    return read_payment(*s);
  }

  core::Result<void> set_refunded(const std::string& payment_id, long long amount) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare("UPDATE billing_payments SET refunded = ?2 WHERE id = ?1");
      s->bind(1, payment_id).bind(2, amount);
      s->run();
    });
  }

  core::Result<Seat> add_seat(const std::string& subscription_id, const std::string& email,
                              const std::string& token_hash, int limit,
                              core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<Seat> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      {
        auto s = c->prepare(
            "SELECT COUNT(*), COUNT(CASE WHEN email = ?2 THEN 1 END) FROM billing_seats WHERE "
            "subscription_id = ?1 AND "
            "removed_at IS NULL");
        s->bind(1, subscription_id).bind(2, email);
        s->step();
        if (s->int64(1) > 0) {
          return core::fail(ErrorCode::kConflict, "that address already has a seat");
        }
        if (s->int64(0) >= limit) {
          return core::fail(ErrorCode::kConflict, "every seat of this subscription is taken");
        }
      }
      long long id = 0;
      {
        auto s = c->prepare(
            "INSERT INTO billing_seats (subscription_id, email, token_hash, invited_at) "
            "VALUES (?1, ?2, ?3, ?4) RETURNING id");
        s->bind(1, subscription_id).bind(2, email).bind(3, token_hash)
            .bind(4, static_cast<I64>(now));
        if (!s->step()) throw StoreError("no id for a new row");
        id = s->int64(0);
      }
      tx.commit();
      return Seat{id, subscription_id, email, std::nullopt, now, std::nullopt};
    });
  }

  std::optional<Seat> seat_by_token(const std::string& token_hash) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kSeatColumns +
                        " FROM billing_seats WHERE token_hash = ?1 AND removed_at IS NULL");
    s->bind(1, token_hash);
    if (!s->step()) return std::nullopt;
    return read_seat(*s);
  }

  core::Result<Seat> accept_seat(const std::string& token_hash, long long member_id,
                                 core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<Seat> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::optional<Seat> seat;
      {
        auto s = c->prepare(std::string("SELECT ") + kSeatColumns +
                            " FROM billing_seats WHERE token_hash = ?1 AND removed_at IS NULL");
        s->bind(1, token_hash);
        if (s->step()) seat = read_seat(*s);
      }
      if (!seat) return core::fail(ErrorCode::kNotFound, "this invitation is not valid any more");
      if (seat->member_id && *seat->member_id != member_id) {
        return core::fail(ErrorCode::kConflict, "this invitation was already accepted");
      }
      {
        auto s = c->prepare(
            "UPDATE billing_seats SET member_id = ?2, accepted_at = COALESCE(accepted_at, ?3) "
            "WHERE id = ?1");
        s->bind(1, seat->id).bind(2, member_id).bind(3, static_cast<I64>(now));
        s->run();
      }
      refresh_member(*c, member_id);
      c->exec(kBumpMembersVersion);
      tx.commit();
      seat->member_id = member_id;
      if (!seat->accepted_at) seat->accepted_at = now;
      return *seat;
    });
  }

  core::Result<void> remove_seat(const std::string& subscription_id, long long seat_id,
                                 core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<void> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::optional<I64> member;
      {
        auto s = c->prepare(
            "SELECT member_id FROM billing_seats WHERE id = ?1 AND subscription_id = ?2 AND "
            "removed_at IS NULL");
        s->bind(1, seat_id).bind(2, subscription_id);
        if (!s->step()) return core::fail(ErrorCode::kNotFound, "no such seat");
        member = opt(*s, 0);
      }
      {
        auto s = c->prepare("UPDATE billing_seats SET removed_at = ?2 WHERE id = ?1");
        s->bind(1, seat_id).bind(2, static_cast<I64>(now));
        s->run();
      }
      if (member) refresh_member(*c, *member);
      c->exec(kBumpMembersVersion);
      tx.commit();
      return {};
    });
  }

  std::vector<Seat> seats_of(const std::string& subscription_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kSeatColumns +
                        " FROM billing_seats WHERE subscription_id = ?1 AND removed_at IS NULL "
                        "ORDER BY id");
    s->bind(1, subscription_id);
    std::vector<Seat> out;
    while (s->step()) out.push_back(read_seat(*s));
    return out;
  }

  std::optional<Seat> seat_held_by(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kSeatColumns +
                        " FROM billing_seats WHERE member_id = ?1 AND removed_at IS NULL "
                        "ORDER BY id DESC LIMIT 1");
    s->bind(1, member_id);
    if (!s->step()) return std::nullopt;
    return read_seat(*s);
  }

  core::Result<long long> create_gift(const Gift& g, const std::string& token_hash) override {
    return guarded([&]() -> long long {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO billing_gifts (checkout_session, buyer_id, recipient_email, recipient_name, "
          "message, months, deliver_at, token_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
      s->bind(1, g.checkout_session).bind(2, g.buyer_id).bind(3, g.recipient_email)
          .bind(4, g.recipient_name).bind(5, g.message).bind(6, g.months)
          .bind(7, static_cast<I64>(g.deliver_at)).bind(8, token_hash);
      if (!s->step()) throw StoreError("no id for a new row");
      return s->int64(0);
    });
  }

  std::optional<Gift> gift_by_session(const std::string& session_id) override {
    return gift_where("checkout_session = ?1", session_id);
  }
  std::optional<Gift> gift_by_token(const std::string& token_hash) override {
    return gift_where("token_hash = ?1", token_hash);
  }

  std::vector<Gift> gifts_bought_by(long long member_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kGiftColumns +
                        " FROM billing_gifts WHERE buyer_id = ?1 AND paid_at IS NOT NULL "
                        "ORDER BY id DESC");
    s->bind(1, member_id);
    std::vector<Gift> out;
    while (s->step()) out.push_back(read_gift(*s));
    return out;
  }

  core::Result<bool> mark_gift_paid(const std::string& session_id, const std::string& pi,
                                    core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE billing_gifts SET paid_at = ?2, payment_intent = ?3 WHERE checkout_session = ?1 "
          "AND paid_at IS NULL");
      s->bind(1, session_id).bind(2, static_cast<I64>(now)).bind(3, pi);
      s->run();
      return c->changes() > 0;
    });
  }

  std::vector<Gift> gifts_due(core::UnixTime now) override {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kGiftColumns +
                        " FROM billing_gifts WHERE sent_at IS NULL AND paid_at IS NOT NULL AND "
                        "refunded = 0 AND deliver_at <= ?1 ORDER BY id LIMIT 100");
    s->bind(1, static_cast<I64>(now));
    std::vector<Gift> out;
    while (s->step()) out.push_back(read_gift(*s));
    return out;
  }

  core::Result<bool> mark_gift_sent(long long gift_id, const std::string& token_hash,
                                    core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "UPDATE billing_gifts SET sent_at = ?2, token_hash = ?3 WHERE id = ?1 AND sent_at IS NULL");
      s->bind(1, gift_id).bind(2, static_cast<I64>(now)).bind(3, token_hash);
      s->run();
      return c->changes() > 0;
    });
  }

  core::Result<Gift> redeem_gift(const std::string& token_hash, long long member_id,
                                 core::UnixTime now) override {
    return guarded_result([&]() -> core::Result<Gift> {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::optional<Gift> g;
      {
        auto s = c->prepare(std::string("SELECT ") + kGiftColumns +
                            " FROM billing_gifts WHERE token_hash = ?1 AND sent_at IS NOT NULL");
        s->bind(1, token_hash);
        if (s->step()) g = read_gift(*s);
      }
      if (!g) return core::fail(ErrorCode::kNotFound, "this gift link is not valid");
      if (g->refunded) return core::fail(ErrorCode::kConflict, "this gift was refunded");
      if (g->redeemed_by) {
        if (*g->redeemed_by == member_id) return *g;  // a second click: nothing more
        return core::fail(ErrorCode::kConflict, "this gift was already redeemed");
      }
      I64 start = now;
      {
        // Stacks on whatever access the member has (paid or complimentary).
        auto s = c->prepare(
            "SELECT GREATEST(COALESCE(comp_until, 0), COALESCE(paid_until, 0)) FROM members "
            "WHERE id = ?1");
        s->bind(1, member_id);
        if (s->step()) start = std::max<I64>(start, s->int64(0));
      }
      g->starts_at = start;
      g->ends_at = start + g->months * kMonthSeconds;
      g->redeemed_by = member_id;
      g->redeemed_at = now;
      {
        auto s = c->prepare(
            "UPDATE billing_gifts SET redeemed_by = ?2, redeemed_at = ?3, starts_at = ?4, "
            "ends_at = ?5 WHERE id = ?1");
        s->bind(1, g->id).bind(2, member_id).bind(3, static_cast<I64>(now))
            .bind(4, static_cast<I64>(g->starts_at)).bind(5, static_cast<I64>(g->ends_at));
        s->run();
      }
      refresh_member(*c, member_id);
      c->exec(kBumpMembersVersion);
      tx.commit();
      return *g;
    });
  }

  core::Result<void> refund_gift(long long gift_id) override {
    return guarded([&] {
      auto c = pool_.acquire();
      Transaction tx(*c);
      std::optional<I64> member;
      {
        auto s = c->prepare("SELECT redeemed_by FROM billing_gifts WHERE id = ?1");
        s->bind(1, gift_id);
        if (s->step()) member = opt(*s, 0);
      }
      auto s = c->prepare("UPDATE billing_gifts SET refunded = 1 WHERE id = ?1");
      s->bind(1, gift_id);
      s->run();
      if (member) refresh_member(*c, *member);
      c->exec(kBumpMembersVersion);
      tx.commit();
    });
  }

  std::optional<std::string> event_result(const std::string& event_id) override {
    auto c = pool_.acquire();
    auto s = c->prepare("SELECT result FROM billing_events WHERE id = ?1");
    s->bind(1, event_id);
    if (!s->step()) return std::nullopt;
    return s->text(0);
  }

  core::Result<void> record_event(const billing::EventRecord& e) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO billing_events (id, type, result, received_at) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (id) DO UPDATE SET result = excluded.result, "
          "received_at = excluded.received_at");
      s->bind(1, e.id).bind(2, e.type).bind(3, e.result).bind(4, static_cast<I64>(e.received_at));
      s->run();
    });
  }

  std::vector<billing::EventRecord> recent_events(int limit, bool failed_only) override {
    auto c = pool_.acquire();
    auto s = c->prepare(
        "SELECT id, type, result, received_at FROM billing_events WHERE ?2 = 0 OR "
        "result LIKE 'failed%' OR result LIKE 'unknown customer%' ORDER BY received_at DESC LIMIT ?1");
    s->bind(1, limit).bind(2, failed_only ? 1 : 0);
    std::vector<billing::EventRecord> out;
    while (s->step()) out.push_back({s->text(0), s->text(1), s->text(2), s->int64(3)});
    return out;
  }

  core::Result<bool> claim_notice(const std::string& key, core::UnixTime now) override {
    return guarded([&] {
      auto c = pool_.acquire();
      auto s = c->prepare(
          "INSERT INTO billing_notices (key, at) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
      s->bind(1, key).bind(2, static_cast<I64>(now));
      s->run();
      return c->changes() > 0;
    });
  }

 private:

  static std::optional<Subscription> find_sub_locked(Connection& c, const std::string& id) {
    auto s = c.prepare(std::string("SELECT ") + kSubColumns +
                       " FROM billing_subscriptions WHERE id = ?1");
    s->bind(1, id);
    if (!s->step()) return std::nullopt;
    return read_sub(*s);
  }

  // members.paid_until: the latest end among the member's own subscriptions, the live
  // seat they hold, and the gifts they redeemed (not refunded).
  static void refresh_member(Connection& c, I64 member_id) {
    auto s = c.prepare(
        "UPDATE members SET paid_until = (SELECT MAX(until) FROM ("
        "SELECT access_until AS until FROM billing_subscriptions WHERE member_id = ?1 "
        "UNION ALL SELECT b.access_until FROM billing_seats s JOIN billing_subscriptions b "
        "ON b.id = s.subscription_id WHERE s.member_id = ?1 AND s.removed_at IS NULL "
        "UNION ALL SELECT ends_at FROM billing_gifts WHERE redeemed_by = ?1 AND refunded = 0) ends) "
        "WHERE id = ?1");
    s->bind(1, member_id);
    s->run();
  }

  static void refresh_subscription_access(Connection& c, const std::string& id) {
    std::vector<I64> members;
    {
      auto s = c.prepare(
          "SELECT member_id FROM billing_subscriptions WHERE id = ?1 UNION SELECT member_id FROM "
          "billing_seats WHERE subscription_id = ?1 AND member_id IS NOT NULL");
      s->bind(1, id);
      while (s->step()) members.push_back(s->int64(0));
    }
    for (I64 m : members) refresh_member(c, m);
  }

  std::optional<Gift> gift_where(const char* where, const std::string& value) {
    auto c = pool_.acquire();
    auto s = c->prepare(std::string("SELECT ") + kGiftColumns + " FROM billing_gifts WHERE " +
                        where);
    s->bind(1, value);
    if (!s->step()) return std::nullopt;
    return read_gift(*s);
  }

  Pool& pool_;
};

}  // namespace

std::unique_ptr<BillingStore> make_billing_store(Pool& pool) {
  return std::make_unique<SqlBillingStore>(pool);
}

}  // namespace store::sql
