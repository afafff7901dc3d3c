"""Checks that read the document's bytes rather than its tree: namespace declarations and bad characters.

Both run over byte ranges of the source (`spans`: sorted, non-overlapping
(begin, end) pairs), so the fast path can scan the parts of a document
around its entries and each distinct entry once, and place what it finds
exactly where the whole-document scan would. Positions are counted from the
start of `source` (line 1, column 1).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache
from html import unescape
from typing import Final

from feeds.validate.common import Problem, check_uri
from feeds.validate.engine import KNOWN_NAMESPACES, Walker

Spans = Sequence[tuple[int, int]]

_DECLARATION: Final = re.compile(rb"""\sxmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XMLNS: Final = re.compile(b"xmlns")  # a literal-prefix regex search is faster than bytes.find on CJK text
_MEDIA_RSS_NO_SLASH: Final = "http://search.yahoo.com/mrss"
_PREFIXES: Final = {prefix: uri for uri, prefix in KNOWN_NAMESPACES.items()}


def declarations(w: Walker, kind: str, source: bytes, spans: Spans,
                 unparsed: list[tuple[int, int]] | None = None) -> None:
    """Namespace declarations in `spans` of `source`: well-formed URIs, conventional prefixes, known vocabularies.

    Found by a byte scan (one find() per declaration, line numbers counted
    incrementally); text that only looks like a declaration inside a comment
    or CDATA section is skipped. Those sections (`unparsed`) are looked for
    when a declaration is first found, unless the caller knows them already.
    """
    skipped = unparsed
    line, line_start, counted = 1, 0, 0
    for begin, end in spans:
        if end - begin < 5:  # the whitespace between entries, say: too short for "xmlns"
            continue
        found = _XMLNS.search(source, begin, end)
        at = found.start() if found is not None else -1
        while at >= 0:
            m = _DECLARATION.match(source, at - 1) if at else None
            if m is not None:
                if skipped is None:
                    skipped = _comment_and_cdata_spans(source, spans[-1][1])
                if not _inside(skipped, at):
                    prefix = m.group(1).decode("utf-8", "replace") if m.group(1) else None
                    raw = m.group(2) if m.group(2) is not None else m.group(3)
                    problems = _declaration(prefix, unescape(raw.decode("utf-8", "replace")), kind)
                    if problems:  # placed only then: most declarations are of known vocabularies
                        newlines = source.count(b"\n", counted, at)
                        if newlines:
                            line += newlines
                            line_start = source.rfind(b"\n", counted, at) + 1
                        counted = at
                        column = len(source[line_start:at].decode("utf-8", "replace")) + 1
                        for code, details in problems:
                            w.report_at(code, line, column, **details)
            at = source.find(b"xmlns", at + 5, end)


def _comment_and_cdata_spans(source: bytes, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for opener, closer in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>")):
        at = source.find(opener, 0, end)
        while at >= 0:
            close = source.find(closer, at + len(opener))
            close = len(source) if close < 0 else close
            spans.append((at, close))
            at = source.find(opener, close, end)
    spans.sort()
    return spans


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    if not spans:
        return False
    i = bisect.bisect_right(spans, (at, len(b""))) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


@lru_cache(maxsize=1024)
def _declaration(prefix: str | None, uri: str, kind: str) -> tuple[Problem, ...]:
    """What is wrong with declaring `prefix` (None: the default namespace) for `uri` in an Atom or RSS document."""
    known = KNOWN_NAMESPACES.get(uri)
    if prefix and prefix in _PREFIXES:
        if known != prefix:
            if uri == _MEDIA_RSS_NO_SLASH:
                return (("MediaRssNamespace", {}),)
            return (("ReservedPrefix", {"value": prefix, "expected": _PREFIXES[prefix]}),)
        if prefix in ("atom", "xhtml") and kind == "atom":
            return (("AvoidNamespacePrefix", {"value": prefix}),)
        return ()
    if known is not None:
        if prefix and known in ("atom", "xhtml") and kind == "atom":
            return (("AvoidNamespacePrefix", {"value": prefix}),)
        return ()
    if uri == _MEDIA_RSS_NO_SLASH:
        return (("MediaRssNamespace", {}),)
    problem = check_uri(uri, iri=True, error="InvalidIRI") if uri else None
    if problem and problem[0] != "SchemeNotIANARegistered":
        code, details = problem
        return ((code, {"element": f"xmlns:{prefix}" if prefix else "xmlns", **details}),)
    return (("UnknownNamespace", {"value": uri}),)


# C1 controls (U+0080-U+009F) and U+0080-U+00BF read as Latin-1 and re-encoded
# (mojibake such as "Ã©") both start with the byte C2 in UTF-8, found with
# memchr; U+FFFD marks text that was already lost (a literal-prefix search).
_REPLACEMENT: Final = re.compile(b"\xef\xbf\xbd")


def bad_characters(w: Walker, source: bytes, spans: Spans) -> None:
    """C1 control characters or UTF-8 read as Latin-1: the source's encoding is wrong somewhere (first place only)."""
    for begin, end in spans:
        found = _first_c2_pair(source, begin, end)
        replacement = _REPLACEMENT.search(source, begin, end if found is None else found)
        if replacement is not None:
            found = replacement.start()
        if found is not None:
            line = source.count(b"\n", 0, found) + 1
            column = len(source[source.rfind(b"\n", 0, found) + 1: found].decode("utf-8", "replace")) + 1
            w.report_at("BadCharacters", line, column)
            return


def _first_c2_pair(source: bytes, begin: int, end: int) -> int | None:
    at = source.find(b"\xc2", begin, end)
    while at >= 0:
        following = source[at + 1] if at + 1 < end else 0
        if 0x80 <= following <= 0x9F or (0xA0 <= following <= 0xBF and at >= 2 and source[at - 2] == 0xC3
                                         and source[at - 1] in (0x82, 0x83)):
            return at
        at = source.find(b"\xc2", at + 1, end)
    return None
