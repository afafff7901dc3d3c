"""The feed validator: Atom 1.0 and RSS 2.0 checked the way the W3C Feed Validation Service does.

Public API:
    validate_bytes(data, path, location=None) -> list[Message]   never raises
    find_feed_files(paths) -> list[Path]                          files and folders
    Message, has_errors(messages, strict)

One module per job: xmlload (bytes to tree, safely), engine (the rule
walker), atom / rss / extensions (the rules), common / html (value checks),
checks (value checks as rules), fastpath (each distinct entry checked once
across the feeds of a site), messages (codes and wording), langcodes (ISO
639 data), report (text and JSON output).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Final

from lxml import etree

from feeds.validate import atom, fastpath, rss
from feeds.validate.common import check_uri
from feeds.validate.engine import ATOM_NS, KNOWN_NAMESPACES, PLACEHOLDER_NS, Walker, split_tag
from feeds.validate.messages import ERROR, WARNING, Message, render
from feeds.validate.xmlload import MAX_BYTES, Finding, load, parse, sniff

__all__ = ["Message", "validate_bytes", "find_feed_files", "has_errors", "ERROR", "WARNING"]

_OLD_ATOM_NS: Final = "http://purl.org/atom/ns#"
_RSS1_NS: Final = "http://purl.org/rss/1.0/"


def validate_bytes(data: bytes, path: str = "<feed>", *, location: str | None = None,
                   now: datetime | None = None) -> list[Message]:
    """Every problem in one feed document, in document order. Never raises for any input bytes.

    `location` is the URL the document is (or will be) served from; with it
    the self link is checked against it (SelfDoesntMatchLocation). `now`
    fixes the clock for the "date in the future" warning (tests).
    """
    try:
        return _validate(data, path, location, now)
    except RecursionError:
        return [Message(path, 1, 1, ERROR, "ValidatorLimit", "the document is nested too deeply to check")]
    except Exception as exc:  # noqa: BLE001 - the contract: a verdict for any input, never a crash
        return [Message(path, 1, 1, ERROR, "InternalError",
                        f"the validator failed on this document ({type(exc).__name__}: {exc}); please report it")]


def has_errors(messages: Iterable[Message], strict: bool = False) -> bool:
    """True when `messages` include an error (or, with strict, a warning)."""
    return any(m.severity == ERROR or strict for m in messages)


def _validate(data: bytes, path: str, location: str | None, now: datetime | None) -> list[Message]:
    if len(data) > MAX_BYTES:
        return _validate_whole(data, path, location, now)  # refused there, before any parsing
    messages = _validate_plain_form(data, path, location, now)
    return messages if messages is not None else _validate_whole(data, path, location, now)


def _validate_whole(data: bytes, path: str, location: str | None, now: datetime | None) -> list[Message]:
    """The general path: parse the whole document (partially, if it is malformed) and walk it."""
    loaded = load(data)
    messages = []
    for finding in loaded.findings:
        severity, text = render(finding.code, finding.details)
        messages.append(Message(path, finding.line, finding.column, severity, finding.code, text))
    if loaded.root is None:
        return messages
    w = Walker(path, loaded.source, location, loaded.incomplete, now, loaded.root)
    _check_root(w, loaded.root, loaded.docinfo_public_id, loaded.source[:loaded.read_up_to])
    _bad_characters(w, loaded.source[:loaded.read_up_to])
    return _finish(messages + w.messages)


def _validate_plain_form(data: bytes, path: str, location: str | None, now: datetime | None) -> list[Message] | None:
    """The fast path for feeds in the plain form `feeds generate` writes (see fastpath.py); None if not."""
    findings: list[Finding] = []
    if sniff(data, findings)[0] != "utf-8" or findings:
        return None
    cut = fastpath.split(data)
    if cut is None:
        return None
    try:
        skeleton = parse(cut.skeleton)
    except etree.XMLSyntaxError:
        return None
    w = Walker(path, data, location, frozenset(), now, skeleton)
    w.fragments = cut.entries
    try:
        _check_root(w, skeleton, None, cut.skeleton)
    except fastpath.Unsuitable:
        return None
    _bad_characters(w, cut.skeleton)
    return _finish(w.messages)


def _check_root(w: Walker, root: etree._Element, public_id: str | None, scanned: bytes) -> None:
    """Dispatch on the document element: Atom feed or entry, RSS, or something else."""
    namespace, local = split_tag(root.tag)
    if local == "feed" or (local == "entry" and namespace in (ATOM_NS, None, _OLD_ATOM_NS)):
        _check_atom_root(w, root, namespace, local, scanned)
    elif local == "rss":
        _declarations(w, "rss", scanned, 0, len(scanned))
        rss.check_document(w, root, public_id)
    elif local == "RDF" or namespace == _RSS1_NS:
        w.report("UnsupportedFormat", root, element=local)
    else:
        w.report("UndefinedElement", root, element=local,
                 parent="document (a feed starts with <feed>, <entry> or <rss>)")


def _finish(messages: list[Message]) -> list[Message]:
    """Document order; the source's encoding trouble is reported once, where it first shows."""
    messages.sort(key=lambda m: (m.line, m.column))
    first_bad = next((m for m in messages if m.code == "BadCharacters"), None)
    return [m for m in messages if m.code != "BadCharacters" or m is first_bad]


