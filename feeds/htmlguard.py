"""Bodies the HTML5 parser would take hours on: refused before the sanitiser sees them.

html5ever (in nh3, the sanitiser) is quadratic in three things an article
can make as large as it likes: the stack of open elements (each block start
tag walks it), the list of active formatting elements (formatting start
tags walk it, comparing attributes) and an element's attributes (each is
compared with those before it). 100,000 nested `<div>`s, 1 MB, take 20 s to
sanitise; the 32 MB an article may have would take days, and a cron job
would never finish again. No real article nests anywhere near that deep
(browsers stop nesting at 512) or gives an element hundreds of attributes.

`too_deep` replays the tree builder's rules that make the stack grow and
shrink, in one linear pass over the tags, erring on the side of more depth:
it closes elements where the HTML5 parser surely would (an end tag with no
special element above its element, the implied ends of `p`, `li`, `td`...),
and reopens formatting elements closed by a block's end as the parser does,
keeping three alike at most. A property test holds its estimate against the
depth nh3's own parser builds from random tag soup. It is a guard, not the
parser: being stricter than the parser in one place can make it close more
in a later one, so a motif crafted for that and repeated hundreds of times
can still get past. Bodies with few tags cannot be slow and are not looked
at.
"""

from __future__ import annotations

import re

MAX_DEPTH = 1000
"""More elements than this open at once (or formatting elements active) and a body is refused."""
MAX_ATTRIBUTES = 200
"""More attributes than this on one element and a body is refused."""

_FEW_TAGS = 2000  # at most this many `<`: the parser's work is small whatever they are

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>?")

_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr".split())
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
# The HTML5 "special" category: an end tag for another element never closes one of these.
_SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup "
    "dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head "
    "header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes "
    "noscript object ol p param plaintext pre script search section select source style summary table tbody td "
    "template textarea tfoot th thead title tr track ul wbr xmp".split())
# What ends the parser's "scope" looking down the stack: nothing below them is in scope.
_SCOPE = frozenset("applet caption html marquee object table td template th".split())
# Closed by the end tag of an element they are in (the parser's "implied end tags").
_IMPLIED = frozenset("dd dt li optgroup option p rb rp rt rtc".split())
# A start tag of one of these closes an open <p> it is in.
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form h1 h2 "
    "h3 h4 h5 h6 header hgroup hr listing main menu nav ol p pre search section summary table ul xmp li dd dt".split())
# The special elements and void elements whose start tag reopens the formatting
# elements closed early (as do text and every other start tag).
_REOPENS_SPECIAL = frozenset("applet button marquee object select xmp".split())
_REOPENS_VOID = frozenset("area br embed image img input keygen wbr".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Outside a table the parser ignores these start tags.
_TABLE_PARTS = frozenset("caption col colgroup tbody td tfoot th thead tr".split())
# A start tag of the key closes the last open element of the first names
# (implied ends in lists and tables) if no special element but those named
# is above it.
_CELLS = ("tbody", "thead", "tfoot", "tr", "td", "th")
_CLOSES_SAME: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # name -> (closed, closed through)
    "li": (("li",),) * 2, "dd": (("dd", "dt"),) * 2, "dt": (("dd", "dt"),) * 2,
    "td": (("td", "th"), ("td", "th")), "th": (("td", "th"), ("td", "th")), "tr": (("tr", "td", "th"),) * 2,
    "tbody": (_CELLS, _CELLS), "thead": (_CELLS, _CELLS), "tfoot": (_CELLS, _CELLS),
}


def refusal(html: str) -> str | None:
    """Why the sanitiser must not be given `html`, or None (almost always, at the cost of a count)."""
    depth = too_deep(html)
    if depth is not None:
        return (f"the body nests HTML elements more than {MAX_DEPTH} deep (tags left open count too); no reader "
                "shows that, and making it safe would take the run hours: close its tags or flatten it")
    attributes = too_many_attributes(html)
    if attributes is not None:
        return (f"an element of the body has {attributes} attributes, more than {MAX_ATTRIBUTES}; making it safe "
                "would take the run hours: remove them")
    return None


