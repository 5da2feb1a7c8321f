"""End-to-end: paid subscriptions through Stripe (issue "Subscribe now"), against the real
binary and the Stripe stand-in (tests/stripe/standin.mjs: Stripe's own fixtures, webhooks
signed by the official stripe npm package)."""
import json
import os
import re
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import (Reader, Server, StripeStandin, article_line, canary,  # noqa: E402
                     crawl_for_leaks, form_fields, link_in_mail, outbox_messages, run_cli, sign_in)

CONFIG = """
[[plans]]
id = "monthly"
name = "All-Access monthly"
price = "$15"
period = "month"
stripe_price = "price_monthly"

[[plans]]
id = "annual"
name = "All-Access annual"
price = "$150"
period = "year"
stripe_price = "price_annual"

[[plans]]
id = "team"
name = "Team"
price = "$120"
period = "month"
stripe_price = "price_team"
seats = 3

[[gifts]]
months = 3
price = "$45"
stripe_price = "price_gift3"
"""

DAY = 86400


class Billing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stripe = StripeStandin()
        cls.stripe.control("config", {"prices": {
            "price_monthly": {"unit_amount": 1500, "interval": "month"},
            "price_annual": {"unit_amount": 15000, "interval": "year"},
            "price_team": {"unit_amount": 4000, "interval": "month"},
            "price_gift3": {"unit_amount": 4500, "one_time": True}}})
        cls.data = tempfile.mkdtemp(prefix="meridian-billing-")
        with open(os.path.join(cls.data, "meridian.toml"), "w") as f:
            f.write(CONFIG)
        lines = [article_line("premium-1", access="premium"), article_line("metered-1", access="metered"),
                 article_line("premium-2", access="premium", type="feature")]
        path = os.path.join(cls.data, "articles.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        run_cli("import", path, data=cls.data, check=True)
        cls.server = Server(data=cls.data, env={**cls.stripe.env(), "MERIDIAN_LINK_SPACING_SECONDS": "1"})
        cls.stripe.control("config", {"webhook_url": cls.server.base + "/billing/stripe/webhook",
                                      "hold": False})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.stripe.stop()

    def setUp(self):
        self.stripe.control("config", {"hold": False, "fail": None})

    # -- helpers -----------------------------------------------------------------------

    n = 0

    def new_email(self, tag):
        Billing.n += 1
        return f"{tag}-{Billing.n}-{os.getpid()}@example.org"

    def signed_in(self, tag):
        email = self.new_email(tag)
        run_cli("members", "import", "-", data=self.data, input=f"email,name\n{email},\n", check=True)
        reader = Reader(self.server)
        sign_in(reader, self.data, email)
        return reader, email

    def checkout(self, reader, plan="monthly", extra=None):
        fields = form_fields(reader.get("/subscribe").text, "/billing/checkout")
        self.assertIsNotNone(fields, "no checkout form on /subscribe")
        fields.update({"plan": plan, **(extra or {})})
        return reader.post("/billing/checkout", fields)

    def subscribe(self, reader, plan="monthly"):
        r = self.checkout(reader, plan)
        self.assertEqual(r.status, 303, r.text[:500])
        location = r.header("Location")
        self.assertTrue(location.startswith(self.stripe.base + "/checkout/cs_test_"), location)
        return location.rsplit("/", 1)[1]

    def pay(self, session_id):
        return self.stripe.control("pay/" + session_id)

    def subscription_of(self, session_id):
        for s in self.stripe.call("GET", "/_test/sessions").json():
            if s["id"] == session_id:
                return s["subscription"]
        raise AssertionError("no such session")

    def reads_premium(self, reader):
        return canary("premium-1") in reader.get("/articles/premium-1").text

    def mails_to(self, email, subject_part):
        return [m for m in outbox_messages(self.data) if m[0] == email and subject_part in m[1]]

    def wait_mail(self, email, subject_part, count=1):
        deadline = time.time() + 10
        while time.time() < deadline:
            found = self.mails_to(email, subject_part)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail '{subject_part}' to {email}: " +
                             repr([m[1] for m in outbox_messages(self.data) if m[0] == email]))

    # -- subscribing ---------------------------------------------------------------------

    def test_signed_in_reader_subscribes_through_checkout(self):
        reader, email = self.signed_in("signed")
        self.assertFalse(self.reads_premium(reader))
        page = reader.get("/subscribe").text
        self.assertIn('action="/billing/checkout"', page)
        self.assertIn('name="plan" value="monthly"', page)
        self.assertNotIn("Register for free", page)  # they have registered
        self.assertIn("Register for free", Reader(self.server).get("/subscribe").text)
        session = self.subscribe(reader)
        created = [q for q in self.stripe.requests()
                   if q["path"] == "/v1/checkout/sessions" and q["method"] == "POST"][-1]
        form = created["form"]
        self.assertEqual(form["mode"], "subscription")
        self.assertEqual(form["line_items[0][price]"], "price_monthly")
        self.assertEqual(form["line_items[0][quantity]"], "1")
        self.assertTrue(form["success_url"].startswith(self.server.base + "/billing/return"))
        self.assertIn("{CHECKOUT_SESSION_ID}", form["success_url"])
        self.assertTrue(form["cancel_url"].startswith(self.server.base + "/"))
        self.assertEqual(form["customer_email"], email)
        self.assertTrue(form["client_reference_id"])
        self.assertEqual(form["subscription_data[metadata][member_id]"], form["client_reference_id"])
        self.assertTrue(created["idempotency_key"])
        self.assertRegex(created["stripe_version"], r"^20\d\d-\d\d-\d\d\.\w+$")
        self.assertEqual(created["content_type"], "application/x-www-form-urlencoded")
        # Not paid yet: no access just for having started.
        self.assertFalse(self.reads_premium(reader))
        results = self.pay(session)["results"]
        self.assertTrue(all(r["status"] == 200 for r in results), results)
        self.assertTrue(self.reads_premium(reader))
        back = reader.get(f"/billing/return?session_id={session}")
        self.assertEqual(back.status, 200)
        self.assertIn("Welcome, you now have All-Access", back.text)
        # Another browser opening the success URL learns nothing and is not signed in.
        stranger = Reader(self.server)
        other = stranger.get(f"/billing/return?session_id={session}")
        self.assertNotIn("Welcome, you now have All-Access", other.text)
        self.assertNotIn(email, other.text)
        self.assertNotIn("meridian_session", stranger.cookies)
        self.assertFalse(self.reads_premium(stranger))
        # The account page manages billing through the customer portal.
        account = reader.get("/account").text
        self.assertIn('action="/account/billing"', account)
        self.assertIn("renewing on", account)
        fields = form_fields(account, "/account/billing")
        r = reader.post("/account/billing", fields)
        self.assertEqual(r.status, 303)
        portal = [q for q in self.stripe.requests() if q["path"] == "/v1/billing_portal/sessions"][-1]
        self.assertTrue(portal["form"]["customer"].startswith("cus_"))
        self.assertTrue(r.header("Location").startswith(self.stripe.base + "/portal/"))
        self.wait_mail(email, "Welcome")
        # Subscribed readers are not sent to Checkout a second time.
        again = self.checkout(reader)
        self.assertEqual(again.status, 409)

    def test_anonymous_reader_gives_an_address_then_pays(self):
        anon = Reader(self.server)
        page = anon.get("/subscribe").text
        self.assertIn('name="email"', page)
        email = self.new_email("anon")
        r = self.checkout(anon, extra={"email": email, "next": "/articles/premium-1"})
        self.assertEqual(r.status, 303, r.text[:300])
        self.assertIn("meridian_session", anon.cookies)
        session = r.header("Location").rsplit("/", 1)[1]
        form = [q for q in self.stripe.requests() if q["path"] == "/v1/checkout/sessions"][-1]["form"]
        self.assertEqual(form["customer_email"], email)
        self.pay(session)
        back = anon.get(f"/billing/return?session_id={session}").text
        self.assertIn("Welcome, you now have All-Access", back)
        self.assertIn('href="/articles/premium-1"', back)
        self.assertTrue(self.reads_premium(anon))

    def test_anonymous_with_a_known_address_gets_a_link_not_a_session(self):
        _, email = self.signed_in("known")
        time.sleep(1.1)  # past the spacing between two sign-in links to one address
        anon = Reader(self.server)
        r = self.checkout(anon, extra={"email": email})
        self.assertEqual(r.status, 200)
        self.assertIn("Check your inbox", r.text)
        self.assertNotIn("meridian_session", anon.cookies)
        link = link_in_mail(self.data, email, "/signin/confirm", skip=1)
        # The link signs the owner in and brings them back to the plan they chose.
        r = anon.post("/signin/confirm", form_fields(anon.get(link).text, "/signin/confirm"))
        self.assertEqual(r.status, 303)
        self.assertTrue(r.header("Location").startswith("/subscribe?plan=monthly"), r.header("Location"))
        self.assertIn('name="plan" value="monthly"', anon.get(r.header("Location")).text)

    def test_anonymous_without_an_address_is_asked_for_one(self):
        anon = Reader(self.server)
        r = self.checkout(anon)
        self.assertEqual(r.status, 400)
        self.assertIn("email address", r.text)
        self.assertNotIn("meridian_session", anon.cookies)

    def test_unknown_plan_is_refused(self):
        reader, _ = self.signed_in("plan")
        r = self.checkout(reader, plan="platinum")
        self.assertEqual(r.status, 400)
        self.assertNotIn("/checkout/", r.header("Location") or "")

    # -- webhooks --------------------------------------------------------------------------

    def test_access_waits_for_the_webhook(self):
        reader, _ = self.signed_in("wait")
        self.stripe.control("config", {"hold": True})
        session = self.subscribe(reader)
        self.pay(session)
        page = reader.get(f"/billing/return?session_id={session}")
        self.assertIn("Confirming your payment", page.text)
        self.assertRegex(page.text, r'<meta http-equiv="refresh" content="\d+">')
        self.assertFalse(self.reads_premium(reader))
        results = self.stripe.control("flush", {})
        self.assertEqual([r["status"] for r in results], [200, 200, 200])
        self.assertTrue(self.reads_premium(reader))
        self.assertIn("Welcome, you now have All-Access",
                      reader.get(f"/billing/return?session_id={session}").text)

    def test_a_repeated_event_does_nothing_twice(self):
        reader, email = self.signed_in("twice")
        self.stripe.control("config", {"hold": True})
        session = self.subscribe(reader)
        self.pay(session)
        results = self.stripe.control("flush", {"twice": True})
        self.assertEqual(len(results), 6)
        self.assertTrue(all(r["status"] == 200 for r in results))
        self.assertEqual([json.loads(r["body"])["result"] for r in results[1::2]], ["duplicate"] * 3)
        self.assertTrue(self.reads_premium(reader))
        time.sleep(0.3)
        self.assertEqual(len(self.mails_to(email, "Welcome")), 1)
        self.assertEqual(len(self.mails_to(email, "Receipt")), 1)

    def test_events_out_of_order_cannot_undo_a_newer_state(self):
        reader, _ = self.signed_in("order")
        self.stripe.control("config", {"hold": True})
        session = self.subscribe(reader)
        self.pay(session)  # completed, created, invoice.paid held
        sub = self.subscription_of(session)
        self.stripe.control(f"subscriptions/{sub}/delete")  # deleted, held too
        held = self.stripe.call("GET", "/_test/held").json()
        self.assertEqual(held[-1]["type"], "customer.subscription.deleted")
        # The deletion arrives first, the older events after it.
        self.stripe.control("flush", {"order": [3, 0, 1, 2]})
        self.assertFalse(self.reads_premium(reader))
        self.assertNotIn("renewing on", reader.get("/account").text)

    def test_renewal_extends_access(self):
        reader, _ = self.signed_in("renew")
        session = self.subscribe(reader)
        self.pay(session)
        sub = self.subscription_of(session)
        before = self.stripe.call("GET", f"/_test/subscriptions/{sub}").json()
        end1 = before["items"]["data"][0]["current_period_end"]
        account1 = reader.get("/account").text
        self.stripe.control(f"subscriptions/{sub}/renew")
        after = self.stripe.call("GET", f"/_test/subscriptions/{sub}").json()
        end2 = after["items"]["data"][0]["current_period_end"]
        self.assertGreater(end2, end1)
        account2 = reader.get("/account").text
        self.assertNotEqual(re.search(r"renewing on ([^<)]+)", account1).group(1),
                            re.search(r"renewing on ([^<)]+)", account2).group(1))
        self.assertEqual(account2.count("Subscription, 15.00 USD"), 2)
        self.assertTrue(self.reads_premium(reader))

    def test_failed_payment_keeps_grace_days_then_ends(self):
        reader, email = self.signed_in("pastdue")
        session = self.subscribe(reader)
        self.pay(session)
        sub = self.subscription_of(session)
        now = int(time.time())
        # The renewal failed; the period ended yesterday: within the 3 grace days.
        self.stripe.control(f"subscriptions/{sub}/fail", {"current_period_end": now - DAY})
        self.assertTrue(self.reads_premium(reader))
        account = reader.get("/account").text
        self.assertIn("Payment failed", account)
        mail = self.wait_mail(email, "did not go through")[0]
        link = re.search(r"https?://[^/\s]+(/account/billing)\s", mail[2]).group(1)
        # The mail's link opens the customer portal (after signing in, if need be).
        portal = reader.get(link)
        self.assertEqual(portal.status, 303)
        self.assertTrue(portal.header("Location").startswith(self.stripe.base + "/portal/"))
        self.assertEqual(Reader(self.server).get(link).status, 303)  # a stranger: sign in first
        self.assertTrue(Reader(self.server).get(link).header("Location").startswith("/signin"))
        # Four days later, still unpaid: registered again.
        self.stripe.control(f"subscriptions/{sub}/update",
                            {"status": "past_due", "current_period_end": now - 4 * DAY})
        self.assertFalse(self.reads_premium(reader))

    def test_cancel_at_period_end_keeps_access_until_then(self):
        reader, email = self.signed_in("cancel")
        session = self.subscribe(reader)
        self.pay(session)
        sub = self.subscription_of(session)
        self.stripe.control(f"subscriptions/{sub}/cancel")
        self.assertTrue(self.reads_premium(reader))
        self.assertIn("cancels on", reader.get("/account").text)
        self.wait_mail(email, "is cancelled")
        self.stripe.control(f"subscriptions/{sub}/delete")
        self.assertFalse(self.reads_premium(reader))
        self.wait_mail(email, "has ended")

    def test_full_refund_ends_access_at_once(self):
        reader, _ = self.signed_in("refund")
        session = self.subscribe(reader)
        self.pay(session)
        sub = self.subscription_of(session)
        # A partial refund changes nothing.
        self.stripe.control(f"subscriptions/{sub}/refund", {"amount": 500})
        self.assertTrue(self.reads_premium(reader))
        self.stripe.control(f"subscriptions/{sub}/refund")
        self.assertFalse(self.reads_premium(reader))
        self.assertIn("(refunded)", reader.get("/account").text)

    # -- groups and gifts -------------------------------------------------------------------

    def test_group_plan_seats(self):
        owner, owner_email = self.signed_in("owner")
        session = self.subscribe(owner, "team")
        form = [q for q in self.stripe.requests() if q["path"] == "/v1/checkout/sessions"][-1]["form"]
        self.assertEqual(form["line_items[0][quantity]"], "3")
        self.pay(session)
        account = owner.get("/account").text
        self.assertIn("0 of 2 seats taken", account)
        colleague, colleague_email = self.signed_in("colleague")
        other_email = self.new_email("other")
        invite = form_fields(owner.get("/account").text, "/account/seats")
        for address in (colleague_email, other_email):
            r = owner.post("/account/seats", {**invite, "email": address})
            self.assertEqual(r.status, 200, r.text[:300])
        self.assertIn("2 of 2 seats taken", owner.get("/account").text)
        self.assertIsNone(form_fields(owner.get("/account").text, "/account/seats"))
        over = owner.post("/account/seats", {**invite, "email": self.new_email("over")})
        self.assertEqual(over.status, 409)
        self.assertIn("every seat", over.text)
        twice = owner.post("/account/seats", {**invite, "email": other_email})
        self.assertEqual(twice.status, 409)
        link = link_in_mail(self.data, colleague_email, "/billing/seats/accept")
        self.assertFalse(self.reads_premium(colleague))
        page = colleague.get(link)
        fields = form_fields(page.text, "/billing/seats/accept")
        r = colleague.post("/billing/seats/accept", fields)
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertTrue(self.reads_premium(colleague))
        self.assertIn(owner_email, colleague.get("/account").text)
        # A stranger opening the invitation is asked to register or sign in first.
        stranger = Reader(self.server)
        self.assertIn('action="/register"', stranger.get(link).text)
        # The owner removes the seat: the colleague reads as registered again.
        account = owner.get("/account").text
        seat = re.search(r'name="seat" value="(\d+)"', account).group(1)
        fields = form_fields(account, "/account/seats/remove")
        fields["seat"] = seat
        self.assertEqual(owner.post("/account/seats/remove", fields).status, 303)
        self.assertFalse(self.reads_premium(colleague))
        # More seats bought in the portal: the quantity follows Stripe.
        sub = self.subscription_of(session)
        self.stripe.control(f"subscriptions/{sub}/update", {"quantity": 5})
        account = owner.get("/account").text
        self.assertIn("1 of 4 seats taken", account)
        self.assertIn(other_email, account)  # the seats already given stay
        self.assertIsNotNone(form_fields(account, "/account/seats"))

    def test_gift_bought_sent_redeemed_and_stacked(self):
        buyer, buyer_email = self.signed_in("giver")
        recipient, recipient_email = self.signed_in("given")
        # The recipient already subscribes: the gift starts when that ends.
        session = self.subscribe(recipient, "monthly")
        self.pay(session)
        sub = self.subscription_of(session)
        period_end = self.stripe.call("GET", f"/_test/subscriptions/{sub}").json()["items"]["data"][0]["current_period_end"]
        fields = form_fields(buyer.get("/subscribe").text, "/billing/gift")
        fields.update({"months": "3", "recipient_email": recipient_email, "message": "Enjoy"})
        r = buyer.post("/billing/gift", fields)
        self.assertEqual(r.status, 303, r.text[:300])
        gift_session = r.header("Location").rsplit("/", 1)[1]
        form = [q for q in self.stripe.requests() if q["path"] == "/v1/checkout/sessions"][-1]["form"]
        self.assertEqual(form["mode"], "payment")
        self.assertEqual(form["line_items[0][price]"], "price_gift3")
        self.pay(gift_session)
        self.assertIn("Thank you for your gift", buyer.get(f"/billing/return?session_id={gift_session}").text)
        self.wait_mail(buyer_email, "Your gift")
        link = link_in_mail(self.data, recipient_email, "/billing/gift/redeem")
        page = recipient.get(link)
        fields = form_fields(page.text, "/billing/gift/redeem")
        r = recipient.post("/billing/gift/redeem", fields)
        self.assertEqual(r.status, 200, r.text[:300])
        m = re.search(r"All-Access until ([0-9]{1,2} \w+ \d{4})", r.text)
        self.assertIsNotNone(m, r.text[:500])
        until = time.mktime(time.strptime(m.group(1), "%d %B %Y"))
        # Three months after the paid period's end, not after today.
        self.assertGreater(until, period_end + 85 * DAY)
        # Redeeming twice (or by someone else) adds nothing.
        again = recipient.post("/billing/gift/redeem", fields)
        self.assertEqual(again.status, 200)
        thief, _ = self.signed_in("thief")
        self.assertEqual(thief.get(link).status, 409)
        csrf = form_fields(thief.get("/account").text, "/account/newsletters")["csrf"]
        stolen = thief.post("/billing/gift/redeem", {"token": fields["token"], "csrf": csrf})
        self.assertEqual(stolen.status, 409)
        self.assertFalse(self.reads_premium(thief))

    # -- failure ------------------------------------------------------------------------------

    def test_stripe_down_or_slow_gives_a_clear_message(self):
        reader, _ = self.signed_in("down")
        self.stripe.control("config", {"fail": "down"})
        r = self.checkout(reader)
        self.assertEqual(r.status, 503)
        self.assertIn("Payments are unavailable for a moment, please try again", r.text)
        self.stripe.control("config", {"fail": "slow", "slow_ms": 2500})
        started = time.time()
        r = self.checkout(reader)
        self.assertEqual(r.status, 503)
        self.assertIn("Payments are unavailable for a moment", r.text)
        self.assertLess(time.time() - started, 20)
        self.stripe.control("config", {"fail": None})
        # Nothing half-done: a later attempt goes through normally.
        session = self.subscribe(reader)
        self.pay(session)
        self.assertTrue(self.reads_premium(reader))

    def test_sync_repairs_a_missed_deletion(self):
        reader, email = self.signed_in("sync")
        session = self.subscribe(reader)
        self.pay(session)
        sub = self.subscription_of(session)
        self.stripe.control(f"subscriptions/{sub}/delete", {"quiet": True})
        self.assertTrue(self.reads_premium(reader))  # we were never told
        env = self.stripe.env()
        dry = run_cli("billing", "sync", "--dry-run", data=self.data, env=env)
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn(f"would change {sub}", dry.stdout)
        self.assertIn("active -> canceled", dry.stdout)
        self.assertTrue(self.reads_premium(reader))
        done = run_cli("billing", "sync", data=self.data, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"changed {sub} ({email})", done.stdout)
        self.assertFalse(self.reads_premium(reader))
        again = run_cli("billing", "sync", data=self.data, env=env)
        self.assertNotIn(sub, again.stdout)

    # -- signatures -----------------------------------------------------------------------------

    def test_webhook_signatures_are_checked_before_anything(self):
        reader, _ = self.signed_in("sig")
        self.stripe.control("config", {"hold": True})
        session = self.subscribe(reader)
        self.pay(session)
        self.stripe.call("POST", "/_test/flush", {"order": []})  # drop the held events
        sub = self.subscription_of(session)
        event = {"id": "evt_sigtest" + str(os.getpid()), "object": "event", "type": "customer.subscription.updated",
                 "api_version": "2026-02-25.clover", "created": int(time.time()),
                 "data": {"object": self.stripe.call("GET", f"/_test/subscriptions/{sub}").json()}}
        body = json.dumps(event)

        def deliver(header, payload=body):
            return self.stripe.control("deliver", {"body": payload, "header": header})

        def sign(**kw):
            return self.stripe.control("sign", {"payload": body, **kw})["header"]

        self.assertEqual(deliver(None)["status"], 400)                         # unsigned
        self.assertEqual(deliver(sign(secret="whsec_wrong"))["status"], 400)   # wrong secret
        self.assertEqual(deliver(sign(), body.replace("customer", "custom3r", 1))["status"], 400)
        self.assertEqual(deliver(sign(timestamp=int(time.time()) - 3600))["status"], 400)
        self.assertEqual(deliver("t=abc,v1=00")["status"], 400)
        self.assertFalse(self.reads_premium(reader))  # none of them changed anything
        good = deliver(sign())
        self.assertEqual(good["status"], 200)
        self.assertEqual(json.loads(good["body"])["result"], "ok")  # not "duplicate"
        self.assertTrue(self.reads_premium(reader))

    def test_unknown_customer_is_acknowledged_and_kept(self):
        sub = {"id": "sub_stranger" + str(os.getpid()), "object": "subscription", "customer": "cus_nobody"}
        r = self.stripe.control("event", {"type": "customer.subscription.updated", "object": sub})
        self.assertEqual(r["status"], 200)

    def test_secrets_never_shown(self):
        reader, _ = self.signed_in("secret")
        run_cli("staff", "add", "--email", self.new_email("admin"), "--role", "admin", data=self.data, check=True)
        admin_email = self.new_email("admin2")
        run_cli("staff", "add", "--email", admin_email, "--role", "admin", data=self.data, check=True)
        admin = Reader(self.server)
        sign_in(admin, self.data, admin_email)
        settings = admin.get("/admin/settings").text
        self.assertIn("Stripe secret key: set (ending in " + self.stripe.key[-4:] + ")", settings)
        page = admin.get("/admin/billing")
        self.assertEqual(page.status, 200)
        self.assertIn("ending in " + self.stripe.key[-4:], page.text)
        self.assertIn("/billing/stripe/webhook", page.text)
        for who, path in ((reader, "/subscribe"), (reader, "/account"), (admin, "/admin/billing"),
                          (admin, "/admin/settings"), (admin, "/admin"), (Reader(self.server), "/subscribe")):
            text = who.get(path).text
            self.assertNotIn(self.stripe.key, text, path)
            self.assertNotIn(self.stripe.secret, text, path)
        self.assertNotIn(self.stripe.key, self.server.output())
        self.assertNotIn(self.stripe.key, reader.get("/account/export").text)


    def admin(self):
        email = self.new_email("boss")
        run_cli("staff", "add", "--email", email, "--role", "admin", data=self.data, check=True)
        admin = Reader(self.server)
        sign_in(admin, self.data, email)
        return admin

    def test_back_office_shows_money_and_the_member_s_subscription(self):
        # A reader who came from an article and paid: the article is credited.
        anon = Reader(self.server)
        email = self.new_email("convert")
        r = self.checkout(anon, plan="annual", extra={"email": email, "next": "/articles/premium-2"})
        self.pay(r.header("Location").rsplit("/", 1)[1])
        admin = self.admin()
        deadline = time.time() + 10  # events are written every few seconds
        while True:
            page = admin.get("/admin/analytics?days=7").text
            if "Paid subscriptions" in page and re.search(r"Readers who went on to pay", page):
                rows = re.findall(r'<td><a href="/admin/analytics\?days=7&amp;article=\d+">([^<]+)</a>.*?<td class="num">(\d+)</td></tr>', page)
                if any(n != "0" for _, n in rows) or time.time() > deadline:
                    break
            time.sleep(0.5)
        self.assertIn("Monthly recurring revenue", page)
        self.assertIn("<svg", page)
        sold = {title: n for title, n in rows}
        self.assertTrue(any(n != "0" for n in sold.values()), rows)
        # MRR counts the annual plan as a twelfth: 150.00 / 12 = 12.50 among the rest.
        self.assertRegex(page, r"MRR|recurring revenue now: <strong>\d+\.\d\d USD</strong>")
        members = admin.get("/admin/members?q=" + urllib.parse.quote(email)).text
        member_id = re.search(r'href="/admin/members/(\d+)"', members).group(1)
        page = admin.get(f"/admin/members/{member_id}").text
        self.assertIn("Paid subscription", page)
        self.assertIn("All-Access annual", page)
        self.assertRegex(page, r"dashboard\.stripe\.com/test/customers/cus_")
        self.assertIn("150.00 USD", page)
        billing = admin.get("/admin/billing").text
        self.assertIn("invoice.paid", billing)

    def test_a_paying_reader_cannot_delete_the_account_while_it_renews(self):
        reader, _ = self.signed_in("delete")
        session = self.subscribe(reader)
        self.pay(session)
        fields = form_fields(reader.get("/account").text, "/account/delete")
        r = reader.post("/account/delete", {**fields, "confirm": "delete"})
        self.assertEqual(r.status, 409)
        self.assertIn("Manage billing", r.text)
        self.assertTrue(self.reads_premium(reader))
        export = reader.get("/account/export").json()
        self.assertEqual(export["billing"]["plan"], "All-Access monthly")
        sub = self.subscription_of(session)
        self.stripe.control(f"subscriptions/{sub}/cancel")
        r = reader.post("/account/delete", {**fields, "confirm": "delete"})
        self.assertEqual(r.status, 200)

    def test_leak_crawl_as_a_reader_whose_subscription_ended(self):
        reader, _ = self.signed_in("ended")
        session = self.subscribe(reader)
        self.pay(session)
        self.assertTrue(self.reads_premium(reader))
        self.stripe.control(f"subscriptions/{self.subscription_of(session)}/delete")
        gated = ["premium-1", "premium-2"]
        start = ["/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/account", "/subscribe",
                 "/api/v1/articles?per_page=100", "/account/export",
                 f"/billing/return?session_id={session}"]
        start += [f"/api/v1/articles/{s}" for s in gated] + [f"/articles/{s}" for s in gated]
        start += [f"/search?q={canary(s)}" for s in gated] + [f"/api/v1/search?q={canary(s)}" for s in gated]
        seen = crawl_for_leaks(self, reader, start, gated, 200, "an ended subscriber")
        self.assertGreater(len(seen), 15)


class WithoutBilling(unittest.TestCase):
    def test_subscribe_says_staff_handle_it(self):
        server = Server()
        try:
            page = Reader(server).get("/subscribe")
            self.assertEqual(page.status, 200)
            self.assertIn("handled by our staff", page.text)
            self.assertNotIn('action="/billing/checkout"', page.text)
            reader = Reader(server)
            fields = form_fields(reader.get("/signin").text, "/signin") or {}
            r = reader.post("/billing/checkout", {"csrf": fields.get("csrf", ""), "plan": "monthly",
                                                  "email": "x@example.org"})
            self.assertIn(r.status, (403, 503))
            self.assertNotEqual(r.status, 500)
            sync = run_cli("billing", "sync", data=server.data)
            self.assertEqual(sync.returncode, 1)
            self.assertIn("billing is not configured", sync.stderr)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
