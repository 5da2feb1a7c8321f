"""End-to-end: running Meridian in production (issue "Run it in production"): metrics,
compression, backups, the version."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, run_cli  # noqa: E402

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
