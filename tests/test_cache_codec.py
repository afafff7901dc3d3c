"""A parsed header survives the cache: its whole record, its Listing and its notes come back as they were."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.cache import (
    _ENCODE,
    _ENCODE_ROW,
    DRAFT,
    REJECTED,
    USABLE,
    Cache,
    Stat,
    decode_article,
    decode_listings,
    decode_notes,
    encode_header,
)
from feeds.errors import ArticleError, Diagnostic
from feeds.model import Article, Author, BodyFormat, Listing

names = st.text(min_size=1, max_size=12)
maybe = st.none() | st.text(max_size=20)
moments = st.builds(
    lambda naive, minutes: naive.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.integers(-12 * 60, 14 * 60),
)
articles = st.builds(
    lambda published, later, **fields: Article(published=published, updated=published + later, **fields),
    source=names, title=names, link=names, id=names, published=moments,
    later=st.sampled_from([timedelta(0), timedelta(0), timedelta(hours=5)]),
    authors=st.lists(st.builds(Author, names, maybe, maybe), max_size=3).map(tuple),
    categories=st.lists(st.lists(names, min_size=1, max_size=3).map(tuple), max_size=3).map(tuple),
    tags=st.lists(names, max_size=3).map(tuple),
    summary=maybe, image=maybe, language=maybe, draft=st.booleans(),
    body_format=st.sampled_from(list(BodyFormat)),
)
warnings = st.lists(st.builds(Diagnostic, names, names, st.none() | st.integers(1, 99), st.just("warning")), max_size=2)


@settings(max_examples=200, deadline=None)
@given(articles, warnings)
def test_a_header_comes_back_as_it_was(article: Article, found: list[Diagnostic]) -> None:
    row = encode_header(article, found, None)
    back = decode_article(row.record)
    assert back == article and decode_notes(row.notes) == tuple(found)
    assert back.published.utcoffset() == article.published.utcoffset()
    assert back.updated.isoformat() == article.updated.isoformat()
    assert row.state == (DRAFT if article.draft else USABLE)
    assert row.published == int(article.published.timestamp())
    (listing,) = decode_listings([(article.source, row.listing)])
    assert listing == Listing(article.source, article.published, article.updated,
                              tuple(Author(a.name) for a in article.authors), article.categories, article.tags)


# What a header row holds: text (any character, quotes, controls, astral), numbers,
# flags and nulls, in lists and tuples nested as records nest them.
row_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(row_values)
def test_the_row_encoder_writes_what_the_json_encoder_writes(value: object) -> None:
    assert _ENCODE_ROW(value) == _ENCODE(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_listings_decode_in_one_go_in_order() -> None:
    made = [Article(f"{i}.md", "t", "l", "i", datetime(2022, 1, i + 1, tzinfo=timezone.utc),
                    datetime(2022, 1, i + 1, tzinfo=timezone.utc), categories=((f"c{i}",),)) for i in range(5)]
    listings = decode_listings([(a.source, encode_header(a, (), None).listing) for a in made])
    assert [x.source for x in listings] == [a.source for a in made]
    assert [x.categories for x in listings] == [a.categories for a in made]
    assert decode_listings([]) == []


def test_listings_of_one_author_name_get_equal_authors() -> None:
    made = [Article(f"{i}.md", "t", "l", "i", datetime(2022, 1, 1, tzinfo=timezone.utc),
                    datetime(2022, 1, 1, tzinfo=timezone.utc), authors=(Author("黄华", "h@example.com"), Author(name)))
            for i, name in enumerate(["李明", "Alice Chen", "李明"])]
    listings = decode_listings([(a.source, encode_header(a, (), None).listing) for a in made])
    assert [x.authors for x in listings] == [(Author("黄华"), Author(name)) for name in ["李明", "Alice Chen", "李明"]]


def test_an_error_comes_back_with_its_line() -> None:
    row = encode_header(None, (), ArticleError("a.md", "no title: add `title: ...`", 3))
    assert row.state == REJECTED and row.record == ""
    assert decode_notes(row.notes) == (Diagnostic("a.md", "no title: add `title: ...`", 3, "error"),)


def test_records_are_plain_json() -> None:
    article = Article("a.md", "标题", "https://example.com/a/", "urn:x", datetime(2022, 1, 1, tzinfo=timezone.utc),
                      datetime(2022, 1, 1, tzinfo=timezone.utc))
    row = encode_header(article, (), None)
    assert json.loads(row.record)[1] == "标题"
    assert json.loads(row.listing)[0] == "2022-01-01T00:00:00+00:00"


@pytest.mark.parametrize("damaged", ['{"a": []}', "[1, 2]", "[]", '{"x": 1}', "{", '["a.md", "t", "l", "i", '
                                     '"2022-01-01T00:00:00+00:00", "2022", [], [], [], null, null, null, false, "pdf"]'])
def test_a_damaged_record_raises_what_the_pipeline_catches(damaged: str) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        decode_article(damaged)


def test_a_worker_connection_writes_rows_the_run_reads_back(tmp_path: Path) -> None:
    # Workers attach to the run's cache and store rows without syncing the disk
    # at each commit (the run's own connection does not either).
    run = Cache.open(tmp_path / "cache.sqlite", "fp")
    worker = Cache.attach(tmp_path / "cache.sqlite")
    article = Article("a.md", "标题", "https://example.com/a/", "urn:x", datetime(2022, 1, 1, tzinfo=timezone.utc),
                      datetime(2022, 1, 1, tzinfo=timezone.utc))
    row = encode_header(article, (), None)
    assert worker.put_headers([("a.md", Stat(10, 20), "d" * 32, row)])
    (cached,) = run.headers().values()
    assert (cached.path, cached.size, cached.mtime_ns, cached.digest) == ("a.md", 10, 20, "d" * 32)
    assert cached.row() == row._replace(record="")
    assert run.records(["a.md"]) == {"a.md": row.record}
    with sqlite3.connect(tmp_path / "cache.sqlite") as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert worker._db is not None and worker._db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    worker.close()
    run.close()
