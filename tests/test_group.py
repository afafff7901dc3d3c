"""Which feeds exist, what each holds, and where each one lives."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.errors import SegmentClashError
from feeds.group import (
    MAX_SEGMENT_BYTES,
    feed_paths,
    feed_url,
    group_feeds,
    newest_first,
    page_url,
    safe_segment,
    segment,
)
from feeds.model import Article, Author, FeedKind, FeedSpec
from render_samples import SEED_CATEGORY, seed_article, site_articles, site_config


def by_path(specs: list[FeedSpec]) -> dict[str, FeedSpec]:
    return {feed_paths(s)[0]: s for s in specs}


def sources(spec: FeedSpec) -> list[str]:
    return [a.source for a in spec.articles]


def test_seed_is_in_its_three_category_feeds_its_author_feed_and_the_site_feed() -> None:
    feeds = by_path(group_feeds([seed_article()], site_config()))
    assert set(feeds) == {
        "atom.xml",
        "categories/新媒体/atom.xml",
        "categories/新媒体/高科技行业门户/atom.xml",
        "categories/新媒体/高科技行业门户/新闻/atom.xml",
        "authors/高科技行业门户/atom.xml",
    }
    assert all(sources(spec) == ["000_54eddf3d95a348cd.md"] for spec in feeds.values())
    leaf = feeds["categories/新媒体/高科技行业门户/新闻/atom.xml"]
    assert leaf.kind is FeedKind.CATEGORY and leaf.names == SEED_CATEGORY


def test_every_level_author_and_tag_get_a_feed_and_drafts_none() -> None:
    feeds = by_path(group_feeds(site_articles(), site_config()))
    assert "categories/新媒体/高科技行业门户/评论/atom.xml" in feeds
    assert "authors/Alice Chen/atom.xml" in feeds and "authors/王伟/atom.xml" in feeds
    assert sources(feeds["tags/AI/atom.xml"]) == ["2022/cloud-partners.md", "2022/why-rust.md"]
    assert not any("草稿箱" in p or "draft" in p or "Draft Writer" in p for p in feeds)
    assert "drafts/unfinished.md" not in sources(feeds["atom.xml"])


def test_a_leaf_name_under_two_parents_gives_two_feeds() -> None:
    feeds = by_path(group_feeds(site_articles(), site_config()))
    assert sources(feeds["categories/科技/Tech News/atom.xml"]) == ["2022/cloud-partners.md"]
    assert sources(feeds["categories/Open Source/Tech News/atom.xml"]) == ["2022/why-rust.md"]


def test_an_article_under_two_paths_with_one_top_appears_once_there() -> None:
    article = dataclasses.replace(seed_article(), categories=(SEED_CATEGORY, ("新媒体", "专栏")))
    feeds = by_path(group_feeds([article], site_config()))
    assert sources(feeds["categories/新媒体/atom.xml"]) == [article.source]


def test_site_feed_exists_even_without_articles() -> None:
    draft = dataclasses.replace(seed_article(), draft=True)
    for articles in ([], [draft]):
        (site,) = group_feeds(articles, site_config())
        assert site.kind is FeedKind.SITE and site.articles == () and feed_paths(site) == ("atom.xml", "rss.xml")


def at(day: int, source: str) -> Article:
    moment = datetime(2022, 6, day, 12, 0, tzinfo=timezone.utc)
    return dataclasses.replace(seed_article(), source=source, published=moment, updated=moment)


def test_newest_first_equal_dates_by_source_and_limit() -> None:
    articles = [at(1, "b.md"), at(3, "z.md"), at(2, "c.md"), at(3, "a.md"), at(2, "d.md")]
    (site, *_rest) = group_feeds(articles, site_config(limit=4))
    assert sources(site) == ["a.md", "z.md", "c.md", "d.md"]
    (site, *_rest) = group_feeds(list(reversed(articles)), site_config(limit=0))
    assert sources(site) == ["a.md", "z.md", "c.md", "d.md", "b.md"]


_ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])


@given(st.lists(st.tuples(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)), _ZONES,
    st.sampled_from(["a.md", "b.md", "c/d.md", "é.md"]),
), max_size=30))
def test_newest_first_is_the_order_of_the_instants(items: list[tuple[datetime, timezone, str]]) -> None:
    """The same order as sorting by source, then by the aware dates, newest first (one sort, cheaper keys)."""
    articles = [
        dataclasses.replace(seed_article(), source=source, published=moment.replace(tzinfo=zone))
        for moment, zone, source in items
    ]
    expected = sorted(sorted(articles, key=lambda a: a.source), key=lambda a: a.published, reverse=True)
    assert [(a.source, a.published) for a in newest_first(articles)] == [(a.source, a.published) for a in expected]


def test_feeds_come_in_a_fixed_order() -> None:
    specs = group_feeds(site_articles(), site_config())
    assert [s.kind for s in specs] == sorted((s.kind for s in specs), key=list(FeedKind).index)
    assert specs == group_feeds(list(reversed(site_articles())), site_config())


def test_names_are_compared_in_nfc() -> None:
    composed = dataclasses.replace(seed_article(), source="a.md", tags=("Café",))
    decomposed = dataclasses.replace(
        seed_article(), source="b.md", tags=(unicodedata.normalize("NFD", "Café"),)
    )
    feeds = by_path(group_feeds([composed, decomposed], site_config()))
    assert sorted(sources(feeds["tags/Café/atom.xml"])) == ["a.md", "b.md"]


def test_maps_choose_segments_at_any_level() -> None:
    config = site_config(category_map={"新媒体": "new-media", "新闻": "news"}, author_map={"高科技行业门户": "hi-tech"})
    feeds = by_path(group_feeds([seed_article()], config))
    assert "categories/new-media/高科技行业门户/news/atom.xml" in feeds
    assert "authors/hi-tech/rss.xml" in {feed_paths(s)[1] for s in feeds.values()}
    leaf = feeds["categories/new-media/高科技行业门户/news/atom.xml"]
    assert leaf.names == SEED_CATEGORY  # human names stay for titles


def test_two_names_on_one_segment_are_an_error_naming_both() -> None:
    config = site_config(tag_map={"云计算": "cloud", "Cloud Computing": "cloud"})
    a = dataclasses.replace(seed_article(), source="a.md", tags=("云计算",))
    b = dataclasses.replace(seed_article(), source="b.md", tags=("Cloud Computing",))
    with pytest.raises(SegmentClashError) as caught:
        group_feeds([a, b], config)
    message = str(caught.value)
    assert "云计算" in message and "Cloud Computing" in message and "tag_map" in message
    assert "a.md" in message and "b.md" in message


def test_unsafe_characters_can_make_a_clash_too() -> None:
    a = dataclasses.replace(seed_article(), source="a.md", categories=(("C/C++",),))
    b = dataclasses.replace(seed_article(), source="b.md", categories=(("C:C++",),))
    with pytest.raises(SegmentClashError, match="C/C\\+\\+"):
        group_feeds([a, b], site_config())


def test_a_run_gets_the_clashes_and_every_other_feed() -> None:
    """Given a list, grouping says which names clash and leaves out their feeds and the ones below them."""
    a = dataclasses.replace(seed_article(), source="a.md", categories=(("AI", "ML"), ("Other",)))
    b = dataclasses.replace(seed_article(), source="b.md", categories=(("ai",),))
    clashes: list[SegmentClashError] = []
    paths = by_path(group_feeds([a, b], site_config(), clashes=clashes))
    assert [(c.first, c.second, c.first_path, c.second_path, c.folders) for c in clashes] == [
        ("AI", "ai", "a.md", "b.md", ("categories/AI", "categories/ai"))]
    assert not [p for p in paths if p.startswith(("categories/AI/", "categories/ai/"))]
    assert {"atom.xml", "categories/Other/atom.xml"} <= set(paths)
    assert {a.source for a in paths["atom.xml"].articles} == {"a.md", "b.md"}  # both still in the site feed


def test_names_differing_only_in_case_clash() -> None:
    """`AI/` and `ai/` would be one folder on macOS and Windows: refuse rather than overwrite."""
    a = dataclasses.replace(seed_article(), source="a.md", authors=(Author("Alice Chen"),))
    b = dataclasses.replace(seed_article(), source="b.md", authors=(Author("alice chen"),))
    with pytest.raises(SegmentClashError, match="author_map"):
        group_feeds([a, b], site_config())
    fixed = site_config(author_map={"alice chen": "alice-chen-2"})
    paths = by_path(group_feeds([a, b], fixed))
    assert "authors/Alice Chen/atom.xml" in paths and "authors/alice-chen-2/atom.xml" in paths


def test_same_leaf_under_different_parents_is_no_clash() -> None:
    a = dataclasses.replace(seed_article(), source="a.md", categories=(("A", "新闻"),))
    b = dataclasses.replace(seed_article(), source="b.md", categories=(("B", "新闻"),))
    assert len(group_feeds([a, b], site_config())) == 1 + 4 + 1


HOSTILE = ["../../etc", "a/b", "CON", "con.txt", "Nul", "LPT1", "é" * 150, ".", "..", "", " ", "...", ".hidden", "x\x00y", "a\\b", "C:", "tab\there", "end. "]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_give_one_safe_segment(name: str) -> None:
    seg = segment(name, {})
    assert seg not in ("", ".", "..") and not seg.startswith(".")
    assert "/" not in seg and "\\" not in seg and ":" not in seg
    assert not any(ord(c) < 0x20 for c in seg)
    assert len(seg.encode("utf-8")) <= MAX_SEGMENT_BYTES
    assert seg.split(".")[0].upper() not in ("CON", "NUL", "LPT1")
    assert not seg.endswith((".", " "))


def test_examples_of_segments() -> None:
    assert segment("新媒体", {}) == "新媒体"
    assert segment("Open Source", {}) == "Open Source"
    assert segment("../../etc", {}) == "-.-..-etc"
    assert segment("a/b", {}) == "a-b"
    assert segment("CON", {}) == "CON-"
    assert segment("con.txt", {}) == "con-.txt"
    assert segment(".", {}) == "-" and segment("..", {}) == "--" and segment("", {}) == "-"
    assert segment("新媒体", {"新媒体": "new-media"}) == "new-media"
    assert segment("x", {"x": "../up"}) == "-.-up"


def test_long_names_are_cut_deterministically_and_stay_distinct() -> None:
    long_a = "华" * 100  # 300 bytes
    long_b = "华" * 99 + "为"
    seg_a, seg_b = segment(long_a, {}), segment(long_b, {})
    assert len(seg_a.encode()) <= MAX_SEGMENT_BYTES and len(seg_b.encode()) <= MAX_SEGMENT_BYTES
    assert seg_a == segment(long_a, {}) and seg_a != seg_b
    assert seg_a.startswith("华" * 70)


@given(st.text(st.characters(exclude_categories=()), max_size=300))  # lone surrogates too
def test_any_name_gives_a_safe_stable_segment(name: str) -> None:
    seg = safe_segment(name)
    assert seg and seg not in (".", "..") and not seg.startswith(".")
    assert not set(seg) & set('/\\?#%:*"<>|')
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in seg)
    assert len(seg.encode("utf-8")) <= MAX_SEGMENT_BYTES  # also: encodable at all
    assert unicodedata.is_normalized("NFC", seg)
    assert safe_segment(seg) == seg


def test_urls_percent_encode_segments() -> None:
    config = site_config(site_url="https://example.com/blog")
    feeds = {s.names: s for s in group_feeds(site_articles(), config)}
    top = feeds[("新媒体",)]
    assert feed_url(top, "atom", config) == "https://example.com/blog/categories/%E6%96%B0%E5%AA%92%E4%BD%93/atom.xml"
    assert feed_url(feeds[("Open Source",)], "rss", config) == "https://example.com/blog/categories/Open%20Source/rss.xml"
    assert page_url(feeds[("Bob O'Neil",)], config) == "https://example.com/blog/authors/Bob%20O%27Neil/"
    assert page_url(feeds[()], config) == "https://example.com/blog/"
    assert feed_url(feeds[()], "rss", config) == "https://example.com/blog/rss.xml"
    with pytest.raises(ValueError):
        feed_url(top, "json", config)


def test_two_spellings_of_one_name_in_one_article_list_it_once() -> None:
    nfd = unicodedata.normalize("NFD", "Café")
    article = dataclasses.replace(
        seed_article(), source="a.md", tags=("Café", nfd), authors=(Author("Zoë"), Author(unicodedata.normalize("NFD", "Zoë"))),
    )
    feeds = by_path(group_feeds([article], site_config()))
    assert sources(feeds["tags/Café/atom.xml"]) == ["a.md"]
    assert sources(feeds["authors/Zoë/atom.xml"]) == ["a.md"]
