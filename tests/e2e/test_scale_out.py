"""End-to-end: three `meridian serve` nodes with data folders of their own on one
PostgreSQL database, behind nginx round-robin (docs/scale-out.md). A session made through
the balancer holds on every node, a form fetched from one node posts to another, five
unlocks racing across the nodes open exactly three articles, an edit imported through one
node's folder shows on every node within three seconds, two `newsletter send` processes
from two folders mail each subscriber once, and a reader carries on through the others
when one node is killed. Names PostgreSQL itself: runs once, in the e2e tier."""
import html
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import (BIN, ON_POSTGRES, Reader, Server, Sink, article_line, csrf_of,  # noqa: E402
                     form_fields, free_port, fresh_database, run_cli)
import http.client  # noqa: E402


class Balancer:
    """nginx round-robin over the nodes, talked to like a Server."""

    def __init__(self, tmp, ports):
        self.tmp = tmp
        self.port = free_port()
        upstream = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;\n" for p in ports)
        conf = f"""daemon on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx.err;
events {{ worker_connections 256; }}
http {{
  access_log off;
  upstream meridian {{
{upstream}  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://meridian;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }}
  }}
}}
"""
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-c", os.path.join(tmp, "nginx.conf"), "-p", tmp], check=True)

    def request(self, method, path, headers=None, body=None, source=None):
        from harness import Response
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def stop(self):
        pid_file = os.path.join(self.tmp, "nginx.pid")
        if os.path.exists(pid_file):
            with open(pid_file) as f:
                os.kill(int(f.read().strip()), signal.SIGTERM)


