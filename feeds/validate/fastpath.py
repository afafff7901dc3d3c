"""Entry-level memoisation: check each distinct entry once, however many feeds repeat it.

`feeds generate` writes every article into several feeds (the site feed, one
per category level, tag and author), and each time the entry's XML is the
same bytes. For a document in the plain form generated feeds have (no
DOCTYPE, comment, CDATA section or processing instruction, entries or items
as children of the feed or channel), the entries can be cut out textually:
the rest of the document (its *skeleton*, with a placeholder element where
each entry was, padded with the entry's newlines so lines keep their
numbers) is parsed and walked as usual, and each entry is checked on its own
inside a wrapper carrying the namespaces in scope, or found in a memo keyed
by its bytes (their length and hash: a collision is a 1 in 2**64 chance)
and by the few facts about its context that its checks read.

What an entry's check found is kept relative to the entry and placed in the
document when replayed; values that must be unique across the document (ids,
guids) are kept aside and compared after the walk, as in the plain path.
When anything does not fit (a parse error, an entry in an odd place), the
caller falls back to the plain path, so the findings are always the same.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from html import escape
from typing import Final

from lxml import etree

from feeds.validate.engine import PLACEHOLDER, PLACEHOLDER_N, PLACEHOLDER_NS, Frame, Pending, Walker, check_attributes
from feeds.validate.messages import Message
from feeds.validate.xmlload import parse
_MEMO_LIMIT: Final = 1 << 15  # entries; each costs a few hundred bytes
_DELIMITERS: Final = frozenset(b" \t\r\n>/")


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


_memo: dict[tuple[object, ...], Checked] = {}


# Everything the cut must look at, found in one regex pass: entry and item
# start and end tags, and any "<!" or "<?" (DOCTYPE, comment, CDATA, PI).
_MARKS: Final = re.compile(rb"<(?:(entry|item)[\s>/]|/(entry|item)>|[!?])")


def split(source: bytes) -> Split | None:
    """Cut a plain-form feed into skeleton and entries, or None when that would not be exact."""
    if source.startswith(b"\xef\xbb\xbf"):
        return None
    root_at = source.find(b"<", source.find(b"?>") + 2 if source.startswith(b"<?") else 0)
    if source.startswith(b"<feed", root_at):
        kind, name = "atom", b"entry"
    elif source.startswith(b"<rss", root_at):
        kind, name = "rss", b"item"
    else:
        return None
    entries: list[tuple[int, int]] = []
    start = -1
    for m in _MARKS.finditer(source, 1):
        opened, closed = m.group(1), m.group(2)
        if opened is None and closed is None:
            return None  # a DOCTYPE, comment, CDATA section or processing instruction
        if opened is not None:
            if opened != name or start >= 0:
                if opened == name:
                    return None  # nested
                continue
            tag_end = source.find(b">", m.end() - 1)
            if tag_end < 0 or b'"' in source[m.start():tag_end] or b"'" in source[m.start():tag_end]:
                return None
            if source[tag_end - 1] == 0x2F:  # "/>": an empty entry
                entries.append((m.start(), tag_end + 1))
            else:
                start = m.start()
        elif closed == name:
            if start < 0:
                return None
            entries.append((start, m.end()))
            start = -1
    if start >= 0 or len(entries) < 2:
        return None
    parts: list[bytes] = []
    previous = 0
    for number, (begin, end) in enumerate(entries):
        parts.append(source[previous:begin])
        parts.append(b'<feeds:entry xmlns:feeds="%s" feeds:n="%d"/>' % (PLACEHOLDER_NS.encode(), number))
        parts.append(b"\n" * source.count(b"\n", begin, end))
        previous = end
    parts.append(source[previous:])
    skeleton = b"".join(parts)
    if b"xml:base" in skeleton:
        return None  # entries would inherit a base the wrapper does not give them
    return Split(kind, skeleton, tuple(entries))


def replay(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """Stand-in for checking the entry a placeholder replaces: check it (or recall it) and place its findings."""
    number = int(el.get(PLACEHOLDER_N, "-1"))
    if not 0 <= number < len(w.fragments):
        raise Unsuitable("placeholder out of range")
    start, end = w.fragments[number]
    if el.getparent() is not parent.el:
        raise Unsuitable("entry outside the feed or channel")
    namespaces = parent.state.get("namespaces")
    if namespaces is None:
        namespaces = parent.state["namespaces"] = tuple(
            sorted((prefix or "", uri) for prefix, uri in parent.el.nsmap.items()))
    context = ("author" in parent.seen) if w.kind == "atom" else ("lastBuildDate" in parent.seen)
    fragment = w.source[start:end]
    memo_key = (w.kind, w.core_ns, w.rss_version, context, namespaces, len(fragment), hash(fragment))
    checked = _memo.pop(memo_key, None)
    if checked is None:
        checked = _check_entry(w, parent.key, key, context, namespaces, fragment)
        if len(_memo) >= _MEMO_LIMIT:
            del _memo[next(iter(_memo))]  # least recently used: dicts keep insertion order
    _memo[memo_key] = checked
    for message in checked.messages:
        line, column = w.place(start, message.line, message.column)
        w.messages.append(dataclasses.replace(message, path=w.path, line=line, column=column))
    for item in checked.pending:
        w.pending.append(Pending(item.scope, item.value, item.code, item.element, None, 1, 1, start, item.ordinal))
    w.locate = locate
    w.entry_ranges[start] = (end, namespaces)


def locate(w: Walker, item: Pending) -> tuple[int, int]:
    """Where a pending value of a memoised entry is in the document (only needed to report a repeat)."""
    if item.anchor not in w.entry_ranges:
        return 1, 1
    end, namespaces = w.entry_ranges[item.anchor]
    wrapper, opening = _wrap(namespaces, w.source[item.anchor:end])
    sub = Walker(w.path, wrapper, None, frozenset(), w.now, parse(wrapper))
    element = next((el for n, el in enumerate(sub.root.iter()) if n == item.ordinal), None)
    if element is None:
        return 1, 1
    line, column = sub.position(element)
    return w.place(item.anchor, line, column - len(opening) if line == 1 else column)


def _wrap(namespaces: tuple[tuple[str, str], ...], fragment: bytes) -> tuple[bytes, str]:
    """The entry inside an element declaring the namespaces that were in scope where it was."""
    declarations = "".join(f' xmlns{":" + prefix if prefix else ""}="{escape(uri)}"' for prefix, uri in namespaces)
    opening = f"<feeds-wrapper{declarations}>"
    return opening.encode("utf-8") + fragment + b"</feeds-wrapper>", opening


def _check_entry(w: Walker, parent_key: str, key: str, context: bool, namespaces: tuple[tuple[str, str], ...],
                 fragment: bytes) -> Checked:
    """Check one entry on its own, inside a wrapper declaring the namespaces in scope where it was."""
    from feeds.validate import _bad_characters, _declarations, atom, rss  # the rules import this module

    data, opening = _wrap(namespaces, fragment)
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
    _declarations(sub, w.kind, data, len(opening.encode("utf-8")), len(data))
    _bad_characters(sub, data)
    parent = Frame(parent_key, None, None)
    if context:
        parent.seen.append("author" if w.kind == "atom" else "lastBuildDate")
    parent.seen.append(key)
    table = atom.FEED if w.kind == "atom" else rss.CHANNEL
    rule = table[key]
    if entry.attrib:
        check_attributes(sub, entry, key, rule.attrs)
    rule.handle(sub, entry, parent, key)
    shift = len(opening)

    def relative(line: int, column: int) -> tuple[int, int]:
        return line, column - shift if line == 1 else column

    messages = tuple(dataclasses.replace(m, line=relative(m.line, m.column)[0], column=relative(m.line, m.column)[1])
                     for m in sub.messages)
    pending = tuple(sub.detached())
    return Checked(messages, pending)
