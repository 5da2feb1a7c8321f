"""End-to-end: docs/deploy.md's nginx site, as written there, in front of a real Meridian
(a throw-away certificate and free ports in place of Let's Encrypt and 80/443)."""
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, free_port, run_cli  # noqa: E402

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "deploy.md")


class DeployedBehindNginx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="meridian-deploy-")
        os.chmod(cls.tmp, 0o755)
        cls.data = os.path.join(cls.tmp, "data")
        os.makedirs(cls.data)
        cls.https_port, cls.http_port = free_port(), free_port()
        with open(os.path.join(cls.data, "meridian.toml"), "w") as f:
            f.write(f'[site]\nurl = "https://www.example.org:{cls.https_port}"\n'
                    '[server]\ntrusted_proxies = ["127.0.0.1/32", "::1/128"]\n')
        run_cli("institutions", "add", "--name", "Spoofed University", "--cidr", "10.9.8.0/24",
                data=cls.data, check=True)
        cls.server = Server(data=cls.data, demo=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=www.example.org", "-keyout", os.path.join(cls.tmp, "key.pem"),
                        "-out", os.path.join(cls.tmp, "cert.pem")], check=True, capture_output=True)
        text = open(DOC).read()
        site = re.search(r"# meridian-site\n(.*?)# end meridian-site", text, re.S).group(1)
        site = (site.replace("listen 80;", f"listen 127.0.0.1:{cls.http_port};")
                    .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{cls.https_port} ssl http2;")
                    .replace("/etc/letsencrypt/live/www.example.org/fullchain.pem", os.path.join(cls.tmp, "cert.pem"))
                    .replace("/etc/letsencrypt/live/www.example.org/privkey.pem", os.path.join(cls.tmp, "key.pem"))
                    .replace("http://127.0.0.1:8080", f"http://127.0.0.1:{cls.server.port}"))
        site = "\n".join(l for l in site.splitlines() if "[::]" not in l)
        conf = f"""daemon on;
pid {cls.tmp}/nginx.pid;
error_log {cls.tmp}/nginx.err;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {cls.tmp}/body;
  proxy_temp_path {cls.tmp}/proxy;
  {site}
}}
"""
        with open(os.path.join(cls.tmp, "nginx.conf"), "w") as f:
            f.write(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run([nginx, "-t", "-c", os.path.join(cls.tmp, "nginx.conf"), "-p", cls.tmp],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise AssertionError("nginx -t refused docs/deploy.md's site:\n" + check.stderr)
        subprocess.run([nginx, "-c", os.path.join(cls.tmp, "nginx.conf"), "-p", cls.tmp], check=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", cls.https_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        pid_file = os.path.join(cls.tmp, "nginx.pid")
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                subprocess.run(["kill", f.read().strip()])
            time.sleep(0.3)
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def https(self, path, headers=None):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=ctx, timeout=20)
        try:
            conn.request("GET", path, headers={"Host": "www.example.org", **(headers or {})})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def test_plain_http_is_sent_to_https(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        conn.request("GET", "/articles/x?y=1", headers={"Host": "www.example.org"})
        r = conn.getresponse()
        self.assertEqual(r.status, 301)
        self.assertEqual(r.getheader("Location"), "https://www.example.org/articles/x?y=1")

    def test_pages_come_through_tls_compressed_with_security_headers(self):
        status, headers, body = self.https("/", {"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("Content-Encoding"), "gzip")
        self.assertIn("Strict-Transport-Security", headers)  # [site] url is https
        self.assertIn("Content-Security-Policy", headers)
        import gzip
        self.assertIn(b"</html>", gzip.decompress(body))

    def test_forwarded_for_cannot_be_spoofed_through_the_proxy(self):
        # Readers in an institution's range read as subscribers: no "Subscribe" link.
        # Straight to Meridian from a trusted proxy address, the header is believed...
        direct = self.server.get("/", {"X-Forwarded-For": "10.9.8.7"}).text
        self.assertNotIn('class="subscribe-link"', direct)
        # ...but nginx replaces the client's X-Forwarded-For with the real address.
        _, _, body = self.https("/", {"X-Forwarded-For": "10.9.8.7"})
        self.assertIn(b'class="subscribe-link"', body)

    def test_metrics_are_not_published_through_the_proxy(self):
        status, _, _ = self.https("/metrics", {"Authorization": "Bearer whatever-it-is-1234"})
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
