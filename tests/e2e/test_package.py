"""End-to-end: the Debian package (scripts/package), installed into a throw-away root with
dpkg --root — never on this machine — then its files, its systemd unit and its binary."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = subprocess.run([os.path.join(REPO, "scripts", "package")], capture_output=True,
                           text=True, timeout=1200, cwd=REPO)
        if r.returncode != 0:
            raise AssertionError("scripts/package failed:\n" + r.stderr[-4000:])
        cls.deb = r.stdout.strip().splitlines()[-1]
        cls.lintian = r.stderr
        cls.root = tempfile.mkdtemp(prefix="meridian-deb-root-")
        os.makedirs(os.path.join(cls.root, "var/lib/dpkg/updates"))
        os.makedirs(os.path.join(cls.root, "var/lib/dpkg/info"))
        open(os.path.join(cls.root, "var/lib/dpkg/status"), "w").close()
        # Maintainer scripts run outside a chroot but see DPKG_ROOT, and then touch nothing.
        cls.install = subprocess.run(
            ["dpkg", f"--root={cls.root}", "--force-not-root", "--force-script-chrootless",
             "--force-depends", "--log=/dev/null", "-i", cls.deb],
            capture_output=True, text=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def test_the_package_is_lintian_clean_and_installs(self):
        self.assertTrue(self.deb.endswith(".deb") and os.path.isfile(self.deb), self.deb)
        self.assertNotRegex(self.lintian, r"(?m)^E: ")
        self.assertEqual(self.install.returncode, 0, self.install.stderr)
        with open(self.path("/var/lib/dpkg/status")) as f:
            status = f.read()
        self.assertIn("Package: meridian\nStatus: install ok installed", status)
        self.assertIn("/etc/meridian/meridian.toml", status)  # a conffile
        info = subprocess.run(["dpkg-deb", "--field", self.deb, "Depends"], capture_output=True,
                              text=True, check=True).stdout
        for lib in ("libsqlite3-0", "libsodium23", "libcurl4", "libc6", "adduser"):
            self.assertIn(lib, info)

    def test_files_unit_and_man_page(self):
        for f in ("/usr/bin/meridian", "/lib/systemd/system/meridian.service",
                  "/etc/meridian/meridian.toml", "/usr/share/man/man1/meridian.1.gz",
                  "/usr/share/doc/meridian/copyright", "/usr/share/doc/meridian/changelog.gz",
                  "/usr/share/doc/meridian/billing.md"):
            self.assertTrue(os.path.isfile(self.path(f)), f)
        self.assertTrue(os.access(self.path("/usr/bin/meridian"), os.X_OK))
        unit = open(self.path("/lib/systemd/system/meridian.service")).read()
        for line in ("User=meridian", "StateDirectory=meridian", "ConfigurationDirectory=meridian",
                     "ProtectSystem=strict", "NoNewPrivileges=true", "PrivateTmp=true",
                     "Restart=on-failure", "ExecStart=/usr/bin/meridian serve --data /var/lib/meridian",
                     "Environment=MERIDIAN_CONFIG=/etc/meridian/meridian.toml"):
            self.assertIn(line, unit)
        # systemd's own check, with the binary where this root has it.
        tmp = tempfile.mkdtemp(prefix="meridian-unit-")
        try:
            copy = os.path.join(tmp, "meridian.service")
            with open(copy, "w") as f:
                f.write(unit.replace("/usr/bin/meridian", self.path("/usr/bin/meridian")))
            v = subprocess.run(["systemd-analyze", "verify", "--man=no", copy], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        man = subprocess.run(["zcat", self.path("/usr/share/man/man1/meridian.1.gz")],
                             capture_output=True, text=True, check=True).stdout
        self.assertIn("backup", man)  # generated from the CLI's help: every command
        self.assertIn("billing", man)

    def test_the_installed_binary_serves_with_the_packaged_configuration(self):
        binary = self.path("/usr/bin/meridian")
        v = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
        self.assertRegex(v.stdout, r"^meridian \d+\.\d+\.\d+")
        data = tempfile.mkdtemp(prefix="meridian-deb-data-")
        env = {"MERIDIAN_BIN": binary, "MERIDIAN_CONFIG": self.path("/etc/meridian/meridian.toml")}
        try:
            import harness
            old = harness.BIN
            harness.BIN = binary
            try:
                server = Server(data=data, demo=True, env=env)
                try:
                    self.assertEqual(server.get("/healthz").json()["version"], v.stdout.split()[1])
                    self.assertEqual(server.get("/").status, 200)
                finally:
                    server.stop()
            finally:
                harness.BIN = old
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
