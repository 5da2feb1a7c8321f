"""End-to-end: the reading site as an anonymous reader sees it."""
import datetime
import email.utils
import html.parser
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from harness import echo_removed, Reader, Server, article_line, canary, run_cli  # noqa: E402

NOW = datetime.datetime.now(datetime.timezone.utc)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def fixture_lines():
    lines = [
        article_line("free-one", access="free", headline="A free analysis of grain",
                     corrections="An earlier version misstated the harvest."),
        article_line("metered-one", access="metered", headline="Metered piece on tariffs",
                     topics=["Trade"], countries=["Chile"], published_at=iso(NOW - datetime.timedelta(hours=5))),
        article_line("premium-one", access="premium", type="feature", featured=True,
                     headline="Premium deep dive", topics=["Security", "Energy"],
                     corrections="An earlier version misnamed the minister."),
        article_line("draft-one", status="draft", headline="Unfinished draft"),
        article_line("future-one", status="scheduled", headline="Not yet",
                     published_at=iso(NOW + datetime.timedelta(days=3))),
        article_line("marker-one", headline="Cut by hand",
                     body="Only this is public.\n\n<!-- paywall -->\n\nHidden CANARYmarkeroneX part.\n"),
        article_line("hostile-one", headline="Hostile <script>alert(1)</script> headline",
                     body="Hi <script>alert('x')</script> there.\n\n<img src=x onerror=alert(2)>\n\nThree.\n\nFour CANARYhostileoneX."),
        article_line("cote-one", countries=["Côte d'Ivoire"], headline="Abidjan notes",
                     published_at="2024-11-15T10:00:00Z"),
    ]
    # Enough Maritime articles for two pages of a topic listing.
    for i in range(25):
        lines.append(article_line(f"maritime-{i:02d}", topics=["Maritime"], countries=["Japan"],
                                  published_at=iso(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
                                                   + datetime.timedelta(days=i))))
    return "\n".join(lines) + "\n"


class LinkParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)


class ReadingSiteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="meridian-site-")
        path = os.path.join(cls.data, "fixture.jsonl")
        with open(path, "w") as f:
            f.write(fixture_lines())
        run_cli("import", path, data=cls.data, check=True)
        cls.server = Server(data=cls.data, extra_args=("--log-format", "json"))

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        assert code == 0, f"meridian serve exited {code} on SIGTERM"

    def get(self, path, **kw):
        return self.server.get(path, **kw)

    def test_registering_from_the_home_page_says_to_confirm(self):
        stranger = Reader(self.server)
        # The front page carries no token (one cacheable page): its form asks /register.
        home = stranger.get("/").text
        self.assertIn('<form class="inline-form" method="get" action="/register">', home)
        self.assertNotIn('name="csrf"', home.split('id="signup-heading"', 1)[1].split("</aside>", 1)[0])
        page = stranger.get("/register?email=from.home%40example.org")
        self.assertEqual(page.status, 200)
        self.assertIn('value="from.home@example.org"', page.text)
        r = stranger.submit("/register?email=from.home%40example.org", "/register",
                            {"email": "from.home@example.org"})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/account?notice=registered")
        page = stranger.get(r.header("Location")).text
        self.assertIn("Welcome. We sent a link to from.home@example.org", page)
        # Signed in now: the home page no longer offers registration.
        self.assertNotIn('id="signup-heading"', stranger.get("/").text)

    def test_home_lists_latest_and_features(self):
        r = self.get("/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn('<html lang="en">', r.text)
        self.assertIn('href="#main"', r.text)
        self.assertIn("Metered piece on tariffs", r.text)
        self.assertIn("Premium deep dive", r.text)  # featured in-depth
        self.assertIn("/topics/maritime", r.text)  # a section per main topic
        self.assertNotIn("Unfinished draft", r.text)
        self.assertNotIn("Not yet", r.text)

    def test_the_site_has_an_icon(self):
        icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', self.get("/").text)
        self.assertIsNotNone(icon)
        r = self.get(icon.group(1))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "image/svg+xml")
        self.assertIn("<svg", r.text)

    def test_free_article_shows_everything(self):
        r = self.get("/articles/free-one")
        self.assertEqual(r.status, 200)
        self.assertIn(canary("free-one"), r.text)
        self.assertIn("<h1", r.text)
        self.assertNotIn('class="wall', r.text)
        self.assertIn("An earlier version misstated the harvest.", r.text)
        # Below a wall, no correction about text the reader cannot see.
        self.assertNotIn("misnamed the minister", self.get("/articles/premium-one").text)
        self.assertIn('href="/topics/energy"', r.text)
        self.assertIn('href="/countries/brazil"', r.text)
        self.assertIn('href="/authors/ann-lee"', r.text)

    def test_metered_and_premium_show_teaser_and_wall_only(self):
        for slug, wall in (("metered-one", "Keep reading for free"),
                           ("premium-one", "This article is for subscribers"),
                           ("marker-one", "Keep reading for free")):
            r = self.get(f"/articles/{slug}")
            self.assertEqual(r.status, 200)
            self.assertIn(wall, r.text)
            self.assertIn("Already a subscriber?", r.text)
            self.assertNotIn(canary(slug), r.text)
        r = self.get("/articles/metered-one")
        self.assertIn("Third paragraph.", r.text)
        self.assertNotIn("Fourth paragraph", r.text)
        self.assertIn("Only this is public.", self.get("/articles/marker-one").text)

    def test_json_ld_and_social_metadata(self):
        for slug, free in (("free-one", True), ("metered-one", False), ("premium-one", False)):
            text = self.get(f"/articles/{slug}").text
            m = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
            self.assertTrue(m)
            ld = json.loads(m.group(1))
            self.assertEqual(ld["@type"], "NewsArticle")
            self.assertIs(ld["isAccessibleForFree"], free)
            if not free:
                self.assertIs(ld["hasPart"]["isAccessibleForFree"], False)
            self.assertIn(f'<link rel="canonical" href="{self.server.base}/articles/{slug}">', text)
            self.assertIn('property="og:title"', text)
            self.assertIn('name="twitter:card"', text)

    def test_hostile_markup_is_sanitized_and_escaped(self):
        text = self.get("/articles/hostile-one").text
        self.assertNotIn("<script>alert", text)
        self.assertNotIn("onerror", text)
        self.assertIn("Hostile &lt;script&gt;alert(1)&lt;/script&gt; headline", text)

    def test_icons_for_browsers_phones_and_feed_readers(self):
        import json as json_mod
        import struct
        page = self.get("/").text
        # No brand colour set: the stylesheet's own accent stands (an empty override once
        # blanked every button).
        self.assertNotIn("--accent:", page)
        for link in ('<link rel="icon" href="/favicon.ico"', '<link rel="apple-touch-icon" href="/apple-touch-icon.png">',
                     '<link rel="manifest" href="/site.webmanifest">'):
            self.assertIn(link, page)
        ico = self.get("/favicon.ico")
        self.assertEqual(ico.status, 200)
        self.assertEqual(ico.header("Content-Type"), "image/x-icon")
        reserved, kind, count = struct.unpack("<HHH", ico.body[:6])
        self.assertEqual((reserved, kind, count), (0, 1, 3))
        sizes = [ico.body[6 + 16 * i] for i in range(count)]
        self.assertEqual(sizes, [16, 32, 48])
        for path, px in (("/apple-touch-icon.png", 180), ("/icon-192.png", 192), ("/icon-512.png", 512)):
            r = self.get(path)
            self.assertEqual(r.header("Content-Type"), "image/png", path)
            self.assertEqual(r.body[:8], b"\x89PNG\r\n\x1a\n", path)
            self.assertEqual(struct.unpack(">II", r.body[16:24]), (px, px), path)
        manifest = json_mod.loads(self.get("/site.webmanifest").text)
        self.assertEqual([i["src"] for i in manifest["icons"]], ["/icon-192.png", "/icon-512.png"])

    def test_related_articles(self):
        text = self.get("/articles/premium-one").text
        self.assertIn("More from Meridian", text)
        self.assertIn("/articles/free-one", text)  # shares Energy and Brazil

    def test_drafts_and_scheduled_are_not_found(self):
        for slug in ("draft-one", "future-one", "no-such-thing"):
            r = self.get(f"/articles/{slug}")
            self.assertEqual(r.status, 404, slug)
            self.assertIn("Article not found", r.text)

    def test_not_found_page(self):
        r = self.get("/this/does/not/exist")
        self.assertEqual(r.status, 404)
        self.assertIn("Page not found", r.text)
        self.assertIn("<html", r.text)

    def test_taxonomy_pages(self):
        for path, needle in (("/topics", "Maritime"), ("/topics/maritime", "maritime-24"),
                             ("/countries", "Côte d&apos;Ivoire"), ("/countries/cote-divoire", "Abidjan notes"),
                             ("/authors", "Ann Lee"), ("/authors/ann-lee", "Headline for maritime-24")):
            r = self.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertIn(needle, r.text, path)
        for path in ("/topics/nope", "/countries/nope", "/authors/nope", "/topics/NOPE"):
            self.assertEqual(self.get(path).status, 404, path)

    def test_pagination(self):
        first = self.get("/topics/maritime").text
        self.assertIn('href="/topics/maritime?page=2"', first)
        self.assertIn("Page 1 of 2", first)
        second = self.get("/topics/maritime?page=2")
        self.assertEqual(second.status, 200)
        self.assertIn("Headline for maritime-00", second.text)
        self.assertNotIn("Headline for maritime-24", second.text)
        self.assertEqual(self.get("/topics/maritime?page=3").status, 404)
        for bad in ("abc", "0", "-1", "1.5", "99999999999"):
            self.assertEqual(self.get(f"/topics/maritime?page={bad}").status, 400, bad)

    def test_archive(self):
        r = self.get("/archive")
        self.assertEqual(r.status, 200)
        self.assertIn('href="/archive/2025/01"', r.text)
        month = self.get("/archive/2025/01")
        self.assertEqual(month.status, 200)
        self.assertIn("January 2025", month.text)
        self.assertIn("Headline for maritime-24", month.text)  # 25 January, newest first
        self.assertIn("Page 1 of 2", month.text)
        self.assertIn("Headline for maritime-00", self.get("/archive/2025/01?page=2").text)
        self.assertEqual(self.get("/archive/2025").status, 200)
        for bad in ("/archive/2025/13", "/archive/2025/1", "/archive/1999/01", "/archive/abcd"):
            self.assertEqual(self.get(bad).status, 404, bad)

    def parse_xml(self, path, content_type):
        r = self.get(path)
        self.assertEqual(r.status, 200, path)
        self.assertIn(content_type, r.header("Content-Type"))
        return ET.fromstring(r.body), r.text

    def test_rss_feeds_validate(self):
        for path in ("/feed.xml", "/topics/energy/feed.xml", "/countries/brazil/feed.xml"):
            root, text = self.parse_xml(path, "application/rss+xml")
            self.assertEqual(root.tag, "rss")
            self.assertEqual(root.get("version"), "2.0")
            channel = root.find("channel")
            for required in ("title", "link", "description"):
                self.assertTrue(channel.findtext(required), f"{path} {required}")
            items = channel.findall("item")
            self.assertGreater(len(items), 0, path)
            for item in items:
                self.assertTrue(item.findtext("title"))
                link = item.findtext("link")
                self.assertTrue(link.startswith(self.server.base + "/articles/"))
                self.assertIsNotNone(email.utils.parsedate_to_datetime(item.findtext("pubDate")))
                self.assertEqual(item.find("guid").text, link)
            self.assertNotIn("Unfinished draft", text)
            self.assertNotIn("Not yet", text)

    def test_atom_feeds_validate(self):
        ns = {"a": "http://www.w3.org/2005/Atom"}
        for path in ("/atom.xml", "/topics/energy/atom.xml", "/countries/brazil/atom.xml"):
            root, _ = self.parse_xml(path, "application/atom+xml")
            self.assertEqual(root.tag, "{http://www.w3.org/2005/Atom}feed")
            for required in ("a:id", "a:title", "a:updated"):
                self.assertTrue(root.findtext(required, namespaces=ns), f"{path} {required}")
            self.assertIsNotNone(root.find("a:link[@rel='self']", ns))
            entries = root.findall("a:entry", ns)
            self.assertGreater(len(entries), 0)
            for e in entries:
                for required in ("a:id", "a:title", "a:updated"):
                    self.assertTrue(e.findtext(required, namespaces=ns))
                datetime.datetime.fromisoformat(e.findtext("a:updated", namespaces=ns).replace("Z", "+00:00"))
        self.assertEqual(self.get("/topics/nope/atom.xml").status, 404)

    def test_sitemaps_and_robots(self):
        ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        root, text = self.parse_xml("/sitemap.xml", "application/xml")
        locs = [e.text for e in root.findall("s:url/s:loc", ns)]
        self.assertIn(self.server.base + "/articles/premium-one", locs)
        self.assertIn(self.server.base + "/topics/maritime", locs)
        self.assertNotIn(self.server.base + "/articles/draft-one", locs)
        self.assertNotIn(self.server.base + "/articles/future-one", locs)
        root, _ = self.parse_xml("/news-sitemap.xml", "application/xml")
        news = [e.text for e in root.findall("s:url/s:loc", ns)]
        self.assertIn(self.server.base + "/articles/metered-one", news)  # the last two days only
        self.assertNotIn(self.server.base + "/articles/free-one", news)
        robots = self.get("/robots.txt")
        self.assertEqual(robots.status, 200)
        self.assertIn(f"Sitemap: {self.server.base}/sitemap.xml", robots.text)

    def test_caching_headers_and_conditional_get(self):
        r = self.get("/articles/free-one")
        etag = r.header("ETag")
        self.assertTrue(etag)
        self.assertTrue(r.header("Last-Modified"))
        self.assertIn("public", r.header("Cache-Control"))
        again = self.get("/articles/free-one", headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        self.assertEqual(self.get("/articles/free-one", headers={"If-None-Match": '"other"'}).status, 200)
        # A page with a form for anonymous readers (the wall) carries a token bound to this
        # browser's cookie: never shared by a CDN.
        r = self.get("/articles/metered-one")
        self.assertIn("private", r.header("Cache-Control"))
        self.assertIsNone(r.header("ETag"))
        self.assertIn("meridian_pre=", r.header("Set-Cookie") or "")
        css = self.get("/static/site.css")
        self.assertEqual(css.status, 200)
        self.assertIn("immutable", css.header("Cache-Control"))

    def test_head_has_no_body(self):
        r = self.server.request("HEAD", "/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_public_api_follows_the_paywall(self):
        lst = self.get("/api/v1/articles?per_page=5").json()
        self.assertGreaterEqual(lst["total"], 30)
        self.assertEqual(len(lst["results"]), 5)
        one = self.get("/api/v1/articles/metered-one").json()
        self.assertFalse(one["complete"])
        self.assertNotIn(canary("metered-one"), json.dumps(one))
        self.assertIn(canary("free-one"), self.get("/api/v1/articles/free-one").text)
        self.assertEqual(self.get("/api/v1/articles?per_page=1000").status, 400)
        self.assertEqual(self.get("/api/v1/articles?topic=nope").status, 404)
        self.assertEqual(self.get("/api/v1/articles/draft-one").status, 404)

    def test_anonymous_leak_crawl(self):
        """Crawl everything reachable; no gated canary may ever appear."""
        gated = ["metered-one", "premium-one", "marker-one", "hostile-one", "cote-one"] + \
                [f"maritime-{i:02d}" for i in range(25)]
        canaries = [canary(s) for s in gated]
        seen, queue = set(), ["/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/news-sitemap.xml",
                              "/robots.txt", "/api/v1/articles?per_page=100"]
        queue += [f"/api/v1/articles/{s}" for s in gated]
        # Search for the secret words themselves, and for words around them.
        queue += [f"/search?q={c}" for c in canaries] + [f"/api/v1/search?q={c}" for c in canaries]
        queue += ["/search?q=fourth+paragraph", "/api/v1/search?q=fourth+paragraph&per_page=100",
                  "/api/v1/search?q=inside&per_page=100"]
        base = self.server.base
        while queue and len(seen) < 400:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            r = self.get(path)
            text = r.body.decode("utf-8", "replace")  # icons are binary
            body = echo_removed(path, text)
            for c in canaries:
                self.assertNotIn(c, body, f"{c} leaked on {path}")
            if "html" in (r.header("Content-Type") or ""):
                p = LinkParser()
                p.feed(text)
                links = p.links
            else:
                links = re.findall(r"<(?:loc|link)>([^<]+)</", text) + re.findall(r'href="([^"]+)"', text)
            for link in links:
                link = link.replace("&amp;", "&")
                if link.startswith(base):
                    link = link[len(base):]
                if link.startswith("/") and not link.startswith("//"):
                    queue.append(link.split("#")[0])
        self.assertGreater(len(seen), 60)

    def test_import_while_serving_is_visible_at_once(self):
        self.get("/")  # warm the cache
        path = os.path.join(self.data, "late.jsonl")
        with open(path, "w") as f:
            f.write(article_line("late-news", headline="Late breaking piece",
                                 published_at=iso(NOW - datetime.timedelta(minutes=1))) + "\n")
        run_cli("import", path, data=self.data, check=True)
        self.assertIn("Late breaking piece", self.get("/").text)
        self.assertEqual(self.get("/articles/late-news").status, 200)

    def test_bad_requests_get_4xx_and_never_crash(self):
        self.assertEqual(self.server.request("POST", "/", body="x").status, 405)
        self.assertEqual(self.get("/articles/%ff%fe").status, 400)
        self.assertEqual(self.get("/articles/" + "a" * 20000).status, 414)
        # Garbage on the wire: the connection may be closed, the server must live on.
        for junk in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                     b"\x00\x01\x02\x03" * 100):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
                s.sendall(junk)
                try:
                    s.recv(1024)
                except (ConnectionResetError, socket.timeout):
                    pass
        self.assertEqual(self.get("/healthz").status, 200)

    def test_request_log_lines_are_structured(self):
        self.get("/topics?probe=1")
        probe = []
        for _ in range(50):  # the log is flushed a few times a second
            lines = [l for l in self.server.output().splitlines() if l.startswith("{")]
            entries = [json.loads(l) for l in lines]
            probe = [e for e in entries if e["path"] == "/topics?probe=1"]
            if probe:
                break
            time.sleep(0.1)
        self.assertEqual(len(probe), 1)
        self.assertEqual(probe[0]["status"], 200)
        self.assertIn("us", probe[0])

    def test_request_log_lines_for_people_by_default(self):
        data = tempfile.mkdtemp(prefix="meridian-log-")
        server = Server(data=data)
        try:
            server.get("/topics?probe=2", {"X-Forwarded-For": "198.51.100.1"})
            line = ""
            for _ in range(50):
                lines = [l for l in server.output().splitlines() if "/topics?probe=2" in l]
                if lines:
                    line = lines[0]
                    break
                time.sleep(0.1)
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ GET /topics\?probe=2 200 \d+B \d+us "
                                   r"127\.0\.0\.1 (hit|miss|bypass) id=\S+$")
        finally:
            server.stop()
            shutil.rmtree(data, ignore_errors=True)
        bad = run_cli("serve", "--log-format", "xml", data=data)
        self.assertNotEqual(bad.returncode, 0)

    def test_healthz(self):
        h = self.get("/healthz").json()
        self.assertEqual(h["status"], "ok")
        self.assertGreaterEqual(h["articles"], 33)


