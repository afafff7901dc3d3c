"""The rule engine: walks an element tree and dispatches each child to its rule.

A *rule* says how one element is checked where it appears: which attributes
it takes, whether it may repeat, and a handler that checks its value or
walks its own children with another rule table. Tables are plain dicts from
an element *key* to a rule; keys are the local name for the document's own
vocabulary ('entry', 'channel') and 'prefix:name' for a known extension
namespace ('dc:creator', 'atom:link'). A child whose key is not in the
table is an UndefinedElement when its namespace is one we check, and is
skipped when the namespace is foreign (extensions are allowed everywhere).

The walker keeps, per element being walked, a `Frame`: its key, its parent
frame and the keys of the children seen so far (order matters: "author in
the feed before this entry", "description before content:encoded").

For a malformed document the tree is partial; `done(el)` is False for the
elements whose end tag was never read, and handlers skip their end-of-element
checks for those, as a streaming validator would never have reached them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from lxml import etree

from feeds.validate.common import check_uri, is_language
from feeds.validate.messages import Message, render

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
XHTML_NS: Final = "http://www.w3.org/1999/xhtml"
XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
XML_LANG: Final = f"{{{XML_NS}}}lang"
XML_BASE: Final = f"{{{XML_NS}}}base"
XML_ATTRS: Final = frozenset({XML_LANG, XML_BASE, f"{{{XML_NS}}}space", f"{{{XML_NS}}}id"})

# Namespaces the W3C service knows, by their conventional prefix. Elements
# in a namespace listed in CHECKED must be defined where they appear; the
# others are recognised (no UnknownNamespace warning) but not checked.
KNOWN_NAMESPACES: Final[dict[str, str]] = {
    "http://www.bloglines.com/about/specs/fac-1.0": "access",
    "http://webns.net/mvcb/": "admin",
    "http://purl.org/rss/1.0/modules/aggregation/": "ag",
    "http://purl.org/rss/1.0/modules/annotate/": "annotate",
    "http://www.w3.org/2007/app": "app",
    "http://media.tangent.org/rss/1.0/": "audio",
    "http://backend.userland.com/blogChannelModule": "blogChannel",
    "http://web.resource.org/cc/": "cc",
    "http://www.microsoft.com/schemas/rss/core/2005": "cf",
    "http://backend.userland.com/creativeCommonsRssModule": "creativeCommons",
    "http://purl.org/rss/1.0/modules/company": "company",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://conversationsnetwork.org/rssNamespace-1.0/": "conversationsNetwork",
    "http://my.theinfo.org/changed/1.0/rss/": "cp",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/email/": "email",
    "http://purl.org/rss/1.0/modules/event/": "ev",
    "http://purl.org/syndication/history/1.0": "fh",
    "http://www.w3.org/2003/01/geo/wgs84_pos#": "geo",
    "http://geourl.org/rss/module/": "geourl",
    "http://www.georss.org/georss": "georss",
    "http://www.opengis.net/gml": "gml",
    "http://postneo.com/icbm": "icbm",
    "http://purl.org/rss/1.0/modules/image/": "image",
    "urn:atom-extension:indexing": "indexing",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://rssnamespace.org/feedburner/ext/1.0": "feedburner",
    "http://xmlns.com/foaf/0.1/": "foaf",
    "http://purl.org/rss/1.0/modules/link/": "l",
    "http://search.yahoo.com/mrss/": "media",
    "http://www.w3.org/1998/Math/MathML": "mathml",
    "http://a9.com/-/spec/opensearchrss/1.0/": "opensearch10",
    "http://a9.com/-/spec/opensearch/1.1/": "opensearch",
    "http://www.opml.org/spec2": "opml",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://purl.org/rss/1.0/modules/reference/": "ref",
    "http://purl.org/rss/1.0/modules/richequiv/": "reqv",
    "http://purl.org/rss/1.0/modules/rss091#": "rss091",
    "http://purl.org/rss/1.0/modules/search/": "search",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://purl.org/rss/1.0/modules/servicestatus/": "ss",
    "http://hacks.benhammersley.com/rss/streaming/": "str",
    "http://purl.org/rss/1.0/modules/subscription/": "sub",
    "http://feedsync.org/2007/feedsync": "sx",
    "http://www.w3.org/2000/svg": "svg",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://purl.org/rss/1.0/modules/taxonomy/": "taxo",
    "http://purl.org/rss/1.0/modules/threading/": "thr",
    "http://purl.org/syndication/thread/1.0": "thr",
    "http://madskills.com/public/xml/rss/module/trackback/": "trackback",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "http://purl.org/rss/1.0/modules/wiki/": "wiki",
    "http://www.usemod.com/cgi-bin/mb.pl?ModWiki": "wiki",
    "http://schemas.xmlsoap.org/soap/envelope/": "soap",
    ATOM_NS: "atom",
    XHTML_NS: "xhtml",
    "http://my.netscape.com/rdf/simple/0.9/": "rss090",
    "http://purl.org/rss/1.0/": "rss1",
    "http://purl.org/net/rss1.1#": "rss11",
    "http://base.google.com/ns/1.0": "g",
    XML_NS: "xml",
    "http://openid.net/xmlns/1.0": "openid",
    "http://earth.google.com/kml/2.0": "kml20",
    "http://earth.google.com/kml/2.1": "kml21",
    "http://www.opengis.net/kml/2.2": "kml22",
    "http://www.w3.org/1999/xlink": "xlink",
    "xri://$xrd*($v*2.0)": "xrd",
    "xri://$xrds": "xrds",
}

CHECKED_PREFIXES: Final = frozenset({
    "atom", "xhtml", "dc", "dcterms", "content", "media", "slash", "wfw", "thr", "sy", "admin", "trackback",
    "geo", "icbm", "geourl", "georss", "creativeCommons", "blogChannel", "fh", "annotate", "ag", "ev",
})


def near_miss(uri: str) -> str:
    """A namespace URI as readers tend to match it: case-insensitive, trailing punctuation ignored."""
    m = re.match(r".*\w", uri, re.S)
    return (m.group() if m else uri).lower()


_NEARLY: Final = {near_miss(uri): prefix for uri, prefix in KNOWN_NAMESPACES.items()}


@lru_cache(maxsize=1024)
def prefix_for(uri: str) -> str | None:
    """The conventional prefix of a known namespace (matched loosely), else None."""
    prefix = KNOWN_NAMESPACES.get(uri)
    return prefix if prefix is not None else _NEARLY.get(near_miss(uri))


_UNSEEN: Final = "\0"
_KEY_CACHES: dict[tuple[str, str | None], dict[str, str | None]] = {}
PLACEHOLDER_NS: Final = "urn:x-feeds:validate:entry"  # see fastpath.py
PLACEHOLDER: Final = f"{{{PLACEHOLDER_NS}}}entry"
Handler = Callable[["Walker", etree._Element, "Frame", str], None]


@dataclass(frozen=True, slots=True)
class Rule:
    """How one element is checked in one context.

    `attrs` are the attribute names (Clark notation) it takes besides xml:*;
    `once` makes a repeat a DuplicateElement (or `repeat_code`).
    """

    handle: Handler
    once: bool = False
    attrs: frozenset[str] = frozenset()
    repeat_code: str = "DuplicateElement"
    # The attributes that need no look at all: `attrs` less xml:lang and xml:base,
    # which are checked wherever they are (one set test per element walked).
    unchecked: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unchecked", frozenset(self.attrs) - XML_ATTRS)


Table = Mapping[str, Rule]


class Frame:
    """An element being walked: its key, parent, children seen so far, and rule state."""

    __slots__ = ("key", "parent", "seen", "el", "links", "state")

    def __init__(self, key: str, parent: Frame | None, el: etree._Element | None) -> None:
        self.key = key
        self.parent = parent
        self.el = el
        self.seen: list[str] = []
        self.links: list[Any] = []
        self.state: dict[str, Any] = {}


@dataclass(slots=True)
class Pending:
    """A value that must be unique in the document, checked once the whole document is walked.

    It is placed by its element while the tree is alive, or by line and
    column once it has been (see `placed`).
    """

    scope: str
    value: str
    code: str
    element: str
    el: etree._Element | None
    line: int = 1
    column: int = 1
    ordinal: int = -1  # for an entry checked apart (fastpath): which of its pending values this is


@dataclass(slots=True)
class Cut:
    """The entries the fast path cut out of the document (see fastpath.py), and how far the walk got.

    Placeholder k in document order stands for `entries[k]` (byte ranges of
    the source); the skeleton leaves the entries' lines out (`Walker.line`
    puts them back). `contexts` keeps, per entry start, what checking the
    entry took (parent and own key, rule table, context, namespaces in
    scope), to check it again and place a pending value that is repeated.
    """

    entries: tuple[tuple[int, int], ...]
    replayed: int = 0
    contexts: dict[int, tuple[Any, ...]] = field(default_factory=dict)


class Walker:
    """Per-document state: the messages so far and what rules share across elements."""

    def __init__(self, path: str, source: bytes, location: str | None, incomplete: frozenset[etree._Element],
                 now: datetime | None = None, root: etree._Element | None = None) -> None:
        self.path = path
        self.source = source
        self.location = location
        self.incomplete = incomplete
        self.now = now
        self.root = root
        self.messages: list[Message] = []
        self.kind = ""  # "atom" | "rss"
        self.core_ns: str | None = None
        self.rss_version = ""
        self.scopes: dict[str, set[str]] = {}
        self.pending: list[Pending] = []
        self.anchors: dict[int, int] = {}  # index in `pending` -> start of the entry it was recalled from (fastpath)
        self.xml_checked: set[etree._Element] = set()
        self.keys: dict[str, str | None] = {}
        self._lines: list[int] | None = None
        self._text: str | None = None
        self._offsets: dict[etree._Element, int] | None = None
        self._line_shifts: dict[etree._Element, int] | None = None
        self.bases = True  # False when the source is known to hold no xml:base attribute
        self.cut: Cut | None = None  # the entries the fast path cut out
        self.locate: Callable[[Walker, Pending, int], tuple[int, int]] | None = None  # places their pending values

    @property
    def text(self) -> str:
        """The document as text, decoded on first use (only placing messages needs it)."""
        if self._text is None:
            self._text = self.source.decode("utf-8-sig", errors="replace")
        return self._text

    # ------------------------------------------------------------ reporting

    def report(self, code: str, el: etree._Element | None, **details: Any) -> None:
        """Record `code` at `el`'s start tag."""
        severity, text = render(code, details)
        line, column = self.position(el) if el is not None else (1, 1)
        self.messages.append(Message(self.path, line, column, severity, code, text))

    def report_at(self, code: str, line: int, column: int, **details: Any) -> None:
        severity, text = render(code, details)
        self.messages.append(Message(self.path, line, column, severity, code, text))

    def line(self, el: etree._Element) -> int:
        """The 1-based document line libxml2 gives `el` (the line where its start tag ends)."""
        line = el.sourceline or 1
        if self.cut is not None:  # the skeleton left the entries' lines out: add those before `el`
            if self._line_shifts is None:
                self._line_shifts = self._skipped_lines()
            line += self._line_shifts.get(el, 0)
        return line

    def _skipped_lines(self) -> dict[etree._Element, int]:
        """For each element of the fast path's skeleton, how many lines the entries before it took."""
        shifts: dict[etree._Element, int] = {}
        if self.cut is None or self.root is None:
            return shifts
        entries = iter(self.cut.entries)
        skipped = 0
        for el in self.root.iter():
            shifts[el] = skipped
            if el.tag == PLACEHOLDER:
                start, end = next(entries, (0, 0))
                skipped += self.source.count(b"\n", start, end)
        return shifts

    def position(self, el: etree._Element) -> tuple[int, int]:
        """1-based line and column of `el`'s start tag (computed only when reporting)."""
        line = self.line(el)
        if self._offsets is None:
            self._offsets = _start_tag_offsets(self.text, self.root, self._entry_ends())
        at = self._offsets.get(el)
        if at is None:
            return line, 1
        return line, at - (self.text.rfind("\n", 0, at) + 1) + 1

    def place(self, anchor: int, line: int, column: int) -> tuple[int, int]:
        """Document line and column of a position given relative to the text starting at byte `anchor`."""
        first_line = self.source.count(b"\n", 0, anchor) + 1
        if line == 1:
            return first_line, column - 1 + self.char_column(anchor)
        return first_line + line - 1, column

    def char_column(self, offset: int) -> int:
        """1-based column (in characters) of a byte offset of the source."""
        line_start = self.source.rfind(b"\n", 0, offset) + 1
        return len(self.source[line_start:offset].decode("utf-8", "replace")) + 1

    def _entry_ends(self) -> Callable[[etree._Element], int | None]:
        """For the fast path's placeholders, met in document order: the character offset where each entry ends."""
        cut = self.cut
        ends = iter(cut.entries if cut is not None else ())
        decoded = [0, 0]  # bytes, characters: the source is decoded once, piece by piece

        def skip_to(el: etree._Element) -> int | None:
            if cut is None or el.tag != PLACEHOLDER:
                return None
            end = next(ends, (0, decoded[0]))[1]
            decoded[1] += len(self.source[decoded[0]:end].decode("utf-8", "replace"))
            decoded[0] = end
            return decoded[1]

        return skip_to

    def source_line(self, line: int) -> str:
        """The raw text of a 1-based line (for checks that look at how text was escaped)."""
        if self._lines is None:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]
        if line - 1 >= len(self._lines):
            return ""
        start = self._lines[line - 1]
        end = self._lines[line] if line < len(self._lines) else len(self.text)
        return self.text[start:end]

    def unique(self, scope: str, value: str, code: str, el: etree._Element, key: str) -> None:
        """Note a value that may appear only once per document (ids, guids); see resolve_pending."""
        self.pending.append(Pending(scope, value, code, display(key), el))

    def detached(self) -> list[Pending]:
        """The pending values, no longer tied to the tree: each knows its place in the list instead.

        Placing one exactly means checking its entry again; that is done only
        for a value that turns out to be repeated (see `locate`).
        """
        for n, item in enumerate(self.pending):
            item.ordinal = n
            item.el = None
        return self.pending

    def resolve_pending(self) -> None:
        """Report every repeat of a value noted with `unique`, at the repeat, in document order."""
        scopes = self.scopes
        anchors = self.anchors
        for index, item in enumerate(self.pending):
            seen = scopes.get(item.scope)
            if seen is None:
                seen = scopes[item.scope] = set()
            if item.value in seen:
                if item.el is not None:
                    line, column = self.position(item.el)
                elif index in anchors and self.locate is not None:
                    line, column = self.locate(self, item, anchors[index])
                else:
                    line, column = item.line, item.column
                severity, text = render(item.code, {"element": item.element, "value": item.value})
                self.messages.append(Message(self.path, line, column, severity, item.code, text))
            else:
                seen.add(item.value)
        self.pending.clear()
        anchors.clear()

    # ------------------------------------------------------------ structure

    def done(self, el: etree._Element) -> bool:
        """False for an element whose end tag was never read (malformed input)."""
        return not self.incomplete or el not in self.incomplete

    def key_of(self, tag: str) -> str | None:
        """The rule key of a tag: local name in the core vocabulary, 'prefix:name' in a known one.

        None for a foreign namespace; '!name' for an element without a
        namespace in a document whose vocabulary has one (Atom).
        """
        key = self.keys.get(tag, _UNSEEN)
        if key is not _UNSEEN:
            return key
        if tag[0] == "{":
            uri, local = tag[1:].split("}", 1)
            if uri == self.core_ns:
                key = local
            elif uri == PLACEHOLDER_NS:
                key = "entry" if self.kind == "atom" else "item"
            else:
                prefix = prefix_for(uri)
                key = f"{prefix}:{local}" if prefix else None
        else:
            key = tag if self.core_ns is None else "!" + tag
        self.keys[tag] = key
        return key

    def use_vocabulary(self, kind: str, core_ns: str | None) -> None:
        """Atom or RSS, with its own elements in `core_ns`; element keys are then shared between documents."""
        self.kind, self.core_ns = kind, core_ns
        keys = _KEY_CACHES.get((kind, core_ns))
        if keys is None:
            keys = _KEY_CACHES[kind, core_ns] = {}
        elif len(keys) > 4096:  # a document inventing element names must not grow it forever
            keys.clear()
        self.keys = keys

    def scope(self, name: str) -> set[str]:
        """A named set shared across the document (ids seen, guids seen, ...)."""
        found = self.scopes.get(name)
        if found is None:
            found = self.scopes[name] = set()
        return found


