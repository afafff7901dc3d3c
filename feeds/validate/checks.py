"""Value checks in the shape leaf rules use: `check(walker, element, key, value, raw)`.

Each factory here turns a pure test from common.py or html.py into a check
that reports through the walker, so rule tables read as a list of what an
element must be: `leaf(nonblank, uri(absolute=True), once)`.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from feeds.validate import common, html
from feeds.validate.engine import Check, Walker, display


def _report(w: Walker, el: etree._Element, key: str, problem: common.Problem | None, **extra: str) -> None:
    if problem is not None:
        code, details = problem
        w.report(code, el, element=display(key), **{**details, **extra})


def uri(*, absolute: bool = False, iri: bool = False, error: str | None = None) -> Check:
    """The value is a URI reference (absolute when asked; IRI characters allowed when asked)."""
    code = error or ("InvalidFullLink" if absolute else "InvalidIRI" if iri else "InvalidLink")
    check_uri = common.uri_check(absolute=absolute, iri=iri, error=code)

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        problem = check_uri(value)
        if problem is not None:
            _report(w, el, key, problem)

    return check


_ID_URI: Final = common.uri_check(absolute=True, iri=True, error="InvalidFullLink")


def canonical_id(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    """An Atom id: an absolute IRI, best in canonical form so readers can compare ids."""
    problem = _ID_URI(value)
    if problem is not None:
        _report(w, el, key, problem)
        if problem[0] != "SchemeNotIANARegistered":
            return
    canonical = common.canonical_uri(value)
    if canonical is not None and canonical != value:
        w.report("NonCanonicalURI", el, element=display(key), value=value, canonical=canonical)


def rfc3339(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    problem = common.check_rfc3339(value, w.now)
    if problem is not None:
        _report(w, el, key, problem)


def rfc822(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    problem = common.check_rfc822(value, w.now)
    if problem is not None:
        _report(w, el, key, problem)


def iso8601(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    _report(w, el, key, common.check_iso8601(value))


def w3cdtf(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    _report(w, el, key, common.check_w3cdtf(value))


def nonblank(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    if not value:
        w.report("NotBlank", el, element=display(key))


def nows(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    """No whitespace around the value (ids, dates and URIs are compared as written)."""
    if raw != raw.strip():
        w.report("UnexpectedWhitespace", el, element=display(key))


def plain(code: str = "ContainsHTML") -> Check:
    """Plain text that should not carry markup (titles, names, categories)."""

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        if "<" in value or "&" in value:
            plain_text(w, el, key, value, code)

    return check


PLAIN: Final = plain()


def plain_text(w: Walker, el: etree._Element, key: str, value: str, code: str = "ContainsHTML") -> None:
    """Report markup left in plain text, as the RSS 2.0 profile and the W3C service do.

    Numeric or named references are not reported when the source line shows
    the author chose hex character references deliberately (&#x26; for '&').
    """
    if "<" not in value and "&" not in value:
        return
    found = html.markup_in_text(value)
    if found is not None:
        if found.startswith("</") or "&#x" not in w.source_line(w.line(el)):
            w.report(code, el, element=display(key), value=found)
        return
    if w.kind == "rss" and w.rss_version.startswith("2.") and html.looks_like_markup(value):
        if "&#x" not in w.source_line(w.line(el)):
            w.report("CharacterData", el, element=display(key))


def safe_html(relative_refs: bool) -> Check:
    """Escaped HTML: report what readers strip, and (RSS) relative links they cannot follow."""

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        html_content(w, el, key, value, relative_refs)

    return check


def html_content(w: Walker, el: etree._Element, key: str, value: str, relative_refs: bool,
                 document: bool = False) -> None:
    for code, details in html.check_html(value, relative_refs=relative_refs, document=document):
        w.report(code, el, element=display(key), **details)


def html_text(w: Walker, el: etree._Element, key: str, relative_refs: bool, *, strip: bool) -> bytes:
    """`html_content` for an element's whole text (it has no child elements), read as UTF-8 bytes.

    `strip` removes surrounding whitespace first, as leaf values are; when
    the text ends in whitespace bytes.strip() keeps (U+3000, U+00A0, ...),
    it is done on the decoded text, the way str.strip() does it. Returns the
    text checked.
    """
    text = etree.tostring(el, method="text", encoding="utf-8", with_tail=False)
    if strip:
        text = text.strip()
        if text and (text[0] in _SPACE_FIRST_BYTES or text[-1] in _SPACE_LAST_BYTES) and _unicode_space_at_ends(text):
            value = text.decode("utf-8").strip()
            html_content(w, el, key, value, relative_refs)
            return value.encode("utf-8")
    for code, details in html.check_html_utf8(text, relative_refs=relative_refs):
        w.report(code, el, element=display(key), **details)
    return text


# The characters str.strip() removes and bytes.strip() keeps (all below U+3001), and the bytes that
# start and end them in UTF-8: text with neither at its ends has nothing more to strip (CJK text never does).
UNICODE_ONLY_SPACES: Final = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and c.encode().strip())
_SPACE_FIRST_BYTES: Final = frozenset(c.encode()[0] for c in UNICODE_ONLY_SPACES)
_SPACE_LAST_BYTES: Final = frozenset(c.encode()[-1] for c in UNICODE_ONLY_SPACES)


def _unicode_space_at_ends(text: bytes) -> bool:
    """Whether str.strip() would remove more from this (valid, bytes-stripped) UTF-8 text: decodes two characters.

    A character is at most 4 bytes: the first 4 bytes hold the whole first
    character, the last 4 the whole last one ("ignore" drops the cut ones).
    """
    return text[:4].decode("utf-8", "ignore")[:1].isspace() or text[-4:].decode("utf-8", "ignore")[-1:].isspace()


def language(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    if not common.is_language(value):
        w.report("InvalidLanguage", el, element=display(key), value=value)


def addr_spec(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    if not common.is_addr_spec(value):
        w.report("InvalidAddrSpec", el, element=display(key), value=value)


_BRACKETED_ADDRESS: Final = re.compile(r"<[A-Z0-9_\-+.']+@[A-Z0-9.\-]+>", re.I)


def no_email(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    """Names should not hide addresses: there is an element for those."""
    if "<" in value and "@" in value and _BRACKETED_ADDRESS.search(value):
        w.report("ContainsEmail", el, element=display(key))


def contact(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    plain_text(w, el, key, value)
    _report(w, el, key, common.check_contact(value))


def contact_with_name(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    plain_text(w, el, key, value)
    _report(w, el, key, common.check_contact_with_name(value))


def integer(minimum: int, code: str) -> Check:
    """A whole number no smaller than `minimum`."""

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        number = common.as_integer(value)
        if number is None or number < minimum:
            w.report(code, el, element=display(key), value=value)

    return check


POSITIVE: Final = integer(1, "InvalidPositiveInteger")
NON_NEGATIVE: Final = integer(0, "InvalidNonNegativeInteger")


def number_range(low: float, high: float, code: str) -> Check:
    """A decimal number within [low, high] (latitudes, longitudes)."""

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            w.report(code, el, element=display(key), value=value)

    return check


def one_of(values: frozenset[str], code: str) -> Check:
    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        if value not in values:
            w.report(code, el, element=display(key), value=value)

    return check


def unique(scope: str, code: str) -> Check:
    """The value may appear once per document (ids, guids)."""

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        if value:
            w.unique(scope, value, code, el, key)

    return check


def pattern(regex: str, code: str) -> Check:
    """The value matches `regex` from its start."""
    compiled = re.compile(regex)

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        if not compiled.match(value):
            w.report(code, el, element=display(key), value=value)

    return check