# A tag with k attributes is at least 2k characters long: only long ones are looked at.
_LONG_TAG = re.compile(r"<[A-Za-z][^>]{%d,}" % (2 * MAX_ATTRIBUTES))
_ATTRIBUTE = re.compile(r"[\s/]+[^\s/>]")  # where an attribute name can start (an over-count: values too)


def too_many_attributes(html: str) -> int | None:
    """How many attributes the element with too many has (an upper bound), or None."""
    for tag in _LONG_TAG.finditer(html):
        count = len(_ATTRIBUTE.findall(tag.group()))
        if count > MAX_ATTRIBUTES:
            exact = len(_ATTRIBUTE_EXACT.findall(tag.group()))
            if exact > MAX_ATTRIBUTES:
                return exact
    return None


# Attribute names as the tokenizer finds them, with their values skipped.
_ATTRIBUTE_EXACT = re.compile(r"""[\s/]+([^\s/>=][^\s/>=]*)(?:\s*=\s*(?:"[^"]*"?|'[^']*'?|[^\s>]*))?""")


def too_deep(html: str) -> int | None:
    """The depth reached (more than MAX_DEPTH) if `html` nests that deep; None if it does not."""
    if html.count("<") <= _FEW_TAGS:
        return None
    return _Tree().deepest(_COMMENT.sub("", html) if "<!--" in html else html, MAX_DEPTH)


def estimate(html: str) -> int:
    """The most elements an HTML5 parser would have open at once in `html` (or formatting ones active)."""
    return _Tree().deepest(_COMMENT.sub("", html) if "<!--" in html else html, None) or 0


class _Active:
    """An entry of the list of active formatting elements."""

    __slots__ = ("key", "name", "at")

    def __init__(self, key: str, name: str, at: int | None) -> None:
        self.key, self.name, self.at = key, name, at  # at: its place in the stack, None when not in it


