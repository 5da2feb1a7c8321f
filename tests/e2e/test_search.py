"""End-to-end: search through the page and the API, and the paywall rule for search."""
import json
import os
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, form_fields, link_in_mail, run_cli  # noqa: E402


def art(slug, access, headline, body, topics, countries, type_="analysis", date="2025-03-01T09:00:00Z",
        **extra):
    return json.dumps({"slug": slug, "access": access, "headline": headline, "dek": f"Dek of {slug}",
                       "body": body, "authors": ["Ann Lee"], "topics": topics, "countries": countries,
                       "type": type_, "published_at": date, **extra})


class SearchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="meridian-search-")
        pub = "Public first paragraph about the power grid.\n\nSecond public paragraph.\n\nThird.\n\n"
        lines = [
            art("grid-metered", "metered", "Grid politics in Chile",
                pub + "Gated paragraph with zanzibarite and the power grid.", ["Energy"], ["Chile"]),
            art("grid-premium", "premium", "A premium look at the grid",
                pub + "Premium gated paragraph mentioning quuxolite.", ["Energy"], ["Peru"],
                type_="feature", date="2024-06-01T09:00:00Z"),
            art("grid-free", "free", "A free grid explainer",
                pub + "Free tail mentioning flurbonium.", ["Energy", "Trade"], ["Chile"],
                type_="briefing", date="2025-05-01T09:00:00Z"),
            art("coal-story", "metered", "Coal and the power grid",
                "Coal paragraph about grid power.\n\nMore.\n\nMore.\n\nGated coal text.", ["Climate"],
                ["Poland"]),
            art("order-test", "free", "Grid power order", "The grid power words in reverse order.",
                ["Energy"], ["Chile"]),
            art("a-draft", "free", "Draft grid", "grid draft text", ["Energy"], ["Chile"], status="draft"),
            art("future-grid", "free", "Future grid", "grid future text", ["Energy"], ["Chile"],
                date="2099-01-01T00:00:00Z"),
        ]
        path = os.path.join(cls.data, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        run_cli("import", path, data=cls.data, check=True)
        run_cli("members", "grant", "--email", "sub@example.org", "--until", "2099-01-01",
                data=cls.data, check=True)
        cls.server = Server(data=cls.data)
        cls.sub = Reader(cls.server)
        cls.sub.submit("/signin", "/signin", {"email": "sub@example.org"})
        page = cls.sub.get(link_in_mail(cls.data, "sub@example.org", "/signin/confirm"))
        cls.sub.post("/signin/confirm", form_fields(page.text, "/signin/confirm"))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def api(self, reader=None, **params):
        r = (reader or Reader(self.server)).get("/api/v1/search?" + urllib.parse.urlencode(params))
        return r.status, (r.json() if r.header("Content-Type").startswith("application/json") else None)

    def slugs(self, body):
        return [x["slug"] for x in body["results"]]

    def test_gated_only_words_are_invisible_to_anonymous_and_registered(self):
        for word in ("zanzibarite", "quuxolite"):
            status, body = self.api(q=word)
            self.assertEqual(status, 200)
            self.assertEqual(body["total"], 0, word)
        status, body = self.api(q="flurbonium")  # a free article's whole text is public
        self.assertEqual(self.slugs(body), ["grid-free"])

    def test_subscribers_search_full_text(self):
        status, body = self.api(self.sub, q="zanzibarite")
        self.assertEqual(self.slugs(body), ["grid-metered"])
        self.assertIn("<mark>zanzibarite</mark>", body["results"][0]["snippet"])
        status, body = self.api(self.sub, q="quuxolite")
        self.assertEqual(self.slugs(body), ["grid-premium"])

    def test_snippets_for_anonymous_come_from_public_text(self):
        status, body = self.api(q="grid", per_page=100)
        self.assertGreaterEqual(body["total"], 4)
        text = json.dumps(body)
        for secret in ("zanzibarite", "quuxolite", "Gated coal text"):
            self.assertNotIn(secret, text)
        for r in body["results"]:
            self.assertNotIn("<script", r["snippet"])
        self.assertNotIn("a-draft", self.slugs(body))
        self.assertNotIn("future-grid", self.slugs(body))

    def test_contract_and_facets(self):
        status, body = self.api(q="power grid", per_page=2)
        self.assertEqual(status, 200)
        self.assertEqual(set(body), {"total", "page", "per_page", "results", "facets"})
        self.assertEqual(body["per_page"], 2)
        self.assertEqual(len(body["results"]), 2)
        r = body["results"][0]
        for key in ("slug", "url", "headline", "dek", "snippet", "published_at", "topics",
                    "countries", "type", "access"):
            self.assertIn(key, r)
        self.assertTrue(r["url"].startswith(self.server.base + "/articles/"))
        self.assertEqual(set(body["facets"]), {"topic", "country", "type", "year"})
        topics = {f["name"]: f["count"] for f in body["facets"]["topic"]}
        self.assertEqual(topics["Energy"], 4)
        self.assertEqual(topics["Climate"], 1)
        years = {f["name"]: f["count"] for f in body["facets"]["year"]}
        self.assertEqual(years, {"2025": 4, "2024": 1})

    def test_filters_and_sort(self):
        _, body = self.api(q="grid", topic="climate")
        self.assertEqual(self.slugs(body), ["coal-story"])
        _, body = self.api(q="grid", country="chile", type="briefing")
        self.assertEqual(self.slugs(body), ["grid-free"])
        _, body = self.api(q="grid", **{"from": "2024-01-01", "to": "2024-12-31"})
        self.assertEqual(self.slugs(body), ["grid-premium"])
        _, body = self.api(q="grid", sort="date", per_page=100)
        dates = [r["published_at"] for r in body["results"]]
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_query_language(self):
        _, body = self.api(q='"power grid"', per_page=100)
        self.assertNotIn("order-test", self.slugs(body))  # "grid power" is not the phrase
        _, body = self.api(q="grid -coal", per_page=100)
        self.assertNotIn("coal-story", self.slugs(body))
        _, body = self.api(q="explain*")
        self.assertEqual(self.slugs(body), ["grid-free"])
        _, both = self.api(q="coal grid")
        self.assertEqual(self.slugs(both)[0], "coal-story")

    def test_bad_queries_get_clear_400s_never_500(self):
        for params, needle in (({"q": ""}, "Type a word"), ({"q": "x" * 600}, "too long"),
                               ({"q": "-coal"}, "leave out"), ({"q": "grid", "per_page": "101"}, "per_page"),
                               ({"q": "grid", "page": "0"}, "page"), ({"q": "grid", "type": "opinion"}, "type"),
                               ({"q": "grid", "sort": "random"}, "sort"), ({"q": "grid", "from": "soon"}, "from")):
            status, body = self.api(**params)
            self.assertEqual(status, 400, params)
            self.assertIn(needle, body["error"])
        for weird in ('"', '"""', "AND OR NOT", "NEAR(", "*", "{a}:b", "\\", "%00", "’’"):
            status, _ = self.api(q=weird)
            self.assertIn(status, (200, 400), weird)

    def test_search_page(self):
        anon = Reader(self.server)
        r = anon.get("/search?q=grid")
        self.assertEqual(r.status, 200)
        self.assertIn('<label for="search-q">', r.text)
        self.assertIn('role="search"', r.text)
        self.assertIn("results", r.text)
        self.assertIn("/search?q=grid&amp;topic=energy", r.text)
        hidden = anon.get("/search?q=zanzibarite").text
        self.assertIn("0 results", hidden)
        self.assertIn("No articles match", hidden)
        self.assertNotIn("Grid politics in Chile", hidden)
        self.assertEqual(anon.get("/search").status, 200)
        bad = anon.get("/search?q=" + "x" * 600)
        self.assertEqual(bad.status, 400)
        self.assertIn("too long", bad.text)
        filtered = anon.get("/search?q=grid&topic=climate").text
        self.assertIn("Coal and the power grid", filtered)
        self.assertNotIn("A free grid explainer", filtered)
        self.assertIn("Sort by", filtered)
        sub_page = self.sub.get("/search?q=zanzibarite").text
        self.assertIn("Grid politics in Chile", sub_page)
        # The header carries a search box on every page.
        self.assertIn('action="/search"', anon.get("/").text)

    def test_index_follows_imports(self):
        path = os.path.join(self.data, "b.jsonl")
        with open(path, "w") as f:
            f.write(art("late-entry", "free", "Late entry on glorbification", "glorbification text",
                        ["Energy"], ["Chile"]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        _, body = self.api(q="glorbification")
        self.assertEqual(self.slugs(body), ["late-entry"])
        # Re-importing the same slug with new text replaces its index entry.
        with open(path, "w") as f:
            f.write(art("late-entry", "free", "Late entry renamed", "different words now",
                        ["Energy"], ["Chile"]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        self.assertEqual(self.api(q="glorbification")[1]["total"], 0)
        r = run_cli("reindex", data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("reindexed", r.stdout)
        self.assertEqual(self.slugs(self.api(q="renamed")[1]), ["late-entry"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
