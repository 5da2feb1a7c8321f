"""Start the real meridian binary on a free loopback port and talk HTTP to it.

Standard library only, so the tests run with Debian's /usr/bin/python3.
"""
import email
import email.policy
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse

BIN = os.environ.get("MERIDIAN_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "meridian")


# MERIDIAN_TEST_BACKEND=postgres (ctest's e2e_pg.* run): every data folder a test uses gets
# an empty PostgreSQL database of its own, named to each command and server through
# MERIDIAN_DATABASE_URL, on the throw-away server scripts/test started (its socket folder
# in MERIDIAN_TEST_PG_DIR) or, without one, a server started here and stopped at exit.
ON_POSTGRES = os.environ.get("MERIDIAN_TEST_BACKEND") == "postgres"
PG_BIN = "/usr/lib/postgresql/15/bin"
_databases = {}
_pg_dir = None
_made = [0]


def _pg_socket_dir():
    global _pg_dir
    if _pg_dir is None:
        _pg_dir = os.environ.get("MERIDIAN_TEST_PG_DIR") or ""
        if not _pg_dir:
            import atexit
            _pg_dir = tempfile.mkdtemp(prefix="meridian-e2e-pg-")
            script = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "pg-server")
            subprocess.run([script, "start", _pg_dir], check=True, capture_output=True)
            atexit.register(lambda: subprocess.run([script, "stop", _pg_dir], capture_output=True))
    return _pg_dir