class SitemapIndexTest(unittest.TestCase):
    """More articles than one sitemap file holds ([server] sitemap_urls): an index."""

    def test_index_lists_every_visible_article_once(self):
        data = tempfile.mkdtemp(prefix="meridian-sitemap-")
        path = os.path.join(data, "fixture.jsonl")
        with open(path, "w") as f:
            f.write(fixture_lines())
        run_cli("import", path, data=data, check=True)
        with open(os.path.join(data, "meridian.toml"), "w") as f:
            f.write("[server]\nsitemap_urls = 10\n")
        server = Server(data=data)
        try:
            ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
            r = server.get("/sitemap.xml")
            self.assertEqual(r.status, 200)
            root = ET.fromstring(r.body)
            self.assertEqual(root.tag, "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex")
            files = [e.text for e in root.findall("s:sitemap/s:loc", ns)]
            # 31 visible articles (33 minus the draft and the scheduled one): 4 files, and pages.
            self.assertEqual(files[0], server.base + "/sitemaps/pages.xml")
            self.assertEqual(len(files), 5)
            seen = []
            for url in files:
                part = server.get(url[len(server.base):])
                self.assertEqual(part.status, 200, url)
                seen += [e.text for e in ET.fromstring(part.body).findall("s:url/s:loc", ns)]
            articles = [u for u in seen if "/articles/" in u]
            self.assertEqual(len(articles), len(set(articles)))
            self.assertEqual(len(articles), 31)
            self.assertNotIn(server.base + "/articles/draft-one", articles)
            self.assertIn(server.base + "/topics/maritime", seen)
            self.assertEqual(server.get("/sitemaps/articles-9.xml").status, 404)
            self.assertEqual(server.get("/sitemaps/articles-x.xml").status, 404)
            self.assertEqual(server.get("/sitemaps/other.xml").status, 404)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