def split_tag(tag: str) -> tuple[str | None, str]:
    """(namespace or None, local name) of a Clark-notation tag."""
    if tag[:1] == "{":
        uri, local = tag[1:].split("}", 1)
        return uri, local
    return None, tag


def _start_tag_offsets(text: str, root: etree._Element | None,
                       skip_to: Callable[[etree._Element], int | None]) -> dict[etree._Element, int]:
    """Where each element's start tag begins in `text` (lxml records lines only).

    Elements appear in the text in document order, so one forward scan for
    '<qname' finds them all; comments are stepped over, and a match inside a
    CDATA section is skipped.
    """
    offsets: dict[etree._Element, int] = {}
    if root is None:
        return offsets
    cdata = [(m.start(), m.end()) for m in re.finditer(r"<!\[CDATA\[.*?\]\]>", text, re.S)] if "<![CDATA[" in text else []
    delimiters = (" ", "\t", "\r", "\n", "/", ">")
    cursor = 0
    for el in root.iter():
        tag = el.tag
        if tag.__class__ is not str:
            if tag is etree.Comment:
                end = text.find("-->", text.find("<!--", cursor))
                cursor = end + 3 if end >= 0 else cursor
            continue
        jump = skip_to(el)
        if jump is not None:
            cursor = jump
            continue
        local = split_tag(tag)[1]
        needle = "<" + (el.prefix + ":" + local if el.prefix else local)
        at = text.find(needle, cursor)
        while at >= 0 and (text[at + len(needle): at + len(needle) + 1] not in delimiters
                           or (cdata and any(start <= at < end for start, end in cdata))):
            at = text.find(needle, at + 1)
        if at < 0:
            break
        offsets[el] = at
        cursor = at + len(needle)
    return offsets


