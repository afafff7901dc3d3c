"""Rendered Atom and RSS: what feedparser reads back must be what the articles say."""

from __future__ import annotations

import calendar
import dataclasses
import re
from datetime import datetime, timezone

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from feeds.config import Config
from feeds.group import feed_paths, feed_url, group_feeds, page_url
from feeds.model import Article, Author, FeedKind, FeedSpec
from feeds.render import (
    _NOT_XML,
    EMPTY_FEED_DATE,
    FeedRenderer,
    _has_not_xml,
    as_uri,
    clean_article,
    feed_title,
    image_type,
    render_all,
    render_atom,
    render_rss,
)
from feeds.validate import has_errors, validate_bytes
from render_samples import SEED_IMAGE, seed_article, site_articles, site_config

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")
RFC822_NUMERIC = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}")


def rendered_site(config: Config | None = None) -> tuple[Config, list[FeedSpec], dict[str, bytes]]:
    config = config or site_config()
    specs = group_feeds(site_articles(), config)
    return config, specs, render_all(specs, config)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def parsed_epoch(struct: object) -> int:
    return calendar.timegm(struct)  # type: ignore[arg-type]


def test_every_feed_parses_without_error_and_entries_match_their_articles() -> None:
    config, specs, files = rendered_site()
    checked = 0
    for spec in specs:
        for path, flavour in zip(feed_paths(spec), ("atom10", "rss20")):
            parsed = feedparser.parse(files[path])
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            assert parsed.version == flavour
            assert len(parsed.entries) == len(spec.articles)
            for entry, article in zip(parsed.entries, spec.articles):
                assert entry.title == article.title
                assert entry.link == article.link
                assert entry.id == article.id
                assert parsed_epoch(entry.published_parsed) == epoch(article.published)
                if flavour == "atom10":
                    assert parsed_epoch(entry.updated_parsed) == epoch(article.updated)
                people = [a["name"] for a in entry.get("authors", [])] + [c["name"] for c in entry.get("contributors", [])]
                assert people == [a.name for a in article.authors]  # first = author, others = contributors
                assert entry.author_detail["name"] == article.authors[0].name
                terms = [t["term"] for t in entry.tags]
                for path_names in article.categories:
                    for depth in range(1, len(path_names) + 1):
                        assert "/".join(path_names[:depth]) in terms
                assert set(article.tags) <= set(terms)
                checked += 1
    assert checked > 40


def test_atom_entry_details() -> None:
    config = site_config()
    (spec,) = [s for s in group_feeds(site_articles(), config) if s.names == ("AI",)]
    parsed = feedparser.parse(render_atom(spec, config))
    cloud = parsed.entries[0]
    assert cloud.authors == [{"name": "王伟", "email": "wang.wei@example.com", "href": "https://example.com/about/wang"}]
    assert cloud.contributors == [{"name": "Alice Chen", "email": "alice@example.org"}]
    labels = {t["term"]: (t["label"], t["scheme"]) for t in cloud.tags}
    assert labels["新媒体/高科技行业门户/评论"] == ("新媒体 / 高科技行业门户 / 评论", "https://example.com/categories/")
    assert labels["云计算"] == ("云计算", "https://example.com/tags/")
    assert cloud.content[0].type == "text/html" and "PSA团队" in cloud.content[0].value
    assert cloud.summary_detail.type == "text/html" and "组建了PSA团队" in cloud.summary
    assert cloud.media_thumbnail == [{"url": "https://images.example.com/2022/06/cloud.jpg?w=640"}]


def test_atom_entries_have_exactly_one_alternate_link_and_no_enclosure() -> None:
    _config, specs, files = rendered_site()
    for spec in specs:
        root = etree.fromstring(files[feed_paths(spec)[0]])
        for entry in root.iter(f"{ATOM}entry"):
            links = entry.findall(f"{ATOM}link")
            assert len(links) == 1
            assert links[0].get("rel", "alternate") == "alternate"


