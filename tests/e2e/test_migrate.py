"""End-to-end: moving a publication in with `meridian import` — a WordPress export (the
theme unit test data, written by others) comes over with one command, its old addresses
answer 301 to the new pages, the gated part stays on the server, and running it again
changes nothing."""
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, article_line, run_cli  # noqa: E402

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpora", "wxr")
THEME = os.path.join(CORPUS, "theme-unit-test-data.xml")
GHOST = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpora", "ghost",
                     "ghost-5-export.json")


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def gated_sentences():
    """For each members-only or paid post of the Ghost export, a sentence from after its
    <!--members-only--> divider that appears nowhere a stranger may read (public posts,
    teasers, excerpts, titles): if it shows on a page, gated text leaked."""
    with open(GHOST) as f:
        posts = json.load(f)["db"][0]["data"]["posts"]
    public = []
    gated = {}
    for p in posts:
        html = p.get("html") or ""
        before, _, after = html.partition("<!--members-only-->")
        public += [text_of(before), p.get("title") or "", p.get("custom_excerpt") or ""]
        if after and p["type"] == "post" and p["status"] == "published":
            gated[p["slug"]] = [s.strip() + "." for s in text_of(after).split(". ") if len(s) > 60]
    public_text = " ".join(public)
    chosen = {}
    for slug, sentences in gated.items():
        for s in sentences:
            # Plain words only: quotes and ampersands come back as entities.
            if re.fullmatch(r"[A-Za-z0-9 ,;:()-]+\.", s) and s[:-1] not in public_text:
                chosen[slug] = s[:-1]
                break
    return chosen


