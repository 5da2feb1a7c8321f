"""End-to-end: with [mail] smtp set, account mail goes over SMTP to a real server on
loopback (Debian's python3-aiosmtpd), with the headers a mail client expects."""
import email
import email.policy
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Reader, Server, Sink, article_line, run_cli  # noqa: E402

class SmtpDelivery(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.data = tempfile.mkdtemp(prefix="meridian-smtp-data-")
        path = os.path.join(self.data, "a.jsonl")
        with open(path, "w") as f:
            f.write(article_line("m-1") + "\n")
        run_cli("import", path, data=self.data, check=True)
        self.server = Server(data=self.data, env={
            "MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{self.sink.port}",
            "MERIDIAN_MAIL_FROM": "Meridian Desk <desk@meridian.example>"})

    def tearDown(self):
        self.server.stop()
        self.sink.stop()

    def test_verification_mail_arrives_over_smtp(self):
        r = Reader(self.server).submit("/articles/m-1", "/register", {"email": "smtp.reader@example.org"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.sink.wait_for(1), 1)
        got = self.sink.received()
        self.assertEqual(list(got), ["smtp.reader@example.org"])  # the envelope recipient
        msg = got["smtp.reader@example.org"][0]
        self.assertEqual(self.sink.senders("smtp.reader@example.org"), ["desk@meridian.example"])
        self.assertEqual(msg["To"], "smtp.reader@example.org")
        self.assertIn("desk@meridian.example", msg["From"])
        self.assertTrue(msg["Message-ID"].endswith("@meridian.example>"))
        self.assertIsNotNone(email.utils.parsedate_to_datetime(msg["Date"]))
        body = msg.get_body(preferencelist=("plain",)).get_content()
        self.assertRegex(body, re.escape(self.server.base) + r"/verify\?token=[A-Za-z0-9_-]{40,}")
        # No .eml goes to the outbox when SMTP is configured.
        self.assertFalse(os.path.isdir(os.path.join(self.data, "outbox")))

    def test_mail_waits_for_an_unreachable_server_and_survives_a_restart(self):
        port = self.sink.port
        self.sink.stop()
        me = Reader(self.server)
        r = me.submit("/articles/m-1", "/register", {"email": "late.mail@example.org"})
        self.assertEqual(r.status, 303)  # registered and reading at once; the mail waits
        self.assertIn("CANARYm1X", me.get("/articles/m-1").text)
        # Restart with the mail server still down: the queued message is kept...
        self.server.stop()
        self.server = Server(data=self.data, env={
            "MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{port}",
            "MERIDIAN_MAIL_FROM": "Meridian Desk <desk@meridian.example>"})
        # ...and goes out once the mail server answers (retries from 5 s, doubling).
        self.sink = Sink(port=port)
        self.assertEqual(self.sink.wait_for(1, seconds=20), 1)
        body = self.sink.received()["late.mail@example.org"][0].get_body(("plain",)).get_content()
        self.assertIn("/verify?token=", body)
        # Sent once, not again on later passes: a second message, queued after it, arriving
        # means the worker has made a later pass (it sends in queue order).
        r = Reader(self.server).submit("/articles/m-1", "/register", {"email": "barrier@example.org"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.sink.wait_for(2, seconds=20), 2)
        self.assertEqual(sorted(self.sink.received()), ["barrier@example.org", "late.mail@example.org"])

if __name__ == "__main__":
    unittest.main(verbosity=2)