def test_rss_item_details() -> None:
    config = site_config()
    site = group_feeds(site_articles(), config)[0]
    raw = render_rss(site, config)
    parsed = feedparser.parse(raw)
    cloud, why_rust, seed, older = parsed.entries
    assert cloud.author == "王伟" and [c["name"] for c in cloud.contributors] == ["Alice Chen"]
    assert b"<author>" not in raw and raw.count(b"<dc:creator>") == 4 and raw.count(b"<dc:contributor>") == 1
    assert cloud.summary == "<p>据介绍，华为云2022年组建了PSA团队。</p>"
    assert "AT&amp;T" in cloud.content[0].value
    assert cloud.enclosures == [{"href": "https://images.example.com/2022/06/cloud.jpg?w=640", "type": "image/jpeg", "length": "0"}]
    assert seed.enclosures == [{"href": SEED_IMAGE, "type": "image/png", "length": "0"}]
    assert older.enclosures[0]["type"] == "image/gif"
    assert why_rust.enclosures == [] and "media_thumbnail" not in why_rust
    assert why_rust.title == "Why Rust <and> Go matter"
    assert b"Why Rust &#x3C;and&gt; Go matter" in raw  # RSS Profile: '<' as a hex reference
    assert {"term": "新媒体/高科技行业门户/新闻", "scheme": "https://example.com/categories/", "label": None} in seed.tags
    assert b'<guid isPermaLink="true">https://example.com/2022/06/17/000_54eddf3d95a348cd/</guid>' in raw
    assert b'<guid isPermaLink="false">urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66</guid>' in raw


def test_summary_only_feeds_carry_no_content() -> None:
    config = site_config(full_content=False)
    site = group_feeds(site_articles(), config)[0]
    for raw in (render_atom(site, config), render_rss(site, config)):
        parsed = feedparser.parse(raw)
        assert all("content" not in e for e in parsed.entries)
        assert all(e.summary for e in parsed.entries)
        assert "路遥知马力" not in raw.decode()  # a phrase of the seed body, only in full-content feeds


def test_an_article_with_nothing_to_show_still_has_text() -> None:
    bare = dataclasses.replace(seed_article(), summary=None, content=None)
    config = site_config()
    spec = group_feeds([bare], config)[0]
    entry = feedparser.parse(render_atom(spec, config)).entries[0]
    assert entry.summary == bare.title


def test_dates_are_whole_seconds_in_rfc3339_and_rfc822() -> None:
    _config, specs, files = rendered_site()
    for spec in specs:
        atom_path, rss_path = feed_paths(spec)
        atom = etree.fromstring(files[atom_path])
        for tag in ("updated", "published"):
            for element in atom.iter(f"{ATOM}{tag}"):
                assert RFC3339_SECONDS.fullmatch(element.text), element.text
        rss = etree.fromstring(files[rss_path])
        for element in [*rss.iter("pubDate"), *rss.iter("lastBuildDate")]:
            assert RFC822_NUMERIC.fullmatch(element.text), element.text
    assert b"2022-06-18T09:30:15+08:00" in files["atom.xml"]  # the .25 s are gone, the zone kept


def test_feed_metadata() -> None:
    config, specs, files = rendered_site(site_config(icon="https://example.com/favicon.png", logo="https://example.com/logo.png"))
    for spec in specs:
        atom_path, rss_path = feed_paths(spec)
        atom = feedparser.parse(files[atom_path]).feed
        rss = feedparser.parse(files[rss_path]).feed
        links = {link["rel"]: link["href"] for link in atom.links}
        assert links == {"self": feed_url(spec, "atom", config), "alternate": page_url(spec, config)}
        assert atom.id == feed_url(spec, "atom", config)
        assert atom.title == rss.title == feed_title(spec, config)
        assert atom.subtitle == rss.subtitle == "Sample articles rendered by feeds"
        assert atom.language == rss.language == "zh-CN"
        assert atom.generator == rss.generator == "feeds"
        assert atom.author_detail == {"name": "Example Newsroom", "email": "newsroom@example.com"}
        assert atom.icon == "https://example.com/favicon.png" and atom.logo == "https://example.com/logo.png"
        assert rss.image.href == "https://example.com/logo.png"
        assert rss.link == page_url(spec, config)
        assert {"rel": "self", "href": feed_url(spec, "rss", config), "type": "application/rss+xml"} in rss.links
        newest = max(a.updated for a in spec.articles)
        assert parsed_epoch(atom.updated_parsed) == parsed_epoch(rss.updated_parsed) == epoch(newest)
    titles = {feed_title(s, config) for s in specs}
    assert "示例新闻 Example News — category 新媒体 / 高科技行业门户" in titles
    assert "示例新闻 Example News — author Alice Chen" in titles and "示例新闻 Example News — tag AI" in titles


