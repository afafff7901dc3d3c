"""Hostile or broken input: no network, no files read, bounded work, a verdict every time."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.validate import validate_bytes
from feeds.validate.xmlload import MAX_BYTES, load

GOOD_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Example</title>
<link>https://example.com/</link>
<description>Things</description>
<atom:link rel="self" href="https://example.com/rss.xml" type="application/rss+xml"/>
<item>
<title>Hello</title>
<link>https://example.com/hello</link>
<guid isPermaLink="false">urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</guid>
<description>&lt;p&gt;Hi&lt;/p&gt;</description>
</item>
</channel>
</rss>
"""


def codes(data: bytes) -> list[str]:
    return [m.code for m in validate_bytes(data, "feed.xml")]


def test_the_sample_is_valid() -> None:
    assert codes(GOOD_RSS) == []


def test_entity_expansion_bomb_is_an_error() -> None:
    levels = "".join(
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e0 "lol">{levels}]><rss version="2.0">&e9;</rss>'
    messages = validate_bytes(bomb.encode(), "bomb.xml")
    assert [m.code for m in messages] == ["SAXError"]
    assert "amplification" in messages[0].text


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    document = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
                '<rss version="2.0"><channel><title>&s;</title></channel></rss>').encode()
    loaded = load(document)
    assert loaded.root is not None
    assert "TOP-SECRET" not in (loaded.root.findtext("channel/title") or "")
    assert all("TOP-SECRET" not in m.text for m in validate_bytes(document, "x.xml"))


def test_external_dtd_is_not_fetched() -> None:
    document = (b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd">'
                + GOOD_RSS.split(b"?>", 1)[1])
    assert codes(document) == []


def test_oversized_input_is_refused_before_parsing() -> None:
    messages = validate_bytes(b" " * (MAX_BYTES + 1), "huge.xml")
    assert [m.code for m in messages] == ["ValidatorLimit"]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    depth = 100_000
    document = b'<rss version="2.0"><channel>' + b"<x:a xmlns:x='urn:x:y'>" * depth + b"</x:a>" * depth
    document += b"</channel></rss>"
    found = codes(document)
    assert "SAXError" in found
    assert "InternalError" not in found


def test_malformed_xml_is_placed_by_line_and_column() -> None:
    broken = GOOD_RSS.replace(b"<title>Hello</title>", b"<title>Hello</titel>")
    errors = [m for m in validate_bytes(broken, "feed.xml") if m.code == "SAXError"]
    assert len(errors) == 1
    assert (errors[0].line, errors[0].severity) == (9, "error")
    assert errors[0].column > 1


def test_what_was_read_before_the_error_is_still_checked() -> None:
    broken = GOOD_RSS.replace(b"<link>https://example.com/hello</link>",
                              b"<link>not a url</link><oops>")
    found = codes(broken)
    assert "SAXError" in found
    assert "InvalidUriChar" in found  # the item link, closed before the error
    assert "MissingDescription" not in found  # the channel never closed: not judged


def test_bytes_that_do_not_match_the_declared_encoding() -> None:
    latin = GOOD_RSS.replace(b"<title>Hello</title>", "<title>Café</title>".encode("latin-1"))
    messages = validate_bytes(latin, "feed.xml")
    assert [(m.code, m.line, m.column) for m in messages] == [("UnicodeError", 9, 11)]


def test_declared_latin1_is_decoded_as_latin1() -> None:
    document = GOOD_RSS.replace(b'encoding="utf-8"', b'encoding="iso-8859-1"').replace(
        b"<title>Hello</title>", "<title>Café</title>".encode("latin-1"))
    assert codes(document) == []


def test_utf16_with_a_byte_order_mark() -> None:
    document = GOOD_RSS.decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert codes(document) == []


def test_unknown_encoding() -> None:
    assert codes(GOOD_RSS.replace(b"utf-8", b"x-no-such-charset")) == ["UnknownEncoding"]


def test_mojibake_is_a_warning() -> None:
    document = GOOD_RSS.replace(b"<title>Hello</title>", "<title>CafÃ©</title>".encode("utf-8"))
    assert codes(document) == ["BadCharacters"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_get_a_verdict(data: bytes) -> None:
    messages = validate_bytes(data, "fuzz.xml")
    assert all(m.code != "InternalError" for m in messages)
    assert all(m.line >= 1 and m.column >= 1 for m in messages)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_feeds_get_a_verdict(data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(GOOD_RSS)))
    insert = data.draw(st.sampled_from([b"", b"<", b"&", b"]]>", b"<x>", b"\xff", b"&amp;", b"</channel>",
                                        b'xmlns:a="b"', b"<![CDATA[", b"\x00"]))
    damaged = GOOD_RSS[:cut] + insert + GOOD_RSS[cut:]
    messages = validate_bytes(damaged, "fuzz.xml")
    assert all(m.code != "InternalError" for m in messages)
