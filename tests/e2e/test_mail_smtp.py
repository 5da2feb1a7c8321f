"""End-to-end: with [mail] smtp set, account mail goes over SMTP to a real server on
loopback (Debian's python3-aiosmtpd), with the headers a mail client expects."""
import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, article_line, free_port, run_cli  # noqa: E402

SINK = r'''
import asyncio, os, sys
from aiosmtpd.controller import Controller

class Save:
    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(sys.argv[2], "%d.eml" % len(os.listdir(sys.argv[2])))
        with open(name, "wb") as f:
            f.write(envelope.content)
        with open(name + ".rcpt", "w") as f:
            f.write(",".join(envelope.rcpt_tos) + "\n" + envelope.mail_from)
        return "250 OK"

c = Controller(Save(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
'''


class SmtpDelivery(unittest.TestCase):
    def setUp(self):
        self.maildir = tempfile.mkdtemp(prefix="meridian-smtp-")
        self.port = free_port()
        self.sink = subprocess.Popen(["/usr/bin/python3", "-c", SINK, str(self.port), self.maildir],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.assertEqual(self.sink.stdout.readline().strip(), "ready")
        self.data = tempfile.mkdtemp(prefix="meridian-smtp-data-")
        path = os.path.join(self.data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("m-1") + "\n")
        run_cli("import", path, data=self.data, check=True)
        self.server = Server(data=self.data, env={
            "MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{self.port}",
            "MERIDIAN_MAIL_FROM": "Meridian Desk <desk@meridian.example>"})

    def tearDown(self):
        self.server.stop()
        self.sink.stdin.close()
        self.sink.wait(timeout=10)

    def received(self):
        for _ in range(50):
            files = sorted(f for f in os.listdir(self.maildir) if f.endswith(".eml"))
            if files:
                return files
            time.sleep(0.1)
        return []

    def test_verification_mail_arrives_over_smtp(self):
        r = Reader(self.server).submit("/articles/m-1", "/register", {"email": "smtp.reader@example.org"})
        self.assertEqual(r.status, 303)
        files = self.received()
        self.assertEqual(len(files), 1)
        with open(os.path.join(self.maildir, files[0]), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        with open(os.path.join(self.maildir, files[0] + ".rcpt")) as f:
            rcpt, mail_from = f.read().split("\n")
        self.assertEqual(rcpt, "smtp.reader@example.org")
        self.assertEqual(mail_from, "desk@meridian.example")
        self.assertEqual(msg["To"], "smtp.reader@example.org")
        self.assertIn("desk@meridian.example", msg["From"])
        self.assertTrue(msg["Message-ID"].endswith("@meridian.example>"))
        self.assertIsNotNone(email.utils.parsedate_to_datetime(msg["Date"]))
        body = msg.get_body(preferencelist=("plain",)).get_content()
        self.assertRegex(body, re.escape(self.server.base) + r"/verify\?token=[A-Za-z0-9_-]{40,}")
        # No .eml goes to the outbox when SMTP is configured.
        self.assertFalse(os.path.isdir(os.path.join(self.data, "outbox")))

    def test_unreachable_smtp_does_not_lose_the_registration(self):
        self.sink.stdin.close()
        self.sink.wait(timeout=10)
        me = Reader(self.server)
        r = me.submit("/articles/m-1", "/register", {"email": "late.mail@example.org"})
        self.assertEqual(r.status, 303)  # registered and reading, mail can be resent
        self.assertIn("CANARYm1X", me.get("/articles/m-1").text)
        self.sink = subprocess.Popen(["true"], stdin=subprocess.PIPE)


if __name__ == "__main__":
    unittest.main(verbosity=2)