def test_feed_author_falls_back_to_the_site_title() -> None:
    config = site_config(author=None)
    site = group_feeds(site_articles(), config)[0]
    assert feedparser.parse(render_atom(site, config)).feed.author == "示例新闻 Example News"
    assert b"managingEditor" not in render_rss(site, config)


def test_empty_feed_has_a_fixed_date() -> None:
    config = site_config()
    (site,) = group_feeds([], config)
    for raw in (render_atom(site, config), render_rss(site, config)):
        parsed = feedparser.parse(raw)
        assert not parsed.bozo and parsed.entries == []
        assert parsed_epoch(parsed.feed.updated_parsed) == epoch(EMPTY_FEED_DATE)


def test_output_is_byte_identical_across_runs_and_render_orders() -> None:
    config, specs, first = rendered_site()
    renderer = FeedRenderer(config)
    again = {}
    for spec in reversed(specs):  # other order, entries reused in another sequence
        atom_path, rss_path = feed_paths(spec)
        again[rss_path] = renderer.rss(spec)
        again[atom_path] = renderer.atom(spec)
    assert again == first
    assert render_all(group_feeds(list(reversed(site_articles())), config), config) == first


def test_an_article_shared_by_many_feeds_is_complete_in_each() -> None:
    config, specs, files = rendered_site()
    seed_entries = set()
    for spec in specs:
        if any(a.source == "000_54eddf3d95a348cd.md" for a in spec.articles):
            root = etree.fromstring(files[feed_paths(spec)[0]])
            (entry,) = [e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == seed_article().id]
            seed_entries.add(etree.tostring(entry, encoding="unicode"))
    assert len(seed_entries) == 1  # the same, complete entry in all five feeds
    assert "路遥知马力" in seed_entries.pop()


def test_xml_illegal_characters_are_removed_with_a_warning() -> None:
    dirty = dataclasses.replace(
        seed_article(),
        title="华为云\x00陶志强\x0b：钻石\ufffe",
        summary="<p>摘要\x1b[0m</p>",
        authors=(Author("高科技\x85行业门户"),),
        tags=("A\x08I",),
    )
    cleaned, warnings = clean_article(dirty)
    assert cleaned.title == "华为云陶志强：钻石"
    assert cleaned.summary == "<p>摘要[0m</p>"
    assert cleaned.authors == (Author("高科技行业门户"),) and cleaned.tags == ("AI",)
    (warning,) = warnings
    assert warning.severity == "warning" and warning.path == "000_54eddf3d95a348cd.md"
    assert "title" in warning.message and "summary" in warning.message and "tags" in warning.message
    assert clean_article(cleaned) == (cleaned, ())

    config = site_config()
    site = group_feeds([dirty], config)[0]  # rendering a dirty article never crashes
    for raw in (render_atom(site, config), render_rss(site, config)):
        parsed = feedparser.parse(raw)
        assert not parsed.bozo and parsed.entries[0].title == "华为云陶志强：钻石"


def test_has_not_xml_agrees_with_the_regex_on_every_code_point() -> None:
    for code in range(0x100):  # in text of Latin-1 characters only
        assert _has_not_xml(chr(code)) == (_NOT_XML.match(chr(code)) is not None), hex(code)
    for code in range(0x110000):  # among characters above U+00FF
        char = chr(code)
        assert _has_not_xml(f"正{char}a") == (_NOT_XML.match(char) is not None), hex(code)


not_xml_prone = st.text(
    alphabet=st.one_of(st.sampled_from(list("\x00\x01\x08\t\n\x0b\r\x1f \x7e\x7f\x80\x85\x9f\xa0\xff\ud7ff\ud800\udbff\udc00"
                                            "\udfff\ue000\ufffd\ufffe\uffff\U00010000\U0010ffff正a<&")), st.characters()),
    max_size=60,
)


@given(not_xml_prone)
def test_has_not_xml_is_the_regex_search(text: str) -> None:
    assert _has_not_xml(text) == (_NOT_XML.search(text) is not None)


