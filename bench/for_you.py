#!/usr/bin/env python3
"""Measures /for-you for a reader who follows 20 items and has opened 500 articles, beside
the plain article page for the same reader (client-measured, sequential, one kept-alive
connection). Used by bench/for_you."""
import http.client
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Reader, Server, form_fields, link_in_mail, run_cli  # noqa: E402


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def slugify(name):
    out = "".join(c.lower() if c.isalnum() else "-" for c in name)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def main():
    data, corpus = sys.argv[1], sys.argv[2]
    rng = random.Random(5)
    slugs, topics, countries, authors = [], set(), set(), set()
    with open(corpus) as f:
        for line in f:
            rec = json.loads(line)
            slugs.append(rec["slug"])
            topics.update(rec.get("topics", []))
            countries.update(rec.get("countries", []))
            authors.update(rec.get("authors", []))
    email = f"bench-{os.getpid()}@example.org"
    run_cli("members", "grant", "--email", email, "--until", "2099-01-01", data=data, check=True)
    server = Server(data=data, env={"MERIDIAN_ACCESS_LOG": "0"})
    try:
        sub = Reader(server)
        sub.submit("/signin", "/signin", {"email": email})
        page = sub.get(link_in_mail(data, email, "/signin/confirm"))
        sub.post("/signin/confirm", form_fields(page.text, "/signin/confirm"))
        follows = ([f"/topics/{slugify(t)}" for t in rng.sample(sorted(topics), 5)] +
                   [f"/countries/{slugify(c)}" for c in rng.sample(sorted(countries), 10)] +
                   [f"/authors/{slugify(a)}" for a in rng.sample(sorted(authors), 5)])
        csrf = form_fields(sub.get(follows[0]).text, follows[0] + "/follow")["csrf"]
        for path in follows:
            r = sub.post(path + "/follow", {"csrf": csrf, "follow": "1", "next": path})
            if r.status != 303:
                raise SystemExit(f"follow {path}: {r.status}")
        opened = rng.sample(slugs, 500)
        for slug in opened:
            if sub.get(f"/articles/{slug}").status != 200:
                raise SystemExit(f"article {slug} did not open")
        others = [s for s in rng.sample(slugs, 700) if s not in set(opened)][:200]
        print(f"reader: follows {len(follows)} items, opened {len(opened)} articles")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = sub._headers()

        def timed(path):
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            ms = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                raise SystemExit(f"{path}: {resp.status} {body[:200]}")
            return ms, body

        timed("/for-you")  # warm-up
        for_you, article = [], []
        # Interleaved, so a busy moment on the machine lands in both columns.
        for i in range(200):
            ms, body = timed(f"/for-you?page={i % 5 + 1}")
            for_you.append(ms)
            ms, _ = timed(f"/articles/{others[i]}")
            article.append(ms)
        _, first = timed("/for-you")
        conn.close()
        reasons = first.decode().count("Because you follow")
        print(f"{'page':<22}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for name, times in (("/for-you (pages 1-5)", for_you), ("article page", article)):
            print(f"{name:<22}{len(times):>9}{percentile(times, 50):>9.2f}{percentile(times, 99):>9.2f}"
                  f"{max(times):>9.2f}")
        print(f"first page: {reasons} of 20 items because followed")
        print("targets: /for-you p50 < 10 ms, p99 < 30 ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