class _Tree:
    """The stack of open elements, with where the special elements and each name are in it."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.entries: list[_Active | None] = []  # the active entry of each formatting element in the stack
        self.special: list[int] = []  # positions of special elements, bottom to top
        self.hard: list[int] = []  # positions of special elements that are not implied-end ones
        self.bounds: list[int] = []  # positions of the elements that end a scope (table, td...)
        self.where: dict[str, list[int]] = {}  # name -> its positions, bottom to top
        self.active: dict[int, _Active] = {}  # the list of active formatting elements, in order (by id)
        self.alike: dict[str, list[_Active]] = {}  # start tag as written -> its active entries, oldest first
        self.by_name: dict[str, list[_Active]] = {}  # name -> its active entries, oldest first

    def deepest(self, html: str, beyond: int | None) -> int | None:
        """The greatest depth; as soon as it passes `beyond` (when given), that depth; else None."""
        most = 0
        after = 0  # where the last tag ended
        for match in _TAG.finditer(html):
            text = html[after:match.start()]
            after = match.end()
            if text and not text.isspace():
                self._reopen()  # text, like most start tags, reopens the formatting elements closed early
            end, name = match.group(1), match.group(2).lower()
            if name in _VOID:
                if name in _REOPENS_VOID and not end:
                    self._reopen()
                continue
            if end:
                self._end(name)
                continue
            if name in _TABLE_PARTS and not self.where.get("table"):
                continue
            self._start(name, match.group(0).lower())
            most = max(most, len(self.names), len(self.active))
            if beyond is not None and most > beyond:
                return most
        return None if beyond is not None else most

    def _start(self, name: str, tag: str) -> None:
        if name in _CLOSES_P:
            self._close("p", ())
        if name in _CLOSES_SAME:
            closed, through = _CLOSES_SAME[name]
            for other in closed:
                self._close(other, through)
        if name in ("option", "optgroup") and self.names and self.names[-1] == "option":
            self._pop_to(len(self.names) - 1)
        if name in ("a", "nobr") and self.by_name.get(name):
            self._end(name)  # a new <a> closes the one still open: links do not nest
        if name in ("td", "th", "tr"):
            self._wrap_in_table(name)
        if name in _HEADINGS and self.names and self.names[-1] in _HEADINGS:
            self._pop_to(len(self.names) - 1)  # headings do not nest: an open one at the top is closed
        if name not in _SPECIAL or name in _REOPENS_SPECIAL:
            self._reopen()
        entry = None
        if name in _FORMATTING:
            alike = self.alike.setdefault(tag, [])
            if len(alike) == 3:  # the parser keeps three alike at most ("Noah's Ark")
                self._forget(alike[0])
            entry = _Active(tag, name, len(self.names))
            self.active[id(entry)] = entry
            alike.append(entry)
            self.by_name.setdefault(name, []).append(entry)
        self._push(name, entry)

    def _wrap_in_table(self, name: str) -> None:
        """The rows and body the parser puts around a cell or row written straight in a table."""
        table = self.where["table"][-1]
        if not any(self._above(part, table) for part in ("tbody", "thead", "tfoot")):
            self._push("tbody", None)
        if name != "tr" and not self._above("tr", table):
            self._push("tr", None)

    def _above(self, name: str, at: int) -> bool:
        places = self.where.get(name)
        return bool(places) and places[-1] > at

    def _reopen(self) -> None:
        """Reopen, at the top of the stack, the active formatting elements no longer in it (as the parser does)."""
        closed = []
        for entry in reversed(self.active.values()):
            if entry.at is not None:
                break
            closed.append(entry)
        for entry in reversed(closed):
            entry.at = len(self.names)
            self._push(entry.name, entry)

    def _forget(self, entry: _Active) -> None:
        """Take an entry off the active list (the element, if in the stack, stays there)."""
        del self.active[id(entry)]
        self.alike[entry.key].remove(entry)
        same = self.by_name[entry.name]
        if same[-1] is entry:
            same.pop()
        else:
            same.remove(entry)
        if entry.at is not None:
            self.entries[entry.at] = None

    def _close(self, name: str, through: tuple[str, ...]) -> None:
        """Pop `name` and what is above it, if no special element but `through` ones is above it."""
        places = self.where.get(name)
        if not places:
            return
        at = places[-1]
        for i in reversed(self.special):  # those above it are popped with it: linear overall
            if i <= at:
                break
            if self.names[i] not in through:
                return
        self._pop_to(at)

    def _end(self, name: str) -> None:
        entries = self.by_name.get(name)
        if entries:  # the adoption agency: the end tag of an active formatting element
            entry = entries[-1]
            at = entry.at
            if at is not None and self.bounds and self.bounds[-1] > at:
                return  # out of scope (in a table cell, say): nothing happens
            self._forget(entry)
            if at is not None and not (self.special and self.special[-1] > at):
                self._pop_to(at)
            return  # with a special element above, it moves elements about: no fewer open
        places = self.where.get(name)
        if not places:
            return
        at = places[-1]
        blockers = self.hard if name in _SPECIAL else self.special
        if blockers and blockers[-1] > at:
            return  # the parser ignores it, or moves elements about without closing any
        self._pop_to(at)

    def _push(self, name: str, entry: _Active | None) -> None:
        at = len(self.names)
        self.names.append(name)
        self.entries.append(entry)
        self.where.setdefault(name, []).append(at)
        if name in _SPECIAL:
            self.special.append(at)
            if name not in _IMPLIED:
                self.hard.append(at)
            if name in _SCOPE:
                self.bounds.append(at)

    def _pop_to(self, at: int) -> None:
        while len(self.names) > at:
            name = self.names.pop()
            entry = self.entries.pop()
            if entry is not None:
                entry.at = None  # still active: reopened by the next start tag
            self.where[name].pop()
            if self.special and self.special[-1] == len(self.names):
                self.special.pop()
            if self.hard and self.hard[-1] == len(self.names):
                self.hard.pop()
            if self.bounds and self.bounds[-1] == len(self.names):
                self.bounds.pop()