def own_text(el: etree._Element) -> str:
    """The character data directly inside `el` (its text and its children's tails)."""
    text = el.text or ""
    if len(el):
        for child in el:
            if child.tail:
                text += child.tail
    return text


def display(key: str) -> str:
    """How a key is named in messages."""
    return key.lstrip("!")


# ---------------------------------------------------------------- walking



def check_attributes(w: Walker, el: etree._Element, key: str, allowed: frozenset[str],
                     names: list[str] | None = None) -> None:
    """UnexpectedAttribute for attributes a rule does not take (foreign-namespace ones are fine).

    Also checks xml:lang and xml:base, which any element may carry. `names`
    are the element's attribute names, when the caller has them already.
    """
    for name in el.keys() if names is None else names:
        if name in XML_ATTRS:
            if name == XML_LANG or name == XML_BASE:
                check_xml_attributes(w, el, key)
            continue
        if name in allowed:
            continue
        if name[0] == "{":
            uri, local = name[1:].split("}", 1)
            prefix = prefix_for(uri)
            if prefix is None:
                continue
            shown = f"{prefix}:{local}"
        else:
            shown = name
        w.report("UnexpectedAttribute", el, element=display(key), attr=shown)


def check_xml_attributes(w: Walker, el: etree._Element, key: str) -> None:
    """xml:lang must be a language code; xml:base must be an IRI (checked once per element)."""
    if el in w.xml_checked:
        return
    w.xml_checked.add(el)
    lang = el.get(XML_LANG)
    if lang and not is_language(lang):
        w.report("InvalidLanguage", el, element="xml:lang", value=lang)
    base = el.get(XML_BASE)
    if base is not None:
        problem = check_uri(base, iri=True, error="InvalidIRI")
        if problem:
            code, details = problem
            w.report(code, el, element="xml:base", **details)


