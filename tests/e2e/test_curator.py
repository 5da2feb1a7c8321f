"""End-to-end: the personal curator as a reader uses it — follow and stop following from
topic, country and author pages and from an article's chips, /for-you in its order and
without what was read, saved articles, the reading history and its switch, the data
export and account deletion, and a Daily Review over real SMTP that leads with what each
subscriber follows."""
import datetime
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (Reader, Server, Sink, article_line, canary, db_rows,  # noqa: E402
                     form_fields, run_cli, sign_in)


def article_links(html_text):
    """The article slugs a page links to, in order, once each."""
    out = []
    for slug in re.findall(r'href="/articles/([a-z0-9-]+)"', html_text):
        if slug not in out:
            out.append(slug)
    return out


class CuratorTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="meridian-curator-")
        path = os.path.join(self.data, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join([
                # The followed topic's article is the oldest of all.
                article_line("water-old", headline="Nile water talks", topics=["Water"],
                             countries=["Egypt"], authors=["Ann Lee"],
                             published_at="2026-01-05T09:00:00Z"),
                article_line("water-newer", headline="Dams and diplomacy", topics=["Water"],
                             countries=["Ethiopia"], authors=["Ann Lee"],
                             published_at="2026-01-20T09:00:00Z"),
                article_line("energy-new", headline="Grid politics", topics=["Energy"],
                             countries=["Brazil"], authors=["Bo Chen"],
                             published_at="2026-03-01T09:00:00Z"),
                article_line("energy-newest", headline="Oil and the Gulf", topics=["Energy"],
                             countries=["Kenya"], authors=["Bo Chen"],
                             published_at="2026-03-02T09:00:00Z"),
                article_line("trade-mid", headline="Tariff season", topics=["Trade"],
                             countries=["Kenya"], authors=["Cy Diaz"], type="feature",
                             published_at="2026-02-10T09:00:00Z"),
            ]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        csv = "email,name\nsub@example.org,\nplain@example.org,\n"
        run_cli("members", "import", "-", "--grant-until", "2099-12-31", data=self.data, input=csv,
                check=True)

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def follow(self, reader, page, follow="1", headers=None):
        action = page + "/follow"
        return reader.submit(page, action, {"follow": follow}, headers=headers)

    def test_follow_for_you_save_and_history(self):
        s = Server(data=self.data)
        try:
            r = Reader(s)
            sign_in(r, self.data, "sub@example.org")

            # Nothing followed: /for-you answers, newest first, and says how to follow.
            page = r.get("/for-you")
            self.assertEqual(page.status, 200)
            self.assertIn("Follow topics, countries and authors", page.text)
            self.assertEqual(article_links(page.text)[0], "energy-newest")

            # Follow a topic from its page (no script: a redirect back to it).
            done = self.follow(r, "/topics/water")
            self.assertEqual(done.status, 303)
            self.assertEqual(done.header("Location"), "/topics/water")
            topic = r.get("/topics/water")
            self.assertIn("Following Water", topic.text)
            fields = form_fields(topic.text, "/topics/water/follow")
            self.assertEqual(fields["follow"], "0")

            # The followed articles come first though others are newer, with the reason.
            page = r.get("/for-you")
            order = article_links(page.text)
            self.assertEqual(order[:2], ["water-newer", "water-old"], order)
            self.assertIn("Because you follow Water", page.text)
            self.assertEqual(set(order), {"water-old", "water-newer", "energy-new", "energy-newest",
                                          "trade-mid"})

            # A country, followed and then unfollowed, with a script asking for JSON.
            done = self.follow(r, "/countries/kenya", headers={"Accept": "application/json"})
            self.assertEqual(done.status, 200)
            self.assertEqual(json.loads(done.text), {"following": True})
            following = r.get("/account/following")
            self.assertIn("Kenya", following.text)
            self.assertIn("Water", following.text)
            done = self.follow(r, "/countries/kenya", follow="0")
            self.assertEqual(done.status, 303)
            self.assertNotIn(">Kenya<", r.get("/account/following").text)

            # An author, from their page.
            self.assertEqual(self.follow(r, "/authors/bo-chen").status, 303)
            self.assertIn("Following Bo Chen", r.get("/authors/bo-chen").text)
            self.assertEqual(self.follow(r, "/authors/bo-chen", follow="0").status, 303)
            self.assertIn("Follow Bo Chen", r.get("/authors/bo-chen").text)
            # An author, from an article's chips; the chip then says Following.
            article = r.get("/articles/trade-mid")
            self.assertIsNotNone(form_fields(article.text, "/authors/cy-diaz/follow"))
            r.submit("/articles/trade-mid", "/authors/cy-diaz/follow", {"follow": "1"})
            self.assertIn("Following Cy Diaz", r.get("/articles/trade-mid").text)
            r.submit("/articles/trade-mid", "/authors/cy-diaz/follow", {"follow": "0"})
            self.assertIn("Follow Cy Diaz", r.get("/articles/trade-mid").text)

            # Opening an article drops it from /for-you and puts it in the history.
            self.assertEqual(r.get("/articles/water-old").status, 200)
            order = article_links(r.get("/for-you").text)
            self.assertNotIn("water-old", order)
            self.assertEqual(order[0], "water-newer")
            history = r.get("/account/history")
            self.assertIn("Nile water talks", history.text)
            # Articles like what was read come before the rest: the other Egypt/Ann Lee
            # piece is followed anyway; Energy pieces share nothing.

            # Save for later, from the article page; listed; removed.
            article = r.get("/articles/energy-new")
            self.assertIsNotNone(form_fields(article.text, "/articles/energy-new/save"))
            done = r.submit("/articles/energy-new", "/articles/energy-new/save", {"save": "1"})
            self.assertEqual(done.status, 303)
            saved = r.get("/account/saved")
            self.assertIn('href="/articles/energy-new"', saved.text)
            self.assertIn("Saved", r.get("/articles/energy-new").text)
            # Saved is the account's, not the browser's: another device signed in with a
            # password sees it.
            r.submit("/account", "/account/password", {"password": "correct horse battery"})
            other = Reader(s)
            done = other.submit("/signin", "/signin", {"email": "sub@example.org",
                                                       "password": "correct horse battery"})
            self.assertEqual(done.status, 303)
            self.assertIn('href="/articles/energy-new"', other.get("/account/saved").text)

            # The data export carries follows, saves and history.
            export = json.loads(r.get("/account/export").text)
            self.assertEqual([f["slug"] for f in export["following"]], ["water"])
            self.assertEqual([a["article"] for a in export["saved"]], ["energy-new"])
            self.assertIn("water-old", [h["article"] for h in export["history"]])

            done = r.submit("/account/saved", "/articles/energy-new/save", {"save": "0"})
            self.assertEqual(done.status, 303)
            self.assertNotIn('href="/articles/energy-new"', r.get("/account/saved").text)

            # Clear the history; then switch keeping it off: opening leaves no trace.
            r.submit("/account/history", "/account/history/clear")
            self.assertNotIn("Nile water talks", r.get("/account/history").text)
            done = r.submit("/account", "/account/history/keep", {"keep": "0"})
            self.assertEqual(done.status, 303)
            r.get("/articles/energy-newest")
            self.assertEqual(db_rows(self.data, "SELECT COUNT(*) FROM reading_history"), [(0,)])
            self.assertIn("keep none", r.get("/account/history").text)
            r.submit("/account/history", "/account/history/keep", {"keep": "1"})
            r.get("/articles/energy-newest")
            self.assertEqual(db_rows(self.data, "SELECT COUNT(*) FROM reading_history"), [(1,)])

            # Another reader sees none of it.
            plain = Reader(s)
            sign_in(plain, self.data, "plain@example.org")
            self.assertIn("Follow Water", plain.get("/topics/water").text)
            self.assertNotIn("energy-new", plain.get("/account/saved").text)
            self.assertEqual(article_links(plain.get("/for-you").text)[0], "energy-newest")

            # Deleting the account deletes follows, saves and history.
            r.submit("/articles/energy-new", "/articles/energy-new/save", {"save": "1"})
            r.submit("/account", "/account/delete", {"confirm": "delete"})
            member = db_rows(self.data, "SELECT id FROM members WHERE email = 'sub@example.org'")
            self.assertEqual(member, [])
            for table in ("follows", "saved_articles", "reading_history", "curator_prefs"):
                self.assertEqual(db_rows(self.data, f"SELECT COUNT(*) FROM {table}"), [(0,)], table)
        finally:
            s.stop()

    def test_strangers_and_bad_input(self):
        s = Server(data=self.data)
        try:
            stranger = Reader(s)
            topic = stranger.get("/topics/water")
            self.assertEqual(topic.status, 200)
            self.assertIn('href="/register?next=%2Ftopics%2Fwater"', topic.text)
            self.assertNotIn('action="/topics/water/follow"', topic.text)
            # Posting without a session asks to sign in; /for-you too.
            r = stranger.post("/topics/water/follow", {"follow": "1"})
            self.assertIn(r.status, (302, 303, 403))
            self.assertNotIn(r.status, (200,))
            self.assertEqual(db_rows(self.data, "SELECT COUNT(*) FROM follows"), [(0,)])
            self.assertIn(stranger.get("/for-you").status, (302, 303))

            r = Reader(s)
            sign_in(r, self.data, "sub@example.org")
            self.assertEqual(self.follow(r, "/topics/water", follow="yes").status, 400)
            fields = form_fields(r.get("/topics/water").text, "/topics/water/follow")
            self.assertEqual(r.post("/topics/no-such-topic/follow", fields).status, 404)
            self.assertEqual(r.post("/articles/no-such/save", dict(fields, save="1")).status, 404)
            missing_csrf = {k: v for k, v in fields.items() if k != "csrf"}
            self.assertEqual(r.post("/topics/water/follow", missing_csrf).status, 403)
            self.assertEqual(r.get("/for-you?page=0").status, 400)
            self.assertEqual(r.get("/for-you?page=99").status, 404)
            self.assertEqual(r.get("/account/saved?page=x").status, 400)
            # Nothing was followed by any of it.
            self.assertEqual(db_rows(self.data, "SELECT COUNT(*) FROM follows"), [(0,)])
        finally:
            s.stop()

    def test_daily_review_leads_with_what_each_subscriber_follows(self):
        # Two live articles for the edition of 2 April: Energy (newer) and Water.
        path = os.path.join(self.data, "b.jsonl")
        with open(path, "w") as f:
            f.write("\n".join([
                article_line("daily-water", headline="Aquifers under strain", topics=["Water"],
                             published_at="2026-04-01T08:00:00Z"),
                article_line("daily-energy", headline="Pipelines and power", topics=["Energy"],
                             published_at="2026-04-01T16:00:00Z"),
            ]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        s = Server(data=self.data)
        try:
            r = Reader(s)
            sign_in(r, self.data, "sub@example.org")
            self.assertEqual(self.follow(r, "/topics/water").status, 303)
        finally:
            s.stop()
        sink = Sink()
        try:
            env = {"MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{sink.port}",
                   "MERIDIAN_MAIL_FROM": "Meridian <news@meridian.example>",
                   "MERIDIAN_SITE_URL": "http://127.0.0.1:9"}
            out = run_cli("newsletter", "send", "daily", "--date", "2026-04-02", data=self.data, env=env)
            self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
            got = sink.received()
            for who, first in (("sub@example.org", "daily-water"), ("plain@example.org", "daily-energy")):
                msg = got[who][0]
                for kind in ("plain", "html"):
                    body = msg.get_body((kind,)).get_content()
                    links = re.findall(r"/articles/([a-z0-9-]+)", body)
                    self.assertEqual(links[0], first, (who, kind, links))
                    self.assertEqual(sorted(set(links)), ["daily-energy", "daily-water"])
                    self.assertFalse(re.search(r"[\x1d\x1e\x1f]", body), "a marker left in the mail")
        finally:
            sink.stop()
        # Neither does the printed preview.
        out = run_cli("newsletter", "preview", "daily", "--date", "2026-04-02", data=self.data)
        self.assertIn("/articles/daily-energy", out.stdout)
        self.assertFalse(re.search(r"[\x1d\x1e\x1f]", out.stdout), "a marker in the preview")
        # The web copy keeps the edition's own order and shows no marker either.
        s = Server(data=self.data)
        try:
            r = Reader(s)
            sign_in(r, self.data, "plain@example.org")
            web = r.get("/newsletters/daily/2026-04-02").text
            self.assertEqual(re.findall(r"/articles/([a-z0-9-]+)", web)[0], "daily-energy")
            self.assertFalse(re.search(r"[\x1d\x1e\x1f]", web))
        finally:
            s.stop()

    def test_alerts_as_published_and_daily_once_each_with_one_click_unsubscribe(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        hour_ago = (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        s = Server(data=self.data)
        try:
            sub = Reader(s)
            sign_in(sub, self.data, "sub@example.org")
            self.follow(sub, "/countries/kenya")
            self.follow(sub, "/topics/water")
            done = sub.submit("/account/following", "/account/following",
                              {"alert:country:kenya": "instant", "alert:topic:water": "none"})
            self.assertEqual(done.status, 303)
            self.assertEqual(done.header("Location"), "/account/following?saved=1")
            page = sub.get(done.header("Location"))
            self.assertIn("Alert choices saved", page.text)
            self.assertRegex(page.text, r'name="alert:country:kenya"[^>]*>\s*<option value="none">None</option>\s*'
                                        r'<option value="instant" selected>')
            bad = sub.submit("/account/following", "/account/following", {"alert:country:kenya": "hourly"})
            self.assertEqual(bad.status, 400)
            plain = Reader(s)
            sign_in(plain, self.data, "plain@example.org")
            self.follow(plain, "/topics/water")
            plain.submit("/account/following", "/account/following", {"alert:topic:water": "daily"})
        finally:
            s.stop()
        path = os.path.join(self.data, "c.jsonl")
        with open(path, "w") as f:
            f.write("\n".join([
                article_line("kenya-fresh", headline="Nairobi votes", topics=["Elections"],
                             countries=["Kenya"], published_at=hour_ago),
                article_line("water-fresh", headline="Rivers run dry", topics=["Water"],
                             countries=["Chad"], published_at=hour_ago),
            ]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        sink = Sink()
        try:
            env = {"MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{sink.port}",
                   "MERIDIAN_MAIL_FROM": "Meridian <news@meridian.example>",
                   "MERIDIAN_SITE_URL": "http://127.0.0.1:9"}
            out = run_cli("alerts", "send", data=self.data, env=env)
            self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
            self.assertIn("alerts: 1 sent, 0 digests", out.stdout)
            self.assertEqual(sink.wait_for(1), 1)
            msg = sink.received()["sub@example.org"][0]
            self.assertEqual(msg["Subject"], "New on Kenya: Nairobi votes")
            self.assertEqual(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
            text = msg.get_body(("plain",)).get_content()
            self.assertIn("/articles/kenya-fresh", text)
            self.assertNotIn(canary("kenya-fresh"), text)
            unsubscribe = re.match(r"<https?://[^/]+([^>]+)>", msg["List-Unsubscribe"]).group(1)
            # Again: nothing new, nothing twice.
            out = run_cli("alerts", "send", data=self.data, env=env)
            self.assertIn("alerts: 0 sent, 0 digests", out.stdout)
            # The digest: the Water piece to the reader who asked for a daily one.
            out = run_cli("alerts", "send", "--digest", data=self.data, env=env)
            self.assertIn("alerts: 0 sent, 1 digests", out.stdout)
            self.assertEqual(sink.wait_for(2), 2)
            digest = sink.received()["plain@example.org"][0]
            self.assertEqual(digest["Subject"], "Your daily alerts: 1 new article")
            self.assertIn("/articles/water-fresh", digest.get_body(("plain",)).get_content())
            out = run_cli("alerts", "send", "--digest", data=self.data, env=env)
            self.assertIn("alerts: 0 sent, 0 digests", out.stdout)
        finally:
            sink.stop()
        s = Server(data=self.data)
        try:
            stranger = Reader(s)
            # A tampered link changes nothing; the real one stops the alerts in one click.
            self.assertEqual(stranger.post(unsubscribe.replace("&t=", "&t=x"), {}).status, 400)
            page = stranger.get(unsubscribe)
            self.assertEqual(page.status, 200)
            self.assertIn("Stop these alerts?", page.text)
            self.assertEqual(db_rows(self.data, "SELECT alert FROM follows f JOIN terms t ON t.id = f.term_id "
                                                "WHERE t.slug = 'kenya'"), [("instant",)])
            r = s.request("POST", unsubscribe, {"Content-Type": "application/x-www-form-urlencoded"},
                          body="List-Unsubscribe=One-Click")
            self.assertEqual(r.status, 200)
            self.assertEqual(db_rows(self.data, "SELECT alert FROM follows f JOIN terms t ON t.id = f.term_id "
                                                "WHERE t.slug = 'kenya'"), [("none",)])
            # Editors see counts per term, never who.
            run_cli("staff", "add", "--email", "editor@example.org", "--role", "editor", data=self.data,
                    check=True)
            editor = Reader(s)
            sign_in(editor, self.data, "editor@example.org", next_path="/admin")
            page = editor.get("/admin/analytics").text
            self.assertIn("Followers", page)
            self.assertRegex(page, r"<th scope=\"row\">Water</th><td>Topic</td><td class=\"num\">2</td>"
                                   r"<td class=\"num\">1</td>")
            self.assertRegex(page, r"<th scope=\"row\">Kenya</th><td>Country</td><td class=\"num\">1</td>"
                                   r"<td class=\"num\">0</td>")
            self.assertNotIn("sub@example.org", page)
        finally:
            s.stop()

    def test_first_run_picker_after_registering_from_the_wall(self):
        s = Server(data=self.data)
        try:
            r = Reader(s)
            done = r.submit("/articles/trade-mid", "/register", {"email": "new@example.org"})
            self.assertEqual(done.status, 303)
            landing = done.header("Location")
            self.assertIn("registered=1", landing)
            page = r.get(landing.split("#")[0]).text
            self.assertIn("Make Meridian yours", page)
            picker = page[page.index("Make Meridian yours"):page.index("story-actions")]
            # The article's country first, then the most covered topics.
            self.assertLess(picker.index("Follow Kenya"), picker.index("Follow Energy"))
            self.assertIn('action="/topics/water/follow"', picker)
            r.submit(landing.split("#")[0], "/countries/kenya/follow", {"follow": "1"})
            again = r.get(landing.split("#")[0]).text
            picker = again[again.index("Make Meridian yours"):again.index("story-actions")]
            self.assertNotIn("Follow Kenya", picker)
            # Without the registration mark, no picker.
            self.assertNotIn("Make Meridian yours", r.get("/articles/trade-mid").text)
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
