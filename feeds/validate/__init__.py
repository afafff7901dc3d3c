"""The feed validator: Atom 1.0 and RSS 2.0 checked the way the W3C Feed Validation Service does.

Public API:
    validate_bytes(data, path, location=None) -> list[Message]   never raises
    find_feed_files(paths) -> list[Path]                          files and folders
    Message, has_errors(messages, strict)

One module per job: xmlload (bytes to tree, safely), engine (the rule
walker), atom / rss / extensions (the rules), common / html (value checks),
checks (value checks as rules), scans (checks of the raw bytes: namespace
declarations, bad characters), fastpath (each distinct entry checked once
across the feeds of a site), messages (codes and wording), langcodes (ISO
639 data), report (text and JSON output).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Final

from lxml import etree

from feeds.validate import atom, fastpath, rss
from feeds.validate.engine import ATOM_NS, Cut, Walker, split_tag
from feeds.validate.messages import ERROR, WARNING, Message, render
from feeds.validate.scans import Spans, bad_characters, declarations
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
    read = loaded.source[:loaded.read_up_to]
    _check_root(w, loaded.root, loaded.docinfo_public_id, read, ((0, len(read)),))
    bad_characters(w, read, ((0, len(read)),))
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
    w.bases = False  # split() refuses a skeleton with an xml:base
    w.cut = Cut(cut.entries)
    w.locate = fastpath.locate
    around_entries = fastpath.gaps(cut.entries, len(data))  # each entry's bytes are scanned when it is checked
    try:
        _check_root(w, skeleton, None, data, around_entries, unparsed=[])  # split() allows no comment or CDATA
    except fastpath.Unsuitable:
        return None
    if not fastpath.complete(w):
        return None
    if b"\xc2" in cut.skeleton or b"\xef\xbf\xbd" in cut.skeleton:  # the skeleton holds every byte around the entries
        bad_characters(w, data, around_entries)
    return _finish(w.messages)


def _check_root(w: Walker, root: etree._Element, public_id: str | None, source: bytes, scanned: Spans,
                unparsed: list[tuple[int, int]] | None = None) -> None:
    """Dispatch on the document element: Atom feed or entry, RSS, or something else.

    `scanned` are the byte ranges of `source` whose namespace declarations are checked here
    (`unparsed`: its comments and CDATA sections, when known; see scans.declarations).
    """
    namespace, local = split_tag(root.tag)
    if local == "feed" or (local == "entry" and namespace in (ATOM_NS, None, _OLD_ATOM_NS)):
        _check_atom_root(w, root, namespace, local, source, scanned, unparsed)
    elif local == "rss":
        declarations(w, "rss", source, scanned, unparsed)
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


def _check_atom_root(w: Walker, root: etree._Element, namespace: str | None, local: str, source: bytes,
                     scanned: Spans, unparsed: list[tuple[int, int]] | None) -> None:
    """An Atom root; in no namespace or the wrong one it is reported, then checked as Atom all the same."""
    if namespace == _OLD_ATOM_NS:
        w.report("ObsoleteNamespace", root, value=namespace)
        return
    if namespace is None:
        w.report("MissingNamespace", root, element=local)
    elif namespace != ATOM_NS:
        w.report("InvalidNamespace", root, element=local, value=namespace, expected=f"Atom 1.0 uses {ATOM_NS}")
    declarations(w, "atom", source, scanned, unparsed)
    atom.check_document(w, root, namespace)


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
