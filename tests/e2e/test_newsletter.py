"""End-to-end: newsletters over real SMTP (Debian's python3-aiosmtpd on loopback)."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import db_rows, database_env, BIN, Reader, Server, Sink, article_line, csrf_of, form_fields, run_cli  # noqa: E402

class NewsletterTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="meridian-newsletter-")
        path = os.path.join(self.data, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join([
                article_line("daily-one", type="analysis", headline="Grain politics today",
                             published_at="2026-03-01T09:00:00Z"),
                article_line("daily-two", type="analysis", headline="Ports and power",
                             published_at="2026-03-01T15:00:00Z", access="premium"),
                article_line("weekly-feature", type="feature", headline="A week of tariffs",
                             published_at="2026-02-27T10:00:00Z"),
            ]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        self.sink = Sink()
        self.env = {"MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{self.sink.port}",
                    "MERIDIAN_MAIL_FROM": "Meridian <news@meridian.example>",
                    "MERIDIAN_NEWSLETTER_RETRY_SECONDS": "1",
                    "MERIDIAN_SITE_URL": "http://127.0.0.1:9"}

    def tearDown(self):
        self.sink.stop()

    def grant(self, *emails):
        csv = "email,name\n" + "".join(f"{e},\n" for e in emails)
        run_cli("members", "import", "-", "--grant-until", "2099-12-31", data=self.data, input=csv, check=True)

    def register(self, *emails):
        csv = "email,name\n" + "".join(f"{e},\n" for e in emails)
        run_cli("members", "import", "-", data=self.data, input=csv, check=True)

    def send(self, newsletter, date):
        return run_cli("newsletter", "send", newsletter, "--date", date, data=self.data, env=self.env)

    def send_daily_to_subscribers_with_a_bounce_and_a_tempfail(self):
        """Every subscriber but the bouncing one gets the Daily Review once; returns what arrived."""
        self.grant("sub1@example.org", "sub2@example.org", "tempfail@example.org", "bounce@example.org")
        r = self.send("daily", "2026-03-02")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertIn("edition totals: 3 sent, 1 failed, 0 pending", r.stdout)
        got = self.sink.received()
        self.assertEqual(sorted(got), ["sub1@example.org", "sub2@example.org", "tempfail@example.org"])
        self.assertTrue(all(len(v) == 1 for v in got.values()), got)
        return got

    def test_audiences_headers_retries_bounces_and_exactly_once(self):
        self.register("reader1@example.org", "reader2@example.org")
        got = self.send_daily_to_subscribers_with_a_bounce_and_a_tempfail()
        msg = got["sub1@example.org"][0]
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertIsNotNone(msg.get_body(("plain",)))
        self.assertIsNotNone(msg.get_body(("html",)))
        self.assertTrue(msg["Message-ID"])
        self.assertTrue(msg["Date"])
        self.assertEqual(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        unsub = re.match(r"<([^>]+)>", msg["List-Unsubscribe"]).group(1)
        self.assertIn("/newsletters/unsubscribe?", unsub)
        text = msg.get_body(("plain",)).get_content()
        self.assertIn("Grain politics today", text)
        self.assertIn("/account", text)  # preferences link
        self.assertIn("The Daily Review", msg["Subject"])
        # Running again sends nobody anything twice.
        r = self.send("daily", "2026-03-02")
        self.assertIn("0 queued now, 0 sent now", r.stdout)
        self.assertTrue(all(len(v) == 1 for v in self.sink.received().values()))
        # The free newsletter goes to verified registered readers, not to subscribers.
        r = self.send("free", "2026-03-02")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = self.sink.received()
        self.assertEqual(len(got["reader1@example.org"]), 1)
        self.assertEqual(len(got["reader2@example.org"]), 1)
        self.assertEqual(len(got["sub1@example.org"]), 1)

    def sign_in_via_sink(self, server, email):
        reader = Reader(server)
        r = reader.submit("/signin?next=/admin", "/signin", {"email": email})
        self.assertEqual(r.status, 200)
        self.sink.wait_for(1)
        body = self.sink.received()[email][-1].get_body(("plain",)).get_content()
        link = re.search(r"https?://[^/\s]+(/signin/confirm[^\s]*)", body).group(1)
        page = reader.get(link)
        self.assertEqual(reader.post("/signin/confirm", form_fields(page.text, "/signin/confirm")).status, 303)
        return reader

    def desk(self):
        """A server and an editor signed in to it."""
        run_cli("staff", "add", "--email", "editor@example.org", "--role", "editor", data=self.data, check=True)
        server = Server(data=self.data, env=self.env)
        return server, self.sign_in_via_sink(server, "editor@example.org")

    def test_desk_composes_and_sends_a_daily_review(self):
        self.grant("sub1@example.org", "sub2@example.org", "sub3@example.org")
        self.register("reader1@example.org")
        server, ed = self.desk()
        try:
            desk = "/admin/newsletters/daily/2026-03-01"
            page = ed.get(desk)
            self.assertEqual(page.status, 200, page.text)
            self.assertIn("Grain politics today", page.text)
            self.assertIn("Ports and power", page.text)
            self.assertIn("(3 readers now)", page.text)
            slugs = re.findall(r'name="item_slug_(\d+)" value="([^"]+)"', page.text)
            fields = {"csrf": csrf_of(page.text), "intro": "Good morning from the desk.",
                      "brief_headline_0": "Ceasefire holds in the north",
                      "brief_take_0": "Our take: fragile, but the first in a year.",
                      "brief_url_0": "https://news.example.org/ceasefire", "brief_source_0": "Example News",
                      "radar": "Grain prices\nPort strikes", "action": "save"}
            for i, slug in slugs:
                fields[f"item_slug_{i}"] = slug
                fields[f"item_keep_{i}"] = "1"
                fields[f"item_pos_{i}"] = "1" if slug == "daily-two" else "2"
                fields[f"item_note_{i}"] = "Read this first." if slug == "daily-two" else ""
            bad = dict(fields, brief_url_0="javascript:alert(1)")
            r = ed.post(desk, bad)
            self.assertEqual(r.status, 400)
            self.assertIn("must start with https://", r.text)
            self.assertIn("Good morning from the desk.", r.text)  # nothing typed is lost
            self.assertEqual(ed.post(desk, fields).status, 303)
            html = ed.get(desk + "/preview?format=html").text
            self.assertIn("Ceasefire holds in the north", html)
            self.assertIn("Read this first.", html)
            self.assertIn('href="https://news.example.org/ceasefire"', html)
            self.assertLess(html.index("Ports and power"), html.index("Grain politics today"))
            text = ed.get(desk + "/preview?format=text").text
            self.assertIn("On our radar", text)
            self.assertIn("Port strikes", text)
            anon = ed.get(desk + "/preview?format=web&as=anonymous").text
            self.assertIn("This edition is for subscribers", anon)
            self.assertNotIn("Port strikes", anon)
            sub = ed.get(desk + "/preview?format=web&as=subscriber").text
            self.assertIn("Port strikes", sub)
            # A test to the editor only.
            before = self.sink.count()
            self.assertEqual(ed.post(desk + "/test", {"csrf": fields["csrf"]}).status, 303)
            self.sink.wait_for(before + 1)
            test_mail = self.sink.received()["editor@example.org"][-1]
            self.assertTrue(test_mail["Subject"].startswith("[Test] The Daily Review"), test_mail["Subject"])
            # Send now: every subscriber exactly once, nobody else.
            self.assertEqual(ed.post(desk + "/send", {"csrf": fields["csrf"]}).status, 303)
            self.sink.wait_for(before + 4, seconds=10)
            deadline = time.time() + 10
            while "3 sent" not in ed.get(desk).text and time.time() < deadline:
                time.sleep(0.1)
            got = self.sink.received()
            for sub_addr in ("sub1@example.org", "sub2@example.org", "sub3@example.org"):
                self.assertEqual(len(got[sub_addr]), 1, sub_addr)
                body = got[sub_addr][0].get_body(("plain",)).get_content()
                self.assertIn("Ceasefire holds in the north", body)
                self.assertIn("Read this first.", body)
            self.assertNotIn("reader1@example.org", got)
            page = ed.get(desk)
            self.assertIn("3 sent, 0 failed, 0 pending", page.text)
            self.assertNotIn('name="intro"', page.text)  # gone out: no longer editable
            self.assertEqual(ed.post(desk, fields).status, 409)
            # Sending again sends nobody anything twice.
            self.assertEqual(ed.post(desk + "/send", {"csrf": fields["csrf"]}).status, 303)
            # A definite event, not a fixed sleep: the desk says the send has finished.
            deadline = time.time() + 10
            while "sending now" in ed.get(desk).text and time.time() < deadline:
                time.sleep(0.05)
            self.assertNotIn("sending now", ed.get(desk).text)
            self.assertTrue(all(len(self.sink.received()[a]) == 1
                                for a in ("sub1@example.org", "sub2@example.org", "sub3@example.org")))
            # The online edition follows the same rules.
            self.assertIn("Ceasefire", ed.get("/newsletters/daily/2026-03-01").text)
            self.assertNotIn("Ceasefire", server.get("/newsletters/daily/2026-03-01").text)
        finally:
            server.stop()

    def test_desk_schedules_an_edition(self):
        self.grant("sub1@example.org")
        server, ed = self.desk()
        try:
            desk = "/admin/newsletters/daily/2026-03-01"
            page = ed.get(desk)
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 2))
            fields = {"csrf": csrf_of(page.text), "intro": "Scheduled hello.", "action": "schedule",
                      "send_at": "2020-01-01T00:00"}
            r = ed.post(desk, fields)
            self.assertEqual(r.status, 400)
            self.assertIn("has passed", r.text)
            fields["send_at"] = when
            self.assertEqual(ed.post(desk, fields).status, 303)
            self.assertIn("scheduled for", ed.get(desk).text)
            self.assertNotIn("sub1@example.org", self.sink.received())
            deadline = time.time() + 25
            while "sub1@example.org" not in self.sink.received() and time.time() < deadline:
                time.sleep(0.2)
            got = self.sink.received()["sub1@example.org"]
            self.assertEqual(len(got), 1)
            self.assertIn("Scheduled hello.", got[0].get_body(("plain",)).get_content())
        finally:
            server.stop()

    def test_server_without_pipelining_gets_one_command_at_a_time(self):
        self.sink.stop()
        self.sink = Sink(pipelining=False)
        self.env["MERIDIAN_MAIL_SMTP"] = f"smtp://127.0.0.1:{self.sink.port}"
        self.send_daily_to_subscribers_with_a_bounce_and_a_tempfail()

    def test_one_click_unsubscribe_is_honoured_next_edition(self):
        self.grant("stay@example.org", "leave@example.org")
        self.assertEqual(self.send("daily", "2026-03-02").returncode, 0)
        msg = self.sink.received()["leave@example.org"][0]
        link = re.match(r"<([^>]+)>", msg["List-Unsubscribe"]).group(1)
        path = link[link.index("/newsletters/"):]
        s = Server(data=self.data)
        try:
            # RFC 8058: a POST with this body, no cookie, no CSRF token.
            r = s.request("POST", path, {"Content-Type": "application/x-www-form-urlencoded"},
                          body="List-Unsubscribe=One-Click")
            self.assertEqual(r.status, 200)
            self.assertIn("You are unsubscribed", r.text)
            # A tampered link does nothing.
            bad = path.replace("n=daily", "n=weekly")
            self.assertEqual(s.request("POST", bad, body="List-Unsubscribe=One-Click").status, 400)
            # The link page itself asks before acting.
            self.assertIn("Unsubscribe from the Daily Review?", s.get(path).text)
            # "View in your browser": the edition as a page, for subscribers only.
            text = msg.get_body(("plain",)).get_content()
            web = re.search(r"View in your browser: \S+(/newsletters/daily/2026-03-02)", text).group(1)
            page = s.get(web)
            self.assertEqual(page.status, 200)
            self.assertIn("This edition is for subscribers", page.text)
            self.assertIn("Ports and power", page.text)  # the first item is the teaser
            self.assertNotIn("Grain politics today", page.text)
            self.assertEqual(s.get("/newsletters/daily/1999-01-01").status, 404)
        finally:
            s.stop()
        self.assertEqual(self.send("daily", "2026-03-03").returncode, 0)
        got = self.sink.received()
        self.assertEqual(len(got["stay@example.org"]), 2)
        self.assertEqual(len(got["leave@example.org"]), 1)
        # Only the daily was switched off: the weekly still goes out.
        self.assertEqual(self.send("weekly", "2026-03-03").returncode, 0)
        self.assertEqual(len(self.sink.received()["leave@example.org"]), 2)

    def test_serve_sends_on_schedule(self):
        self.grant("early@example.org", "bird@example.org")
        with open(os.path.join(self.data, "meridian.toml"), "w") as f:
            f.write('[newsletter]\ndaily_at = "00:00"\n')
        s = Server(data=self.data, env=self.env)
        try:
            deadline = time.time() + 20
            while time.time() < deadline and self.sink.count() < 2:
                time.sleep(0.05)
        finally:
            s.stop()
        got = self.sink.received()
        self.assertEqual(sorted(got), ["bird@example.org", "early@example.org"])
        self.assertIn("The Daily Review", got["bird@example.org"][0]["Subject"])
        # A restart does not send today's edition again: once the scheduler has made its
        # first check (it says so in the log), nothing more has arrived.
        s = Server(data=self.data, env=self.env)
        try:
            deadline = time.time() + 20
            while "meridian: sent daily" not in s.output() and time.time() < deadline:
                time.sleep(0.05)
            self.assertIn("meridian: sent daily", s.output())
        finally:
            s.stop()
        self.assertEqual(sum(len(v) for v in self.sink.received().values()), 2)

    def test_killed_mid_send_then_rerun_delivers_everyone_exactly_once(self):
        self.sink.stop()
        self.sink = Sink(delay=0.005)
        self.env["MERIDIAN_MAIL_SMTP"] = f"smtp://127.0.0.1:{self.sink.port}"
        readers = [f"r{i:03d}@example.org" for i in range(600)]
        self.grant(*readers)
        cmd = [BIN, "newsletter", "send", "daily", "--date", "2026-03-02", "--data", self.data]
        proc = subprocess.Popen(cmd, env=dict(os.environ, **database_env(self.data), **self.env),
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline and self.sink.count() < 60:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = len(self.sink.received())
        self.assertGreater(partial, 0)
        self.assertLess(partial, 600, "the send finished before it could be killed")
        r = self.send("daily", "2026-03-02")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        got = self.sink.received()
        self.assertEqual(sorted(got), readers)  # nobody missed
        # SMTP cannot be exactly-once across a kill: a message the server accepted in the
        # instant before the kill, whose acceptance was never recorded, is sent again.
        # That can only be a delivery in flight at the kill (one per connection), and the
        # copies carry the same Message-ID, so mail clients show one.
        twice = {k: v for k, v in got.items() if len(v) != 1}
        self.assertLessEqual(len(twice), 4, sorted(twice))
        for rcpt, copies in twice.items():
            self.assertEqual(len({m["Message-ID"] for m in copies}), 1, rcpt)
        # And a third run sends nothing at all.
        r = self.send("daily", "2026-03-02")
        self.assertIn("0 queued now, 0 sent now", r.stdout)
        self.assertEqual(sum(len(v) for v in self.sink.received().values()),
                         sum(len(v) for v in got.values()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
