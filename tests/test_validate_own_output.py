"""Feeds shaped like the ones `feeds generate` writes validate with no message at all.

The documents are built with feedgen, as the renderer does, from the seed
article and a few more bodies, carrying every element the renderer emits:
self and alternate links, id, updated, generator, language, author; per
entry a urn:uuid id (RSS: guid isPermaLink="false"), title, link,
published and updated, author, a category with term and label (RSS: with a
domain), an html summary and sanitised html content with absolute URLs, a
Media RSS thumbnail and, in RSS, an enclosure and atom:link rel="self".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

import feedparser
import nh3
import pytest
import yaml
from feedgen.feed import FeedGenerator

from feeds.validate import validate_bytes

SITE = "https://blog.example.com"
SEED = Path(__file__).resolve().parents[1] / "articles" / "000_54eddf3d95a348cd.md"

EXTRA_BODIES = [
    '<p>Read <a href="https://example.org/a?x=1&amp;y=2">the report</a> and see '
    '<img src="https://example.org/chart.png" alt="chart" width="640" height="480"></p>'
    "<table><thead><tr><th>Q</th><th>Revenue</th></tr></thead>"
    "<tbody><tr><td>Q1</td><td>10</td></tr></tbody></table>",
    "<h2>Notes</h2><ul><li><code>x &lt; y</code></li><li><em>done</em> &amp; dusted</li></ul>"
    '<blockquote cite="https://example.org/q">Quote</blockquote><pre>a\n  b</pre>',
    "<p>Plain paragraph with unicode: 华为云 — “quotes” — émigré</p>",
]


def seed_article() -> tuple[dict[str, object], str]:
    text = SEED.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def build(kind: str) -> bytes:
    meta, seed_body = seed_article()
    bodies = [nh3.clean(seed_body)] + [nh3.clean(b) for b in EXTRA_BODIES]
    fg = FeedGenerator()
    fg.load_extension("media")
    fg.id(f"{SITE}/")
    fg.title("Example blog")
    fg.subtitle("Everything, daily")
    fg.link(href=f"{SITE}/", rel="alternate")
    fg.language("zh-CN")
    fg.author({"name": "Jane Doe", "email": "jane@example.com"})
    fg.generator("feeds", version="0.1.0", uri="https://example.com/feeds")
    fg.updated(datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc))
    start = datetime(2024, 4, 1, 8, 30, tzinfo=timezone.utc)
    for i, body in enumerate(bodies):
        url = f"{SITE}/posts/{i}/"
        when = start + timedelta(days=i, minutes=7 * i)
        fe = fg.add_entry(order="append")
        fe.id(f"urn:uuid:{uuid5(NAMESPACE_URL, url)}")
        fe.guid(f"urn:uuid:{uuid5(NAMESPACE_URL, url)}", permalink=False)
        fe.title(str(meta["title"]) if i == 0 else f"Post {i}: tips & tricks")
        fe.link(href=url, rel="alternate")
        fe.published(when)
        fe.updated(when + timedelta(hours=1))
        fe.author({"name": str(meta["author"]) if i == 0 else "Jane Doe", "email": "jane@example.com"})
        fe.category(term="news", label="News", scheme=f"{SITE}/categories/")
        fe.summary(nh3.clean(body[:200]), type="html")
        fe.content(body, type="html")
        fe.media.thumbnail({"url": f"{SITE}/img/{i}.png", "width": "320", "height": "200"}, group=None)
        if kind == "rss":
            fe.enclosure(f"{SITE}/img/{i}.png", "12345", "image/png")
    fg.link(href=f"{SITE}/{kind}.xml", rel="self")
    return fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_our_feeds_have_no_message(kind: str) -> None:
    document = build(kind)
    messages = validate_bytes(document, f"{kind}.xml", location=f"{SITE}/{kind}.xml")
    assert messages == [], "\n".join(map(str, messages))


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_feedparser_reads_them_cleanly(kind: str) -> None:
    parsed = feedparser.parse(build(kind))
    assert not parsed.bozo
    assert len(parsed.entries) == 1 + len(EXTRA_BODIES)


def test_served_from_elsewhere_the_self_link_is_flagged() -> None:
    messages = validate_bytes(build("atom"), "atom.xml", location="https://mirror.example.net/atom.xml")
    assert [m.code for m in messages] == ["SelfDoesntMatchLocation"]
    assert messages[0].severity == "warning"


def test_feedgen_drops_atom_entry_link_attributes() -> None:
    """feedgen 1.0 writes entry links without rel, so an enclosure becomes a second alternate."""
    fg = FeedGenerator()
    fg.id(f"{SITE}/")
    fg.title("t")
    fg.link(href=f"{SITE}/atom.xml", rel="self")
    fg.author({"name": "A"})
    fe = fg.add_entry()
    fe.id("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a")
    fe.title("x")
    fe.link(href=f"{SITE}/x")
    fe.enclosure(f"{SITE}/x.mp3", "1", "audio/mpeg")
    fe.content("<p>x</p>", type="html")
    codes = [m.code for m in validate_bytes(fg.atom_str(), "atom.xml")]
    assert codes == ["DuplicateAtomLink"]
