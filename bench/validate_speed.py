"""How long validate_bytes takes on feeds shaped like the ones `feeds generate` writes.

Builds Atom and RSS feeds with feedgen from the bodies of a corpus (default
/tmp/c10k, see /work/shared/bench/corpus.py), 20 entries each with the
elements our renderer emits, then times validate_bytes over them: first pass
(cold HTML cache, as for the first feed an article appears in) and second
pass (warm, as for the category, tag and author feeds that repeat it).

    python bench/validate_speed.py [CORPUS] [--feeds N]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import nh3
from feedgen.feed import FeedGenerator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from feeds.validate import validate_bytes  # noqa: E402

SITE = "https://blog.example.com"


def bodies(corpus: Path, count: int) -> list[str]:
    """Article bodies (after the front matter), sanitised the way the renderer does."""
    found = []
    for path in sorted(corpus.glob("*.md"))[:count]:
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 2)[-1]
        found.append(nh3.clean(body))
    return found


def build(contents: list[str], number: int) -> tuple[bytes, bytes]:
    """One Atom and one RSS feed of len(contents) entries."""
    return build_one(contents, number, "atom"), build_one(contents, number, "rss")


def build_one(contents: list[str], number: int, kind: str) -> bytes:
    """A feed as our renderer shapes it (feedgen 1.0 drops the attributes of Atom entry
    links, so the Atom entries carry no enclosure link: only one alternate)."""
    fg = FeedGenerator()
    fg.load_extension("media")
    fg.load_extension("dc")
    fg.id(f"{SITE}/feeds/{number}/")
    fg.title(f"Example blog: feed {number}")
    fg.subtitle("Articles about everything")
    fg.link(href=f"{SITE}/", rel="alternate")
    fg.language("en")
    fg.author({"name": "Jane Doe", "email": "jane@example.com"})
    fg.generator("feeds", version="0.1.0", uri="https://example.com/feeds")
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i, content in enumerate(contents):
        when = start + timedelta(hours=number * 100 + i)
        url = f"{SITE}/posts/{number}-{i}.html"
        fe = fg.add_entry(order="append")
        fe.id(f"urn:uuid:{uuid5(NAMESPACE_URL, url)}")
        fe.guid(f"urn:uuid:{uuid5(NAMESPACE_URL, url)}", permalink=False)
        fe.title(f"Post {i} & friends")
        fe.link(href=url, rel="alternate")
        fe.published(when)
        fe.updated(when)
        fe.author({"name": "Jane Doe", "email": "jane@example.com"})
        fe.category(term="news", label="News", scheme=f"{SITE}/categories/")
        fe.summary(nh3.clean(content[:300]) + "…", type="html")
        fe.content(content, type="html")
        fe.media.thumbnail({"url": f"{SITE}/img/{i}.png", "width": "320", "height": "200"}, group=None)
        if kind == "rss":
            fe.enclosure(f"{SITE}/img/{i}.png", "12345", "image/png")
    fg.link(href=f"{SITE}/feeds/{number}/{kind}.xml", rel="self")
    return fg.atom_str(pretty=False) if kind == "atom" else fg.rss_str(pretty=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="/tmp/c10k", type=Path)
    parser.add_argument("--feeds", type=int, default=50)
    args = parser.parse_args()
    texts = bodies(args.corpus, args.feeds * 20)
    feeds = [build(texts[n * 20:(n + 1) * 20], n) for n in range(args.feeds)]
    docs = [doc for pair in feeds for doc in pair]
    size = sum(map(len, docs)) / len(docs)
    for label in ("cold", "warm"):
        began = time.perf_counter()
        problems = 0
        for doc in docs:
            problems += len(validate_bytes(doc, "bench"))
        elapsed = time.perf_counter() - began
        print(f"{label}: {len(docs)} feeds, mean {size / 1024:.0f} KB, "
              f"{elapsed / len(docs) * 1000:.2f} ms/feed, {size / 1024 / (elapsed / len(docs) * 1000):.0f} KB/ms, "
              f"{problems} messages")


if __name__ == "__main__":
    main()