class WordPressMoveIn(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="meridian-migrate-")
        self.addCleanup(shutil.rmtree, self.data, True)

    def export(self):
        return run_cli("export", data=self.data, check=True).stdout

    def test_a_wordpress_site_moves_in_and_its_old_links_answer(self):
        r = run_cli("import", THEME, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("imported 79 items", r.stdout)
        self.assertIn("(WordPress (WXR 1.2)): 79 new, 0 updated, 0 unchanged", r.stdout)
        self.assertIn("58 articles, 21 pages", r.stdout)
        self.assertIn("skipped 70 items of type 'nav_menu_item'", r.stdout)
        self.assertIn("skipped 37 attachments", r.stdout)
        again = run_cli("import", THEME, data=self.data, check=True)
        self.assertIn("0 new, 0 updated, 79 unchanged", again.stdout)
        self.assertEqual(len(self.export().splitlines()), 58)

        server = Server(data=self.data)
        self.addCleanup(server.stop)
        for old, new in [("/2012/03/15/template-more-tag/", "/articles/template-more-tag"),
                         ("/2012/03/15/template-more-tag", "/articles/template-more-tag"),
                         ("/?p=996", "/articles/template-more-tag"),
                         ("/demo/?p=996", "/articles/template-more-tag"),
                         ("/category/classic/", "/topics/classic"),
                         ("/about/clearing-floats/", "/pages/about/clearing-floats"),
                         ("/?page_id=146", "/pages/lorem-ipsum"),
                         ("/feed/", "/feed.xml")]:
            r = server.get(old)
            self.assertEqual(r.status, 301, old)
            self.assertTrue(r.header("Location").endswith(new), (old, r.header("Location")))
        page = server.get("/articles/template-more-tag")
        self.assertEqual(page.status, 200)
        # Metered by default: a stranger reads the part before <!--more-->, not after.
        self.assertIn("This content is before the", page.text)
        self.assertNotIn("after the more tag", page.text)
        self.assertEqual(server.get("/topics/classic").status, 200)
        # Pages are static pages, a child under its parent, listed under it.
        about = server.get("/pages/about")
        self.assertEqual(about.status, 200)
        self.assertIn('href="/pages/about/clearing-floats"', about.text)
        self.assertEqual(server.get("/pages/about/clearing-floats").status, 200)

    def test_a_map_file_decides_what_categories_and_tags_become(self):
        path = os.path.join(self.data, "map.toml")
        with open(path, "w") as f:
            f.write('[categories]\nclassic = "Classics"\nuncategorized = "Unfiled"\n'
                    '[tags]\nread-more = "drop"\ntemplate = "country:Kenya"\n')
        r = run_cli("import", "--map", path, THEME, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [json.loads(l) for l in run_cli("export", data=self.data, check=True).stdout.splitlines()]
        more = next(a for a in rows if a["slug"] == "template-more-tag")
        self.assertIn("Classics", more["topics"])
        self.assertIn("Unfiled", more["topics"])
        self.assertNotIn("read more", more["topics"])
        self.assertEqual(more["countries"], ["Kenya"])

    def test_a_dry_run_prints_the_plan_and_writes_nothing(self):
        r = run_cli("import", "--dry-run", THEME, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("dry run: nothing was written. would import 79 items", r.stdout)
        self.assertIn("58 articles, 21 pages", r.stdout)
        self.assertEqual(self.export(), "")
        self.assertEqual(run_cli("export", "--all", data=self.data, check=True).stdout.count('"slug"'), 0)

    def test_a_dry_run_of_json_lines_counts_and_writes_nothing(self):
        path = os.path.join(self.data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("one") + "\n")
        run_cli("import", path, data=self.data, check=True)
        with open(path, "a") as f:
            f.write(article_line("two") + "\n")
        r = run_cli("import", "--dry-run", path, data=self.data, check=True)
        self.assertIn("would import 2 articles", r.stdout)
        self.assertIn("(1 new, 1 updated)", r.stdout)
        self.assertEqual(len(self.export().splitlines()), 1)

    def test_standard_input_and_a_named_format(self):
        with open(os.path.join(CORPUS, "wxr-simple.xml")) as f:
            text = f.read()
        r = run_cli("import", "--format", "wxr", "-", data=self.data, input=text)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 new", r.stdout)
        self.assertIn('"hello-world"', self.export())

    def test_bad_files_and_options_are_refused_naming_the_problem(self):
        for name, words in [("malformed.xml", "line 90, column 3: mismatched tag"),
                            ("missing-version-tag.xml", "no <wp:wxr_version>")]:
            r = run_cli("import", os.path.join(CORPUS, name), data=self.data)
            self.assertNotEqual(r.returncode, 0, name)
            self.assertIn(words, r.stderr)
            self.assertIn("nothing imported", r.stderr)
        r = run_cli("import", "--format", "xml", THEME, data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--format must be jsonl, wxr or ghost, not 'xml'", r.stderr)
        r = run_cli("import", "--access", "gold", THEME, data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--access must be free, metered or premium, not 'gold'", r.stderr)
        bad_map = os.path.join(self.data, "map.toml")
        with open(bad_map, "w") as f:
            f.write('[categories]\nclassic = "Classics"\n[menus]\nx = "y"\n')
        r = run_cli("import", "--map", bad_map, THEME, data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("map.toml, line 3: [menus] is not a table", r.stderr)
        # JSON Lines read as WXR: refused as XML, not half-read.
        jsonl = os.path.join(self.data, "a.jsonl")
        with open(jsonl, "w") as f:
            f.write('{"headline": "x", "body": "y", "published_at": "2025-01-01T00:00:00Z"}\n')
        r = run_cli("import", "--format", "wxr", jsonl, data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("line 1, column 1", r.stderr)
        self.assertEqual(self.export(), "")


class GhostMoveIn(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="meridian-ghost-")
        self.addCleanup(shutil.rmtree, self.data, True)

    def test_a_ghost_site_moves_in_and_no_gated_text_reaches_a_stranger(self):
        r = run_cli("import", GHOST, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(Ghost 5.130.6): 66 new, 0 updated, 0 unchanged", r.stdout)
        self.assertIn("61 articles, 5 pages", r.stdout)
        self.assertIn("1 members-only page kept as a draft", r.stdout)
        again = run_cli("import", GHOST, data=self.data, check=True)
        self.assertIn("0 new, 0 updated, 66 unchanged", again.stdout)

        gated = gated_sentences()
        self.assertGreaterEqual(len(gated), 10)
        # The sentences were imported (so their absence below means something).
        bodies = {json.loads(l)["slug"]: text_of(json.loads(l)["body"])
                  for l in run_cli("export", data=self.data, check=True).stdout.splitlines()}
        for slug, sentence in gated.items():
            self.assertIn(sentence, bodies[slug])
        server = Server(data=self.data)
        self.addCleanup(server.stop)
        stranger = Reader(server)
        r = server.get("/nigerias-gamble-on-maritime-security-8/")
        self.assertEqual(r.status, 301)
        self.assertTrue(r.header("Location").endswith("/articles/nigerias-gamble-on-maritime-security-8"))
        # Ghost's pages: public ones at /pages/, their old address redirected; the
        # members-only page kept private (its list after the divider nowhere to be seen).
        r = server.get("/about-us/")
        self.assertEqual(r.status, 301)
        self.assertEqual(r.header("Location"), "/pages/about-us")
        self.assertIn("Who we are.", stranger.get("/pages/about-us").text)
        self.assertEqual(stranger.get("/pages/members-resources").status, 404)
        gated["members-resources"] = "Pledges dataset"
        pages = ["/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/archive", "/topics", "/countries",
                 "/pages/about", "/pages/about-us", "/pages/contact", "/pages/members-resources"]
        pages += [f"/articles/{slug}" for slug in bodies]
        pages += ["/search?q=" + "+".join(s.split()[:4]) for s in list(gated.values())[:10]]
        seen = set()
        while pages and len(seen) < 400:
            path = pages.pop()
            if path in seen or path.startswith("/signout"):
                continue
            seen.add(path)
            page = stranger.get(path)
            body = text_of(page.text)
            if path.startswith("/search") and "q=" in path:  # the query is echoed back
                body = body.replace(" ".join(path.split("q=")[1].split("+")), "")
            for slug, sentence in gated.items():
                self.assertNotIn(sentence, body, f"gated text of {slug} leaked on {path}")
            for link in re.findall(r'href="(/[^"/][^"]*)"', page.text):
                pages.append(link.replace("&amp;", "&"))
        self.assertGreater(len(seen), 100)
        # Members: by content, again unchanged; a bad --comp-until is refused.
        members = os.path.join(os.path.dirname(GHOST), "ghost-5-members.csv")
        r = run_cli("import", "--comp-until", "2027-12-31", members, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(Ghost members): 34 new", r.stdout)
        self.assertIn("34 members", r.stdout)
        listed = run_cli("members", "list", data=self.data, check=True).stdout
        self.assertIn("paid.reader@example.test", listed)
        self.assertIn("2028-01-01", listed)  # through the whole of 31 December
        r = run_cli("import", "--format", "ghost", "--comp-until", "2027-12-31", members,
                    data=self.data, check=True)
        self.assertIn("34 unchanged", r.stdout)
        r = run_cli("import", "--comp-until", "next year", members, data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--comp-until must be a date like 2027-12-31", r.stderr)
        # The article page itself shows its teaser and the wall.
        page = stranger.get("/articles/nigerias-gamble-on-maritime-security-8")
        self.assertEqual(page.status, 200)
        self.assertIn("Background", page.text)


if __name__ == "__main__":
    unittest.main()
