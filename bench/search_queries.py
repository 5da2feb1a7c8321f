#!/usr/bin/env python3
"""Runs 200 mixed search queries against a Meridian data folder, as an anonymous reader
and as a subscriber, and prints p50/p99 latency (client-measured, sequential, no page
cache reuse: every query is distinct) and the server's RSS. Used by bench/search_scale."""
import collections
import http.client
import json
import os
import random
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Reader, Server, form_fields, link_in_mail, run_cli  # noqa: E402

STOP = set("a about after all also an and any are as at be been but by can could did do does for from "
           "had has have how i if in into is it its may more most must no not of on or other should "
           "so such than that the their then there these they this to was were what when which with "
           "will would our we which upon us shall been has those them who his he i my me her she".split())


def queries(corpus, n, seed=11):
    """1-4 informative words (document frequency 0.05%-15%), about a fifth as phrases,
    a third with a facet filter, a tenth sorted by date."""
    rng = random.Random(seed)
    df = collections.Counter()
    bigrams = []
    docs = 0
    with open(corpus) as f:
        for i, line in enumerate(f):
            if i % 10:  # a 10% sample is plenty for statistics
                continue
            rec = json.loads(line)
            words = re.findall(r"[a-z]+", rec["body"].lower())
            df.update(set(words))
            docs += 1
            if len(bigrams) < 5000:
                for a, b in zip(words, words[1:]):
                    if a not in STOP and b not in STOP and len(a) > 3 and len(b) > 3 and rng.random() < 0.01:
                        bigrams.append(f'"{a} {b}"')
    vocab = sorted(w for w, c in df.items() if w not in STOP and len(w) > 3 and 0.0005 * docs <= c <= 0.15 * docs)
    topics = ["energy", "security", "trade", "climate", "economy", "diplomacy"]
    countries = ["brazil", "china", "india", "germany", "nigeria", "japan"]
    out = []
    for i in range(n):
        k = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
        q = " ".join(rng.sample(vocab, k))
        if rng.random() < 0.2 and bigrams:
            q = rng.choice(bigrams) + ("" if rng.random() < 0.5 else " " + rng.choice(vocab))
        params = {"q": q, "per_page": 10}
        r = rng.random()
        if r < 0.12:
            params["topic"] = rng.choice(topics)
        elif r < 0.24:
            params["country"] = rng.choice(countries)
        elif r < 0.30:
            params["type"] = rng.choice(["analysis", "feature", "briefing"])
        elif r < 0.34:
            params["year"] = str(rng.randint(2015, 2024))
        if rng.random() < 0.1:
            params["sort"] = "date"
        out.append(params)
    return out


def fts5_expression(q):
    """The reader's words as a plain FTS5 OR of quoted words and phrases."""
    parts = re.findall(r'"[^"]+"|\S+', q)
    return " OR ".join(p if p.startswith('"') else '"' + p.replace('"', "") + '"' for p in parts)


def reference_times(data, qs):
    """The yardstick in the same run: the same queries straight into the same FTS5 index
    from Python's sqlite3 (BM25's top 10 and the match count, no facets, no snippets, no
    HTTP), so a slow or busy machine shows in both columns."""
    import sqlite3
    db = sqlite3.connect(f"file:{os.path.join(data, 'meridian.db')}?mode=ro", uri=True)
    times = []
    for params in qs:
        expr = fts5_expression(params["q"])
        t0 = time.perf_counter()
        db.execute("SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT 10",
                   (expr,)).fetchall()
        db.execute("SELECT count(*) FROM search_index WHERE search_index MATCH ?", (expr,)).fetchone()
        times.append((time.perf_counter() - t0) * 1000)
    db.close()
    return times


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    data, corpus = sys.argv[1], sys.argv[2]
    email = f"bench-{os.getpid()}@example.org"  # sign-in links are rate-limited per address
    run_cli("members", "grant", "--email", email, "--until", "2099-01-01", data=data, check=True)
    server = Server(data=data, env={"MERIDIAN_ACCESS_LOG": "0"})
    try:
        sub = Reader(server)
        sub.submit("/signin", "/signin", {"email": email})
        page = sub.get(link_in_mail(data, email, "/signin/confirm"))
        sub.post("/signin/confirm", form_fields(page.text, "/signin/confirm"))
        qs = queries(corpus, 200)
        anon = Reader(server)
        anon.get("/api/v1/search?q=warmup")  # builds the in-memory catalog once
        print(f"{'reader':<12}{'queries':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'mean hits':>11}")
        for name, reader, salt in (("anonymous", anon, "a"), ("subscriber", sub, "s")):
            times, totals = [], []
            # One kept-alive connection, as a browser or an API client would use.
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            headers = reader._headers()
            for i, params in enumerate(qs):
                params = dict(params, n=f"{salt}{i}")  # distinct targets: no page-cache reuse
                t0 = time.perf_counter()
                conn.request("GET", "/api/v1/search?" + urllib.parse.urlencode(params), headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                times.append((time.perf_counter() - t0) * 1000)
                if resp.status != 200:
                    raise SystemExit(f"query {params} failed: {resp.status} {body[:200]}")
                totals.append(json.loads(body)["total"])
            conn.close()
            print(f"{name:<12}{len(times):>8}{percentile(times, 50):>9.2f}{percentile(times, 99):>9.2f}"
                  f"{max(times):>9.2f}{sum(totals) / len(totals):>11.0f}")
        ref = reference_times(data, qs)
        print(f"{'fts5 only':<12}{len(ref):>8}{percentile(ref, 50):>9.2f}{percentile(ref, 99):>9.2f}"
              f"{max(ref):>9.2f}{'':>11}  (reference: plain FTS5 BM25 top 10 + count, in process)")
        with open(f"/proc/{server.proc.pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
        print(f"server RSS after the queries: {rss // 1024} MB (target < 300 MB)")
        if os.environ.get("MERIDIAN_DATABASE_URL"):
            print("targets on PostgreSQL: p50 < 10 ms, p99 < 50 ms, including facet counts")
        else:
            print("targets: p50 < 5 ms, p99 < 25 ms, including facet counts")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
