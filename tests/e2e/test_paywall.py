"""End-to-end: the whole paywall story against the real binary (PRODUCT.md, "Access")."""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import db_rows, database_env  # noqa: E402
from harness import (crawl_for_leaks, Reader, Server, article_line, canary, form_fields, link_in_mail,  # noqa: E402
                     sign_in, mail_barrier, links_in_mail,
                     outbox_messages, run_cli)

METERED = [f"metered-{i}" for i in range(1, 7)]


class PaywallStory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="meridian-paywall-")
        lines = [article_line(s, access="metered") for s in METERED]
        lines += [article_line("premium-1", access="premium", type="feature"),
                  article_line("premium-2", access="premium"),
                  article_line("free-1", access="free")]
        path = os.path.join(cls.data, "articles.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        run_cli("import", path, data=cls.data, check=True)
        cls.server = Server(data=cls.data)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assert_full(self, reader, slug):
        text = reader.get(f"/articles/{slug}").text
        self.assertIn(canary(slug), text, f"{slug} should be readable in full")
        return text

    def assert_gated(self, reader, slug):
        r = reader.get(f"/articles/{slug}")
        self.assertEqual(r.status, 200)
        self.assertNotIn(canary(slug), r.text, f"{slug} leaked")
        return r.text

    def sign_in_by_link(self, reader, email, next_path="/account"):
        return sign_in(reader, self.data, email, next_path)

    def test_1_anonymous_sees_teaser_and_walls(self):
        anon = Reader(self.server)
        text = self.assert_gated(anon, "metered-1")
        self.assertIn("Keep reading for free", text)
        self.assertIn('action="/register"', text)
        self.assertIn('type="email"', text)
        self.assertIn("Already a subscriber?", text)
        text = self.assert_gated(anon, "premium-1")
        self.assertIn("This article is for subscribers", text)
        self.assertNotIn('action="/register"', text)
        self.assert_full(anon, "free-1")

    def test_2_register_verify_unlock_three_then_refused(self):
        me = Reader(self.server)
        email = "new.reader@example.org"
        r = me.submit("/articles/metered-1", "/register", {"email": email})
        self.assertEqual(r.status, 303)
        # Back where the teaser ended, told to confirm the address.
        self.assertEqual(r.header("Location"), "/articles/metered-1?registered=1#continue")
        landed = me.get("/articles/metered-1?registered=1").text
        self.assertIn('<div id="continue" class="continue-mark"><p class="notice" role="status">Welcome: keep reading. '
                      'We sent a link to new.reader@example.org', landed)
        cookie = r.header("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        self.assertNotIn("Secure", cookie)  # the site URL is http here
        # The article registered from opens at once, without a credit.
        self.assert_full(me, "metered-1")
        # Unverified: asked to verify, cannot unlock.
        text = self.assert_gated(me, "metered-2")
        self.assertIn("Confirm your email to keep reading", text)
        self.assertNotIn("/unlock", text)
        # Verify from the outbox mail; the link page alone does not verify (scanner safe).
        link = link_in_mail(self.data, email, "/verify")
        mails = [m for m in outbox_messages(self.data) if m[0] == email]
        self.assertTrue(mails and "Confirm" in mails[-1][1])
        page = me.get(link)
        self.assertEqual(page.status, 200)
        self.assertIn("Confirm your email to keep reading", me.get("/articles/metered-2").text)
        r = me.post("/verify", form_fields(page.text, "/verify"))
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/account?notice=confirmed")
        # Confirmed, and shown so with the signed-in header.
        account = me.get(r.header("Location")).text
        self.assertIn("Address confirmed.", account)
        self.assertIn('action="/signout"', account)
        # Verified: three unlocks, each an explicit POST.
        for i, slug in enumerate(("metered-2", "metered-3", "metered-4")):
            text = self.assert_gated(me, slug)
            left = 3 - i
            self.assertIn(f"{left} of 3 free articles left this month", text)
            action = f"/articles/{slug}/unlock"
            # Without the CSRF token nothing is spent.
            self.assertEqual(me.post(action, {}).status, 403)
            r = me.submit(f"/articles/{slug}", action)
            self.assertEqual(r.status, 303)
            self.assert_full(me, slug)
        # The fourth is refused; the wall offers subscribing.
        text = self.assert_gated(me, "metered-5")
        self.assertIn("You have read your free articles this month", text)
        self.assertIn('href="/subscribe"', text)
        self.assertNotIn("/unlock", text)
        fields = form_fields(me.get("/articles/metered-4").text, "/signout")
        r = me.post("/articles/metered-5/unlock", fields)
        self.assertEqual(r.status, 403)
        self.assert_gated(me, "metered-5")
        # Unlocked articles stay readable; premium is never unlockable by credits.
        for slug in ("metered-1", "metered-2", "metered-3", "metered-4"):
            self.assert_full(me, slug)
        self.assertIn("This article is for subscribers", self.assert_gated(me, "premium-1"))
        self.assertEqual(me.post("/articles/premium-1/unlock", fields).status, 403)
        account = me.get("/account").text
        self.assertIn("0 of 3 left", account)
        self.assertIn("Headline for metered-3", account)
        self.assertIn("The free newsletter", account)
        self.assertIn('name="free" value="on" checked', account)
        # Switching the free newsletter off sticks.
        fields = form_fields(account, "/account/newsletters")
        r = me.post("/account/newsletters", list(fields.items()) + [("shown", "free")])
        self.assertEqual(r.status, 303)
        account = me.get("/account").text
        self.assertIn('name="free" value="on">', account)
        self.assertIn("Your newsletter choices are saved", me.get("/account?notice=newsletters").text)
        # Sign out ends the session.
        r = me.submit("/account", "/signout")
        self.assertEqual(r.status, 303)
        self.assertNotIn("meridian_session", me.cookies)
        self.assert_gated(me, "metered-2")

    def test_3_a_stranger_typing_an_existing_address_gets_nothing(self):
        email = "owner@example.org"
        Reader(self.server).submit("/articles/metered-1", "/register", {"email": email})
        link_in_mail(self.data, email, "/verify")  # the owner's confirmation has gone out
        before = len(outbox_messages(self.data))
        stranger = Reader(self.server)
        r = stranger.submit("/articles/metered-6", "/register", {"email": email})
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("Set-Cookie"))
        self.assertIn("sent it a sign-in link", r.text)
        self.assertNotIn(canary("metered-6"), r.text)
        self.assertNotIn("meridian_session", stranger.cookies)
        self.assert_gated(stranger, "metered-6")
        mail_barrier(self.server, self.data)
        mails = [m for m in outbox_messages(self.data)[before:] if not m[0].startswith("barrier-")]
        self.assertEqual([(m[0], "sign-in" in m[1]) for m in mails], [(email, True)])

    def test_4_sign_in_link_is_single_use_and_prefetch_safe(self):
        run_cli("members", "grant", "--email", "links@example.org", "--until", "2099-12-31",
                data=self.data, check=True)
        me = Reader(self.server)
        link, fields = self.sign_in_by_link(me, "links@example.org")
        self.assertIn("links@example.org", me.get("/account").text)
        again = Reader(self.server)
        self.assertEqual(again.get(link).status, 404)  # used links are dead
        self.assertEqual(again.post("/signin/confirm", fields).status in (403, 404), True)
        # Unknown addresses get the same answer and no mail.
        before = len(outbox_messages(self.data))
        r = Reader(self.server).submit("/signin", "/signin", {"email": "nobody@example.org"})
        self.assertEqual(r.status, 200)
        self.assertIn("If that address has an account", r.text)
        mail_barrier(self.server, self.data)
        self.assertEqual([m[0] for m in outbox_messages(self.data)[before:]
                          if not m[0].startswith("barrier-")], [])

    def test_5_granted_subscriber_reads_all_and_sends_a_gift(self):
        run_cli("members", "grant", "--email", "sub@example.org", "--until", "2099-12-31",
                data=self.data, check=True)
        sub = Reader(self.server)
        self.sign_in_by_link(sub, "sub@example.org")
        # A subscriber's account page does not talk of unlocking; deleting stays last, folded.
        account = sub.get("/account").text
        self.assertNotIn("Articles you unlocked", account)
        self.assertLess(account.index("Sign out everywhere"), account.index("<summary>Delete your account</summary>"))
        for slug in METERED + ["premium-1", "premium-2"]:
            text = self.assert_full(sub, slug)
        self.assertNotIn("Keep reading for free", text)
        r = sub.submit("/articles/premium-1", "/articles/premium-1/gift")
        self.assertEqual(r.status, 200)
        url = re.search(r'value="(http[^"]+\?gift=[^"]+)"', r.text).group(1)
        path = url[len(self.server.base):]
        friend = Reader(self.server)
        text = friend.get(path).text
        self.assertIn(canary("premium-1"), text)
        self.assertNotIn("meridian_session", friend.cookies)
        # The gift opens that article only.
        token = path.split("gift=")[1]
        self.assertNotIn(canary("premium-2"), friend.get(f"/articles/premium-2?gift={token}").text)
        self.assertNotIn(canary("premium-1"), friend.get("/articles/premium-1?gift=forged").text)
        self.assert_gated(friend, "premium-1")
        # Revoking takes effect at once, while the server runs.
        run_cli("members", "revoke", "--email", "sub@example.org", data=self.data, check=True)
        self.assert_gated(sub, "premium-1")

    def test_6_institution_addresses_read_everything(self):
        run_cli("institutions", "add", "--name", "Loopback University", "--cidr", "127.0.0.2/32",
                data=self.data, check=True)
        campus = Reader(self.server, source="127.0.0.2")
        r = campus.get("/articles/premium-2")
        self.assertIn(canary("premium-2"), r.text)
        self.assertIn("private", r.header("Cache-Control"))
        self.assertNotIn("Keep reading for free", r.text)
        # Nobody else gets the campus page from a cache.
        self.assert_gated(Reader(self.server), "premium-2")
        r = run_cli("institutions", "add", "--name", "Bad", "--cidr", "300.1.2.3/8", data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not an address range", r.stderr)

    def test_7_forms_from_other_sites_are_refused(self):
        me = Reader(self.server)
        page = me.get("/articles/metered-6")
        fields = form_fields(page.text, "/register")
        fields["email"] = "victim@example.org"
        r = me.post("/register", fields, headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertNotIn("meridian_session", me.cookies)
        fields["csrf"] = "a.1.forged"
        self.assertEqual(me.post("/register", fields).status, 403)

    def test_8_leak_crawl_as_registered_reader_without_unlocks(self):
        run_cli("members", "import", "-", data=self.data, check=True,
                input="email,name\ncrawler@example.org,Crawl Er\n")
        me = Reader(self.server)
        self.sign_in_by_link(me, "crawler@example.org")
        gated = METERED + ["premium-1", "premium-2"]
        start = ["/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/account",
                 "/api/v1/articles?per_page=100", "/account/export"]
        start += [f"/api/v1/articles/{s}" for s in gated] + [f"/articles/{s}" for s in gated]
        start += [f"/api/v1/search?q={canary(s)}" for s in gated] + [f"/search?q={canary(s)}" for s in gated]
        start += ["/api/v1/search?q=fourth+paragraph&per_page=100", "/search?q=inside"]
        seen = crawl_for_leaks(self, me, start, gated, 300, "a registered reader")
        self.assertGreater(len(seen), 30)

    def test_10_password_sign_in_and_sign_out_everywhere(self):
        run_cli("members", "grant", "--email", "pw@example.org", "--until", "2099-12-31",
                data=self.data, check=True)
        first = Reader(self.server)
        self.sign_in_by_link(first, "pw@example.org")
        self.assertEqual(first.submit("/account", "/account/password", {"password": "short"}).status, 400)
        r = first.submit("/account", "/account/password", {"password": "correct horse battery"})
        self.assertEqual(r.status, 303)
        self.assertIn("Your password is set", first.get("/account?notice=password").text)
        second = Reader(self.server)
        bad = second.submit("/signin", "/signin", {"email": "pw@example.org", "password": "wrong password!"})
        self.assertEqual(bad.status, 400)
        self.assertNotIn("meridian_session", second.cookies)
        good = second.submit("/signin", "/signin", {"email": "pw@example.org",
                                                     "password": "correct horse battery"})
        self.assertEqual(good.status, 303)
        self.assert_full(second, "premium-1")
        # Signing out everywhere ends both sessions.
        self.assertEqual(second.submit("/account", "/signout-everywhere").status, 303)
        self.assert_gated(first, "premium-1")
        self.assertEqual(first.get("/account").status, 303)  # back to sign-in

    def test_11_changing_the_email_address(self):
        # A registered reader (a subscriber's address change needs the old address's approval
        # first: test_security.py).
        run_cli("members", "import", "-", data=self.data,
                input="email,name\nold@example.org,\ntaken@example.org,\n", check=True)
        me = Reader(self.server, source="127.0.0.11")
        self.sign_in_by_link(me, "old@example.org")
        self.assertEqual(me.submit("/account", "/account/email", {"email": "nonsense"}).status, 400)
        self.assertEqual(me.submit("/account", "/account/email", {"email": "old@example.org"}).status, 400)
        r = me.submit("/account", "/account/email", {"email": "taken@example.org"})
        self.assertEqual(r.status, 409)
        self.assertIn("Another account already uses", r.text)
        r = me.submit("/account", "/account/email", {"email": "New@Example.org"})
        self.assertEqual(r.status, 200)
        self.assertIn("new@example.org", r.text)
        # The old address is told; nothing changes until the link sent to the new one is used.
        notices = [b for to, subject, b, _ in outbox_messages(self.data)
                   if to == "old@example.org" and "change of address" in subject]
        self.assertEqual(len(notices), 1)
        self.assertIn("old@example.org", me.get("/account").text)
        link = link_in_mail(self.data, "new@example.org", "/account/email/confirm")
        page = me.get(link)
        self.assertEqual(page.status, 200)
        self.assertIn("new@example.org", page.text)
        fields = form_fields(page.text, "/account/email/confirm")
        r = me.post("/account/email/confirm", fields)
        self.assertEqual(r.status, 200)
        self.assertIn("now uses new@example.org", r.text)
        self.assertIn("new@example.org", me.get("/account").text)
        self.assertEqual(me.post("/account/email/confirm", fields).status, 404)  # once only
        self.assertEqual(me.get(link).status, 404)
        # The new address signs in to the same account.
        again = Reader(self.server, source="127.0.0.11")
        self.sign_in_by_link(again, "new@example.org")
        self.assertIn("new@example.org", again.get("/account").text)

    def test_9_link_requests_limited_per_ip_spaced_per_address(self):
        # Strangers flooding someone's address from many places all get the same answer;
        # the inbox gets one link per spacing, and the owner is never refused (see
        # test_security.py for the owner's fresh link once the spacing has passed).
        run_cli("members", "import", "-", data=self.data, input="email,name\nflood@example.org,\n",
                check=True)
        statuses = [Reader(self.server, source=f"127.0.3.{i}").submit(
            "/signin", "/signin", {"email": "flood@example.org"}).status for i in range(1, 9)]
        self.assertEqual(statuses, [200] * 8)
        mail_barrier(self.server, self.data)
        self.assertEqual(len(links_in_mail(self.data, "flood@example.org", "/signin/confirm")), 1)
        # One address (one IP) asking for many: refused past 30 an hour, visibly.
        statuses = [Reader(self.server, source="127.0.4.1").submit(
            "/signin", "/signin", {"email": f"x{i}@example.org"}).status for i in range(32)]
        self.assertEqual(statuses[0], 200)
        self.assertEqual(statuses[-1], 429)


class SecureCookies(unittest.TestCase):
    def test_secure_flag_behind_https(self):
        data = tempfile.mkdtemp(prefix="meridian-https-")
        path = os.path.join(data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("m-1") + "\n")
        run_cli("import", path, data=data, check=True)
        s = Server(data=data, env={"MERIDIAN_SITE_URL": "https://news.example"})
        try:
            me = Reader(s)
            r = me.submit("/articles/m-1", "/register", {"email": "tls@example.org"})
            self.assertEqual(r.status, 303)
            self.assertIn("; Secure", r.header("Set-Cookie"))
            link_in_mail(data, "tls@example.org", "/verify")
            mail = [m for m in outbox_messages(data) if m[0] == "tls@example.org"][-1]
            self.assertIn("https://news.example/verify?token=", mail[2])
        finally:
            s.stop()


class HouseAds(unittest.TestCase):
    def test_ads_for_non_subscribers_only_and_plans_from_config(self):
        data = tempfile.mkdtemp(prefix="meridian-ads-")
        with open(os.path.join(data, "meridian.toml"), "w") as f:
            f.write('[[ads]]\nimage = "/static/house-ad.png"\nlink = "/subscribe"\n'
                    'alt = "Subscribe to Meridian"\n\n[[plans]]\nname = "Student"\n'
                    'price = "€5"\nperiod = "month"\ndescription = "For students."\n')
        path = os.path.join(data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("ad-1", access="free") + "\n")
        run_cli("import", path, data=data, check=True)
        run_cli("members", "grant", "--email", "noads@example.org", "--until", "2099-01-01",
                data=data, check=True)
        s = Server(data=data)
        try:
            anon = Reader(s)
            self.assertIn('alt="Subscribe to Meridian"', anon.get("/articles/ad-1").text)
            sub = Reader(s)
            sub.submit("/signin", "/signin", {"email": "noads@example.org"})
            fields = form_fields(sub.get(link_in_mail(data, "noads@example.org", "/signin/confirm")).text,
                                 "/signin/confirm")
            sub.post("/signin/confirm", fields)
            text = sub.get("/articles/ad-1").text
            self.assertIn("Sign out", text)
            self.assertNotIn("house-ads", text)
            plans = anon.get("/subscribe").text
            self.assertIn("Student", plans)
            self.assertIn("€5", plans)
        finally:
            s.stop()


class EventsCounted(unittest.TestCase):
    def test_views_walls_registrations_and_credits_are_counted(self):
        import sqlite3
        data = tempfile.mkdtemp(prefix="meridian-events-")
        path = os.path.join(data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("ev-1") + "\n" + article_line("ev-2") + "\n")
        run_cli("import", path, data=data, check=True)
        s = Server(data=data)
        try:
            anon = Reader(s)
            for _ in range(3):
                anon.get("/articles/ev-1")  # cached after the first: still counted
            me = Reader(s)
            me.submit("/articles/ev-1", "/register", {"email": "counted@example.org"})
            me.get("/articles/ev-1")
        finally:
            self.assertEqual(s.stop(), 0)  # a graceful stop writes pending counts
        rows = dict(((kind, state), n) for kind, state, n in db_rows(data,
            "SELECT e.kind, e.reader_state, SUM(e.count) FROM events e JOIN articles a "
            "ON a.id = e.article_id WHERE a.slug = 'ev-1' GROUP BY e.kind, e.reader_state"))
        self.assertEqual(rows[("view", "anonymous")], 4)  # 3 + the registering reader's look
        self.assertEqual(rows[("wall", "anonymous")], 4)
        self.assertEqual(rows[("registration", "anonymous")], 1)
        self.assertEqual(rows[("view", "registered-unverified")], 1)
        self.assertNotIn(("wall", "registered-unverified"), rows)


if __name__ == "__main__":
    unittest.main(verbosity=2)
