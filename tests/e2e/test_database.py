"""`meridian db status` and `[database] url`: where the schema stands without migrating
anything, a real PostgreSQL server reported reachable, an unreachable one named without
its password, and a PostgreSQL URL refused (never silently replaced by SQLite) by the
commands that would open the publication."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import run_cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
        url = f"postgresql://postgres@/meridian?host={self.pg_dir}"
        ok = run_cli("db", "status", data=self.data, env={"MERIDIAN_DATABASE_URL": url})
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("backend: PostgreSQL 15.", ok.stdout)
        self.assertIn("(reachable)", ok.stdout)
        gone = run_cli("db", "status", data=self.data,
                       env={"MERIDIAN_DATABASE_URL": "postgresql://news:hunter2@127.0.0.1:1/news?connect_timeout=3"})
        self.assertEqual(gone.returncode, 1)
        self.assertIn("127.0.0.1:1/news", gone.stderr)
        self.assertNotIn("hunter2", gone.stderr + gone.stdout)
        wrong = run_cli("db", "status", data=self.data, env={"MERIDIAN_DATABASE_URL": "mysql://x/y"})
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("must be a PostgreSQL URI", wrong.stderr)
        # The file setting too, and a command that would open the publication refuses it
        # rather than writing to a SQLite file the operator did not ask for.
        os.makedirs(self.data)
        with open(os.path.join(self.data, "meridian.toml"), "w") as f:
            f.write(f'[database]\nurl = "{url}"\n')
        refused = run_cli("members", "list", data=self.data)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("[database] url", refused.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.data, "meridian.db")))
        self.assertIn("(reachable)", run_cli("db", "status", data=self.data).stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
