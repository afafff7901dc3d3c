"""A parsed header survives the cache record: encode_header then decode_header gives it back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.cache import decode_header, encode_header
from feeds.errors import ArticleError, Diagnostic
from feeds.model import Article, Author, BodyFormat

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
    back, back_warnings, error = decode_header(encode_header(article, found, None))
    assert error is None and back == article and back_warnings == tuple(found)
    assert back.published.utcoffset() == article.published.utcoffset()
    assert back.updated.isoformat() == article.updated.isoformat()


def test_an_error_comes_back_with_its_line() -> None:
    _, _, error = decode_header(encode_header(None, (), ArticleError("a.md", "no title: add `title: ...`", 3)))
    assert error is not None and (error.path, error.message, error.line) == ("a.md", "no title: add `title: ...`", 3)


def test_records_are_plain_json() -> None:
    article = Article("a.md", "标题", "https://example.com/a/", "urn:x", datetime(2022, 1, 1, tzinfo=timezone.utc),
                      datetime(2022, 1, 1, tzinfo=timezone.utc))
    assert json.loads(encode_header(article, (), None))["a"][1] == "标题"


@pytest.mark.parametrize("damaged", ['{"a": []}', '{"a": [1, 2]}', "[]", '{"x": 1}', "{", '{"a": ["a.md", "t", "l", "i", '
                                     '"2022-01-01T00:00:00+00:00", "2022", [], [], [], null, null, null, false, "pdf"], "w": []}'])
def test_a_damaged_record_raises_what_the_pipeline_catches(damaged: str) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        decode_header(damaged)
