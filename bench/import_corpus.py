"""Writes the same N articles twice for bench/import: as a WordPress export (WXR 1.2, the
way WordPress writes one: CDATA, Gutenberg block comments, categories and tags) and as
Meridian's JSON Lines. About 20 KB of text per article: 50,000 make a ~1 GB export.
Usage: import_corpus.py OUT.xml OUT.jsonl N"""
import json
import random
import sys

WORDS = ("the of and to in a is that for on as with by at from this be are was it an or its "
         "which has have not but their government policy election trade minister security "
         "border treaty parliament ministry coalition sanctions economy inflation currency "
         "energy pipeline grain port fisheries water drought migration refugees army navy "
         "talks summit alliance negotiation reform court constitution protest opposition "
         "president budget debt lenders bonds exports imports tariffs region neighbours "
         "analysts officials diplomats observers ceasefire corridor investment infrastructure").split()
COUNTRIES = ["Kenya", "Brazil", "India", "Germany", "Japan", "Nigeria", "Turkey", "Mexico",
             "Indonesia", "Egypt", "Poland", "Vietnam", "Chile", "Ukraine", "Pakistan"]
TOPICS = ["Trade", "Security", "Energy", "Elections", "Migration", "Climate", "Diplomacy",
          "Economy", "Food", "Water", "Technology", "Health"]


def paragraphs(rng, pool):
    return [pool[rng.randrange(len(pool))] for _ in range(28)]


def main():
    xml_path, jsonl_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(7)
    pool = []
    for _ in range(3000):
        words = [rng.choice(WORDS) for _ in range(110)]
        pool.append(" ".join(words).capitalize() + ".")
    with open(xml_path, "w") as x, open(jsonl_path, "w") as j:
        x.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
                'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
                '<title>Bench Review</title><link>https://bench.example</link>\n'
                '<wp:wxr_version>1.2</wp:wxr_version>\n'
                '<wp:base_site_url>https://bench.example</wp:base_site_url>\n'
                '<wp:base_blog_url>https://bench.example</wp:base_blog_url>\n'
                '<wp:author><wp:author_login><![CDATA[desk]]></wp:author_login>'
                '<wp:author_display_name><![CDATA[The Desk]]></wp:author_display_name></wp:author>\n')
        for i in range(1, n + 1):
            paras = paragraphs(rng, pool)
            title = f"{rng.choice(COUNTRIES)} and the {rng.choice(TOPICS).lower()} question, part {i}"
            slug = f"bench-article-{i}"
            country, topic = rng.choice(COUNTRIES), rng.choice(TOPICS)
            day = f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            blocks = "\n\n".join(f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->" for p in paras)
            x.write(f"<item><title><![CDATA[{title}]]></title>"
                    f"<link>https://bench.example/{day.replace('-', '/')}/{slug}/</link>"
                    f'<guid isPermaLink="false">https://bench.example/?p={i}</guid>'
                    f"<dc:creator><![CDATA[desk]]></dc:creator>"
                    f"<content:encoded><![CDATA[{blocks}]]></content:encoded>"
                    f"<excerpt:encoded><![CDATA[{paras[0][:200]}]]></excerpt:encoded>"
                    f"<wp:post_id>{i}</wp:post_id>"
                    f"<wp:post_date_gmt><![CDATA[{day} 09:00:00]]></wp:post_date_gmt>"
                    f"<wp:post_name><![CDATA[{slug}]]></wp:post_name>"
                    f"<wp:status><![CDATA[publish]]></wp:status>"
                    f"<wp:post_type><![CDATA[post]]></wp:post_type>"
                    f'<category domain="category" nicename="{topic.lower()}"><![CDATA[{topic}]]></category>'
                    f'<category domain="post_tag" nicename="{country.lower()}"><![CDATA[{country}]]></category>'
                    f"</item>\n")
            j.write(json.dumps({"slug": slug, "headline": title, "dek": paras[0][:200],
                                "body": "\n\n".join(paras), "authors": ["The Desk"],
                                "topics": [topic], "countries": [country],
                                "published_at": f"{day}T09:00:00Z"}) + "\n")
        x.write("</channel>\n</rss>\n")


if __name__ == "__main__":
    main()
