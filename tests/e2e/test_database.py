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

from harness import ON_POSTGRES, fresh_database, run_cli

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
        self.assertIn("pending: 18 ", empty.stdout)
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
        self.assertIn("schema: version 18 of 18 (up to date)", status.stdout)
        # Another folder naming the same database sees the same publication.
        other = os.path.join(self.tmp, "other")
        os.makedirs(other)
        with open(os.path.join(other, "meridian.toml"), "w") as f:
            f.write(f'[database]\nurl = "{url}"\n')
        self.assertIn("pg@example.org", run_cli("members", "list", data=other, check=True).stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
