"""Entry-level memoisation: check each distinct entry once, however many feeds repeat it.

`feeds generate` writes every article into several feeds (the site feed, one
per category level, tag and author), and each time the entry's XML is the
same bytes. For a document in the plain form generated feeds have (no
DOCTYPE, comment, CDATA section or processing instruction, entries or items
as children of the feed or channel), the entries can be cut out textually:
the rest of the document (its *skeleton*, with an empty placeholder element
where each entry was) is parsed and walked as usual, and each entry is
checked on its own inside a wrapper carrying the namespaces in scope, or
found in a memo keyed by its bytes (their length and hash: a collision is a
1 in 2**64 chance) and by the few facts about its context that its checks
read. Skeleton lines are mapped back to document lines only when a message
needs one (`Walker.line`); the byte scans (scans.py) read the document
itself, around the entries, and each distinct entry once.

What an entry's check found is kept relative to the entry and placed in the
document when replayed; values that must be unique across the document (ids,
guids) are kept aside and compared after the walk, as in the plain path.
When anything does not fit (a parse error, an entry in an odd place), the
caller falls back to the plain path, so the findings are always the same.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Final

from lxml import etree

from feeds.validate.engine import PLACEHOLDER_NS, Frame, Pending, Table, Walker, check_attributes
from feeds.validate.messages import Message
from feeds.validate.scans import bad_characters, declarations
from feeds.validate.xmlload import parse

_MEMO_LIMIT: Final = 1 << 15  # entries; each costs a few hundred bytes


class Unsuitable(Exception):
    """The document is not in the plain form the fast path needs; use the plain path."""


@dataclass(frozen=True, slots=True)
class Split:
    """A document cut into its skeleton and its entries (byte ranges of the source)."""

    kind: str  # "atom" | "rss"
    skeleton: bytes
    entries: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Checked:
    """What checking one entry found, placed relative to the entry (line 1 = its first line)."""

    messages: tuple[Message, ...]
    pending: tuple[Pending, ...]


_memo: dict[tuple[int, bool, int, int], Checked] = {}  # (scope, context, length, hash) -> findings


# Everything the cut must look at, found in one regex pass: the entries' (or
# items') start tags (group 2 is what follows the name) and end tags (group
# 3), and any "<!" or "<?" (DOCTYPE, comment, CDATA, PI).
_MARKS: Final = {
    kind: re.compile(rb"<(?:(%s)(?=[\s>/])([^>]*)>|(/)%s>|[!?])" % (name, name))
    for kind, name in (("atom", b"entry"), ("rss", b"item"))
}
_OPENED, _CLOSED = 2, 3  # Match.lastindex of a start tag, an end tag


def split(source: bytes) -> Split | None:
    """Cut a plain-form feed into skeleton and entries, or None when that would not be exact."""
    if source.startswith(b"\xef\xbb\xbf"):
        return None
    root_at = source.find(b"<", source.find(b"?>") + 2 if source.startswith(b"<?") else 0)
    if source.startswith(b"<feed", root_at):
        kind = "atom"
    elif source.startswith(b"<rss", root_at):
        kind = "rss"
    else:
        return None
    entries: list[tuple[int, int]] = []
    start = -1
    for m in _MARKS[kind].finditer(source, 1):
        found = m.lastindex
        if found == _OPENED:
            if start >= 0:
                return None  # nested
            attributes = m.group(2)
            if b'"' in attributes or b"'" in attributes:
                return None
            if attributes.endswith(b"/"):  # an empty entry
                entries.append(m.span())
            else:
                start = m.start()
        elif found == _CLOSED:
            if start < 0:
                return None
            entries.append((start, m.end()))
            start = -1
        else:
            return None  # a DOCTYPE, comment, CDATA section or processing instruction
    if start >= 0 or not entries:
        return None
    parts: list[bytes] = []
    previous = 0
    for begin, end in entries:
        parts.append(source[previous:begin])
        parts.append(_PLACEHOLDER)
        previous = end
    parts.append(source[previous:])
    skeleton = b"".join(parts)
    if b"xml:base" in skeleton:
        return None  # entries would inherit a base the wrapper does not give them
    return Split(kind, skeleton, tuple(entries))


_PLACEHOLDER: Final = b'<feeds:entry xmlns:feeds="%s"/>' % PLACEHOLDER_NS.encode()


def gaps(entries: tuple[tuple[int, int], ...], size: int) -> list[tuple[int, int]]:
    """The byte ranges of a document of `size` bytes around its `entries`."""
    ranges = []
    previous = 0
    for begin, end in entries:
        ranges.append((previous, begin))
        previous = end
    ranges.append((previous, size))
    return ranges


def replay(w: Walker, el: etree._Element, parent: Frame, key: str, table: Table) -> None:
    """Stand-in for checking the entry a placeholder replaces: check it (or recall it) and place its findings.

    `table` holds the rule the entry is checked with (the parent's table).
    The k-th placeholder walked stands for the k-th entry: placeholders are
    all children of the feed or channel, walked in document order, and the
    caller makes sure every one was (`complete`).
    """
    cut = w.cut
    if cut is None or cut.replayed >= len(cut.entries) or el.getparent() is not parent.el:
        raise Unsuitable("entry outside the feed or channel")
    start, end = cut.entries[cut.replayed]
    cut.replayed += 1
    scope = parent.state.get("memo scope")
    if scope is None:
        scope = parent.state["memo scope"] = _entry_scope(w, parent, key, table)
    context = ("author" in parent.seen) if w.kind == "atom" else ("lastBuildDate" in parent.seen)
    # A copy, hashed: hashing a memoryview of the document would first hash all of the document.
    fragment = w.source[start:end]
    memo_key = (scope.number, context, end - start, hash(fragment))
    checked = _memo.pop(memo_key, None)
    if checked is None:
        checked = _check_entry(w, scope, context, fragment)
        if _recording is not None:
            _recording.append((memo_key, checked))
        if len(_memo) >= _MEMO_LIMIT:
            del _memo[next(iter(_memo))]  # least recently used: dicts keep insertion order
    _memo[memo_key] = checked
    for message in checked.messages:
        line, column = w.place(start, message.line, message.column)
        w.messages.append(dataclasses.replace(message, path=w.path, line=line, column=column))
    if checked.pending:  # shared with every document the entry is in: placed by `anchors`, never changed
        pending, anchors = w.pending, w.anchors
        for item in checked.pending:
            anchors[len(pending)] = start
            pending.append(item)
    cut.contexts[start] = (scope, context)


@dataclass(frozen=True, slots=True)
class _Scope:
    """What checking an entry reads of its place in the document, besides the feed-level context flag."""

    number: int  # stands for all of it in memo keys
    parent_key: str
    key: str
    table: Table
    namespaces: tuple[tuple[str, str], ...]
    opening: bytes  # the start tag of the wrapper the entry is checked in (see `_opening`)
    shift: int  # its length in characters: line 1 of the wrapper starts with it


def _entry_scope(w: Walker, parent: Frame, key: str, table: Table) -> _Scope:
    namespaces = tuple(sorted((prefix or "", uri) for prefix, uri in parent.el.nsmap.items()))
    number = _scope_id((w.kind, w.core_ns, w.rss_version, namespaces))
    opening, shift = _opening(namespaces)
    return _Scope(number, parent.key, key, table, namespaces, opening, shift)


def _scope_id(scope: tuple[object, ...]) -> int:
    """A number for what an entry's checks read of the document (vocabulary, version, namespaces): short memo keys.

    Numbers are never reused, so forgetting scopes (a bound on memory) only costs memo misses.
    """
    found = _scopes.get(scope)
    if found is None:
        if len(_scopes) >= _SCOPES_LIMIT:
            _scopes.clear()
        found = _scopes[scope] = next(_scope_numbers)
    return found


_SCOPES_LIMIT: Final = 1024
_scopes: dict[tuple[object, ...], int] = {}
_scope_numbers: Final = itertools.count()


MemoEntry = tuple[tuple[object, ...], bool, int, int, Checked]
"""One entry check, portable between processes forked from one run: (scope, context
flag, entry length, entry hash, findings), its scope spelt out instead of numbered."""

_recording: list[tuple[tuple[int, bool, int, int], Checked]] | None = None


@contextmanager
def new_checks() -> Iterator[list[MemoEntry]]:
    """Collect the entry checks made (not recalled) inside the block, for `remember` in another process.

    Only between processes forked from one another: an entry's hash is
    Python's hash of its bytes, which is salted per interpreter.
    """
    global _recording
    made: list[MemoEntry] = []
    outer, _recording = _recording, []
    try:
        yield made
    finally:
        recorded, _recording = _recording, outer
        scopes = {number: scope for scope, number in _scopes.items()}
        made.extend((scopes[number], context, length, digest, checked)
                    for (number, context, length, digest), checked in recorded if number in scopes)


def remember(entries: list[MemoEntry]) -> None:
    """Take entry checks made in another process of the same run (see `new_checks`)."""
    for scope, context, length, digest, checked in entries:
        if len(_memo) >= _MEMO_LIMIT:
            del _memo[next(iter(_memo))]
        _memo[(_scope_id(scope), context, length, digest)] = checked


def complete(w: Walker) -> bool:
    """Whether the walk replayed every entry the document was cut into."""
    return w.cut is not None and w.cut.replayed == len(w.cut.entries)


def locate(w: Walker, item: Pending, anchor: int) -> tuple[int, int]:
    """Where a pending value of the memoised entry starting at byte `anchor` is (only needed to report a repeat).

    The entry is checked again, and the value is the one in the same place of
    its list of pending values (checking an entry notes them in a fixed order).
    """
    if w.cut is None or anchor not in w.cut.contexts:
        return 1, 1
    scope, context = w.cut.contexts[anchor]
    end = next(end for start, end in w.cut.entries if start == anchor)
    sub = _walk_entry(w, scope, context, w.source[anchor:end])
    element = sub.pending[item.ordinal].el if 0 <= item.ordinal < len(sub.pending) else None
    if element is None:
        return 1, 1
    line, column = sub.position(element)
    return w.place(anchor, line, column - scope.shift if line == 1 else column)


_CLOSING: Final = b"</feeds-wrapper>"
# What an entry's bytes must hold for it to declare a namespace or carry an xml:base attribute
# (in the wrapper, attribute names are the bytes written: no DTD can add any).
_XML_NAMES: Final = re.compile(b"xml(?:ns|:base)")


@lru_cache(maxsize=256)
def _opening(namespaces: tuple[tuple[str, str], ...]) -> tuple[bytes, int]:
    """The start tag of the element an entry is checked in (it declares the namespaces in scope where the
    entry was), and its length in characters."""
    declared = "".join(f' xmlns{":" + prefix if prefix else ""}="{escape(uri)}"' for prefix, uri in namespaces)
    opening = f"<feeds-wrapper{declared}>"
    return opening.encode(), len(opening)


def _check_entry(w: Walker, scope: _Scope, context: bool, fragment: bytes) -> Checked:
    """Check one entry on its own: its findings, placed relative to the entry, and its pending values."""
    sub = _walk_entry(w, scope, context, fragment)
    messages: tuple[Message, ...] = ()
    if sub.messages:
        shift = scope.shift
        messages = tuple(dataclasses.replace(m, column=m.column - shift) if m.line == 1 else m for m in sub.messages)
    return Checked(messages, tuple(sub.detached()))


def _walk_entry(w: Walker, scope: _Scope, context: bool, fragment: bytes) -> Walker:
    """Check one entry inside a wrapper declaring the namespaces in scope where it was; the walker that did it."""
    opening = scope.opening
    data = b"".join((opening, fragment, _CLOSING))  # one copy of the entry (a + b + c makes two)
    try:
        wrapper = parse(data)
    except etree.XMLSyntaxError as exc:
        raise Unsuitable(str(exc)) from None
    if len(wrapper) != 1:
        raise Unsuitable("not exactly one entry")
    entry = wrapper[0]
    sub = Walker(w.path, data, None, frozenset(), w.now, wrapper)
    sub.use_vocabulary(w.kind, w.core_ns)
    sub.rss_version = w.rss_version
    scanned = ((len(opening), len(opening) + len(fragment)),)
    if _XML_NAMES.search(fragment) is None:  # no namespace declaration, no xml:base: the common case
        sub.bases = False
    else:
        declarations(sub, w.kind, data, scanned, unparsed=[])  # split() made sure there is no comment or CDATA
        sub.bases = b"xml:base" in fragment
    if not fragment.isascii():  # the bad characters are all encoded with bytes over 0x7F
        bad_characters(sub, data, scanned)
    parent = Frame(scope.parent_key, None, None)
    if context:
        parent.seen.append("author" if w.kind == "atom" else "lastBuildDate")
    key = scope.key
    parent.seen.append(key)
    rule = scope.table[key]
    names = entry.keys()
    if names:
        check_attributes(sub, entry, key, rule.attrs, names)
    rule.handle(sub, entry, parent, key)
    return sub