@unittest.skipIf(ON_POSTGRES, "names PostgreSQL itself; run in the e2e tier once")
class ThreeNodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="meridian-scale-")
        cls.url = fresh_database()
        cls.sink = Sink(delay=0.002)
        cls.folders = []
        media = os.path.join(cls.tmp, "shared-media")  # as a shared mount would be
        for i in range(3):
            folder = os.path.join(cls.tmp, f"node{i + 1}")
            os.makedirs(folder)
            with open(os.path.join(folder, "meridian.toml"), "w") as f:
                f.write(f'[database]\nurl = "{cls.url}"\n[media]\ndir = "{media}"\n')
            cls.folders.append(folder)
        cls.env = {"MERIDIAN_MAIL_SMTP": f"smtp://127.0.0.1:{cls.sink.port}",
                   "MERIDIAN_MAIL_FROM": "Meridian <news@meridian.example>",
                   "MERIDIAN_SITE_URL": "http://127.0.0.1:9",
                   "MERIDIAN_ACCESS_LOG": "0"}
        lines = [article_line(f"metered-{i}", headline=f"Metered story {i}",
                              published_at="2026-03-01T09:00:00Z") for i in range(1, 7)]
        path = os.path.join(cls.tmp, "a.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        run_cli("import", path, data=cls.folders[0], check=True)
        cls.nodes = [Server(data=folder, env=cls.env) for folder in cls.folders]
        cls.balancer = Balancer(cls.tmp, [n.port for n in cls.nodes])

    @classmethod
    def tearDownClass(cls):
        cls.balancer.stop()
        for n in cls.nodes:
            if n.proc.poll() is None:
                n.stop()
        cls.sink.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def signed_in(self, email, via, role=None):
        """A reader (or staff with `role`) signed in with a one-time link made by a node's
        CLI, the link opened on one server and its confirm form posted to the next."""
        if role:
            run_cli("staff", "add", "--email", email, "--role", role, data=self.folders[1],
                    check=True)
        else:
            run_cli("members", "import", "-", data=self.folders[1], check=True,
                    input=f"email,name\n{email},\n")
        link = run_cli("signin-link", "--email", email, data=self.folders[2], check=True).stdout
        path = link[link.index("/signin/confirm"):].strip()
        reader = Reader(via[0])
        page = reader.get(path)
        self.assertEqual(page.status, 200)
        fields = form_fields(page.text, "/signin/confirm")
        reader.server = via[1 % len(via)]
        r = reader.post("/signin/confirm", fields)
        self.assertEqual(r.status, 303, r.text[:300])
        self.assertIn("meridian_session", reader.cookies)
        return reader

    def test_1_a_session_and_a_form_travel_between_nodes(self):
        reader = self.signed_in("shared@example.org", [self.nodes[0], self.nodes[1]])
        for node in self.nodes:
            reader.server = node
            self.assertIn("shared@example.org", reader.get("/account").text)
        reader.server = self.balancer
        for _ in range(6):
            page = reader.get("/account")
            self.assertEqual(page.status, 200)
            self.assertIn("shared@example.org", page.text)
        # A form from node 1 posts to node 3: the CSRF key is the database's, not a node's.
        reader.server = self.nodes[0]
        fields = form_fields(reader.get("/account").text, "/signout")
        reader.server = self.nodes[2]
        self.assertEqual(reader.post("/signout", fields).status, 303)
        reader.server = self.nodes[1]
        self.assertNotIn("shared@example.org", reader.get("/account").text)

    def test_2_five_unlocks_racing_across_nodes_open_three(self):
        reader = self.signed_in("racer@example.org", [self.nodes[1], self.nodes[2]])
        forms = []
        for i in range(1, 6):
            reader.server = self.nodes[i % 3]
            page = reader.get(f"/articles/metered-{i}")
            fields = form_fields(page.text, f"/articles/metered-{i}/unlock")
            self.assertIsNotNone(fields, page.text[:500])
            forms.append((i, fields))
        statuses = {}
        barrier = threading.Barrier(len(forms))

        def unlock(i, fields):
            client = Reader(self.nodes[i % 3])
            client.cookies = dict(reader.cookies)
            barrier.wait()
            statuses[i] = client.post(f"/articles/metered-{i}/unlock", fields).status

        threads = [threading.Thread(target=unlock, args=f) for f in forms]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(statuses.values()).count(303), 3, statuses)
        unlocked = db_rows_on(self.url, "SELECT COUNT(*) FROM unlocks u JOIN members m ON "
                                        "m.id = u.member_id WHERE m.email = 'racer@example.org'")
        self.assertEqual(unlocked, 3)
        # Every node agrees which three are open.
        opened = set()
        for i in range(1, 6):
            views = set()
            for node in self.nodes:
                reader.server = node
                views.add("CANARY" in reader.get(f"/articles/metered-{i}").text)
            self.assertEqual(len(views), 1, f"nodes disagree about metered-{i}")
            if views.pop():
                opened.add(i)
        self.assertEqual(len(opened), 3)

    def test_3_an_import_through_one_node_shows_on_every_node_within_three_seconds(self):
        for node in self.nodes:  # cached everywhere first
            self.assertIn("Metered story 6", node.get("/articles/metered-6").text)
        path = os.path.join(self.tmp, "edit.jsonl")
        with open(path, "w") as f:
            f.write(article_line("metered-6", headline="Corrected headline six",
                                 published_at="2026-03-01T09:00:00Z") + "\n")
        run_cli("import", path, data=self.folders[2], check=True)
        deadline = time.time() + 3
        pending = set(range(3))
        while pending and time.time() < deadline:
            for k in list(pending):
                if "Corrected headline six" in self.nodes[k].get("/articles/metered-6").text:
                    pending.discard(k)
            time.sleep(0.05)
        self.assertFalse(pending, f"nodes {sorted(pending)} still show the old headline")

    def test_4_two_senders_from_two_folders_share_the_edition_and_mail_each_subscriber_once(self):
        subscribers = [f"s{i:03d}@example.org" for i in range(150)]
        run_cli("members", "import", "-", "--grant-until", "2099-12-31", data=self.folders[0],
                check=True, input="email,name\n" + "".join(f"{e},\n" for e in subscribers))
        cmd = [BIN, "newsletter", "send", "daily", "--date", "2026-03-02"]
        procs = [subprocess.Popen(cmd + ["--data", folder], env=dict(os.environ, **self.env),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for folder in self.folders[:2]]
        outputs = [p.communicate(timeout=120) for p in procs]
        codes = [p.returncode for p in procs]
        for code, (out, err) in zip(codes, outputs):
            self.assertIn(code, (0, 75), err)
            print(f"sender exit {code}: {out.strip()}", file=sys.stderr)
        # They shared the edition: each sent some.
        sent_now = [int(re.search(r"(\d+) sent now", out).group(1)) for out, _ in outputs]
        self.assertEqual(sum(sent_now), len(subscribers))
        self.assertTrue(all(n > 0 for n in sent_now), sent_now)
        for code, folder in zip(codes, self.folders[:2]):
            if code == 75:  # the other held the edition: a rerun finishes (nothing left)
                again = run_cli("newsletter", "send", "daily", "--date", "2026-03-02",
                                data=folder, env=self.env)
                self.assertEqual(again.returncode, 0, again.stderr)
        got = self.sink.received()
        for e in subscribers:
            self.assertEqual(len(got.get(e, [])), 1, f"{e}: {len(got.get(e, []))} copies")

    def test_4b_settings_saved_on_one_node_apply_on_every_node(self):
        admin = self.signed_in("chief@example.org", [self.nodes[1], self.nodes[1]], role="admin")
        page = admin.get("/admin/settings")
        self.assertEqual(page.status, 200)
        # Every input of the form as the page fills it, with one change.
        form = page.text[page.text.index('action="/admin/settings"'):]
        form = form[:form.index("</form>")]
        fields = {}
        for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", form):
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name and 'type="file"' not in tag:
                fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
            chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', select.group(2))
            if chosen:
                fields[select.group(1)] = html.unescape(chosen.group(1))
        fields["site.name"] = "The Clustered Review"
        self.assertEqual(admin.post("/admin/settings", fields).status, 303)
        # A hero image uploaded through node 2 is served by nodes 1 and 3.
        page = admin.get("/admin/articles")
        edit_path = re.search(r'href="(/admin/articles/\d+)"', page.text).group(1)
        token = csrf_of(admin.get(edit_path).text)
        png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                            "1f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa4a1e1"
                            "9a0000000049454e44ae426082")
        r = admin.post_multipart(edit_path + "/hero", {"csrf": token},
                                 {"hero": ("pixel.png", "image/png", png)})
        self.assertEqual(r.status, 303, r.text[:300])
        slug = re.search(r'href="/articles/([a-z0-9-]+)"', admin.get(edit_path).text)
        self.assertIsNotNone(slug)
        for node in (self.nodes[0], self.nodes[2]):
            live = node.get(f"/articles/{slug.group(1)}")
            img = re.search(r'<img src="(/media/[a-z0-9-]+\.png)"', live.text)
            self.assertIsNotNone(img, "hero image not on the article page of every node")
            self.assertEqual(node.get(img.group(1)).body, png)
        deadline = time.time() + 5
        pending = {0, 1, 2}
        while pending and time.time() < deadline:
            for k in list(pending):
                if "The Clustered Review" in self.nodes[k].get("/").text:
                    pending.discard(k)
            time.sleep(0.1)
        self.assertFalse(pending, f"nodes {sorted(pending)} still show the old name")

    def test_5_a_killed_node_leaves_readers_with_the_others(self):
        reader = self.signed_in("survivor@example.org", [self.balancer, self.balancer])
        reader.server = self.balancer
        self.assertIn("survivor@example.org", reader.get("/account").text)
        victim = self.nodes[0]
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        for _ in range(9):
            page = reader.get("/account")
            self.assertEqual(page.status, 200)
            self.assertIn("survivor@example.org", page.text)
        # Restarted on the same folder, it rejoins with no manual step.
        self.nodes[0] = Server(data=self.folders[0], env=self.env)
        reader.server = self.nodes[0]
        self.assertIn("survivor@example.org", reader.get("/account").text)


def db_rows_on(url, sql):
    out = subprocess.run(["/usr/lib/postgresql/15/bin/psql", url, "-AtXc", sql],
                         check=True, capture_output=True, text=True).stdout.strip()
    return int(out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
