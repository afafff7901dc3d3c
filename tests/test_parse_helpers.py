"""The small helpers the parser runs for every article give what the library calls they replace."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.links import FEEDS_NAMESPACE, _TOKEN, _token_value, derived_id, namespace, permalink, to_uri
from feeds.model import Author
from feeds.parse import _PERSON, _author, _repr_head, _squeeze


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([FEEDS_NAMESPACE, uuid.NAMESPACE_URL, namespace("my other site")]))
def test_derived_id_is_uuid5(key: str, space: uuid.UUID) -> None:
    assert derived_id(space, key) == f"urn:uuid:{uuid.uuid5(space, key)}"


tokens = st.sampled_from([":year", ":month", ":day", ":title", ":i_month", ":i_day", ":hour", ":minute", ":second",
                          ":name", ":post_title", ":id", ":category", ":unknown", ":", "::year", "/", "-", "中", ".html"])


@settings(max_examples=300, deadline=None)
@given(st.lists(tokens, max_size=8).map("".join), st.sampled_from(["", "2022/post", "a/b/c"]),
       st.sampled_from([(), (("Tech", "AI"),), (("!!",),)]))
def test_permalink_fills_tokens_as_the_pattern_regex_does(pattern: str, stem: str, categories: tuple) -> None:
    published = datetime(2022, 6, 7, 8, 9, 5, tzinfo=timezone.utc)
    args = (stem, published, "A Title!", "the-id", categories)
    expected = _TOKEN.sub(lambda m: _token_value(m.group(1), *args) or m.group(0), pattern)
    got = permalink(pattern, "https://example.com/", stem=stem, published=published, title="A Title!",
                    article_id="the-id", categories=categories)
    assert got == to_uri("https://example.com/" + expected.lstrip("/"))


values = st.recursive(st.none() | st.text(max_size=30),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                      max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(values)
def test_repr_head_is_the_start_of_repr(value: object) -> None:
    head, full = _repr_head(value, 60), repr(value)
    assert head[:60] == full[:60]
    assert (len(head) > 60) == (len(full) > 60)


def test_repr_head_of_an_alias_bomb_is_immediate() -> None:
    bomb: list = ["x"] * 10
    for _ in range(9):
        bomb = [bomb] * 10  # 10**10 strings once written out
    assert _repr_head(bomb, 60).startswith("[[[[[[[[[['x', 'x'")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_squeeze_collapses_whitespace_like_the_regex(text: str) -> None:
    assert _squeeze(text) == re.sub(r"\s+", " ", text).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 中<>()@:/.\t")) | st.characters(), max_size=30))
def test_an_author_string_reads_as_the_person_pattern_says(text: str) -> None:
    # _author skips the pattern for names without "<" or "(": it must be what the pattern would give.
    squeezed = _squeeze(text)
    match = _PERSON.fullmatch(squeezed)
    if match and match.group("name") and (match.group("email") or match.group("uri")):
        return  # a person with an email or url: the pattern's own path
    assert _author(text) == (Author(squeezed) if squeezed else None)
