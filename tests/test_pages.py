"""feeds.opml and index.html list every feed and lead readers to them."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from urllib.parse import unquote

from lxml import etree

from feeds.group import feed_paths, feed_url, group_feeds, page_url
from feeds.pages import render_index, render_opml
from feeds.render import feed_title
from render_samples import site_articles, site_config


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.head_links: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link":
            self.head_links.append(values)
        elif tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")


def test_opml_lists_every_feed_once_with_its_atom_url() -> None:
    config = site_config()
    specs = group_feeds(site_articles(), config)
    root = etree.fromstring(render_opml(specs, config))
    assert root.tag == "opml" and root.get("version") == "2.0"
    folders = root.find("body").findall("outline")
    assert [f.get("text") for f in folders] == ["Whole site", "Categories", "Authors", "Tags"]
    feeds = [o for f in folders for o in f.findall("outline")]
    assert [o.get("xmlUrl") for o in feeds] == [feed_url(s, "atom", config) for s in specs]
    assert [o.get("htmlUrl") for o in feeds] == [page_url(s, config) for s in specs]
    assert [o.get("title") for o in feeds] == [feed_title(s, config) for s in specs]
    assert all(o.get("type") == "rss" and o.get("text") and not len(o) for o in feeds)
    assert "新媒体 / 高科技行业门户 / 新闻" in [o.get("text") for o in feeds]


def test_opml_without_optional_settings_and_without_articles() -> None:
    config = site_config(author=None, language=None)
    root = etree.fromstring(render_opml(group_feeds([], config), config))
    assert root.find("head/ownerName") is None
    (folder,) = root.find("body").findall("outline")
    (site,) = folder.findall("outline")
    assert site.get("xmlUrl") == "https://example.com/atom.xml" and site.get("language") is None


def test_index_links_every_feed_in_both_formats_and_autodiscovers_the_site_feeds() -> None:
    config = site_config()
    specs = group_feeds(site_articles(), config)
    page = render_index(specs, config).decode("utf-8")
    collector = LinkCollector()
    collector.feed(page)
    assert [(link["rel"], link["type"], link["href"]) for link in collector.head_links] == [
        ("alternate", "application/atom+xml", "https://example.com/atom.xml"),
        ("alternate", "application/rss+xml", "https://example.com/rss.xml"),
    ]
    expected = [path for s in specs for path in feed_paths(s)]
    assert [unquote(h) for h in collector.hrefs] == expected
    assert '<html lang="zh-CN">' in page and "<title>示例新闻 Example News — feeds</title>" in page


def test_index_escapes_names() -> None:
    config = site_config(title="News <&> Views")
    article = dataclasses.replace(site_articles()[2], tags=("C<script>",))
    specs = group_feeds([article], config)
    page = render_index(specs, config).decode()
    assert "<script>" not in page and "News &lt;&amp;&gt; Views" in page


def test_pages_are_byte_identical_across_runs() -> None:
    config = site_config()
    first = group_feeds(site_articles(), config)
    second = group_feeds(list(reversed(site_articles())), config)
    assert render_opml(first, config) == render_opml(second, config)
    assert render_index(first, config) == render_index(second, config)
