"""End-to-end: the back office. Role checks walk the server's own route table
(`meridian routes`), so a new admin route cannot be left unchecked."""
import html
import json
import os
import re
import struct
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (PNG, db_rows, database_env, Reader, Server, article_line, csrf_of, run_cli,  # noqa: E402
                     sign_in, solid_png)

ROLES = ["anonymous", "reader", "author", "editor", "admin"]
RANK = {r: i for i, r in enumerate(ROLES)}
class AdminTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="meridian-admin-")
        path = os.path.join(cls.data, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join([
                article_line("existing-story", headline="An existing story",
                             published_at="2026-01-05T09:00:00Z", topics=["Trade"],
                             countries=["Chile"]),
                article_line("second-story", headline="Second story",
                             published_at="2026-01-06T09:00:00Z", topics=["Trade policy"]),
            ]) + "\n")
        run_cli("import", path, data=cls.data, check=True)
        for role in ("author", "editor", "admin"):
            run_cli("staff", "add", "--email", f"{role}@meridian.example", "--role", role,
                    data=cls.data, check=True)
        run_cli("members", "import", "-", data=cls.data, input="email,name\nreader@example.org,Rea\n",
                check=True)
        routes = run_cli("routes", data=cls.data, check=True).stdout
        cls.routes = [tuple(line.split("\t")) for line in routes.strip().splitlines()]
        cls.server = Server(data=cls.data)
        cls.clients = {"anonymous": Reader(cls.server)}
        for role in ROLES[1:]:
            c = Reader(cls.server)
            email = "reader@example.org" if role == "reader" else f"{role}@meridian.example"
            sign_in(c, cls.data, email, "/")
            cls.clients[role] = c

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def csrf(self, role):
        page = self.clients[role].get("/account" if role != "anonymous" else "/signin")
        return csrf_of(page.text)

    def test_1_every_staff_route_checks_the_role(self):
        staff_routes = [r for r in self.routes if r[2] in ("author", "editor", "admin")]
        self.assertGreater(len(staff_routes), 10)
        for method, pattern, audience in self.routes:
            if pattern.startswith("/admin"):
                self.assertIn(audience, ("author", "editor", "admin"), f"{pattern} is open")
        fill = {"{id}": "1", "{newsletter}": "daily", "{date}": "2026-01-06", "{file}": "x"}
        for method, pattern, audience in staff_routes:
            path = pattern
            for k, v in fill.items():
                path = path.replace(k, v)
            for role in ROLES:
                client = self.clients[role]
                if method == "GET":
                    r = client.get(path)
                else:
                    token = self.csrf(role) if role != "anonymous" else "x"
                    r = client.post(path, {"csrf": token})
                where = f"{role} {method} {path}"
                if role == "anonymous":
                    self.assertEqual(r.status, 303, where)
                    self.assertIn("/signin", r.header("Location"), where)
                elif RANK[role] < RANK[audience]:
                    self.assertEqual(r.status, 403, where)
                    self.assertIn("Your account cannot open this page", r.text, where)
                else:
                    self.assertNotIn("Your account cannot open this page", r.text, where)
                    self.assertNotEqual(r.status, 500, where)

    def editor_fields(self, client, page_path):
        page = client.get(page_path)
        self.assertEqual(page.status, 200)
        return {"csrf": csrf_of(page.text)}

    def test_2_editor_writes_previews_publishes(self):
        ed = self.clients["editor"]
        fields = self.editor_fields(ed, "/admin/articles/new")
        secret = "GATEDSECRETPARAGRAPH"
        body = "Public opening paragraph.\n\n<!-- paywall -->\n\n" + secret + " lives here."
        fields.update({"headline": "Water talks stall in Geneva", "dek": "Why it matters",
                       "slug": "", "body": body, "authors": "Ana Ruiz", "topics": "Water",
                       "countries": "Switzerland", "type": "analysis", "access": "metered",
                       "action": "save"})
        r = ed.post("/admin/articles", fields)
        self.assertEqual(r.status, 303, r.text)
        edit_path = r.header("Location").split("?")[0]
        art_id = edit_path.rsplit("/", 1)[1]
        # A draft: generated slug, not public.
        self.assertEqual(self.server.get("/articles/water-talks-stall-in-geneva").status, 404)
        page = ed.get(edit_path)
        self.assertIn('value="water-talks-stall-in-geneva"', page.text)
        self.assertIn("status-draft", page.text)
        # Preview as each reader state.
        anon = ed.get(f"/admin/articles/{art_id}/preview?as=anonymous")
        self.assertEqual(anon.status, 200)
        self.assertIn("Public opening paragraph", anon.text)
        self.assertNotIn(secret, anon.text)
        self.assertIn("Keep reading for free", anon.text)
        reg = ed.get(f"/admin/articles/{art_id}/preview?as=registered")
        self.assertNotIn(secret, reg.text)
        self.assertRegex(reg.text, r"free articles|credits")
        sub = ed.get(f"/admin/articles/{art_id}/preview?as=subscriber")
        self.assertIn(secret, sub.text)
        self.assertEqual(ed.get(f"/admin/articles/{art_id}/preview?as=robot").status, 400)
        # Publish now: live at once; the gated part still gated for anonymous readers.
        fields = self.editor_fields(ed, edit_path)
        fields.update({"headline": "Water talks stall in Geneva", "slug": "water-talks-stall-in-geneva",
                       "body": body, "authors": "Ana Ruiz", "topics": "Water",
                       "countries": "Switzerland", "type": "analysis", "access": "metered",
                       "action": "publish"})
        r = ed.post(edit_path, fields)
        self.assertEqual(r.status, 303)
        live = self.server.get("/articles/water-talks-stall-in-geneva")
        self.assertEqual(live.status, 200)
        self.assertIn("Public opening paragraph", live.text)
        self.assertNotIn(secret, live.text)
        self.assertIn("Water talks stall", self.server.get("/topics/water").text)
        # Revisions: two saves by the editor, restore the first.
        revs = ed.get(f"/admin/articles/{art_id}/revisions")
        self.assertIn("editor@meridian.example", revs.text)
        self.assertIn("publish", revs.text)
        self.assertEqual(revs.text.count("Restore this version"), 1)
        # Edit the headline, then restore the earlier text.
        fields["headline"] = "Water talks collapse"
        fields["action"] = "save"
        self.assertEqual(ed.post(edit_path, fields).status, 303)
        self.assertIn("Water talks collapse", self.server.get("/articles/water-talks-stall-in-geneva").text)
        revs = ed.get(f"/admin/articles/{art_id}/revisions")
        rev_ids = re.findall(r'name="revision" value="(\d+)"', revs.text)
        r = ed.post(f"/admin/articles/{art_id}/restore", {"csrf": csrf_of(revs.text), "revision": rev_ids[-1]})
        self.assertEqual(r.status, 303)
        self.assertIn("Water talks stall in Geneva",
                      self.server.get("/articles/water-talks-stall-in-geneva").text)
        # Unpublish: gone.
        fields["headline"] = "Water talks stall in Geneva"
        fields["action"] = "unpublish"
        self.assertEqual(ed.post(edit_path, fields).status, 303)
        self.assertEqual(self.server.get("/articles/water-talks-stall-in-geneva").status, 404)

    def test_3_bad_input_is_named_and_loses_nothing(self):
        ed = self.clients["editor"]
        fields = self.editor_fields(ed, "/admin/articles/new")
        fields.update({"headline": "", "body": "Keep this text", "action": "save"})
        r = ed.post("/admin/articles", fields)
        self.assertEqual(r.status, 400)
        self.assertIn("Headline: write a headline", r.text)
        self.assertIn("Keep this text", r.text)
        fields.update({"headline": "Taken", "slug": "existing-story"})
        r = ed.post("/admin/articles", fields)
        self.assertEqual(r.status, 409)
        self.assertIn("already uses", r.text)
        fields.update({"slug": "Bad Slug!"})
        self.assertEqual(ed.post("/admin/articles", fields).status, 400)
        fields.update({"slug": "", "action": "schedule", "publish_at": "2020-01-01T10:00"})
        r = ed.post("/admin/articles", fields)
        self.assertEqual(r.status, 400)
        self.assertIn("has passed", r.text)

    def test_4_schedule_goes_live_at_its_time(self):
        ed = self.clients["editor"]
        fields = self.editor_fields(ed, "/admin/articles/new")
        # Publication zone is UTC by default; schedule 3 seconds from now (to the second).
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 3))
        fields.update({"headline": "Scheduled piece", "body": "Soon.", "action": "schedule",
                       "publish_at": when})
        r = ed.post("/admin/articles", fields)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(self.server.get("/articles/scheduled-piece").status, 404)
        self.assertNotIn("Scheduled piece", self.server.get("/").text)
        time.sleep(4.2)
        self.assertEqual(self.server.get("/articles/scheduled-piece").status, 200)
        self.assertIn("Scheduled piece", self.server.get("/").text)

    def test_5_authors_edit_only_their_own_drafts(self):
        au = self.clients["author"]
        fields = self.editor_fields(au, "/admin/articles/new")
        fields.update({"headline": "Author draft", "body": "Draft text.", "action": "publish"})
        r = au.post("/admin/articles", fields)
        self.assertEqual(r.status, 403)
        self.assertIn("Only editors", r.text)
        fields["action"] = "save"
        r = au.post("/admin/articles", fields)
        self.assertEqual(r.status, 303)
        mine = r.header("Location").split("?")[0]
        self.assertEqual(au.get(mine).status, 200)
        # Someone else's article (imported): closed to the author.
        self.assertEqual(au.get("/admin/articles/1").status, 403)
        listing = au.get("/admin/articles")
        self.assertIn("Author draft", listing.text)
        self.assertNotIn("An existing story", listing.text)
        # Once an editor publishes it, the author can no longer change it.
        ed = self.clients["editor"]
        efields = self.editor_fields(ed, mine)
        efields.update({"headline": "Author draft", "body": "Draft text.", "slug": "author-draft",
                        "action": "publish"})
        self.assertEqual(ed.post(mine, efields).status, 303)
        fields = self.editor_fields(au, mine)
        fields.update({"headline": "Changed", "body": "x", "slug": "author-draft", "action": "save"})
        self.assertEqual(au.post(mine, fields).status, 403)

    def test_6_hero_image_upload(self):
        ed = self.clients["editor"]
        page = ed.get("/admin/articles/1")
        token = csrf_of(page.text)
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": token},
                              {"hero": ("x.txt", "image/png", b"not an image at all")})
        self.assertEqual(r.status, 400)
        self.assertIn("only JPEG, PNG, WebP and GIF", r.text)
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": token},
                              {"hero": ("big.png", "image/png", PNG + b"\0" * (6 * 1024 * 1024))})
        self.assertEqual(r.status, 400)
        self.assertIn("larger than 5 MB", r.text)
        # A file that only starts like a PNG is decoded, and refused.
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": token},
                              {"hero": ("fake.png", "image/png", PNG[:16] + b"garbage" * 50)})
        self.assertEqual(r.status, 400)
        self.assertIn("could not be read as an image", r.text)
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": token},
                              {"hero": ("pixel.png", "image/png", PNG)})
        self.assertEqual(r.status, 303, r.text)
        live = self.server.get("/articles/existing-story")
        m = re.search(r'<img src="(/media/[a-z0-9-]+\.png)"', live.text)
        self.assertIsNotNone(m, "hero image not on the article page")
        self.assertIn('<meta property="og:image" content="http', live.text)
        img = self.server.get(m.group(1))
        self.assertEqual(img.status, 200)
        self.assertEqual(img.header("Content-Type"), "image/png")
        self.assertIn("immutable", img.header("Cache-Control"))
        self.assertEqual(img.body, PNG)
        # A one-pixel picture has no smaller copies: only a WebP of itself, without widths.
        stem = m.group(1)[len("/media/"):-len(".png")]
        self.assertTrue(stem.endswith("-w1"), stem)
        self.assertIn(f'<source type="image/webp" srcset="/media/{stem}.webp"', live.text)
        self.assertNotIn(f'<img src="/media/{stem}.png" srcset=', live.text)
        # A wide one gets WebP and JPEG copies, each named with its true width.
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": token},
                              {"hero": ("wide.png", "image/png", solid_png(1200, 600))})
        self.assertEqual(r.status, 303, r.text)
        live = self.server.get("/articles/existing-story")
        wide = re.search(r'<img src="/media/([a-z0-9]+-w1200)\.png"', live.text)
        self.assertIsNotNone(wide)
        stem = wide.group(1)
        self.assertIn(f'<source type="image/webp" srcset="/media/{stem}-480.webp 480w, '
                      f'/media/{stem}-960.webp 960w, /media/{stem}.webp 1200w"', live.text)
        self.assertIn(f'srcset="/media/{stem}-480.jpg 480w, /media/{stem}-960.jpg 960w, '
                      f'/media/{stem}.png 1200w"', live.text)
        webp = self.server.get(f"/media/{stem}-480.webp")
        self.assertEqual(webp.status, 200)
        self.assertEqual(webp.header("Content-Type"), "image/webp")
        self.assertEqual(webp.body[:4] + webp.body[8:12], b"RIFFWEBP")
        jpg = self.server.get(f"/media/{stem}-960.jpg")
        self.assertEqual(jpg.body[:3], b"\xff\xd8\xff")
        sof = re.search(rb"\xff[\xc0\xc2]", jpg.body).start()  # baseline or progressive frame
        self.assertEqual(struct.unpack(">HH", jpg.body[sof + 5:sof + 9])[::-1], (960, 480))
        # Back to the small picture for what follows.
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": token},
                              {"hero": ("pixel.png", "image/png", PNG)})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(self.server.get("/media/..%2Fmeridian.db").status, 404)
        # What the image shows, its caption and credit, and the search-engine fields: typed
        # into the editor, seen on the article page.
        import html as html_mod
        page = ed.get("/admin/articles/1").text
        form = page.split('id="article-form"', 1)[1].split("</form>", 1)[0]
        fields = {k: html_mod.unescape(v) for k, v in
                  re.findall(r'<input id="[^"]+" type="(?:text|hidden|datetime-local)" name="([^"]+)" value="([^"]*)"', form)}
        fields.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields["body"] = html_mod.unescape(re.search(r'<textarea id="body" name="body"[^>]*>(.*?)</textarea>', form, re.S).group(1))
        fields.update({"type": "analysis", "access": "metered", "action": "save",
                       "hero_alt": "Fishing boats at dawn in Valparaíso",
                       "hero_caption": "The harbour before the strike", "hero_credit": "Photo: Ana Ruiz",
                       "seo_title": "Chile's trade story, told plainly",
                       "seo_description": "What the port strike means for copper."})
        r = ed.post("/admin/articles/1", fields)
        self.assertEqual(r.status, 303, r.text[:800])
        live = self.server.get("/articles/existing-story").text
        self.assertRegex(live, r'<img src="/media/[a-z0-9-]+\.png"[^>]* alt="Fishing boats at dawn in Valparaíso"')
        self.assertIn('<figcaption>The harbour before the strike <span class="credit">Photo: Ana Ruiz</span></figcaption>', live)
        self.assertIn("<title>Chile&apos;s trade story, told plainly</title>", live)
        self.assertIn('<meta name="description" content="What the port strike means for copper.">', live)
        self.assertIn('"image":["http', live)
        # Too long is refused, naming the field, and what was typed stays.
        r = ed.post("/admin/articles/1", dict(fields, hero_credit="x" * 301))
        self.assertEqual(r.status, 400)
        self.assertIn("Credit: at most 300 characters.", r.text)
        self.assertIn("The harbour before the strike", r.text)
        # Without a CSRF token nothing is stored.
        r = ed.post_multipart("/admin/articles/1/hero", {"csrf": "forged"},
                              {"hero": ("pixel.png", "image/png", PNG)})
        self.assertEqual(r.status, 403)

    def test_6c_a_new_article_takes_its_hero_image_with_the_first_save(self):
        ed = self.clients["editor"]
        page = ed.get("/admin/articles/new")
        self.assertIn('enctype="multipart/form-data"', page.text)
        fields = {"csrf": csrf_of(page.text), "headline": "Pictured from the start", "body": "Text.",
                  "type": "analysis", "access": "free", "action": "save"}
        # Not a picture: refused with what was typed kept, and nothing made.
        before = len(db_rows(self.data, "SELECT id FROM articles"))
        r = ed.post_multipart("/admin/articles", fields, {"hero_file": ("notes.txt", "text/plain", b"not a picture")})
        self.assertEqual(r.status, 400)
        self.assertIn("Hero image: only JPEG, PNG, WebP and GIF", r.text)
        self.assertEqual(r.text.count("Hero image: "), 1, "the message says what it is about once")
        self.assertIn("Nothing was saved; choose another file.", r.text)
        self.assertIn('value="Pictured from the start"', r.text)
        self.assertEqual(len(db_rows(self.data, "SELECT id FROM articles")), before)
        r = ed.post_multipart("/admin/articles", fields, {"hero_file": ("wide.png", "image/png", solid_png(1000, 500))})
        self.assertEqual(r.status, 303, r.text)
        edit = r.header("Location").split("?")[0]
        page = ed.get(edit)
        m = re.search(r'name="hero_image" value="([a-z0-9]+-w1000\.png)"', page.text)
        self.assertIsNotNone(m, "the new article has no hero image")
        self.assertEqual(self.server.get(f"/media/{m.group(1)}").status, 200)
        # With its responsive copies, as an upload on its own gets.
        self.assertEqual(self.server.get(f"/media/{m.group(1)[:-4]}-480.jpg").status, 200)

    def test_7_analytics_shows_views_walls_registrations(self):
        # Readers visit an article: anonymous views with walls, a registration from it.
        for _ in range(3):
            self.assertEqual(Reader(self.server).get("/articles/second-story").status, 200)
        newcomer = Reader(self.server)
        r = newcomer.submit("/articles/second-story", "/register",
                            {"email": "newcomer@example.org", "next": "/articles/second-story"})
        self.assertIn(r.status, (200, 303))
        self.clients["reader"].get("/articles/second-story")
        ed = self.clients["editor"]
        deadline = time.time() + 15  # the recorder writes every 5 seconds
        while time.time() < deadline:
            page = ed.get("/admin/analytics?days=7")
            if re.search(r"Second story</a></td><td class=\"num\">[4-9]", page.text) and \
                    "Registrations" in page.text:
                break
            time.sleep(0.5)
        self.assertEqual(page.status, 200)
        row = re.search(r"Second story</a></td>(.*?)</tr>", page.text, re.S).group(1)
        cells = re.findall(r'<td class="num">([^<]+)</td>', row)
        views, walls, registrations = cells[0], cells[1], cells[2]
        self.assertTrue(views.startswith("5 (") or views.startswith("6 ("), views)
        self.assertGreaterEqual(int(walls), 3)
        # The home page's Most read comes from the same counts: the most viewed first.
        home = Reader(self.server).get("/").text
        most = home.split('id="most-read-heading"', 1)[1].split("</section>", 1)[0]
        self.assertIn('<span class="rank" aria-hidden="true">1</span>', most)
        self.assertIn(">Second story</a>", most.split('aria-hidden="true">2<', 1)[0])
        # A stranger is offered registration beside the lead.
        self.assertIn('id="signup-heading"', home)
        self.assertEqual(registrations, "1")
        self.assertIn("<svg", page.text)
        self.assertIn('role="img"', page.text)
        self.assertIn("<caption>Funnel</caption>", page.text)
        csv = ed.get("/admin/analytics.csv?days=7")
        self.assertEqual(csv.status, 200)
        self.assertTrue(csv.header("Content-Type").startswith("text/csv"))
        lines = csv.text.strip().splitlines()
        self.assertEqual(lines[0], "day,article_id,slug,kind,reader_state,count")
        self.assertTrue(any(",second-story,registration,anonymous,1" in l for l in lines), lines)
        self.assertEqual(ed.get("/admin/analytics?days=0").status, 400)
        self.assertEqual(ed.get("/admin/analytics?article=abc").status, 400)

    def test_8_members_admin(self):
        ad = self.clients["admin"]
        page = ad.get("/admin/members?q=reader@example")
        self.assertEqual(page.status, 200)
        self.assertIn("reader@example.org", page.text)
        self.assertNotIn("editor@meridian.example", page.text)
        staff = ad.get("/admin/members?state=staff").text
        self.assertIn("editor@meridian.example", staff)
        self.assertNotIn("reader@example.org", staff)
        self.assertEqual(ad.get("/admin/members?state=bogus").status, 400)
        token = csrf_of(page.text)
        # Grant by address (a new one), then view, then revoke.
        r = ad.post("/admin/members/grant", {"csrf": token, "email": "comp@example.org",
                                               "name": "Comp Reader", "until": "2099-12-31"})
        self.assertEqual(r.status, 303, r.text)
        member_path = r.header("Location").split("?")[0]
        m = ad.get(member_path).text
        self.assertIn("subscriber", m)
        self.assertIn("2099-12-31", m)
        self.assertIn("comp@example.org", ad.get("/admin/members?state=subscriber").text)
        bad = ad.post("/admin/members/grant", {"csrf": token, "email": "not-an-address", "until": "2099-12-31"})
        self.assertEqual(bad.status, 400)
        self.assertIn("not an email address", bad.text)
        bad = ad.post(member_path + "/grant", {"csrf": token, "until": "2001-01-01"})
        self.assertEqual(bad.status, 400)
        r = ad.post(member_path + "/revoke", {"csrf": token})
        self.assertEqual(r.status, 303)
        self.assertNotIn("comp@example.org", ad.get("/admin/members?state=subscriber").text)
        # CSV: a bad file imports nothing; a good one imports all.
        r = ad.post_multipart("/admin/members/import", {"csrf": token, "until": ""},
                              {"csv": ("m.csv", "text/csv", b"email,name\nok@example.org,Ok\nnope,Bad\n")})
        self.assertEqual(r.status, 400)
        self.assertIn("Nothing imported", r.text)
        self.assertNotIn("ok@example.org", ad.get("/admin/members?q=ok@example").text)
        r = ad.post_multipart("/admin/members/import", {"csrf": token, "until": "2099-01-31"},
                              {"csv": ("m.csv", "text/csv", b"email,name\nok@example.org,Ok\nok2@example.org,Ok2\n")})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Imported 2 members", r.text)
        csv = ad.get("/admin/members/export")
        self.assertTrue(csv.header("Content-Type").startswith("text/csv"))
        self.assertIn("ok2@example.org,Ok2,subscriber,yes,", csv.text)
        # A staff note on the reader's page; the reader sees it in their own export.
        members = ad.get("/admin/members?q=reader@example").text
        reader_path = re.search(r'href="(/admin/members/\d+)"', members).group(1)
        r = ad.post(reader_path + "/note", {"csrf": token, "note": "Met at the Nairobi forum.\nWants the Weekly Review."})
        self.assertEqual(r.status, 303)
        page = ad.get(reader_path + "?noted=1").text
        self.assertIn("Note saved.", page)
        self.assertIn("Met at the Nairobi forum.\nWants the Weekly Review.</textarea>", page)
        export = self.clients["reader"].get("/account/export").json()
        self.assertEqual(export["staff_note"], "Met at the Nairobi forum.\nWants the Weekly Review.")
        r = ad.post(reader_path + "/note", {"csrf": token, "note": "x" * 10001})
        self.assertEqual(r.status, 400)
        self.assertIn("at most 10,000 characters", r.text)
        self.assertIn("Met at the Nairobi forum.", ad.get(reader_path).text)
        self.assertEqual(ad.post("/admin/members/999999/note", {"csrf": token, "note": "x"}).status, 404)

    def test_9_institutions_staff_taxonomy(self):
        ad = self.clients["admin"]
        page = ad.get("/admin/institutions")
        token = csrf_of(page.text)
        r = ad.post("/admin/institutions", {"csrf": token, "name": "City Library", "cidrs": "10.9.0.0/16\nnonsense"})
        self.assertEqual(r.status, 400)
        self.assertIn("nonsense", r.text)
        self.assertIn("City Library", r.text)  # what was typed stays
        r = ad.post("/admin/institutions", {"csrf": token, "name": "City Library", "cidrs": "10.9.0.0/16"})
        self.assertEqual(r.status, 303)
        page = ad.get("/admin/institutions").text
        self.assertIn("10.9.0.0/16", page)
        # Readers from the range read as subscribers; removing the institution ends that.
        r = ad.post("/admin/institutions", {"csrf": token, "name": "Loopback Uni", "cidrs": "127.0.0.0/8"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.server.get("/articles/second-story").text.count("Keep reading for free"), 0)
        page = ad.get("/admin/institutions").text
        remove = re.search(r'action="(/admin/institutions/\d+/remove)"[^>]*>(?:(?!</form>).)*Remove Loopback Uni', page, re.S)
        self.assertIsNotNone(remove)
        self.assertEqual(ad.post(remove.group(1), {"csrf": token}).status, 303)
        self.assertNotIn("Loopback Uni", ad.get("/admin/institutions").text)
        self.assertIn("Keep reading for free", self.server.get("/articles/second-story").text)
        self.assertEqual(ad.post("/admin/institutions/99999/remove", {"csrf": token}).status, 404)
        # Staff: make the reader an author; they reach /admin; then back to reader.
        r = ad.post("/admin/staff", {"csrf": token, "email": "newstaff@example.org", "role": "author"})
        self.assertEqual(r.status, 303)
        self.assertIn("newstaff@example.org", ad.get("/admin/staff").text)
        r = ad.post("/admin/staff", {"csrf": token, "email": "admin@meridian.example", "role": "editor"})
        self.assertEqual(r.status, 400)
        self.assertIn("own admin role", r.text)
        # Taxonomy: create, rename, merge.
        ed = self.clients["editor"]
        tax = ed.get("/admin/taxonomy")
        self.assertEqual(tax.status, 200)
        t = csrf_of(tax.text)
        self.assertEqual(ed.post("/admin/taxonomy", {"csrf": t, "kind": "topic", "op": "create", "name": "Energy"}).status, 303)
        self.assertEqual(ed.post("/admin/taxonomy", {"csrf": t, "kind": "topic", "op": "create", "name": "Energy"}).status, 409)
        r = ed.post("/admin/taxonomy", {"csrf": t, "kind": "topic", "op": "rename", "slug": "trade", "name": "Global trade"})
        self.assertEqual(r.status, 303)
        self.assertIn("Global trade", self.server.get("/articles/existing-story").text)
        r = ed.post("/admin/taxonomy", {"csrf": t, "kind": "topic", "op": "merge", "from": "trade-policy", "into": "trade"})
        self.assertEqual(r.status, 303)
        # The merged topic's page leads to the one it joined.
        moved = self.server.get("/topics/trade-policy")
        self.assertEqual(moved.status, 301)
        self.assertEqual(moved.header("Location"), "/topics/trade")
        listing = self.server.get("/topics/trade").text
        self.assertIn("Second story", listing)
        self.assertIn("An existing story", listing)
        # Search sees the new names.
        found = self.server.get("/api/v1/search?q=%22global+trade%22").json()
        self.assertGreaterEqual(found["total"], 2)
        self.assertEqual(ed.post("/admin/taxonomy", {"csrf": t, "kind": "topic", "op": "merge", "from": "trade", "into": "trade"}).status, 400)

    def test_9a_author_biographies(self):
        ed = self.clients["editor"]
        page = ed.get("/admin/authors")
        self.assertEqual(page.status, 200)
        self.assertIn("Biography of Ann Lee", page.text)
        token = csrf_of(page.text)
        r = ed.post("/admin/authors/ann-lee", {"csrf": token, "bio": "Covers trade in the Southern Cone."})
        self.assertEqual(r.status, 303)
        self.assertIn("Biography saved.", ed.get(r.header("Location").split("#")[0]).text)
        author = self.server.get("/authors/ann-lee").text
        self.assertIn('<p class="standfirst">Covers trade in the Southern Cone.</p>', author)
        self.assertIn('<meta name="description" content="Covers trade in the Southern Cone.">', author)
        r = ed.post("/admin/authors/ann-lee", {"csrf": token, "bio": "x" * 2001})
        self.assertEqual(r.status, 400)
        self.assertIn("at most 2,000 characters", r.text)
        self.assertEqual(ed.post("/admin/authors/nobody-at-all", {"csrf": token, "bio": "x"}).status, 404)
        self.assertIn("Covers trade in the Southern Cone.", self.server.get("/authors/ann-lee").text)

    def test_9b_redirects(self):
        ed = self.clients["editor"]
        page = ed.get("/admin/redirects")
        self.assertEqual(page.status, 200)
        count = lambda text: int(re.search(r"<h2>(\d+) redirects?</h2>", text).group(1))  # noqa: E731
        before = count(page.text)  # a topic merged in test_9 left one
        token = csrf_of(page.text)
        # Bad input: 400 naming the problem, what was typed kept, nothing saved.
        r = ed.post("/admin/redirects", {"csrf": token, "from": "2014/05/old", "to": "/articles/second-story"})
        self.assertEqual(r.status, 400)
        self.assertIn("starting with /", r.text)
        self.assertIn('value="2014/05/old"', r.text)
        r = ed.post("/admin/redirects", {"csrf": token, "from": "/x", "to": "//evil.example/"})
        self.assertEqual(r.status, 400)
        self.assertEqual(count(ed.get("/admin/redirects").text), before)
        # WordPress-style addresses.
        for old, new in (("/?p=22", "/articles/existing-story"),
                         ("/2014/05/old-story/", "/articles/second-story"),
                         ("/articles/renamed-slug", "/articles/existing-story")):
            r = ed.post("/admin/redirects", {"csrf": token, "from": old, "to": new})
            self.assertEqual(r.status, 303, old)
        anonymous = self.clients["anonymous"]
        for old, new in (("/?p=22", "/articles/existing-story"),
                         ("/2014/05/old-story/", "/articles/second-story"),
                         ("/2014/05/old-story", "/articles/second-story"),
                         ("/2014/05/old-story/?utm_source=mail", "/articles/second-story"),
                         ("/articles/renamed-slug", "/articles/existing-story")):
            r = anonymous.get(old)
            self.assertEqual(r.status, 301, old)
            self.assertEqual(r.header("Location"), new, old)
        # The front page and other queries are untouched; unknown old addresses stay 404.
        self.assertEqual(anonymous.get("/").status, 200)
        self.assertEqual(anonymous.get("/?p=23").status, 200)
        self.assertEqual(anonymous.get("/2014/05/other/").status, 404)
        # Replace, then remove; the list shows each.
        r = ed.post("/admin/redirects", {"csrf": token, "from": "/?p=22", "to": "/articles/second-story"})
        self.assertEqual(r.status, 303)
        self.assertEqual(anonymous.get("/?p=22").header("Location"), "/articles/second-story")
        listing = ed.get("/admin/redirects").text
        self.assertEqual(count(listing), before + 3)
        self.assertIn("/2014/05/old-story/", listing)
        r = ed.post("/admin/redirects/remove", {"csrf": token, "from": "/?p=22"})
        self.assertEqual(r.status, 303)
        self.assertEqual(anonymous.get("/?p=22").status, 200)
        r = ed.post("/admin/redirects/remove", {"csrf": token, "from": "/?p=22"})
        self.assertEqual(r.status, 404)
        # Readers cannot reach the page.
        self.assertEqual(self.clients["reader"].get("/admin/redirects").status, 403)

    def test_zzz_brand_accent_colour_and_header_sections(self):
        ad = self.clients["admin"]
        page = ad.get("/admin/settings")
        self.assertIn('type="color" name="brand.accent" value="#8a1c1c"', page.text)
        base = {"csrf": csrf_of(page.text)}
        for k, v in re.findall(r'<input id="[^"]+" type="(?:text|number|url)" name="([^"]+)" value="([^"]*)"', page.text):
            base[k] = html.unescape(v)
        # A pale accent is refused with the contrast it has; what was typed stays.
        r = ad.post("/admin/settings", dict(base, **{"brand.accent": "#ffcc00", "brand.nav": "/countries/chile"}))
        self.assertEqual(r.status, 400)
        self.assertIn("AA needs 4.5:1", r.text)
        self.assertIn("/countries/chile", r.text)
        # A section that does not exist is refused, naming it.
        r = ad.post("/admin/settings", dict(base, **{"brand.accent": "#1a5e3a", "brand.nav": "/topics/nope"}))
        self.assertEqual(r.status, 400)
        self.assertIn("there is no /topics/nope", r.text)
        r = ad.post("/admin/settings", dict(base, **{"brand.accent": "#1a5e3a",
                                                     "brand.nav": "/countries/chile\n/topics/trade"}))
        self.assertEqual(r.status, 303)
        deadline = time.time() + 10
        while "--accent: #1a5e3a" not in self.server.get("/").text and time.time() < deadline:
            time.sleep(0.1)
        home = self.server.get("/").text
        self.assertIn("<style>:root { --accent: #1a5e3a; }</style>", home)
        sections = home.split('aria-label="Sections"', 1)[1].split("</nav>", 1)[0]
        links = re.findall(r'<a href="([^"]+)"', sections)
        self.assertEqual(links[:2], ["/countries/chile", "/topics/trade"])
        # The icons follow the accent.
        manifest = json.loads(self.server.get("/site.webmanifest").text)
        self.assertEqual(manifest["theme_color"], "#1a5e3a")

    def test_zzzzz_footer_links_beyond_the_static_pages(self):
        ad = self.clients["admin"]
        page = ad.get("/admin/settings")
        base = {"csrf": csrf_of(page.text)}
        for k, v in re.findall(r'<input id="[^"]+" type="(?:text|number|url)" name="([^"]+)" value="([^"]*)"', page.text):
            base[k] = html.unescape(v)
        # A line that is not "Label | address", or an address that could run script: refused,
        # naming it, with what was typed kept.
        for bad, says in [("Careers https://jobs.example.org", "is not \"Label | address\""),
                          ("Careers | javascript:alert(1)", "'javascript:alert(1)' is not an address"),
                          ("Careers | //evil.example", "'//evil.example' is not an address")]:
            r = ad.post("/admin/settings", dict(base, **{"brand.footer": bad}))
            self.assertEqual(r.status, 400, bad)
            self.assertIn(says, html.unescape(r.text))
            self.assertIn(f">{bad}</textarea>", html.unescape(r.text))
        links = "Careers | https://jobs.example.org/\nWrite to us | mailto:desk@example.org\nOur history | /pages/about"
        r = ad.post("/admin/settings", dict(base, **{"brand.footer": links}))
        self.assertEqual(r.status, 303, r.text)
        deadline = time.time() + 10
        while "Write to us" not in self.server.get("/").text and time.time() < deadline:
            time.sleep(0.1)
        footer = self.server.get("/").text.split('aria-label="Footer"', 1)[1].split("</nav>", 1)[0]
        self.assertEqual(re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer)[-3:],
                         [("https://jobs.example.org/", "Careers"), ("mailto:desk@example.org", "Write to us"),
                          ("/pages/about", "Our history")])
        self.assertIn("Careers | https://jobs.example.org/", ad.get("/admin/settings").text)

    def test_zzzz_logo_upload_replaces_the_name_and_makes_the_icons(self):
        import struct
        ad = self.clients["admin"]
        token = csrf_of(ad.get("/admin/settings").text)
        before = self.server.get("/apple-touch-icon.png").body
        r = ad.post_multipart("/admin/settings/logo", {"csrf": token},
                              {"logo": ("logo.png", "image/png", PNG[:16] + b"garbage" * 40)})
        self.assertEqual(r.status, 400)
        self.assertIn("could not be read as an image", r.text)
        svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 60"><script>alert(1)</script>'
               b'<rect width="300" height="60" fill="#0b4f8a"/></svg>')
        r = ad.post_multipart("/admin/settings/logo", {"csrf": token}, {"logo": ("logo.svg", "image/svg+xml", svg)})
        self.assertEqual(r.status, 303, r.text[:300])
        deadline = time.time() + 10
        while 'class="brand brand-logo"' not in self.server.get("/").text and time.time() < deadline:
            time.sleep(0.1)
        home = self.server.get("/").text
        m = re.search(r'<a class="brand brand-logo" href="/"><img src="(/media/logo-[a-z0-9]+\.png)" alt="([^"]+)"', home)
        self.assertIsNotNone(m)
        logo = self.server.get(m.group(1))
        self.assertEqual(logo.header("Content-Type"), "image/png")
        self.assertEqual(struct.unpack(">II", logo.body[16:24]), (480, 96))  # 300 x 60 drawn to fit 600 x 96
        self.assertNotIn(b"<script", logo.body)  # the SVG itself is never kept
        after = self.server.get("/apple-touch-icon.png")
        self.assertEqual(struct.unpack(">II", after.body[16:24]), (180, 180))
        self.assertNotEqual(after.body, before)
        # Removed: the name again.
        r = ad.post("/admin/settings/logo", {"csrf": token, "remove": "1"})
        self.assertEqual(r.status, 303)
        deadline = time.time() + 10
        while 'brand-logo' in self.server.get("/").text and time.time() < deadline:
            time.sleep(0.1)
        self.assertIn('<a class="brand" href="/">', self.server.get("/").text)

    def test_zzzzz_house_ad_upload_preview_and_missing_image_warning(self):
        ad = self.clients["admin"]
        page = ad.get("/admin/settings")
        token = csrf_of(page.text)
        r = ad.post_multipart("/admin/settings/ads", {"csrf": token, "link": "/subscribe", "alt": "Subscribe"},
                              {"image": ("ad.png", "image/png", b"not a picture")})
        self.assertEqual(r.status, 400)
        r = ad.post_multipart("/admin/settings/ads", {"csrf": token, "link": "javascript:alert(1)", "alt": "x"},
                              {"image": ("ad.png", "image/png", PNG)})
        self.assertEqual(r.status, 400)
        self.assertIn("Nothing was uploaded", r.text)
        r = ad.post_multipart("/admin/settings/ads", {"csrf": token, "link": "/subscribe",
                                                      "alt": "All-Access, a year for the price of ten months"},
                              {"image": ("ad.png", "image/png", PNG)})
        self.assertEqual(r.status, 303, r.text[:300])
        deadline = time.time() + 10
        while "/media/ad-" not in self.server.get("/articles/second-story").text and time.time() < deadline:
            time.sleep(0.1)
        home = self.server.get("/articles/second-story").text
        m = re.search(r'<a class="ad-slot" href="/subscribe"><img src="(/media/ad-[a-z0-9]+\.png)" '
                      r'alt="All-Access, a year for the price of ten months"', home)
        self.assertIsNotNone(m)
        self.assertEqual(self.server.get(m.group(1)).body, PNG)
        settings = ad.get("/admin/settings").text
        self.assertIn(f'<p class="ad-preview"><img src="{m.group(1)}"', settings)
        self.assertNotIn("broken picture", settings)
        # An ad whose image is not on the site is saved, with a warning on the page.
        fields = {"csrf": token}
        for k, v in re.findall(r'<input id="[^"]+" type="(?:text|number|url)" name="([^"]+)" value="([^"]*)"', settings):
            fields[k] = html.unescape(v)
        fields.update({"ad_image_1": "/media/gone.png", "ad_link_1": "/subscribe", "ad_alt_1": "Gone"})
        self.assertEqual(ad.post("/admin/settings", fields).status, 303)
        deadline = time.time() + 10
        while "broken picture" not in ad.get("/admin/settings").text and time.time() < deadline:
            time.sleep(0.1)
        self.assertIn("Ad 2: its image /media/gone.png is not on this site", ad.get("/admin/settings").text)

    def test_zz_settings_apply_at_once(self):
        ad = self.clients["admin"]
        page = ad.get("/admin/settings")
        self.assertEqual(page.status, 200)
        fields = {"csrf": csrf_of(page.text), "site.name": "The Meridian Review", "site.description": "d",
                  "site.url": "", "site.timezone": "Mars/Olympus", "site.teaser_paragraphs": "3",
                  "access.monthly_credits": "5", "access.gifts_per_month": "10",
                  "ad_image_0": "", "ad_link_0": "", "ad_alt_0": ""}
        r = ad.post("/admin/settings", fields)
        self.assertEqual(r.status, 400)
        self.assertIn("Mars/Olympus", r.text)
        self.assertIn("The Meridian Review", r.text)  # nothing typed is lost
        self.assertNotIn("The Meridian Review", self.server.get("/").text)
        fields["site.timezone"] = "Asia/Tokyo"
        r = ad.post("/admin/settings", fields)
        self.assertEqual(r.status, 303)
        deadline = time.time() + 10
        while "The Meridian Review" not in self.server.get("/").text and time.time() < deadline:
            time.sleep(0.1)
        self.assertIn("The Meridian Review", self.server.get("/").text)
        page = ad.get("/admin/settings")
        self.assertIn('value="Asia/Tokyo"', page.text)
        self.assertIn('value="5"', page.text)
        # Only what changed is stored; the rest keeps following the file and environment.
        keys = {k for (k,) in db_rows(self.data, "SELECT key FROM settings")}
        self.assertEqual(keys, {"site.name", "site.description", "site.timezone", "access.monthly_credits"})
        # Sessions survive the reload.
        self.assertEqual(ad.get("/admin").status, 200)
        # A new teaser length: the request answers at once, and the server cuts every
        # article again in the background (the paragraph after the new cut leaves the
        # teaser once its batch is done).
        self.assertIn("Third paragraph", self.server.get("/articles/existing-story").text)
        fields["site.teaser_paragraphs"] = "1"
        fields["csrf"] = csrf_of(ad.get("/admin/settings").text)
        self.assertEqual(ad.post("/admin/settings", fields).status, 303)
        deadline = time.time() + 20
        while "Second paragraph" in self.server.get("/articles/existing-story").text and time.time() < deadline:
            time.sleep(0.1)
        page = self.server.get("/articles/existing-story").text
        self.assertIn("Opening paragraph", page)
        self.assertNotIn("Second paragraph", page)
        self.assertIn("meridian: teasers cut again", self.server.output())


if __name__ == "__main__":
    unittest.main()
