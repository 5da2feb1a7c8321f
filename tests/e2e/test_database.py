"""`meridian db status` and `[database] url`: where the schema stands without migrating
anything, on SQLite and on a real PostgreSQL server (reachable, its schema and pending
migrations), an unreachable one named without its password, a wrong URL refused, and a
PostgreSQL URL honoured by the commands that open the publication (nothing written to a
SQLite file the operator did not ask for). Runs once: it names both backends itself."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import ON_POSTGRES, Reader, Server, article_line, fresh_database, run_cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@unittest.skipIf(ON_POSTGRES, "names both backends itself; run in the e2e tier once")
class DatabaseStatusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.own_pg = None
        cls.pg_dir = os.environ.get("MERIDIAN_TEST_PG_DIR")
        if not cls.pg_dir:
            cls.own_pg = tempfile.mkdtemp(prefix="meridian-pg-e2e-")
            subprocess.run([os.path.join(ROOT, "scripts", "pg-server"), "start", cls.own_pg],
                           check=True, capture_output=True)
            cls.pg_dir = cls.own_pg

    @classmethod
    def tearDownClass(cls):
        if cls.own_pg:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-server"), "stop", cls.own_pg])

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="meridian-db-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.data = os.path.join(self.tmp, "data")

    def test_sqlite_status_reads_without_migrating(self):
        fresh = run_cli("db", "status", data=self.data)
        self.assertEqual(fresh.returncode, 0, fresh.stderr)
        self.assertIn("(not created yet)", fresh.stdout)
        self.assertIn("pending: 1 articles and taxonomy", fresh.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.data, "meridian.db")))
        run_cli("members", "list", data=self.data, check=True)  # opens (and migrates) it
        current = run_cli("db", "status", data=self.data)
        self.assertIn("(up to date)", current.stdout)
        self.assertNotIn("pending:", current.stdout)
        latest = int(current.stdout.split("schema: version ")[1].split()[0])
        db = sqlite3.connect(os.path.join(self.data, "meridian.db"))
        db.execute(f"PRAGMA user_version = {latest - 2}")
        db.commit()
        db.close()
        behind = run_cli("db", "status", data=self.data)
        self.assertIn(f"schema: version {latest - 2} of {latest}", behind.stdout)
        self.assertEqual(behind.stdout.count("pending:"), 2)
        again = run_cli("db", "status", data=self.data)  # status itself migrated nothing
        self.assertEqual(again.stdout, behind.stdout)

    def test_postgres_url_reachable_unreachable_and_wrong(self):
        url = fresh_database()
        empty = run_cli("db", "status", data=self.data, env={"MERIDIAN_DATABASE_URL": url})
        self.assertEqual(empty.returncode, 0, empty.stderr)
        self.assertIn("backend: PostgreSQL 15.", empty.stdout)
        self.assertIn("(reachable)", empty.stdout)
        self.assertIn("schema: none yet", empty.stdout)
        self.assertIn("pending: 18 the whole schema", empty.stdout)
        gone = run_cli("db", "status", data=self.data,
                       env={"MERIDIAN_DATABASE_URL": "postgresql://news:hunter2@127.0.0.1:1/news?connect_timeout=3"})
        self.assertEqual(gone.returncode, 1)
        self.assertIn("127.0.0.1:1/news", gone.stderr)
        self.assertNotIn("hunter2", gone.stderr + gone.stdout)
        wrong = run_cli("db", "status", data=self.data, env={"MERIDIAN_DATABASE_URL": "mysql://x/y"})
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("must be a PostgreSQL URI", wrong.stderr)
        # The file setting too: a command opens the publication there (migrating it), and
        # writes nothing to a SQLite file.
        os.makedirs(self.data)
        with open(os.path.join(self.data, "meridian.toml"), "w") as f:
            f.write(f'[database]\nurl = "{url}"\n')
        run_cli("members", "import", "-", data=self.data, check=True,
                input="email,name\npg@example.org,On Postgres\n")
        listed = run_cli("members", "list", data=self.data, check=True)
        self.assertIn("pg@example.org", listed.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.data, "meridian.db")))
        status = run_cli("db", "status", data=self.data)
        self.assertIn("(reachable)", status.stdout)
        self.assertRegex(status.stdout, r"schema: version (\d+) of \1 \(up to date\)")
        # Another folder naming the same database sees the same publication.
        other = os.path.join(self.tmp, "other")
        os.makedirs(other)
        with open(os.path.join(other, "meridian.toml"), "w") as f:
            f.write(f'[database]\nurl = "{url}"\n')
        self.assertIn("pg@example.org", run_cli("members", "list", data=other, check=True).stdout)


    def test_a_database_outage_answers_503_and_the_node_reconnects(self):
        own = tempfile.mkdtemp(prefix="meridian-pg-outage-")
        script = os.path.join(ROOT, "scripts", "pg-server")
        url = subprocess.run([script, "start", own], check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
        self.addCleanup(subprocess.run, [script, "stop", own], capture_output=True)
        server = Server(demo=True, env={"MERIDIAN_DATABASE_URL": url})
        try:
            self.assertEqual(server.get("/").status, 200)
            self.assertEqual(server.get("/search?q=energy").status, 200)
            subprocess.run([script, "pause", own], check=True)
            for path in ("/", "/search?q=trade", "/api/v1/search?q=oil", "/healthz"):
                r = server.get(path)
                self.assertEqual(r.status, 503, path)
                self.assertEqual(r.header("Retry-After"), "5")
            self.assertIn("Back in a moment", server.get("/").text)
            self.assertEqual(server.proc.poll(), None)  # still running
            subprocess.run([script, "resume", own], check=True)
            statuses = [server.get(p).status for p in ("/", "/search?q=trade", "/healthz") * 2]
            self.assertEqual(statuses, [200] * 6)
        finally:
            server.stop()

    def test_copy_moves_a_publication_into_postgresql(self):
        os.makedirs(self.data)
        path = os.path.join(self.tmp, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(article_line(f"moved-{i}", headline=f"Moved story {i}",
                                            dek="Monsoon grain corridors") for i in range(3)) + "\n")
        run_cli("import", path, data=self.data, check=True)
        run_cli("members", "import", "-", data=self.data, check=True,
                input="email,name\nkept@example.org,Kept\n")
        server = Server(data=self.data)
        try:
            reader = Reader(server)
            r = reader.submit("/articles/moved-1", "/register", {"email": "reader@example.org"})
            self.assertEqual(r.status, 303)
            self.assertIn("reader@example.org", reader.get("/account").text)
        finally:
            server.stop()
        url = fresh_database()
        wrong = run_cli("db", "copy", "--to", "mysql://x/y", data=self.data)
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("must be a PostgreSQL URI", wrong.stderr)
        copied = run_cli("db", "copy", "--to", url, data=self.data)
        self.assertEqual(copied.returncode, 0, copied.stderr)
        self.assertRegex(copied.stdout, r"(?m)^articles\s+3$")
        self.assertRegex(copied.stdout, r"(?m)^members\s+2$")
        self.assertRegex(copied.stdout, r"(?m)^sessions\s+1$")
        self.assertIn("each count checked", copied.stdout)
        again = run_cli("db", "copy", "--to", url, data=self.data)
        self.assertEqual(again.returncode, 1)
        self.assertIn("already holds a publication", again.stderr)
        # Served from PostgreSQL: the reader is still signed in, search finds the articles,
        # and new rows get ids after the copied ones.
        pg = {"MERIDIAN_DATABASE_URL": url}
        run_cli("members", "import", "-", data=self.data, env=pg, check=True,
                input="email,name\nnew@example.org,New\n")
        server = Server(data=self.data, env=pg)
        try:
            reader.server = server
            self.assertIn("reader@example.org", reader.get("/account").text)
            found = server.get("/api/v1/search?q=monsoon+grain").json()
            self.assertEqual(found["total"], 3)
            self.assertIn("Moved story 2", server.get("/articles/moved-2").text)
        finally:
            server.stop()
        listed = run_cli("members", "list", data=self.data, env=pg, check=True).stdout
        for email in ("kept@example.org", "reader@example.org", "new@example.org"):
            self.assertIn(email, listed)
        # No source, no copy.
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty)
        missing = run_cli("db", "copy", "--to", fresh_database(), data=empty)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("there is no publication to copy", missing.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
