"""Start the real meridian binary on a free loopback port and talk HTTP to it.

Standard library only, so the tests run with Debian's /usr/bin/python3.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("MERIDIAN_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "meridian")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, data=None, env=None, input=None, check=False):
    cmd = [BIN, *args]
    if data is not None:
        cmd += ["--data", data]
    full_env = dict(os.environ)
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
        return self.body.decode("utf-8")

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

    def request(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
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
