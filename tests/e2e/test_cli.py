"""End-to-end: the meridian command line (import, export, serve options, config)."""
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import ON_POSTGRES, Reader, Server, article_line, form_fields, run_cli  # noqa: E402


class CliTest(unittest.TestCase):
    def setUp(self):
        self.data = tempfile.mkdtemp(prefix="meridian-cli-")
        self.addCleanup(shutil.rmtree, self.data, True)

    def write(self, name, text):
        path = os.path.join(self.data, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def export(self):
        return run_cli("export", data=self.data, check=True).stdout

    @unittest.skipIf(ON_POSTGRES, "SQLite's user_version; PostgresStore.AFailedMigrationChangesNothingAndSaysWhy")
    def test_a_failed_migration_leaves_the_schema_as_it_was_and_says_why(self):
        import sqlite3
        run_cli("members", "list", data=self.data, check=True)  # creates the database
        db = sqlite3.connect(os.path.join(self.data, "meridian.db"))
        latest = db.execute("PRAGMA user_version").fetchone()[0]
        # As if the last migration had not run, but its table were somehow there already.
        db.execute(f"PRAGMA user_version = {latest - 1}")
        db.commit()
        db.close()
        r = run_cli("members", "list", data=self.data)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, rf"migration {latest} \(.+\) failed; the schema stays at version {latest - 1}")
        db = sqlite3.connect(os.path.join(self.data, "meridian.db"))
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], latest - 1)
        db.close()

    def test_version_is_one_line(self):
        r = run_cli("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^meridian \d+\.\d+\.\d+\+git\.[0-9a-f]+(-dirty)?\n$")
        server = Server(data=self.data)
        try:
            self.assertEqual(server.get("/healthz").json()["version"], r.stdout.split()[1])
        finally:
            server.stop()

    def test_first_admin_without_mail_signs_in_with_a_printed_link(self):
        r = run_cli("staff", "add", "--email", "Chief@Example.org", "--role", "admin", "--link",
                    data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        link = r.stdout.strip().splitlines()[-1]
        self.assertRegex(link, r"^http://[^/]+/signin/confirm\?token=[A-Za-z0-9_-]{43}$")
        server = Server(data=self.data)
        try:
            path = link[link.index("/signin/confirm"):]
            me = Reader(server)
            page = me.get(path)
            r2 = me.post("/signin/confirm", form_fields(page.text, "/signin/confirm"))
            self.assertEqual(r2.status, 303)
            self.assertEqual(r2.header("Location"), "/admin")
            self.assertEqual(me.get("/admin").status, 200)
            # Once only.
            other = Reader(server)
            page = other.get(path)
            fields = form_fields(page.text, "/signin/confirm")
            if fields is not None:
                self.assertNotEqual(other.post("/signin/confirm", fields).status, 303)
            self.assertNotIn("meridian_session", other.cookies)
        finally:
            server.stop()
        again = run_cli("signin-link", "--email", "chief@example.org", data=self.data)
        self.assertEqual(again.returncode, 0)
        self.assertIn("/signin/confirm?token=", again.stdout)
        missing = run_cli("signin-link", "--email", "nobody@example.org", data=self.data)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no account has the address nobody@example.org", missing.stderr)

    def test_import_then_export_round_trips(self):
        good = self.write("good.jsonl", "\n".join(article_line(f"s-{i}") for i in range(3)) + "\n")
        r = run_cli("import", good, data=self.data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("imported 3 articles", r.stdout)
        exported = self.export().splitlines()
        self.assertEqual(len(exported), 3)
        self.assertEqual({json.loads(l)["slug"] for l in exported}, {"s-0", "s-1", "s-2"})
        # Exported text imports again as pure updates.
        again = self.write("again.jsonl", "\n".join(exported) + "\n")
        r = run_cli("import", again, data=self.data, check=True)
        self.assertIn("(0 new, 3 updated)", r.stdout)
        # Export to a file gives the same bytes.
        out = os.path.join(self.data, "out.jsonl")
        run_cli("export", out, data=self.data, check=True)
        with open(out) as f:
            self.assertEqual(f.read().splitlines(), exported)

    def test_bad_file_names_the_line_and_imports_nothing(self):
        run_cli("import", self.write("seed.jsonl", article_line("seed") + "\n"), data=self.data, check=True)
        before = self.export()
        bad = self.write("bad.jsonl", article_line("new-a") + "\n" + article_line("new-b") + "\n"
                         + '{"headline": "no body", "published_at": "2025-01-01T00:00:00Z"}\n')
        r = run_cli("import", bad, data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("line 3", r.stderr)
        self.assertIn("missing field 'body'", r.stderr)
        self.assertIn("nothing imported", r.stderr)
        self.assertEqual(self.export(), before)
        r = run_cli("import", self.write("bad2.jsonl", article_line("x", access="secret") + "\n"), data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("line 1: field 'access'", r.stderr)
        self.assertEqual(self.export(), before)

    def test_missing_file_is_a_clear_error(self):
        r = run_cli("import", "/nonexistent/file.jsonl", data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot read /nonexistent/file.jsonl", r.stderr)

    def test_a_port_already_taken_is_refused_naming_it(self):
        # The request threads share their port (SO_REUSEPORT); nobody else may.
        import socket
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        self.addCleanup(taken.close)
        port = taken.getsockname()[1]
        first = Server(data=self.data)
        self.addCleanup(first.stop)
        for listen in (f"127.0.0.1:{port}", f"127.0.0.1:{first.port}"):
            r = run_cli("serve", "--listen", listen, data=self.data)
            self.assertEqual(r.returncode, 1, listen)
            self.assertIn(f"cannot listen on {listen}", r.stderr)
            self.assertIn("Address already in use", r.stderr)
        r = run_cli("serve", "--listen", "no-such-host:8080", data=self.data)
        self.assertEqual(r.returncode, 1)
        self.assertIn("give a numeric address, or localhost", r.stderr)
        self.assertEqual(first.get("/healthz").status, 200)  # the first server carries on

    def test_data_option_anywhere_and_from_environment(self):
        f = self.write("one.jsonl", article_line("one") + "\n")
        self.assertEqual(run_cli("import", "--data", self.data, f).returncode, 0)
        self.assertEqual(run_cli("--data", self.data, "import", f).returncode, 0)
        r = run_cli("export", env={"MERIDIAN_DATA": self.data})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"slug":"one"', r.stdout)

    def test_unknown_command_and_options_fail(self):
        self.assertNotEqual(run_cli("frobnicate").returncode, 0)
        self.assertNotEqual(run_cli("import", data=self.data).returncode, 0)
        r = run_cli("serve", "--listen", "nonsense:port", data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("invalid listen address", r.stderr)

    def test_config_file_and_environment(self):
        self.write("meridian.toml", '[site]\nname = "The Ledger"\nurl = "https://ledger.example/"\n'
                                    'timezone = "Asia/Tokyo"\n')
        run_cli("import", self.write("a.jsonl", article_line("late", published_at="2025-02-28T16:00:00Z") + "\n"),
                data=self.data, check=True)
        s = Server(data=self.data)
        try:
            home = s.get("/").text
            self.assertIn("<title>The Ledger", home)
            self.assertIn('<link rel="canonical" href="https://ledger.example/">', home)
            # 16:00 UTC on 28 February is 1 March in Tokyo.
            self.assertIn("1 March 2025", s.get("/articles/late").text)
            self.assertEqual(s.get("/archive/2025/03").status, 200)
        finally:
            s.stop()
        s = Server(data=self.data, env={"MERIDIAN_SITE_NAME": "Env Name"})
        try:
            self.assertIn("<title>Env Name", s.get("/").text)
        finally:
            s.stop()

    def test_sighup_reloads_the_configuration_and_keeps_serving(self):
        self.write("meridian.toml", '[site]\nname = "Before"\n')
        s = Server(data=self.data)
        try:
            self.assertIn("<title>Before", s.get("/").text)
            self.write("meridian.toml", '[site]\nname = "After"\n')
            s.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while "<title>After" not in s.get("/").text and time.time() < deadline:
                time.sleep(0.05)
            self.assertIn("<title>After", s.get("/").text)
            # A broken file on reload keeps the running configuration.
            self.write("meridian.toml", "[site\n")
            s.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while "reload failed" not in s.output() and time.time() < deadline:
                time.sleep(0.05)
            self.assertIn("reload failed", s.output())
            self.assertIn("<title>After", s.get("/").text)
        finally:
            self.assertEqual(s.stop(), 0)

    def test_bad_config_stops_start_up_with_a_message(self):
        self.write("meridian.toml", "[site\n")
        r = run_cli("serve", "--listen", "127.0.0.1:1", data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("meridian.toml", r.stderr)
        self.write("meridian.toml", '[site]\ntimezone = "Nowhere/Else"\n')
        r = run_cli("serve", data=self.data)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unknown time zone", r.stderr)

    def test_demo_publication_and_graceful_stop(self):
        s = Server(demo=True, data=self.data)
        try:
            health = s.get("/healthz").json()
            self.assertGreaterEqual(health["articles"], 300)
            self.assertEqual(len(s.get("/api/v1/articles?per_page=100").json()["results"]), 100)
            def listed(path):  # entries in the page's term list, not the navigation
                return s.get(path).text.split('class="term-list"', 1)[1].count(f'href="{path}/')
            self.assertGreaterEqual(listed("/topics"), 12)
            self.assertGreaterEqual(listed("/countries"), 30)
            self.assertGreaterEqual(listed("/authors"), 15)
            # The demo's own pages, in the footer in their order, free to read.
            footer = s.get("/").text.split('aria-label="Footer"', 1)[1]
            links = [footer.index(f'href="/pages/{p}"') for p in ("about", "contact", "privacy", "terms")]
            self.assertEqual(links, sorted(links))
            self.assertIn("We keep the least we can.", s.get("/pages/privacy").text)
        finally:
            self.assertEqual(s.stop(), 0)
        self.assertIn("meridian: stopped", open(s.log_path).read())
        # A second --demo start keeps the existing content (no duplicates).
        s = Server(demo=True, data=self.data)
        try:
            self.assertEqual(s.get("/healthz").json()["articles"], health["articles"])
        finally:
            s.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
