"""The entry memo (fastpath.py) changes how fast, never what is found.

Feeds in the plain form `feeds generate` writes are checked entry by entry,
with each distinct entry's findings memoised; any such document, however
damaged, must get exactly the messages the whole-document path gives it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.validate import _validate_plain_form, _validate_whole, fastpath, validate_bytes
from tests.test_validate_own_output import build

ATOM = build("atom")
RSS = build("rss")

# Edits that break entries in the ways feeds break: bad dates, ids and links,
# markup, unknown elements and attributes, repeated entries, odd characters.
EDITS = [
    (b"<updated>2024", b"<updated>2024 "), (b"<title>", b"<title>&lt;/b&gt;"), (b"</title>", b"</title><foo/>"),
    (b"urn:uuid:", b"urn:uuid:x"), (b"<category ", b'<category bogus="1" '), (b"&lt;p&gt;", b"&lt;script&gt;"),
    (b"<link href=", b'<link rel="alternate" href='), (b"<pubDate>", b"<pubDate>Mon, "),
    (b'isPermaLink="false"', b'isPermaLink="no"'), (b"<description>", b"<description>&amp;amp; "),
    (b"<enclosure ", b'<enclosure length="-1" '), (b"<entry>", b'<entry xml:lang="english">'),
    (b"<item>", b'<item><dc:foo xmlns:dc="http://purl.org/dc/elements/1.1/"/>'), (b"<id>", b"<id> "),
    (b"<entry>", b'<entry><x:y xmlns:x="http://example.com/zz"/>'), (b"\xe5", b"\xc2\x85"), (b"</entry>", b"</entry>\n"),
    # around the entries: feed-level elements, declarations and characters after them
    (b"</entry>", b"</entry><title>late &amp;amp; &#x26;</title>"), (b"</item>", b"</item><title>x &amp;amp; y</title>"),
    (b"</entry>", b'</entry><x:y xmlns:x="http://example.com/zz"/>'), (b"</item>", "</item>\u00c3\u00a9".encode()),
    # HTML content and its whitespace: processing instructions, a stray '<', Unicode spaces around it
    (b"&lt;p&gt;", b"&lt;?import x?&gt;&lt;p&gt;"), (b"&lt;/p&gt;", b"&lt; &lt;a&lt;/p&gt;"),
    (b"<description>", "<description>\u3000".encode()), (b"</content:encoded>", "\u2028</content:encoded>".encode()),
    (b'<content type="html">', b'<content type="html">\x0c'), (b"&lt;", b"&lt;![CDATA[x]]&gt;&lt;"),
]


def compact(document: bytes) -> bytes:
    """The same feed without the whitespace between tags: entries start mid-line, most of it on line 1."""
    return re.sub(rb">\s+<", b"><", document)


def duplicate_first_entry(document: bytes) -> bytes:
    opener, closer = (b"<entry>", b"</entry>") if document is ATOM or b"<feed" in document[:200] else (b"<item>", b"</item>")
    start = document.find(opener)
    end = document.find(closer, start) + len(closer)
    return document[:end] + document[start:end] + document[end:] if 0 < start < end else document


def test_generated_feeds_take_the_fast_path() -> None:
    assert _validate_plain_form(ATOM, "a", None, None) == []
    assert _validate_plain_form(RSS, "r", None, None) == []


def test_a_document_with_a_comment_takes_the_whole_path() -> None:
    commented = ATOM.replace(b"<entry>", b"<!-- hi --><entry>", 1)
    assert _validate_plain_form(commented, "a", None, None) is None
    assert validate_bytes(commented, "a") == []


def edited(document: bytes, edits: list[tuple[tuple[bytes, bytes], int]]) -> bytes:
    for (old, new), which in edits:
        places = [i for i in range(len(document)) if document.startswith(old, i)]
        if places:
            at = places[which % len(places)]
            document = document[:at] + new + document[at + len(old):]
    return document


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([ATOM, RSS]), st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 40)), max_size=3),
       st.booleans(), st.booleans())
def test_same_findings_as_the_whole_document_path(document: bytes, edits: list[tuple[tuple[bytes, bytes], int]],
                                                  repeat_entry: bool, one_line: bool) -> None:
    document = edited(compact(document) if one_line else document, edits)
    if repeat_entry:
        document = duplicate_first_entry(document)
    fast = _validate_plain_form(document, "f.xml", None, None)
    if fast is not None:
        assert fast == _validate_whole(document, "f.xml", None, None)


@pytest.mark.parametrize("edit", [
    (b"</entry>", b"</entry><title>late &amp;amp; &#x26;</title>"), (b"</item>", b"</item><title>x &amp;amp; y</title>"),
    (b"</entry>", b'</entry><x:y xmlns:x="http://example.com/zz"/>'), (b"</item>", "</item>\u00c3\u00a9".encode()),
    (b"&lt;p&gt;", b"&lt;?import x?&gt;&lt;p&gt;"),
    (b"<description>", "<description>\u3000&lt;script&gt;x()&lt;/script&gt;".encode()),
])
@pytest.mark.parametrize("one_line", [False, True])
def test_findings_around_the_entries_are_placed_as_in_the_whole_document(edit: tuple[bytes, bytes],
                                                                          one_line: bool) -> None:
    document = next(d for d in (ATOM, RSS) if edit[0] in d)
    document = edited(compact(document) if one_line else document, [(edit, 2)])
    fast = _validate_plain_form(document, "f.xml", None, None)
    assert fast is not None and fast, "the fast path checks this document and finds something"
    assert fast == _validate_whole(document, "f.xml", None, None)


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_repeated_entries_are_reported_where_they_repeat(kind: str) -> None:
    fastpath._memo.clear()
    document = duplicate_first_entry(ATOM if kind == "atom" else RSS)
    fast = _validate_plain_form(document, "f.xml", None, None)
    assert fast is not None and fast == _validate_whole(document, "f.xml", None, None)
    assert {m.code for m in fast} >= ({"DuplicateEntries"} if kind == "atom" else {"DuplicateValue"})


def test_entry_checks_handed_to_another_process_are_recalled_there_with_the_same_findings() -> None:
    """What one process of a run found checking entries spares the others the check, findings unchanged."""
    damaged = ATOM.replace(b"<updated>2024", b"<updated>2024 ", 1)
    expected = _validate_whole(damaged, "f.xml", None, None)
    fastpath._memo.clear()
    with fastpath.new_checks() as made:
        assert _validate_plain_form(damaged, "f.xml", None, None) == expected
    assert len(made) == damaged.count(b"<entry>")
    # another process: its memo starts empty and numbers scopes its own way
    fastpath._memo.clear()
    fastpath._scopes.clear()
    fastpath._scope_id(("some", "other", "scope", ()))
    fastpath.remember(made)
    with fastpath.new_checks() as again:
        assert _validate_plain_form(damaged, "f.xml", None, None) == expected
    assert again == []  # every entry recalled, none checked again