def walk(w: Walker, el: etree._Element, frame: Frame, table: Table, *, text_ok: bool = False) -> None:
    """Check `el`'s children against `table`, in document order."""
    text = el.text
    stray_text = bool(text) and not text.isspace()
    seen = frame.seen
    note = seen.append
    keys = w.keys
    for child in el:
        if not stray_text:
            tail = child.tail
            if tail and not tail.isspace():
                stray_text = True
        tag = child.tag
        if tag.__class__ is not str:
            continue  # comment or processing instruction
        key = keys.get(tag, _UNSEEN)
        if key is _UNSEEN:
            key = w.key_of(tag)
        rule = table.get(key)  # type: ignore[arg-type]  # None (a foreign element) is in no table
        if rule is None:
            if child.attrib:
                check_xml_attributes(w, child, key or tag)
            unknown_child(w, child, frame, key)
            note(key or tag)
            continue
        if rule.once and key in seen:
            w.report(rule.repeat_code, child, element=display(key), parent=display(frame.key))
        note(key)
        names = child.keys()
        if names and not rule.unchecked.issuperset(names):
            check_attributes(w, child, key, rule.attrs, names)
        rule.handle(w, child, frame, key)
    if stray_text and not text_ok:
        w.report("UnexpectedText", el, element=display(frame.key),
                 parent=display(frame.parent.key) if frame.parent else "")


