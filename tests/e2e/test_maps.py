"""End-to-end: pictures of the site's own making. An article without an image gets its
countries drawn as a map (Natural Earth) on its page, on the home page's cards and in its
social previews; the maps follow the accent colour; an article's own image wins; a map
nobody could ask for by following a link is a 404."""
import html
import json
import os
import re
import struct
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, article_line, csrf_of, run_cli, sign_in, solid_png  # noqa: E402


class MapsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="meridian-maps-")
        lines = [
            article_line("lead-story", headline="Kenya and Ethiopia talk water", type="analysis",
                         published_at="2026-01-09T09:00:00Z", topics=["Water"],
                         countries=["Kenya", "Ethiopia"]),
            article_line("alias-story", headline="Washington and Abidjan", type="analysis",
                         published_at="2026-01-08T09:00:00Z", topics=["Water"],
                         countries=["United States", "Ivory Coast"]),
            article_line("nowhere-story", headline="A story about nowhere", type="analysis",
                         published_at="2026-01-07T09:00:00Z", topics=["Water"], countries=["Narnia"]),
            article_line("pictured-story", headline="A story with its own picture", type="feature",
                         published_at="2025-12-01T09:00:00Z", topics=["Water"], countries=["Chile"]),
        ]
        for i in range(12):
            lines.append(article_line(f"filler-{i}", headline=f"Filler {i}", type="analysis",
                                      published_at=f"2026-01-0{1 + i % 5}T0{i % 9}:00:00Z",
                                      topics=["Water"], countries=["Japan"]))
        path = os.path.join(cls.data, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        run_cli("import", path, data=cls.data, check=True)
        run_cli("staff", "add", "--email", "admin@meridian.example", "--role", "admin", data=cls.data, check=True)
        cls.server = Server(data=cls.data)
        cls.admin = Reader(cls.server)
        sign_in(cls.admin, cls.data, "admin@meridian.example", "/admin")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_1_an_article_without_a_picture_shows_its_countries(self):
        page = self.server.get("/articles/lead-story").text
        fig = re.search(r'<figure class="hero hero-map"><img src="(/maps/([a-z_-]+)\.svg\?c=8a1c1c)" '
                        r'alt="([^"]+)" width="1200" height="630"', page)
        self.assertIsNotNone(fig, "no map on the article page")
        self.assertEqual(fig.group(2), "ethiopia_kenya")
        self.assertEqual(fig.group(3), "Map showing Kenya and Ethiopia")
        self.assertIn("Map: Natural Earth", page)
        # Social previews and search engines get a picture they can show: a PNG.
        og = re.search(r'<meta property="og:image" content="(http[^"]+/maps/ethiopia_kenya\.png\?c=8a1c1c)">', page)
        self.assertIsNotNone(og, "og:image is not the map")
        self.assertIn('<meta name="twitter:card" content="summary_large_image">', page)
        self.assertIn('<meta property="og:image:alt" content="Map showing Kenya and Ethiopia">', page)
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        self.assertEqual(ld["image"], [og.group(1)])

        svg = self.server.get(fig.group(1))
        self.assertEqual(svg.status, 200)
        self.assertEqual(svg.header("Content-Type"), "image/svg+xml")
        root = ET.fromstring(svg.body)
        self.assertEqual(root.get("viewBox"), "0 0 1200 630")
        lit = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("fill") == "#8a1c1c"]
        self.assertEqual(len(lit), 1)
        self.assertGreater(len(lit[0].get("d")), 200, "the countries are drawn")
        png = self.server.get(og.group(1)[og.group(1).index("/maps/"):])
        self.assertEqual(png.status, 200)
        self.assertEqual(png.header("Content-Type"), "image/png")
        self.assertEqual(png.body[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(struct.unpack(">II", png.body[16:24]), (1200, 630))

    def test_2_names_as_publications_write_them_find_their_country(self):
        page = self.server.get("/articles/alias-story").text
        self.assertIn('src="/maps/cote-divoire_united-states-of-america.svg?c=8a1c1c"', page)
        self.assertIn('alt="Map showing United States and Ivory Coast"', page)
        # No country Natural Earth draws: no map; the preview is the publication's icon,
        # as a small card.
        page = self.server.get("/articles/nowhere-story").text
        self.assertNotIn("/maps/", page)
        self.assertRegex(page, r'<meta property="og:image" content="http[^"]+/icon-512\.png">')
        self.assertIn('<meta name="twitter:card" content="summary">', page)

    def test_3_home_page_cards_carry_pictures_the_lead_first_the_rest_lazily(self):
        home = self.server.get("/").text
        imgs = re.findall(r'<div class="card-image"><img ([^>]*)>', home)
        self.assertGreaterEqual(len(imgs), 4, "cards without pictures")
        # The lead's picture first of all; those beside it with the page (here one: the
        # other has no country on the maps); below, lazily.
        self.assertIn('src="/maps/ethiopia_kenya.svg?c=8a1c1c"', imgs[0])
        self.assertIn('fetchpriority="high"', imgs[0])
        self.assertNotIn('loading="lazy"', imgs[0])
        self.assertIn("cote-divoire_united-states-of-america", imgs[1])
        self.assertNotIn('loading="lazy"', imgs[1])
        self.assertNotIn('fetchpriority', imgs[1])
        for img in imgs[2:]:
            self.assertIn('loading="lazy"', img)
        for img in imgs[1:]:
            self.assertIn('alt=""', img)  # the headline beside it says what it is
        # Every picture a card names is there.
        for src in {re.search(r'src="([^"]+)"', i).group(1) for i in imgs}:
            self.assertEqual(self.server.get(src).status, 200, src)

    def test_3b_listing_pages_show_thumbnails_but_a_country_page_no_maps(self):
        topic = self.server.get("/topics/water").text
        thumbs = re.findall(r'<div class="card-image"><img ([^>]*)>', topic)
        self.assertGreaterEqual(len(thumbs), 10)
        self.assertIn('src="/maps/ethiopia_kenya.svg?c=', thumbs[0])
        self.assertNotIn('loading="lazy"', thumbs[0])
        self.assertNotIn('fetchpriority', thumbs[0])  # high priority is the lead's alone
        self.assertIn('loading="lazy"', thumbs[-1])
        self.assertIn('/maps/', self.server.get("/archive/2026/01").text)
        # On Japan's own page every card's map would show Japan: none there, but the page
        # itself shows Japan, and previews with it.
        japan = self.server.get("/countries/japan").text
        self.assertNotIn('<div class="card-image">', japan)
        self.assertIn('<img class="listing-map" src="/maps/japan.svg?c=8a1c1c" alt="Map showing Japan"', japan)
        self.assertRegex(japan, r'<meta property="og:image" content="http[^"]+/maps/japan\.png\?c=8a1c1c">')
        # A country Natural Earth does not draw: no map, no picture preview.
        narnia = self.server.get("/countries/narnia").text
        self.assertNotIn("/maps/", narnia)
        self.assertIn('/icon-512.png">', narnia)
        # Every page previews with a picture: the home page with the publication's icon,
        # which is there.
        home = self.server.get("/").text
        icon = re.search(r'<meta property="og:image" content="http[^"]+(/icon-512\.png)">', home)
        self.assertIsNotNone(icon)
        self.assertEqual(self.server.get(icon.group(1)).header("Content-Type"), "image/png")

    def test_4_maps_nobody_links_to_are_not_found(self):
        for path in ["/maps/kenya_ethiopia.svg", "/maps/narnia.svg", "/maps/kenya_kenya.svg", "/maps/kenya.gif",
                     "/maps/kenya", "/maps/.svg", "/maps/%2e%2e%2fetc.svg", "/maps/kenya_.png",
                     "/maps/chad_china_cuba_egypt_fiji_iran_peru.svg"]:
            r = self.server.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertNotIn("image/", r.header("Content-Type"))

    def test_5_an_article_s_own_picture_wins(self):
        admin = self.admin
        ids = re.findall(r'href="/admin/articles/(\d+)"[^>]*>A story with its own picture<',
                         admin.get("/admin/articles?q=picture").text)
        article_id = ids[0] if ids else None
        if article_id is None:
            for i in range(1, 20):
                if "A story with its own picture" in admin.get(f"/admin/articles/{i}").text:
                    article_id = str(i)
                    break
        page = admin.get(f"/admin/articles/{article_id}")
        r = admin.post_multipart(f"/admin/articles/{article_id}/hero", {"csrf": csrf_of(page.text)},
                                 {"hero": ("wide.png", "image/png", solid_png(1200, 600))})
        self.assertEqual(r.status, 303, r.text)
        live = self.server.get("/articles/pictured-story").text
        self.assertNotIn("/maps/", live)
        self.assertRegex(live, r'<meta property="og:image" content="http[^"]+/media/')
        # … on the home page's card too ("In depth"): its responsive copies.
        deadline = time.time() + 10
        while time.time() < deadline:
            home = self.server.get("/").text
            card = home.split("A story with its own picture", 1)[0].rsplit('<article class="card', 1)[-1]
            if "/media/" in card:
                break
            time.sleep(0.2)
        self.assertRegex(card, r'<img src="/media/[a-z0-9-]+-480\.jpg" srcset="/media/[^"]+ 480w, ')

    def test_6_maps_follow_the_accent_colour(self):
        admin = self.admin
        page = admin.get("/admin/settings")
        fields = {"csrf": csrf_of(page.text)}
        for k, v in re.findall(r'<input id="[^"]+" type="(?:text|number|url)" name="([^"]+)" value="([^"]*)"',
                               page.text):
            fields[k] = html.unescape(v)
        fields["brand.accent"] = "#1a5e3a"
        r = admin.post("/admin/settings", fields)
        self.assertEqual(r.status, 303, r.text)
        deadline = time.time() + 10
        while "ethiopia_kenya.svg?c=1a5e3a" not in self.server.get("/articles/lead-story").text:
            self.assertLess(time.time(), deadline, "the map's address did not follow the accent")
            time.sleep(0.1)
        svg = self.server.get("/maps/ethiopia_kenya.svg?c=1a5e3a").text
        self.assertIn('fill="#1a5e3a"', svg)
        self.assertNotIn("#8a1c1c", svg)


if __name__ == "__main__":
    unittest.main()