def test_clean_article_returns_the_same_object_when_clean() -> None:
    article = seed_article()
    cleaned, warnings = clean_article(article)
    assert cleaned is article and warnings == ()


def test_non_ascii_links_become_uris() -> None:
    article = dataclasses.replace(
        seed_article(), link="https://example.com/2022/06/17/华为云 钻石/", id="https://example.com/2022/06/17/华为云 钻石/"
    )
    config = site_config()
    entry = feedparser.parse(render_atom(group_feeds([article], config)[0], config)).entries[0]
    assert entry.link == "https://example.com/2022/06/17/%E5%8D%8E%E4%B8%BA%E4%BA%91%20%E9%92%BB%E7%9F%B3/"
    assert as_uri(entry.link) == entry.link
    assert as_uri("https://example.com/a?b=c&d=%20#x") == "https://example.com/a?b=c&d=%20#x"


def test_a_non_ascii_host_is_spelt_in_idna_so_its_image_stays() -> None:
    """Percent-encoding a host (`http://%E4%BE%8B...`) gives a URL no client resolves, and no enclosure."""
    assert as_uri("http://例子.测试/图.png") == "http://xn--fsqu00a.xn--0zwm56d/%E5%9B%BE.png"
    assert as_uri("http://user@例子.测试:8080/a?b=中") == "http://user@xn--fsqu00a.xn--0zwm56d:8080/a?b=%E4%B8%AD"
    article = dataclasses.replace(seed_article(), image="http://例子.测试/图.png")
    config = site_config()
    renderer = FeedRenderer(config)
    document = renderer.rss(group_feeds([article], config)[0])
    assert not has_errors(validate_bytes(document, "rss.xml")) and not renderer.warnings
    item = feedparser.parse(document).entries[0]
    assert item.enclosures[0]["href"] == "http://xn--fsqu00a.xn--0zwm56d/%E5%9B%BE.png"


@pytest.mark.parametrize(
    ("url", "mime"),
    [
        (SEED_IMAGE, "image/png"),
        ("https://img.example.com/a/b.JPG", "image/jpeg"),
        ("https://img.example.com/a/b.webp?w=100", "image/webp"),
        ("https://proxy.example.com/fetch?url=http%3A%2F%2Fimg.example.com%2Fx.svg&w=1", "image/svg+xml"),
        ("https://img.example.com/render?id=42", None),
        ("https://img.example.com/a/b.php", None),
        ("https://proxy.example.com/?u=http://img.example.com/x.gif&v=http://[bad", "image/gif"),
        ("https://proxy.example.com/?v=http://[bad&u=http://img.example.com/x.gif", "image/gif"),
        ("https://img.example.com/x.png?from=http://[bad", "image/png"),
        ("https://proxy.example.com/?v=http://[bad", None),
    ],
)
def test_image_type_from_the_url(url: str, mime: str | None) -> None:
    assert image_type(url) == mime


def test_an_image_whose_query_holds_a_broken_url_is_still_rendered() -> None:
    """The query is only looked into for a type: a URL in it that does not parse must not stop the run.

    The image is as the parser makes it from `headimg: https://img.example.com/a.png?v=http://[bad`
    ("[" is not allowed in a URI's query); image_type reads the query unescaped, "[" again.
    """
    article = dataclasses.replace(seed_article(), image="https://img.example.com/a.png?v=http://%5Bbad")
    config = site_config()
    document = render_rss(group_feeds([article], config)[0], config)
    assert not has_errors(validate_bytes(document, "rss.xml"))
    item = feedparser.parse(document).entries[0]
    assert item.enclosures[0]["type"] == "image/png"


def test_an_image_url_no_feed_can_carry_is_left_out_with_a_warning() -> None:
    """An enclosure needs an http(s) URL with a dotted host: anything else would fail validation, and hold
    back every feed the article is in, so the image goes (with a warning) and the article stays."""
    config = site_config()
    for image in ("http://localhost/a.png", "http://user@img.example.com/a.png", "http://[::1]/a.png",
                  "https://img.example.com/a.png?v=http://[bad"):
        article = dataclasses.replace(seed_article(), image=image)
        renderer = FeedRenderer(config)
        spec = group_feeds([article], config)[0]
        for document in (renderer.rss(spec), renderer.atom(spec)):
            assert not has_errors(validate_bytes(document, "feed.xml")), image
            assert b"enclosure" not in document and b"media:thumbnail" not in document
        assert [w.message for w in renderer.warnings] == [
            f"image {image} is left out of the feeds: they need an http(s) URL with a public host name"]


