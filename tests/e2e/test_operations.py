"""End-to-end: running Meridian in production (issue "Run it in production"): metrics,
compression, backups, the version."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ON_POSTGRES, Reader, Server, form_fields, run_cli  # noqa: E402

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


@unittest.skipIf(ON_POSTGRES, "a publication on PostgreSQL is backed up with pg_dump")
class BackupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="meridian-backup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.data = os.path.join(self.tmp, "data")
        os.makedirs(os.path.join(self.data, "media"))
        with open(os.path.join(self.data, "meridian.toml"), "w") as f:
            f.write('[site]\nname = "The Backup Review"\n')
        with open(os.path.join(self.data, "media", "hero-1.jpg"), "wb") as f:
            f.write(os.urandom(50000))
        self.server = Server(demo=True, data=self.data)
        self.addCleanup(self.server.stop)

    def tables(self, data):
        import sqlite3
        db = sqlite3.connect(os.path.join(data, "meridian.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search%' ORDER BY name")]
        out = {n: sorted(map(repr, db.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
        db.close()
        return out

    def test_backup_while_serving_then_restore_gives_the_same_publication(self):
        run_cli("members", "import", "-", data=self.data, check=True,
                input="email,name\nkept@example.org,Kept Reader\n")
        # The server's webhook loop notes the new member (its cursor moves): wait for it,
        # so the publication does not change between the backup and the comparison.
        import sqlite3
        deadline = time.time() + 10
        while time.time() < deadline:
            db = sqlite3.connect(os.path.join(self.data, "meridian.db"))
            row = db.execute("SELECT (SELECT value FROM webhook_cursors WHERE name = 'members'), "
                             "(SELECT MAX(id) FROM members)").fetchone()
            db.close()
            if row[0] == row[1]:
                break
            time.sleep(0.1)
        archive = os.path.join(self.tmp, "backup.tar.gz")
        r = run_cli("backup", archive, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        new = os.path.join(self.tmp, "restored")
        r = run_cli("restore", archive, data=new)
        self.assertEqual(r.returncode, 0, r.stderr)
        for command in (["export"], ["members", "export"]):
            a = run_cli(*command, data=self.data, check=True).stdout
            b = run_cli(*command, data=new, check=True).stdout
            self.assertEqual(a, b, command)
        self.assertEqual(self.tables(self.data), self.tables(new))
        with open(os.path.join(self.data, "media", "hero-1.jpg"), "rb") as f1, \
                open(os.path.join(new, "media", "hero-1.jpg"), "rb") as f2:
            self.assertEqual(f1.read(), f2.read())
        with open(os.path.join(new, "meridian.toml")) as f:
            self.assertIn("The Backup Review", f.read())
        restored = Server(data=new)
        try:
            self.assertIn("The Backup Review", restored.get("/").text)
        finally:
            restored.stop()

    def test_backup_under_write_load_is_consistent(self):
        import threading
        stop = threading.Event()
        written = []

        def register():
            i = 0
            while not stop.is_set():
                i += 1
                email = f"load-{i}@example.org"
                run_cli("members", "import", "-", data=self.data, input=f"email,name\n{email},\n")
                written.append(email)

        writer = threading.Thread(target=register)
        writer.start()
        try:
            archives = []
            for n in range(3):
                archive = os.path.join(self.tmp, f"load-{n}.tar")
                r = run_cli("backup", archive, data=self.data)
                self.assertEqual(r.returncode, 0, r.stderr)
                archives.append(archive)
        finally:
            stop.set()
            writer.join()
        self.assertGreater(len(written), 0)
        for n, archive in enumerate(archives):
            new = os.path.join(self.tmp, f"restored-{n}")
            r = run_cli("restore", archive, data=new)
            self.assertEqual(r.returncode, 0, r.stderr)
            tables = self.tables(new)  # integrity_check inside
            members = run_cli("members", "list", data=new, check=True).stdout
            # A snapshot: every member it holds exists in the live publication too.
            live = run_cli("members", "list", data=self.data, check=True).stdout
            for line in members.splitlines():
                if "@" in line:
                    self.assertIn(line.split()[0], live)
            self.assertIn("articles", tables)

    def test_damaged_or_hostile_archives_are_refused_and_nothing_is_written(self):
        archive = os.path.join(self.tmp, "good.tar")
        self.assertEqual(run_cli("backup", archive, data=self.data).returncode, 0)
        with open(archive, "rb") as f:
            good = bytearray(f.read())
        damaged = os.path.join(self.tmp, "damaged.tar")
        bad = bytearray(good)
        bad[4096] ^= 0xFF  # inside the database's bytes
        with open(damaged, "wb") as f:
            f.write(bad)
        target = os.path.join(self.tmp, "never")
        r = run_cli("restore", damaged, data=target)
        self.assertEqual(r.returncode, 1)
        self.assertIn("checksum", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(target, "meridian.db")))
        # An entry that would escape the folder.
        import io
        import tarfile
        hostile = os.path.join(self.tmp, "hostile.tar")
        with tarfile.open(hostile, "w", format=tarfile.USTAR_FORMAT) as t:
            info = tarfile.TarInfo("../escaped.txt")
            info.size = 4
            t.addfile(info, io.BytesIO(b"oops"))
        r = run_cli("restore", hostile, data=os.path.join(self.tmp, "never2"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("refusing the entry name ../escaped.txt", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "escaped.txt")))
        # Not empty: refused.
        r = run_cli("restore", archive, data=self.data)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not empty", r.stderr)
        r = run_cli("restore", os.path.join(self.tmp, "missing.tar"), data=os.path.join(self.tmp, "x"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot open", r.stderr)


class ExportAllTest(unittest.TestCase):
    def test_the_whole_publication_round_trips(self):
        import json
        tmp = tempfile.mkdtemp(prefix="meridian-export-")
        self.addCleanup(shutil.rmtree, tmp, True)
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        server = Server(demo=True, data=a)
        server.stop()
        run_cli("members", "import", "-", data=a, check=True, input="email,name\nr1@example.org,Reader One\n")
        run_cli("members", "grant", "--email", "sub@example.org", "--until", "2099-01-01", data=a, check=True)
        run_cli("staff", "add", "--email", "ed@example.org", "--role", "editor", data=a, check=True)
        out = os.path.join(tmp, "all.json")
        r = run_cli("export", "--all", out, data=a)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            doc = json.load(f)
        self.assertEqual(doc["format"], "meridian-publication")
        self.assertEqual(len(doc["members"]), 3)
        self.assertGreater(len(doc["articles"]), 100)
        self.assertIn("Energy", doc["topics"])
        self.assertNotIn("password", json.dumps(doc["members"]))
        r = run_cli("import", out, data=b)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("3 members", r.stdout)
        # The demo's static pages come across whole, footer places included.
        self.assertEqual([p["slug"] for p in doc["pages"]], ["about", "contact", "privacy", "terms"])
        self.assertIn("4 pages", r.stdout)
        again = os.path.join(tmp, "again.json")
        run_cli("export", "--all", again, data=b, check=True)
        with open(again) as f:
            self.assertEqual(json.load(f)["pages"], doc["pages"])
        for command in (["export"], ["members", "export"]):
            self.assertEqual(run_cli(*command, data=a, check=True).stdout,
                             run_cli(*command, data=b, check=True).stdout, command)
        # A damaged export is refused whole: nothing imported.
        doc["members"].append({"email": "not an address"})
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump({"format": doc["format"], **{k: v for k, v in doc.items() if k != "format"}}, f)
        c = os.path.join(tmp, "c")
        r = run_cli("import", bad, data=c)
        self.assertEqual(r.returncode, 1)
        self.assertIn("members: an entry without a valid email", r.stderr)
        self.assertIn("0 members", run_cli("members", "list", data=c, check=True).stdout)
        doc["members"].pop()
        doc["redirects"] = [{"from": "no-slash", "to": "/articles/x"}]
        with open(bad, "w") as f:
            json.dump(doc, f)
        r = run_cli("import", bad, data=c)
        self.assertEqual(r.returncode, 1)
        self.assertIn("redirects: no-slash: The old address must be a path", r.stderr)
        self.assertIn("0 members", run_cli("members", "list", data=c, check=True).stdout)


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