def _check_atom_root(w: Walker, root: etree._Element, namespace: str | None, local: str, scanned: bytes) -> None:
    """An Atom root; in no namespace or the wrong one it is reported, then checked as Atom all the same."""
    if namespace == _OLD_ATOM_NS:
        w.report("ObsoleteNamespace", root, value=namespace)
        return
    if namespace is None:
        w.report("MissingNamespace", root, element=local)
    elif namespace != ATOM_NS:
        w.report("InvalidNamespace", root, element=local, value=namespace, expected=f"Atom 1.0 uses {ATOM_NS}")
    _declarations(w, "atom", scanned, 0, len(scanned))
    atom.check_document(w, root, namespace)


# ------------------------------------------------------------ document-wide scans

_DECLARATION: Final = re.compile(rb"""\sxmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MEDIA_RSS_NO_SLASH: Final = "http://search.yahoo.com/mrss"
_PREFIXES: Final = {prefix: uri for uri, prefix in KNOWN_NAMESPACES.items()}


def _declarations(w: Walker, kind: str, source: bytes, begin: int, end: int) -> None:
    """Namespace declarations in source[begin:end]: well-formed URIs, conventional prefixes, known vocabularies.

    Found by a byte scan (one find() per declaration, line numbers counted
    incrementally); text that only looks like a declaration inside a comment
    or CDATA section is skipped.
    """
    skipped = _comment_and_cdata_spans(source, end)
    line, line_start, counted = 1, 0, 0
    at = source.find(b"xmlns", begin, end)
    while at >= 0:
        m = _DECLARATION.match(source, at - 1) if at else None
        if m is not None and not _inside(skipped, at):
            newlines = source.count(b"\n", counted, at)
            if newlines:
                line += newlines
                line_start = source.rfind(b"\n", counted, at) + 1
            counted = at
            prefix = m.group(1).decode("utf-8", "replace") if m.group(1) else None
            raw = m.group(2) if m.group(2) is not None else m.group(3)
            uri = unescape(raw.decode("utf-8", "replace"))
            if uri != PLACEHOLDER_NS:
                column = len(source[line_start:at].decode("utf-8", "replace")) + 1
                _declaration(w, prefix, uri, kind, line, column)
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


def _declaration(w: Walker, prefix: str | None, uri: str, kind: str, line: int, column: int) -> None:
    known = KNOWN_NAMESPACES.get(uri)
    if prefix and prefix in _PREFIXES:
        if known != prefix:
            if uri == _MEDIA_RSS_NO_SLASH:
                w.report_at("MediaRssNamespace", line, column)
            else:
                w.report_at("ReservedPrefix", line, column, value=prefix, expected=_PREFIXES[prefix])
        elif prefix in ("atom", "xhtml") and kind == "atom":
            w.report_at("AvoidNamespacePrefix", line, column, value=prefix)
    elif known is not None:
        if prefix and known in ("atom", "xhtml") and kind == "atom":
            w.report_at("AvoidNamespacePrefix", line, column, value=prefix)
    elif uri == _MEDIA_RSS_NO_SLASH:
        w.report_at("MediaRssNamespace", line, column)
    else:
        problem = check_uri(uri, iri=True, error="InvalidIRI") if uri else None
        if problem and problem[0] != "SchemeNotIANARegistered":
            code, details = problem
            w.report_at(code, line, column, element=f"xmlns:{prefix}" if prefix else "xmlns", **details)
        else:
            w.report_at("UnknownNamespace", line, column, value=uri)


# C1 controls (U+0080-U+009F) and U+0080-U+00BF read as Latin-1 and re-encoded
# (mojibake such as "Ã©") both start with the byte C2 in UTF-8; U+FFFD marks
# text that was already lost. Two literal-prefix scans, fast on any input.
_C2_PAIR: Final = re.compile(rb"\xc2[\x80-\xbf]")
_REPLACEMENT: Final = re.compile(b"\xef\xbf\xbd")


def _bad_characters(w: Walker, source: bytes) -> None:
    """C1 control characters or UTF-8 read as Latin-1: the source's encoding is wrong somewhere."""
    found = None
    for m in _C2_PAIR.finditer(source):
        start = m.start()
        if m.group()[1] <= 0x9F or (start >= 2 and source[start - 2] == 0xC3 and source[start - 1] in (0x82, 0x83)):
            found = start
            break
    replacement = _REPLACEMENT.search(source)
    if replacement is not None and (found is None or replacement.start() < found):
        found = replacement.start()
    if found is not None:
        line = source.count(b"\n", 0, found) + 1
        column = len(source[source.rfind(b"\n", 0, found) + 1: found].decode("utf-8", "replace")) + 1
        w.report_at("BadCharacters", line, column)


# ------------------------------------------------------------ finding files

_FEED_SUFFIXES: Final = frozenset({".xml", ".atom", ".rss"})
_ROOT_SNIFF: Final = re.compile(rb"<(?:[\w.\-]+:)?(?:feed|rss)[\s>/]")


def find_feed_files(paths: Iterable[Path]) -> list[Path]:
    """The feed documents named by `paths`: files as given, folders searched for Atom and RSS files.

    A file inside a folder counts when its name ends in .xml, .atom or .rss
    and its first kilobytes show a <feed> or <rss> element. Raises
    FileNotFoundError for a path that does not exist.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*")
                                if p.suffix.lower() in _FEED_SUFFIXES and p.is_file() and _looks_like_feed(p)))
        else:
            raise FileNotFoundError(str(path))
    return found


def _looks_like_feed(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return _ROOT_SNIFF.search(head) is not None