def fresh_database():
    """The URL of a new, empty PostgreSQL database on the test server."""
    host = _pg_socket_dir()
    _made[0] += 1
    name = f"e2e_{os.getpid()}_{_made[0]}_{int(time.time() * 1000) % 100000}"
    subprocess.run([os.path.join(PG_BIN, "psql"), "-h", host, "-U", "postgres", "-d", "postgres",
                    "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return f"postgresql://postgres@/{name}?host={host}"


def database_env(data):
    """The environment that points a command at the data folder's database: nothing on
    SQLite (the folder holds it), its own PostgreSQL database on a PostgreSQL run."""
    if not ON_POSTGRES or data is None:
        return {}
    key = os.path.realpath(data)
    if key not in _databases:
        _databases[key] = fresh_database()
    return {"MERIDIAN_DATABASE_URL": _databases[key]}


def db_rows(data, sql):
    """Rows of a query on the data folder's database (SQLite or PostgreSQL), as tuples of
    ints, strings and None."""
    if not ON_POSTGRES:
        import sqlite3
        with sqlite3.connect(os.path.join(data, "meridian.db")) as db:
            return db.execute(sql).fetchall()
    url = database_env(data)["MERIDIAN_DATABASE_URL"]
    null = "\x01"
    out = subprocess.run([os.path.join(PG_BIN, "psql"), url, "-AtX", "-F", "\x02",
                          "-P", f"null={null}", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        row = []
        for v in line.split("\x02"):
            if v == null:
                row.append(None)
            elif v.lstrip("-").isdigit():
                row.append(int(v))
            else:
                row.append(v)
        rows.append(tuple(row))
    return rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, data=None, env=None, input=None, check=False):
    cmd = [BIN, *args]
    if data is not None:
        cmd += ["--data", data]
    full_env = dict(os.environ)
    full_env.update(database_env(data))
    full_env.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, input=input,
                          timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}): {proc.stderr}")
    return proc


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        # Binary bodies (icons, images a crawler reaches) read as text with replacements.
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Server:
    """A meridian serve process with its own data folder."""

    def __init__(self, demo=False, data=None, env=None, extra_args=()):
        self.tmp = None
        if data is None:
            self.tmp = tempfile.mkdtemp(prefix="meridian-e2e-")
            data = self.tmp
        self.data = data
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--data", data, *extra_args]
        if demo:
            args.append("--demo")
        full_env = dict(os.environ)
        full_env.update(database_env(data))
        full_env.update(env or {})
        self.log_path = os.path.join(tempfile.gettempdir(), f"meridian-e2e-{self.port}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited early:\n" + open(self.log_path).read())
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("server did not start:\n" + open(self.log_path).read())

    def request(self, method, path, headers=None, body=None, source=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def stop(self):
        """SIGTERM, as an init system would; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on SIGTERM")
        self.log.close()
        code = self.proc.returncode
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return code

    def output(self):
        self.log.flush()
        return open(self.log_path).read()


def article_line(slug, **fields):
    """One JSON Lines record; the body's gated part carries a canary word."""
    record = {
        "slug": slug,
        "headline": fields.pop("headline", f"Headline for {slug}"),
        "dek": fields.pop("dek", f"Dek for {slug}"),
        "body": fields.pop("body", (
            f"Opening paragraph of {slug}.\n\nSecond paragraph.\n\nThird paragraph.\n\n"
            f"Fourth paragraph with CANARY{slug.replace('-', '')}X inside.\n\nFifth paragraph.")),
        "authors": fields.pop("authors", ["Ann Lee"]),
        "topics": fields.pop("topics", ["Energy"]),
        "countries": fields.pop("countries", ["Brazil"]),
        "type": fields.pop("type", "analysis"),
        "access": fields.pop("access", "metered"),
        "published_at": fields.pop("published_at", "2025-03-01T09:30:00Z"),
    }
    record.update(fields)
    return json.dumps(record)


def canary(slug):
    return f"CANARY{slug.replace('-', '')}X"


class Reader:
    """A browser-like client: keeps cookies, reads forms, posts them back."""

    def __init__(self, server, source=None):
        self.server = server
        self.cookies = {}
        self.source = source

    def _headers(self, extra=None):
        h = dict(extra or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    def _remember(self, r):
        for k, v in r.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in v or not value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return r

    def get(self, path, headers=None):
        return self._remember(self.server.request("GET", path, self._headers(headers), source=self.source))

    def post_multipart(self, path, fields, files):
        """files: {name: (filename, content_type, bytes)}"""
        boundary = "----meridian" + os.urandom(8).hex()
        parts = []
        for k, v in fields.items():
            value = v if isinstance(v, bytes) else str(v).encode("utf-8", "surrogateescape")
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + value + b"\r\n")
        for k, (fname, ctype, data) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{fname}"\r\nContent-Type: {ctype}\r\n\r\n'.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        h = self._headers()
        h["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        return self._remember(self.server.request("POST", path, h, body=body, source=self.source))

    def post(self, path, fields, headers=None):
        body = urllib.parse.urlencode(fields)
        h = self._headers(headers)
        h["Content-Type"] = "application/x-www-form-urlencoded"
        return self._remember(self.server.request("POST", path, h, body=body, source=self.source))

    def submit(self, page_path, action, extra=None, headers=None):
        """Fetch page_path, find the form posting to `action`, fill it and submit it."""
        page = self.get(page_path)
        fields = form_fields(page.text, action)
        if fields is None:
            raise AssertionError(f"no form posting to {action} on {page_path}")
        fields.update(extra or {})
        return self.post(action, fields, headers)


def sign_in(reader, data_dir, email, next_path="/account"):
    """Signs `reader` in through the emailed one-time link and its confirm button."""
    seen = len(links_in_mail(data_dir, email, "/signin/confirm"))
    r = reader.submit(f"/signin?next={next_path}", "/signin", {"email": email})
    assert r.status == 200, r.status
    link = link_in_mail(data_dir, email, "/signin/confirm", skip=seen)
    page = reader.get(link)
    assert page.status == 200, page.status
    fields = form_fields(page.text, "/signin/confirm")
    r = reader.post("/signin/confirm", fields)
    assert r.status == 303 and "meridian_session" in reader.cookies, r.status
    return link, fields


def csrf_of(html_text):
    """The CSRF token of the first form on a page."""
    import re
    m = re.search(r'name="csrf" value="([^"]+)"', html_text)
    return m.group(1) if m else None


def form_fields(html_text, action):
    """The hidden fields of the first form whose action is `action`, or None."""
    import re
    for m in re.finditer(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html_text, re.S):
        if m.group(1) == action:
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(2)))
    return None


def outbox_messages(data_dir):
    """(to, subject, body) of each .eml in DATA/outbox, oldest first, quoted-printable decoded."""
    import email
    import email.policy
    folder = os.path.join(data_dir, "outbox")
    if not os.path.isdir(folder):
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        out.append((str(msg["To"]), str(msg["Subject"]), part.get_content(), msg))
    return out


def links_in_mail(data_dir, to, path_prefix):
    """Every link to path_prefix in mail sent to `to`, oldest first, as local paths."""
    import re
    out = []
    for rcpt, _, body, _ in outbox_messages(data_dir):
        if rcpt == to:
            m = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", body)
            if m:
                out.append(m.group(1))
    return out


def link_in_mail(data_dir, to, path_prefix, skip=0, wait=10):
    """The newest link to path_prefix mailed to `to`, once more than `skip` have arrived
    (account mail goes out from a worker just after the answer)."""
    deadline = time.time() + wait
    while True:
        links = links_in_mail(data_dir, to, path_prefix)
        if len(links) > skip:
            return links[-1]
        if time.time() > deadline:
            raise AssertionError(f"no {path_prefix} link mailed to {to}")
        time.sleep(0.02)


_barriers = [0]


def mail_barrier(server, data_dir):
    """Returns once every account mail asked for before it has been handled: account mail
    goes out from one worker in order, so the arrival of a link requested now for a fresh
    address is a definite event (no fixed sleep before a 'nothing was sent' check)."""
    _barriers[0] += 1
    email = f"barrier-{os.getpid()}-{_barriers[0]}@example.org"
    run_cli("members", "import", "-", data=data_dir, input=f"email,name\n{email},\n", check=True)
    r = Reader(server).submit("/signin", "/signin", {"email": email})
    assert r.status == 200, r.status
    link_in_mail(data_dir, email, "/signin/confirm")


def crawl_for_leaks(test, reader, start, gated, limit, who):
    """Follows every local link from `start` as `reader` (at most `limit` pages, never
    signing out or deleting) and fails `test` if any gated canary shows; returns the pages
    seen."""
    import re
    seen, queue = set(), list(start)
    base = reader.server.base
    while queue and len(seen) < limit:
        path = queue.pop()
        if path in seen or path.startswith("/signout") or "/delete" in path:
            continue
        seen.add(path)
        r = reader.get(path)
        body = echo_removed(path, r.body.decode("utf-8", "replace"))
        for s in gated:
            test.assertNotIn(canary(s), body, f"{s} leaked to {who} on {path}")
        for link in re.findall(r'href="([^"]+)"', r.body.decode("utf-8", "replace")):
            link = link.replace("&amp;", "&")
            if link.startswith(base):
                link = link[len(base):]
            if link.startswith("/") and not link.startswith("//"):
                queue.append(link)
    return seen


def echo_removed(path, text):
    """The page without the search words the crawler itself typed (the search page shows
    the reader's query back to them); whatever remains came from the server's content."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("q", [""])[0]
    if not query:
        return text
    for form in {query, urllib.parse.quote_plus(query), urllib.parse.quote(query)}:
        text = text.replace(form, "")
    return text


# A sink that stores every message it accepts, refuses bounce@ addresses permanently,
# refuses tempfail@ addresses once (451), and can be slowed down per message.
SINK = r'''
import asyncio, os, sys, time
from aiosmtpd.controller import Controller
folder, delay, pipelining = sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
seen = set()
class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if pipelining:  # as Postfix does; aiosmtpd reads pipelined commands in order
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        if address.startswith("tempfail") and address not in seen:
            seen.add(address)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        if delay:
            await asyncio.sleep(delay)
        for rcpt in envelope.rcpt_tos:
            name = os.path.join(folder, "%s-%d.eml" % (rcpt, time.time_ns()))
            with open(name + ".tmp", "wb") as f:
                f.write(envelope.content)
            with open(name + ".from", "w") as f:
                f.write(envelope.mail_from)
            os.rename(name + ".tmp", name)
        return "250 OK"
c = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
'''


class Sink:
    def __init__(self, delay=0.0, pipelining=True, port=None):
        self.folder = tempfile.mkdtemp(prefix="meridian-sink-")
        self.port = port or free_port()
        self.proc = subprocess.Popen(["/usr/bin/python3", "-c", SINK, str(self.port), self.folder, str(delay),
                                      "1" if pipelining else "0"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)

    def wait_for(self, n, seconds=5):
        """Waits until at least n messages arrived; returns how many did."""
        deadline = time.time() + seconds
        while self.count() < n and time.time() < deadline:
            time.sleep(0.05)
        return self.count()

    def senders(self, rcpt):
        """The envelope senders (MAIL FROM) of the messages stored for rcpt."""
        out = []
        for n in sorted(os.listdir(self.folder)):
            if n.endswith(".eml.from") and n.rsplit("-", 1)[0] == rcpt:
                with open(os.path.join(self.folder, n)) as f:
                    out.append(f.read())
        return out

    def count(self):
        return sum(1 for n in os.listdir(self.folder) if n.endswith(".eml"))

    def received(self):
        """{recipient: [message, ...]}"""
        out = {}
        for name in sorted(os.listdir(self.folder)):  # oldest first (names end in ns time)
            if not name.endswith(".eml"):
                continue
            rcpt = name.rsplit("-", 1)[0]
            with open(os.path.join(self.folder, name), "rb") as f:
                out.setdefault(rcpt, []).append(email.message_from_binary_file(f, policy=email.policy.default))
        return out


# An SMTP server with TLS and AUTH (Debian's python3-aiosmtpd): "starttls" requires
# STARTTLS before AUTH and AUTH before mail, as a submission port does; "implicit" speaks
# TLS from the first byte (port 465 style) and requires AUTH.
TLS_SINK = r'''
import os, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
mode, port, folder, cert, key, user, password = sys.argv[1:8]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
          and auth_data.password.decode() == password)
    return AuthResult(success=ok, handled=False)
class Handler:
    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            name = os.path.join(folder, "%s-%d.eml" % (rcpt, time.time_ns()))
            with open(name + ".tmp", "wb") as f:
                f.write(envelope.content)
            os.rename(name + ".tmp", name)
        return "250 OK"
if mode == "starttls":
    c = Controller(Handler(), hostname="127.0.0.1", port=int(port), tls_context=ctx,
                   require_starttls=True, auth_required=True, auth_require_tls=True,
                   authenticator=authenticator)
else:
    c = Controller(Handler(), hostname="127.0.0.1", port=int(port), ssl_context=ctx,
                   server_hostname="127.0.0.1", auth_required=True, auth_require_tls=False,
                   authenticator=authenticator)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
'''


def make_test_ca(folder):
    """A throw-away CA and a certificate for 127.0.0.1 signed by it; returns (ca, cert, key)."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Meridian test CA")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(folder, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext")
    return tuple(os.path.join(folder, n) for n in ("ca.pem", "server.pem", "server.key"))


class TlsSink(Sink):
    def __init__(self, mode, cert, key, user="meridian", password="s3cret pass", port=None):
        self.folder = tempfile.mkdtemp(prefix="meridian-tls-sink-")
        self.port = port or free_port()
        self.proc = subprocess.Popen(["/usr/bin/python3", "-c", TLS_SINK, mode, str(self.port),
                                      self.folder, cert, key, user, password],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        assert line == "ready", f"TLS sink did not start: {line!r}"


SHARED_STRIPE_FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared",
                                      "stripe", "fixtures3.json")
STANDIN = os.path.join(os.path.dirname(__file__), "..", "stripe", "standin.mjs")


class StripeStandin:
    """The Stripe stand-in (tests/stripe/standin.mjs) on a free loopback port."""

    def __init__(self, key="sk_test_meridian_e2e_0123456789", secret="whsec_meridian_e2e_secret"):
        self.key = key
        self.secret = secret
        self.proc = subprocess.Popen(
            ["node", STANDIN, "--key", key, "--secret", secret, "--fixtures", SHARED_STRIPE_FIXTURES],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("Stripe stand-in did not start: " + self.proc.stderr.read())
        self.port = json.loads(line)["port"]
        self.base = f"http://127.0.0.1:{self.port}"

    def env(self):
        """What a meridian process needs to use this stand-in."""
        return {"MERIDIAN_BILLING_STRIPE_SECRET_KEY": self.key,
                "MERIDIAN_BILLING_STRIPE_WEBHOOK_SECRET": self.secret,
                "MERIDIAN_BILLING_STRIPE_API_BASE": self.base,
                "MERIDIAN_BILLING_TIMEOUT_MS": "1500"}

    def call(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = None if body is None else (body if isinstance(body, (str, bytes)) else json.dumps(body))
            conn.request(method, path, body=data, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def control(self, path, body=None):
        r = self.call("POST", "/_test/" + path, body or {})
        if r.status != 200:
            raise AssertionError(f"stand-in {path}: {r.status} {r.text}")
        return r.json()

    def requests(self):
        return self.call("GET", "/_test/requests").json()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def solid_png(width, height):
    """A valid PNG of one colour, made here (no image files in the repository)."""
    import zlib

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    raw = b"".join(b"\0" + b"\x5a\x30\x10" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# Smallest PNG: 1x1 transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