def test_unknown_image_type_gives_no_enclosure_but_a_thumbnail() -> None:
    article = dataclasses.replace(seed_article(), image="https://img.example.com/render?id=42")
    config = site_config()
    item = feedparser.parse(render_rss(group_feeds([article], config)[0], config)).entries[0]
    assert item.enclosures == [] and item.media_thumbnail == [{"url": "https://img.example.com/render?id=42"}]


def test_naive_dates_are_read_in_the_site_zone() -> None:
    naive = datetime(2022, 6, 17, 14, 50)
    article = dataclasses.replace(seed_article(), published=naive, updated=naive)
    config = site_config()
    raw = render_atom(group_feeds([article], config)[0], config)
    assert b"<published>2022-06-17T14:50:00+08:00</published>" in raw


def test_spec_kinds_render_their_own_titles() -> None:
    config = site_config()
    spec = FeedSpec(FeedKind.TAG, ("Rust",), ("Rust",), ())
    assert feed_title(spec, config) == "示例新闻 Example News — tag Rust"
    assert feedparser.parse(render_rss(spec, config)).feed.title == "示例新闻 Example News — tag Rust"


def test_a_published_date_in_another_zone_keeps_its_offset() -> None:
    moment = datetime(2022, 6, 17, 6, 50, tzinfo=timezone.utc)
    article: Article = dataclasses.replace(seed_article(), published=moment)
    config = site_config()
    raw = render_rss(group_feeds([article], config)[0], config)
    assert b"<pubDate>Fri, 17 Jun 2022 06:50:00 +0000</pubDate>" in raw


def test_reused_entries_give_exactly_what_feedgen_writes_for_the_whole_feed() -> None:
    """The fast path splices serialised entries into the feed: it must equal feedgen's own output."""
    config = site_config()
    specs = group_feeds(site_articles(), config)
    renderer = FeedRenderer(config, specs)
    reference = FeedRenderer(config)
    for spec in specs:
        for fmt, render in (("atom", renderer.atom), ("rss", renderer.rss)):
            fg = reference._generator(spec, fmt)
            fg.entry([reference._feed_entry(a, fmt) for a in spec.articles])
            assert render(spec) == reference._serialise(fg, fmt), (spec.names, fmt)


def test_entry_bytes_are_dropped_after_their_last_feed() -> None:
    config = site_config()
    specs = group_feeds(site_articles(), config)
    renderer = FeedRenderer(config, specs)
    for spec in specs:
        renderer.atom(spec)
        renderer.rss(spec)
    assert renderer._chunks == {"atom": {}, "rss": {}}
    assert renderer.atom(specs[0]) == render_atom(specs[0], config)  # rendering again still works


# -- entries built from prepared state must equal entries built with feedgen's setters


def entry_with_feedgen_setters(parts, fmt: str, config: Config):  # type: ignore[no-untyped-def]
    """The entry as feedgen's public setters build it from the same prepared parts.

    This is how the renderer built entries before it wrote their state
    directly; what feedgen serialises from both must be the same.
    """
    from feedgen.entry import FeedEntry
    from feedgen.ext.dc import DcEntryExtension
    from feedgen.ext.media import MediaEntryExtension

    from feeds.render import _author_dict

    article = parts.article
    entry = FeedEntry()
    if fmt == "atom":
        entry.id(parts.id)
    else:
        entry.guid(parts.id, permalink=parts.id == parts.link)
    entry.register_extension("media", MediaEntryExtension, atom=True, rss=True)
    entry.title(article.title)
    entry.link(href=parts.link)
    entry.published(parts.published)
    entry.updated(parts.updated)
    if parts.image:
        entry.media.thumbnail({"url": parts.image, "group": None})
    full = config.full_content and article.content
    if fmt == "atom":
        people = [_author_dict(a) for a in article.authors if a.name]
        if people:
            entry.author(people[0])
        if people[1:]:
            entry.contributor(people[1:])
        if full:
            entry.content(article.content, type="html")
        if article.summary:
            entry.summary(article.summary, type="html")
        elif not full:
            entry.summary(article.title)
        if parts.categories:
            entry.category([{"term": t, "label": label, "scheme": s} for t, label, s in parts.categories])
        return entry
    entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    names = [a.name for a in article.authors if a.name]
    if names:
        entry.dc.dc_creator(names[0])
    if names[1:]:
        entry.dc.dc_contributor(names[1:])
    if article.summary:
        entry.summary(article.summary)
    if full:
        entry.content(article.content)
    if parts.categories:
        entry.category([{"term": t, "scheme": s} for t, _, s in parts.categories])
    if parts.image and parts.image_type:
        entry.enclosure(parts.image, 0, parts.image_type)
    return entry