def unknown_child(w: Walker, el: etree._Element, parent: Frame, key: str | None) -> None:
    """An element no rule covers here: an error in a checked vocabulary, skipped otherwise."""
    if key is None:
        if w.kind == "rss":
            not_in_a_namespace(w, el)
        return
    if key[0] == "!":
        if ":" not in key:  # a prefixed name without a namespace only survives a parse error
            w.report("UndeterminableVocabulary", el, element=key[1:])
        return
    prefix = key.split(":", 1)[0] if ":" in key else None
    if prefix is None or prefix in CHECKED_PREFIXES:
        if prefix == "xhtml":
            w.report("MisplacedXHTMLContent", el, element=key)
        else:
            w.report("UndefinedElement", el, element=key, parent=display(parent.key))
    elif w.kind == "rss":
        not_in_a_namespace(w, el)


def not_in_a_namespace(w: Walker, el: etree._Element) -> None:
    """RSS 2.0: everything inside an extension element must itself be namespaced."""
    for inner in el.iterdescendants():
        tag = inner.tag
        if tag.__class__ is str and tag[0] != "{":
            parent = inner.getparent()
            w.report("NotInANamespace", inner, element=tag, parent=split_tag(parent.tag)[1])


# ---------------------------------------------------------------- leaf elements

Check = Callable[[Walker, etree._Element, str, str, str], None]


