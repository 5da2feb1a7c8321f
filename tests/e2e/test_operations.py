"""End-to-end: running Meridian in production (issue "Run it in production"): metrics,
compression, backups, the version."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, form_fields, run_cli  # noqa: E402

TOKEN = "metrics-token-0123456789"


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(demo=True, env={"MERIDIAN_METRICS_TOKEN": TOKEN})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def scrape(self, token=TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.server.get("/metrics", headers)

    def test_metrics_need_the_token(self):
        self.assertEqual(self.scrape(None).status, 404)
        self.assertEqual(self.scrape("wrong-token-0123456789").status, 404)
        self.assertEqual(self.scrape(TOKEN + "x").status, 404)
        page = self.scrape(None).text
        self.assertIn("Page not found", page)  # like any missing page

    def test_prometheus_text_that_promtool_accepts(self):
        reader = Reader(self.server)
        for path in ("/", "/", "/search?q=energy", "/api/v1/search?q=oil", "/no-such-page"):
            reader.get(path)
        r = self.scrape()
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/plain; version=0.0.4"))
        text = r.text
        self.assertIn("# TYPE meridian_http_requests_total counter", text)
        self.assertRegex(text, r'meridian_http_requests_total\{route="/",method="GET",status="200"\} [2-9]')
        self.assertIn('route="unmatched",method="GET",status="404"', text)
        self.assertIn('meridian_page_cache_requests_total{cache="shared",result="hit"}', text)
        self.assertRegex(text, r"meridian_search_duration_seconds_count [2-9]")
        self.assertIn("meridian_mail_queue_messages", text)
        self.assertRegex(text, r"meridian_process_resident_memory_bytes \d+")
        self.assertRegex(text, r"meridian_db_statements_total [1-9]")
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool missing: run scripts/test (installs prometheus)")
        check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                               text=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


class CompressionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(demo=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def fetch(self, path, encoding, headers=None):
        h = dict(headers or {})
        if encoding is not None:
            h["Accept-Encoding"] = encoding
        return self.server.get(path, h)

    def decoded(self, r):
        coding = r.header("Content-Encoding")
        if coding == "gzip":
            return gzip.decompress(r.body)
        if coding == "br":
            import brotli
            return brotli.decompress(r.body)
        self.assertIsNone(coding)
        return r.body

    def test_pages_feeds_and_static_files_travel_compressed(self):
        css = re.search(r'href="(/static/site\.css[^"]*)"', self.fetch("/", None).text).group(1)
        for path in ("/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/api/v1/articles", css):
            plain = self.fetch(path, None)
            self.assertEqual(plain.status, 200, path)
            self.assertIsNone(plain.header("Content-Encoding"), path)
            for coding in ("gzip", "br"):
                r = self.fetch(path, coding)
                self.assertEqual(r.header("Content-Encoding"), coding, path)
                self.assertIn("Accept-Encoding", r.header("Vary"), path)
                self.assertEqual(self.decoded(r), plain.body, f"{path} {coding}")
                self.assertLess(len(r.body), len(plain.body) / 2, f"{path} {coding}")
                self.assertEqual(int(r.header("Content-Length")), len(r.body))
        # Both accepted: brotli; quality zero refuses.
        self.assertEqual(self.fetch("/", "gzip, deflate, br").header("Content-Encoding"), "br")
        self.assertIsNone(self.fetch("/", "gzip;q=0").header("Content-Encoding"))
        head = self.server.request("HEAD", "/", {"Accept-Encoding": "gzip"})
        self.assertEqual(head.header("Content-Encoding"), "gzip")
        self.assertEqual(int(head.header("Content-Length")), len(self.fetch("/", "gzip").body))

    def test_conditional_requests_per_coding(self):
        r = self.fetch("/", "gzip")
        etag = r.header("ETag")
        self.assertTrue(etag.endswith('-gz"'), etag)
        again = self.fetch("/", "gzip", {"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        self.assertEqual(again.header("ETag"), etag)
        plain_etag = self.fetch("/", None).header("ETag")
        self.assertNotEqual(plain_etag, etag)
        self.assertEqual(self.fetch("/", None, {"If-None-Match": plain_etag}).status, 304)
        # If-Modified-Since: as new as the page → 304; older → the page.
        lm = r.header("Last-Modified")
        self.assertIsNotNone(lm)
        self.assertEqual(self.fetch("/feed.xml", "gzip", {"If-Modified-Since": lm}).status, 304)
        self.assertEqual(self.fetch("/", "gzip", {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status, 200)
        self.assertEqual(self.fetch("/", "gzip", {"If-Modified-Since": "not a date"}).status, 200)

    def test_pages_with_a_csrf_token_are_compressed_with_the_readers_own_token(self):
        reader = Reader(self.server)
        slug = None
        for link in re.findall(r'href="(/articles/[^"]+)"', reader.get("/archive").text + reader.get("/").text):
            if 'action="/register"' in reader.get(link).text:
                slug = link
                break
        self.assertIsNotNone(slug, "no metered article in the demo")
        r = reader.get(slug, {"Accept-Encoding": "gzip, br"})
        self.assertEqual(r.header("Content-Encoding"), "gzip")  # spliced pages go as gzip
        self.assertIn("private", r.header("Cache-Control"))
        html = gzip.decompress(r.body).decode()
        self.assertNotIn("__MERIDIAN_CSRF__", html)
        fields = form_fields(html, "/register")
        # The token in the compressed page is this browser's: registering with it works.
        done = reader.post("/register", {**fields, "email": "compressed-reader@example.org"})
        self.assertEqual(done.status, 303, done.text[:300])
        self.assertIn("meridian_session", reader.cookies)


class WithoutMetricsToken(unittest.TestCase):
    def test_no_token_configured_means_404(self):
        server = Server()
        try:
            self.assertEqual(server.get("/metrics", {"Authorization": "Bearer anything-at-all-123"}).status, 404)
        finally:
            server.stop()

    def test_a_short_token_stops_start_up(self):
        data = tempfile.mkdtemp(prefix="meridian-ops-")
        try:
            r = run_cli("members", "list", data=data, env={"MERIDIAN_METRICS_TOKEN": "short"})
            self.assertEqual(r.returncode, 1)
            self.assertIn("[metrics] token must be at least 16 characters", r.stderr)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
