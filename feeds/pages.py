"""The two files that help people find the feeds: feeds.opml and index.html.

Pure functions of the feed list and the config, byte-identical from run to
run (no date of creation, fixed order: the order `group_feeds` returns).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from lxml import etree

from feeds.config import Config
from feeds.group import feed_label, feed_paths, feed_url, page_url
from feeds.model import FeedKind, FeedSpec
from feeds.render import clean_text, feed_title

SECTIONS = (
    (FeedKind.SITE, "Whole site"),
    (FeedKind.CATEGORY, "Categories"),
    (FeedKind.AUTHOR, "Authors"),
    (FeedKind.TAG, "Tags"),
)


def _by_kind(specs: Sequence[FeedSpec]) -> list[tuple[str, list[FeedSpec]]]:
    return [(heading, [s for s in specs if s.kind is kind]) for kind, heading in SECTIONS]


def _text(value: str) -> str:
    return clean_text(value)[0]


def _short_name(spec: FeedSpec, config: Config) -> str:
    """Name of a feed inside its section: the label, or the site title for the site feed."""
    return _text(feed_label(spec) or config.title)


def render_opml(specs: Sequence[FeedSpec], config: Config) -> bytes:
    """OPML 2.0 subscription list: one outline per feed (its Atom URL), grouped by kind.

    Groups are flat folders (Whole site, Categories, Authors, Tags): a reader
    turns an outline with children into a folder and would drop its own feed,
    so a category's sub-levels are listed beside it ("新媒体 / 高科技行业门户").
    """
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = f"{_text(config.title)} — feeds"
    if config.author:
        etree.SubElement(head, "ownerName").text = _text(config.author.name)
        if config.author.email:
            etree.SubElement(head, "ownerEmail").text = _text(config.author.email)
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    for heading, group in _by_kind(specs):
        if not group:
            continue
        folder = etree.SubElement(body, "outline", text=heading, title=heading)
        for spec in group:
            name = _short_name(spec, config)
            outline = etree.SubElement(folder, "outline", text=name, title=feed_title(spec, config), type="rss")
            outline.set("xmlUrl", feed_url(spec, "atom", config))
            outline.set("htmlUrl", page_url(spec, config))
            if config.language:
                outline.set("language", config.language)
    return etree.tostring(opml, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def render_index(specs: Sequence[FeedSpec], config: Config) -> bytes:
    """A plain HTML page listing every feed in both formats.

    Its <head> carries autodiscovery links for the site feeds only (Atom and
    RSS): a browser or reader offers those when given the page, and hundreds
    of category feeds there would drown them. Links in the body are relative,
    so the page also works when opened from the output folder.
    """
    site = next((s for s in specs if s.kind is FeedKind.SITE), None)
    title = _text(config.title)
    lang = f' lang="{escape(config.language)}"' if config.language else ""
    lines = [
        "<!DOCTYPE html>",
        f"<html{lang}>",
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} — feeds</title>",
    ]
    if site is not None:
        for fmt, mime, label in (("atom", "application/atom+xml", "Atom"), ("rss", "application/rss+xml", "RSS")):
            lines.append(
                f'<link rel="alternate" type="{mime}" title="{escape(title)} ({label})" '
                f'href="{escape(feed_url(site, fmt, config))}">'
            )
    lines += ["</head>", "<body>", f"<h1>{escape(title)}</h1>"]
    if config.subtitle:
        lines.append(f"<p>{escape(_text(config.subtitle))}</p>")
    for heading, group in _by_kind(specs):
        if not group:
            continue
        lines += [f"<h2>{escape(heading)}</h2>", "<ul>"]
        for spec in group:
            atom_path, rss_path = (quote(p) for p in feed_paths(spec))
            newest = max((a.updated for a in spec.articles), default=None)
            when = f" — updated {newest.date().isoformat()}" if newest is not None else ""
            count = len(spec.articles)
            lines.append(
                f"<li>{escape(_short_name(spec, config))}: "
                f'<a href="{escape(atom_path)}">Atom</a> · <a href="{escape(rss_path)}">RSS</a> '
                f"({count} {'entry' if count == 1 else 'entries'}{when})</li>"
            )
        lines.append("</ul>")
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")