def awkward_articles() -> list[Article]:
    """The sample site plus articles with nothing optional, several authors and an image of unknown type."""
    seed = seed_article()
    return [
        *site_articles(),
        dataclasses.replace(seed, source="bare.md", summary=None, content=None, image=None, categories=()),
        dataclasses.replace(seed, source="no-summary.md", summary=None, tags=("AI", "AI", "Rust")),
        dataclasses.replace(
            seed,
            source="people.md",
            authors=(Author("A", "a@example.com"), Author(""), Author("B", "not an address", "https://b.example/主页")),
            image="https://img.example.com/render?id=42",
        ),
    ]


@pytest.mark.parametrize("full_content", [True, False])
def test_prepared_entries_serialise_like_entries_built_with_feedgen_setters(full_content: bool) -> None:
    config = site_config(full_content=full_content)
    renderer = FeedRenderer(config)
    for article in awkward_articles():
        parts = renderer._parts(article)
        for fmt in ("atom", "rss"):
            ours = renderer._feed_entry(article, fmt)
            theirs = entry_with_feedgen_setters(parts, fmt, config)
            build = "atom_entry" if fmt == "atom" else "rss_entry"
            assert etree.tostring(getattr(ours, build)()) == etree.tostring(getattr(theirs, build)()), (article.source, fmt)


@pytest.mark.parametrize(
    "overrides",
    [
        {"icon": "https://example.com/favicon.png", "logo": "https://example.com/logo.png"},
        {"subtitle": None, "author": None, "language": None},  # RSS description = each feed's title
    ],
)
def test_feeds_rendered_with_one_renderer_equal_feeds_rendered_alone(overrides: dict[str, object]) -> None:
    """The renderer reuses its generators from feed to feed: nothing of one feed may leak into the next."""
    config = site_config(**overrides)
    specs = group_feeds(awkward_articles(), config)
    shared = FeedRenderer(config, specs)
    for spec in specs:
        assert shared.atom(spec) == render_atom(spec, config), spec.names
        assert shared.rss(spec) == render_rss(spec, config), spec.names


def test_feeds_put_together_from_entries_made_elsewhere_equal_feeds_rendered_in_one_go() -> None:
    """A run makes each article's entries once, in any process, and other processes load them into feeds."""
    config, specs, files = rendered_site()
    maker = FeedRenderer(config)
    made = maker.entries(a for spec in specs for a in spec.articles)
    loads: list[str] = []

    def load(source: str) -> tuple[bytes, bytes]:
        loads.append(source)
        return made[source]

    assembler = FeedRenderer(config, specs, load=load)
    for spec in specs:
        atom_path, rss_path = feed_paths(spec)
        assert assembler.atom(spec) == files[atom_path]
        assert assembler.rss(spec) == files[rss_path]
    assert sorted(loads) == sorted(made)  # each article's entries loaded once, however many feeds show it
    assert assembler._chunks == {"atom": {}, "rss": {}}  # and dropped after its last feed


def test_not_xml_is_every_character_outside_xml_char_and_the_discouraged_controls() -> None:
    """Spelt as what it matches (fast to compile); pinned here to its definition, code point by code point."""
    def allowed(c: int) -> bool:  # XML 1.0 Char, minus DEL and C1
        return c in (0x9, 0xA, 0xD) or 0x20 <= c <= 0x7E or 0xA0 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD \
            or 0x10000 <= c <= 0x10FFFF
    everything = "".join(map(chr, range(0x110000)))
    assert [m.start() for m in _NOT_XML.finditer(everything)] == [c for c in range(0x110000) if not allowed(c)]
