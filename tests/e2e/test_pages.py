"""End-to-end: static pages. An editor writes one in the back office, readers find it at
/pages/{slug} (a child at /pages/{parent}/{slug}) and in the footer where the editor put
it; drafts stay private; bad input keeps what was typed and writes nothing; deletion asks
for a confirmation."""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, article_line, form_fields, run_cli, sign_in  # noqa: E402


class PagesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = tempfile.mkdtemp(prefix="meridian-pages-")
        path = os.path.join(cls.data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("a-story", headline="A story", published_at="2026-01-05T09:00:00Z") + "\n")
        run_cli("import", path, data=cls.data, check=True)
        run_cli("staff", "add", "--email", "editor@meridian.example", "--role", "editor",
                data=cls.data, check=True)
        cls.server = Server(data=cls.data)
        cls.editor = Reader(cls.server)
        sign_in(cls.editor, cls.data, "editor@meridian.example", "/admin")
        cls.stranger = Reader(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def write(self, fields, page="/admin/pages/new", action="/admin/pages"):
        base = {"title": "", "slug": "", "parent": "", "description": "", "body": "",
                "footer": "", "status": "draft"}
        base.update(fields)
        return self.editor.submit(page, action, base)

    def edit_path(self, r):
        self.assertEqual(r.status, 303, r.text[:500])
        return r.header("Location").split("?")[0]

    def test_a_published_page_is_public_free_and_in_the_footer(self):
        r = self.write({"title": "About the Review", "slug": "about-review",
                        "description": "Who writes the Review.",
                        "body": "We are **twelve** correspondents.\n\n<script>alert(1)</script>",
                        "footer": "2", "status": "published"})
        edit = self.edit_path(r)
        self.assertIn("Page saved.", self.editor.get(edit + "?saved=1").text)
        page = self.stranger.get("/pages/about-review")
        self.assertEqual(page.status, 200)
        self.assertIn("<h1 id=\"page-title\">About the Review</h1>", page.text)
        self.assertIn("<strong>twelve</strong>", page.text)
        self.assertNotIn("alert(1)", page.text)
        self.assertIn('<meta name="description" content="Who writes the Review.">', page.text)
        # In every page's footer, and in the sitemap.
        footer = self.stranger.get("/").text.split('aria-label="Footer"', 1)[1]
        self.assertIn('<a href="/pages/about-review">About the Review</a>', footer)
        self.assertIn("/pages/about-review</loc>", self.stranger.get("/sitemap.xml").text)
        # Listed in the back office.
        listing = self.editor.get("/admin/pages").text
        self.assertIn("<code>/pages/about-review</code>", listing)

    def test_a_draft_is_seen_only_in_the_back_office(self):
        edit = self.edit_path(self.write({"title": "Careers", "slug": "careers", "footer": "1",
                                          "body": "We are hiring."}))
        self.assertEqual(self.stranger.get("/pages/careers").status, 404)
        self.assertNotIn("/pages/careers", self.stranger.get("/").text)
        preview = self.editor.get(edit + "/preview")
        self.assertEqual(preview.status, 200)
        self.assertIn("We are hiring.", preview.text)
        self.assertIn("Draft: only staff can see this page", preview.text)
        self.assertEqual(self.stranger.get(edit + "/preview").status, 303)  # to sign in
        # Published through the same form, it is there.
        fields = {"title": "Careers", "slug": "careers", "footer": "1", "body": "We are hiring.",
                  "status": "published"}
        self.edit_path(self.write(fields, page=edit, action=edit))
        self.assertEqual(self.stranger.get("/pages/careers").status, 200)

    def test_a_child_page_lives_under_its_parent(self):
        self.edit_path(self.write({"title": "Help", "slug": "help", "status": "published",
                                   "body": "How can we help?"}))
        self.edit_path(self.write({"title": "Billing questions", "slug": "billing-questions",
                                   "parent": "help", "status": "published", "body": "Invoices."}))
        child = self.stranger.get("/pages/help/billing-questions")
        self.assertEqual(child.status, 200)
        self.assertIn('<a href="/pages/help">Help</a>', child.text)
        # Asked for alone, it answers with its one address; under another parent, 404.
        moved = self.stranger.get("/pages/billing-questions")
        self.assertEqual(moved.status, 301)
        self.assertEqual(moved.header("Location"), "/pages/help/billing-questions")
        self.assertEqual(self.stranger.get("/pages/about-review/billing-questions").status, 404)
        self.assertIn('href="/pages/help/billing-questions"', self.stranger.get("/pages/help").text)

    def test_bad_input_keeps_what_was_typed_and_writes_nothing(self):
        before = self.editor.get("/admin/pages").text.count("<tr><td>")
        r = self.write({"title": "Our Terms", "slug": "Our Terms!", "body": "Typed text stays."})
        self.assertEqual(r.status, 400)
        self.assertIn("lower-case letters", r.text)
        self.assertIn("Typed text stays.", r.text)
        self.assertIn('value="Our Terms"', r.text)
        r = self.write({"title": "", "body": "x"})
        self.assertEqual(r.status, 400)
        self.assertIn("Give the page a title.", r.text)
        r = self.write({"title": "Footer", "footer": "first"})
        self.assertEqual(r.status, 400)
        self.assertIn("footer", r.text)
        self.edit_path(self.write({"title": "Taken", "slug": "taken", "body": "one"}))
        r = self.write({"title": "Taken again", "slug": "taken", "body": "two"})
        self.assertEqual(r.status, 409)
        self.assertIn("Another page already lives at /pages/taken", r.text)
        after = self.editor.get("/admin/pages").text.count("<tr><td>")
        self.assertEqual(after, before + 1)
        self.assertEqual(self.editor.get("/admin/pages/999999").status, 404)

    def test_deleting_asks_for_a_confirmation(self):
        edit = self.edit_path(self.write({"title": "Old notice", "slug": "old-notice",
                                          "status": "published", "body": "Gone soon."}))
        delete = edit + "/delete"
        fields = form_fields(self.editor.get(edit).text, delete)
        r = self.editor.post(delete, fields)
        self.assertEqual(r.status, 400)
        self.assertIn("Yes, delete this page", r.text)
        self.assertEqual(self.stranger.get("/pages/old-notice").status, 200)
        r = self.editor.post(delete, dict(fields, confirm="yes"))
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/admin/bin?notice=binned")
        self.assertEqual(self.stranger.get("/pages/old-notice").status, 404)
        self.assertEqual(self.editor.get(edit).status, 404)
        self.assertNotIn("Old notice", self.editor.get("/admin/pages").text)
        # In the bin: restored as it was, then deleted for good.
        bin_page = self.editor.get("/admin/bin").text
        self.assertIn("Old notice", bin_page)
        page_id = edit.rsplit("/", 1)[1]
        token = fields["csrf"]
        self.assertEqual(self.editor.post(f"/admin/bin/pages/{page_id}/restore", {"csrf": token}).status, 303)
        self.assertEqual(self.stranger.get("/pages/old-notice").status, 200)
        self.editor.post(delete, dict(fields, confirm="yes"))
        self.assertEqual(self.editor.post(f"/admin/bin/pages/{page_id}/purge", {"csrf": token}).status, 400)
        r = self.editor.post(f"/admin/bin/pages/{page_id}/purge", {"csrf": token, "confirm": "delete"})
        self.assertEqual(r.status, 303)
        self.assertNotIn("Old notice", self.editor.get("/admin/bin").text)
        self.assertEqual(self.editor.post(f"/admin/bin/pages/{page_id}/restore", {"csrf": token}).status, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