def leaf(*checks: Check, strip: bool = True) -> Handler:
    """A handler for a text-only element: child elements are errors, then each check runs.

    A check receives (walker, element, key, value, raw): `value` is the text
    with surrounding whitespace removed (unless strip=False), `raw` as written.
    """

    def handle(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
        if len(el):
            text_children(w, el, key)
            raw = own_text(el)
        else:
            raw = el.text or ""
        incomplete = w.incomplete
        if incomplete and el in incomplete:
            return
        value = raw.strip() if strip else raw
        for check in checks:
            check(w, el, key, value, raw)

    return handle


def text_children(w: Walker, el: etree._Element, key: str) -> None:
    """Child elements inside a text-only element."""
    for child in el:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        local = split_tag(tag)[1]
        w.report("UndefinedElement", child, element=local, parent=display(key))


def empty(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """An element that takes attributes only: text or children in it are checked like a container's."""
    if len(el) or (el.text and not el.text.isspace()):
        walk(w, el, Frame(key, parent, el), {})


def eat(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """A recognised element whose content is not checked."""


def any_attrs(handle: Handler, once: bool = False) -> Rule:
    """A rule that takes any attribute (for elements whose content is not checked)."""
    return Rule(handle, once=once, attrs=_ANY)


class _AnySet(frozenset):  # type: ignore[type-arg]
    """Contains every attribute name (set operations on it, being empty, still say otherwise)."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY: Final = _AnySet()
EAT: Final = Rule(eat, attrs=_ANY)
