"""End-to-end: account mail and newsletters through a mail server that requires TLS and
authentication (issue 14, finding 14): STARTTLS with AUTH on a submission-style port,
implicit TLS (smtps://), certificates always verified ([mail] ca_file trusts a private
CA), and account mail that fails for good kept, shown in /admin and sent again once the
configuration changes."""
import os
import signal
import sqlite3
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import db_rows, database_env  # noqa: E402
from harness import (Reader, Server, TlsSink, article_line, link_in_mail, make_test_ca,  # noqa: E402
                     run_cli, sign_in)

USER, PASSWORD = "meridian", "s3cret pass"


def publication(toml):
    data = tempfile.mkdtemp(prefix="meridian-tls-")
    path = os.path.join(data, "a.jsonl")
    with open(path, "w") as f:
        f.write(article_line("m-1", published_at="2026-03-01T09:00:00Z") + "\n")
    run_cli("import", path, data=data, check=True)
    write_toml(data, toml)
    return data


def write_toml(data, toml):
    with open(os.path.join(data, "meridian.toml"), "w") as f:
        f.write(toml)


def smtp_url(scheme, port, password=PASSWORD):
    return f"{scheme}://{USER}:{urllib.parse.quote(password, safe='')}@127.0.0.1:{port}"


def wait_for_queue(data, predicate, seconds=20):
    """Polls the account-mail queue until predicate(rows) holds (a definite event)."""
    deadline = time.time() + seconds
    rows = []
    while time.time() < deadline:
        rows = db_rows(data, "SELECT attempts, last_error, failed_config FROM mail_queue")
        if predicate(rows):
            return rows
        time.sleep(0.1)
    raise AssertionError(f"queue never reached the expected state: {rows}")


class MailOverTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="meridian-ca-")
        cls.ca, cls.cert, cls.key = make_test_ca(cls.certs)

    def register(self, server, email):
        r = Reader(server).submit("/articles/m-1", "/register", {"email": email})
        self.assertEqual(r.status, 303)

    def test_starttls_and_auth_deliver_the_verification_mail(self):
        # The contract: [mail] smtp = "smtp://USER:PASS@127.0.0.1:PORT" and ca_file naming
        # the CA of a server that requires STARTTLS and AUTH.
        sink = TlsSink("starttls", self.cert, self.key)
        data = publication(f'[mail]\nsmtp = "{smtp_url("smtp", sink.port)}"\nca_file = "{self.ca}"\n')
        server = Server(data=data)
        try:
            self.register(server, "tls.reader@example.org")
            self.assertEqual(sink.wait_for(1, seconds=20), 1)
            body = sink.received()["tls.reader@example.org"][0].get_body(("plain",)).get_content()
            self.assertIn("/verify?token=", body)
        finally:
            server.stop()
            sink.stop()

    def test_implicit_tls(self):
        sink = TlsSink("implicit", self.cert, self.key)
        data = publication(f'[mail]\nsmtp = "{smtp_url("smtps", sink.port)}"\nca_file = "{self.ca}"\n')
        server = Server(data=data)
        try:
            self.register(server, "smtps.reader@example.org")
            self.assertEqual(sink.wait_for(1, seconds=20), 1)
            self.assertIn("smtps.reader@example.org", sink.received())
        finally:
            server.stop()
            sink.stop()

    def test_certificates_are_verified(self):
        # Without the private CA the server's certificate is not trusted: nothing is sent
        # (the attempt is recorded), until the CA is configured and the server reloads.
        sink = TlsSink("starttls", self.cert, self.key)
        data = publication(f'[mail]\nsmtp = "{smtp_url("smtp", sink.port)}"\n')
        server = Server(data=data)
        try:
            self.register(server, "verify.reader@example.org")
            rows = wait_for_queue(data, lambda rows: rows and rows[0][0] >= 1)
            self.assertRegex(rows[0][1], "(?i)certificate|SSL|peer")
            self.assertEqual(sink.count(), 0)
            write_toml(data, f'[mail]\nsmtp = "{smtp_url("smtp", sink.port)}"\nca_file = "{self.ca}"\n')
            server.proc.send_signal(signal.SIGHUP)
            # Retries back off from 5 s; the reload's new worker tries at once.
            self.assertEqual(sink.wait_for(1, seconds=30), 1)
        finally:
            server.stop()
            sink.stop()

    def test_a_refused_login_keeps_the_mail_shows_it_and_sends_it_after_the_fix(self):
        sink = TlsSink("starttls", self.cert, self.key)
        wrong = f'[mail]\nsmtp = "{smtp_url("smtp", sink.port, "wrong password")}"\nca_file = "{self.ca}"\n'
        data = publication(wrong)
        run_cli("staff", "add", "--email", "chief@example.org", "--role", "admin", data=data, check=True)
        server = Server(data=data)
        try:
            self.register(server, "kept.reader@example.org")
            # 535: a permanent refusal. Kept, not dropped.
            rows = wait_for_queue(data, lambda rows: rows and rows[0][2] is not None)
            self.assertRegex(rows[0][1], "(?i)login denied|535")
            # An admin sees it (signed in through a second server on the same data that
            # writes its mail to the outbox).
            office = Server(data=data, env={"MERIDIAN_MAIL_SMTP": ""})
            try:
                admin = Reader(office)
                sign_in(admin, data, "chief@example.org", "/admin")
                page = admin.get("/admin").text
                self.assertIn("1 account message(s) could not be sent", page)
            finally:
                office.stop()
            self.assertEqual(sink.count(), 0)
            write_toml(data, f'[mail]\nsmtp = "{smtp_url("smtp", sink.port)}"\nca_file = "{self.ca}"\n')
            server.proc.send_signal(signal.SIGHUP)
            self.assertEqual(sink.wait_for(1, seconds=30), 1)
            self.assertIn("kept.reader@example.org", sink.received())
        finally:
            server.stop()
            sink.stop()

    def test_newsletters_go_through_the_same_tls_and_auth(self):
        sink = TlsSink("starttls", self.cert, self.key)
        data = publication(f'[site]\nurl = "http://news.example"\n[mail]\n'
                           f'smtp = "{smtp_url("smtp", sink.port)}"\nca_file = "{self.ca}"\n')
        run_cli("members", "import", "-", data=data, input="email,name\nfree.reader@example.org,F\n",
                check=True)
        try:
            r = run_cli("newsletter", "send", "free", "--date", "2026-03-02", data=data)
            self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
            self.assertEqual(sink.wait_for(1, seconds=10), 1)
            self.assertIn("free.reader@example.org", sink.received())
        finally:
            sink.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
