"""End-to-end: an editor deletes an article to the bin — readers stop seeing it at once on
its page, in search, feeds and the sitemap (also where a page was cached) — restores it as
it was, and deletes it for good; authors cannot; without the confirmation tick nothing
changes."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, article_line, csrf_of, db_rows, run_cli, sign_in  # noqa: E402


class BinTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="meridian-bin-")
        path = os.path.join(self.data, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join([
                article_line("doomed-story", headline="Zanzibar clove exports", access="free",
                             published_at="2026-01-05T09:00:00Z"),
                article_line("kept-story", headline="Kept story", published_at="2026-01-06T09:00:00Z"),
            ]) + "\n")
        run_cli("import", path, data=self.data, check=True)
        for role in ("author", "editor"):
            run_cli("staff", "add", "--email", f"{role}@meridian.example", "--role", role,
                    data=self.data, check=True)
        self.id = db_rows(self.data, "SELECT id FROM articles WHERE slug = 'doomed-story'")[0][0]

    def tearDown(self):
        shutil.rmtree(self.data, ignore_errors=True)

    def seen(self, reader):
        """Where a reader finds the article: its page, search, the feed, the sitemap."""
        out = {}
        out["page"] = reader.get("/articles/doomed-story").status == 200
        out["search"] = "/articles/doomed-story" in reader.get("/search?q=zanzibar").text
        out["feed"] = "doomed-story" in reader.get("/feed.xml").text
        sitemap = reader.get("/sitemap.xml").text
        for loc in __import__("re").findall(r"<loc>https?://[^/]+(/sitemaps/[^<]+)</loc>", sitemap):
            sitemap += reader.get(loc).text
        out["sitemap"] = "doomed-story" in sitemap
        return out

    def test_delete_restore_and_delete_for_good(self):
        s = Server(data=self.data)
        try:
            anon = Reader(s)
            everywhere = {"page": True, "search": True, "feed": True, "sitemap": True}
            self.assertEqual(self.seen(anon), everywhere)
            ed = Reader(s)
            sign_in(ed, self.data, "editor@meridian.example", "/admin")
            editor = ed.get(f"/admin/articles/{self.id}")
            self.assertIn(f'action="/admin/articles/{self.id}/delete"', editor.text)
            token = csrf_of(editor.text)

            # Without the tick: refused, nothing changes.
            r = ed.post(f"/admin/articles/{self.id}/delete", {"csrf": token})
            self.assertEqual(r.status, 400)
            self.assertIn("Nothing was changed", r.text)
            self.assertTrue(self.seen(anon)["page"])

            # An author cannot.
            au = Reader(s)
            sign_in(au, self.data, "author@meridian.example", "/admin")
            r = au.post(f"/admin/articles/{self.id}/delete", {"csrf": csrf_of(au.get("/admin").text),
                                                               "confirm": "delete"})
            self.assertEqual(r.status, 403)

            r = ed.post(f"/admin/articles/{self.id}/delete", {"csrf": token, "confirm": "delete"})
            self.assertEqual(r.status, 303)
            self.assertEqual(r.header("Location"), "/admin/bin?notice=binned")
            nowhere = {"page": False, "search": False, "feed": False, "sitemap": False}
            self.assertEqual(self.seen(anon), nowhere)
            self.assertNotIn("Zanzibar clove exports", ed.get("/admin/articles").text)
            bin_page = ed.get("/admin/bin").text
            self.assertIn("Zanzibar clove exports", bin_page)
            self.assertIn("editor@meridian.example", bin_page)
            # A binned article is not edited until restored.
            self.assertIn("This article is in the", ed.get(f"/admin/articles/{self.id}").text)
            r = ed.post(f"/admin/articles/{self.id}", {"csrf": token, "headline": "Changed", "action": "publish"})
            self.assertEqual(r.status, 409)

            # Restored as it was: published, everywhere again.
            r = ed.post(f"/admin/bin/{self.id}/restore", {"csrf": token})
            self.assertEqual(r.status, 303)
            self.assertEqual(self.seen(anon), everywhere)
            self.assertEqual(db_rows(self.data, f"SELECT status FROM articles WHERE id = {self.id}"),
                             [("published",)])
            self.assertEqual(ed.post(f"/admin/bin/{self.id}/restore", {"csrf": token}).status, 404)

            # Deleted for good: only from the bin, only with the tick.
            ed.post(f"/admin/articles/{self.id}/delete", {"csrf": token, "confirm": "delete"})
            self.assertEqual(ed.post(f"/admin/bin/{self.id}/purge", {"csrf": token}).status, 400)
            r = ed.post(f"/admin/bin/{self.id}/purge", {"csrf": token, "confirm": "delete"})
            self.assertEqual(r.status, 303)
            self.assertEqual(db_rows(self.data, f"SELECT COUNT(*) FROM articles WHERE id = {self.id}"), [(0,)])
            self.assertIn("The bin is empty", ed.get("/admin/bin").text)
            self.assertEqual(self.seen(anon), nowhere)
            self.assertTrue(anon.get("/articles/kept-story").status == 200)
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main()
