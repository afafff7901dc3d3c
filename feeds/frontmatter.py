"""Split an article's text into front matter and body, and load the front matter.

Real files arrive with a UTF-8 BOM, CRLF line endings or blank lines before the
first `---` (the seed article has one); all of that is accepted here so the
rest of the parser sees one shape. Line numbers are kept so every error can
point at the line to fix.

Two front matter styles are read, as in Hexo:
- YAML between two `---` lines (any run of 3+ dashes; the closing line repeats
  the opening one);
- JSON between two `;;;` lines, or Hexo's short form: JSON members with no
  braces and no opening line, closed by a `;;;` line.

YAML is read without any type guesses (as PyYAML's BaseLoader would): only
strings, lists and mappings, so `title: 2022` or `title: yes` stay text and
dates are parsed by feeds.dates. Plain `~`/`null`/empty values load as None
(so an empty key is "absent"), the core tags (`!!str`, `!!int`...) give text,
and any other explicit tag (`!!python/object:...`, `!custom`) is an error
instead of being silently accepted.

Front matter is read for every article of every cold run, so two paths share
that contract (front matter is ~a third of the parse time otherwise):
- `read_simple`: the shape nearly every Hexo file has (`key: value` lines with
  one-line plain or quoted values, `key:` followed by `- item` lines, one-line
  `[a, b]` lists), read with string operations. It answers only when the text
  is provably in that shape, and then with exactly what the YAML path gives;
  anything else is None.
- `read_yaml`: libyaml (its C parser and composer when available) builds the
  node graph, and `_construct` turns nodes into values in one tight function
  instead of PyYAML's generic constructor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from feeds.errors import ArticleError

_YAML = "tag:yaml.org,2002:"
_STR, _NULL, _SEQ, _MAP = _YAML + "str", _YAML + "null", _YAML + "seq", _YAML + "map"
_TEXT_TAGS = frozenset(_YAML + name for name in ("str", "int", "float", "bool", "timestamp"))
# YAML 1.1's null words, tested only on plain scalars starting with one of "~nN"
# or empty, exactly as PyYAML's resolver does.
_NULL_PLAIN = re.compile(r"^(?:~|null|Null|NULL|)$")


class _PlainTags:
    """Tag resolution for the composer: plain nulls, else str/seq/map; nothing else is guessed."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: str | None, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0] and (not value or value[0] in "~nN") and _NULL_PLAIN.match(value):  # type: ignore[arg-type]
                return _NULL
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


class _PyComposer(_PlainTags, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):
    """PyYAML's pure-Python parser and composer with our tag resolution (PyYAML without libyaml)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)


_Composer: type = _PyComposer
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CComposer(_PlainTags, CParser):  # type: ignore[misc]
        """libyaml's parser and composer (C) with our tag resolution."""

    _Composer = _CComposer


# Deeper front matter is refused: composing recurses once per level (in C
# with libyaml, where ~100,000 levels crash the process), and so does _construct.
MAX_NESTING = 200
_NESTING_MARKS = "[{-?:"  # every collection needs one of these characters
_BUSY = object()


@dataclass(frozen=True, slots=True)
class Split:
    """An article's text cut in two; line numbers are 1-based in the file."""

    style: str  # "yaml" or "json"
    front: str
    front_line: int  # line of the first front matter line
    open_line: int  # line of the opening `---`/`;;;` (= front_line for brace-less JSON)
    body: str
    body_line: int  # line of the first body line


def decode(data: bytes, path: str) -> str:
    """UTF-8 bytes to text with one newline convention and no BOM."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ArticleError(path, "the file is UTF-16, not UTF-8: save it as UTF-8", 1) from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise ArticleError(
            path,
            f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded; "
            "save the file as UTF-8",
            line,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    # NUL and CR bytes are those characters and no part of any other in UTF-8,
    # and bytes are quicker to search than the text.
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ArticleError(path, "the file contains NUL bytes: it is not a text file", line)
    if b"\r" in data:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_LEADING_BLANKS = re.compile(r"(?:[ \t]*\n)*")
_OPENER = re.compile(r"(-{3,}|;{3,})[ \t]*(?:\n|\Z)")
_JSON_SHORT_END = re.compile(r"^;{3,}[ \t]*$", re.MULTILINE)
_CLOSERS: dict[str, re.Pattern[str]] = {}


def _closer(separator: str) -> re.Pattern[str]:
    pattern = _CLOSERS.get(separator)
    if pattern is None:
        pattern = _CLOSERS[separator] = re.compile(rf"^{re.escape(separator)}[ \t]*$", re.MULTILINE)
    return pattern


def split(text: str, path: str) -> Split:
    """Find the front matter; every way it can be missing or open is an error."""
    start = _LEADING_BLANKS.match(text).end()  # type: ignore[union-attr]
    first_line = text.count("\n", 0, start) + 1
    opener = _OPENER.match(text, start)
    if opener is None:
        if not text[start:].strip():
            raise ArticleError(path, "the file is empty: an article needs front matter (---, title: ..., ---) and a body")
        if text[start] in '"{':
            end = _JSON_SHORT_END.search(text, start)
            if end is not None:
                return _make("json", text, start, end.start(), end.end(), first_line, first_line)
        hint = (
            " (a `---` line comes later: add the opening `---` as the first line)"
            if _closer("---").search(text, start)
            else ""
        )
        raise ArticleError(
            path,
            "no front matter: the file must start with a line `---`, then `title: ...` and the other "
            f"keys, then a closing `---` line before the body{hint}",
            first_line,
        )
    separator = opener.group(1)
    style = "yaml" if separator[0] == "-" else "json"
    front_start = opener.end()
    close = _find_closer(text, separator, front_start) if front_start < len(text) else None
    if close is None:
        raise ArticleError(
            path,
            f"front matter opened by `{separator}` on line {first_line} is never closed: "
            f"add a `{separator}` line after the last front matter line",
            first_line,
        )
    return _make(style, text, front_start, close[0], close[1], first_line + 1, first_line)


def _find_closer(text: str, separator: str, start: int) -> tuple[int, int] | None:
    """Start and end of the first line from `start` on that is `separator` plus spaces/tabs.

    What `_closer(separator).search(text, start)` finds (`start` is a line
    start), with str.find instead of trying the regex at every position.
    """
    needle = "\n" + separator
    line = start if text.startswith(separator, start) else _line_of(text.find(needle, start))
    while line >= 0:
        rest = line + len(separator)
        end = text.find("\n", rest)
        if end < 0:
            end = len(text)
        if not text[rest:end].strip(" \t"):
            return line, end
        line = _line_of(text.find(needle, rest))
    return None


def _line_of(newline: int) -> int:
    """The start of the line after the newline at `newline` (-1: none found)."""
    return newline + 1 if newline >= 0 else -1


def _make(style: str, text: str, front_start: int, front_end: int, close_end: int, front_line: int, open_line: int) -> Split:
    body_start = close_end + 1 if text.startswith("\n", close_end) else close_end
    body_line = front_line + text.count("\n", front_start, body_start)
    if front_end > front_start and text[front_end - 1] == "\n":
        front_end -= 1  # the newline before the closing line belongs to it
    return Split(style, text[front_start:front_end], front_line, open_line, text[body_start:], body_line)


# Characters XML 1.0 forbids: one in a title or a body would make every feed
# carrying the article unwritable, and they are invisible, so they are dropped.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def load(part: Split, path: str) -> dict[Any, Any]:
    """The front matter as a mapping of plain values (str, list, dict, None)."""
    if part.style == "yaml":
        # YAML refuses XML_FORBIDDEN characters written as such, and the YAML
        # path drops those its escapes ("\x01") produce.
        data = _load_yaml(part, path)
    else:
        data = _scrub(_load_json(part, path))
    if data is None:
        raise ArticleError(path, "the front matter is empty: add at least `title: ...`", part.open_line)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "plain text"
        raise ArticleError(
            path, f"the front matter must be `key: value` lines, but it is {kind}", part.front_line
        )
    return data


def _load_yaml(part: Split, path: str) -> Any:
    simple = read_simple(part.front)
    if simple is not None:
        return simple
    try:
        return read_yaml(part.front)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = part.front_line + mark.line if mark is not None else part.front_line
        problem = exc.problem or exc.context or "syntax error"
        if "nesting depth" in problem:  # libyaml's own limit (PyYAML 6.0.4 and later)
            raise ArticleError(path, "the front matter is not valid YAML: it is nested too deeply", line) from None
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem += "; quote values that contain ': ', ' #' or start with a special character"
        raise ArticleError(path, f"the front matter is not valid YAML: {problem}", line) from None
    except (yaml.YAMLError, RecursionError) as exc:
        detail = "it is nested too deeply" if isinstance(exc, (RecursionError, _TooDeep)) else str(exc)
        raise ArticleError(path, f"the front matter is not valid YAML: {detail}", part.front_line) from None


class _TooDeep(yaml.YAMLError):
    """Front matter nested more than MAX_NESTING levels."""


def read_yaml(front: str) -> Any:
    """YAML text to plain values (str, list, dict, None); raises yaml.YAMLError.

    Aliases give the same object again (as PyYAML does), so an alias bomb
    costs what its text costs; a node containing itself is an error.
    """
    if sum(front.count(mark) for mark in _NESTING_MARKS) >= MAX_NESTING:
        _check_nesting(front)
    composer = _Composer(front)
    try:
        root = composer.get_single_node()
    finally:
        composer.dispose()
    if root is None:
        return None
    return _construct(root, {}, "\\" in front)


def _check_nesting(front: str) -> None:
    """Raise _TooDeep as soon as the document nests deeper than MAX_NESTING.

    Only the event parser runs here, which does not recurse; it stops at the
    first level too deep because libyaml's scanner slows down quadratically
    with flow nesting (~90 s for 200,000 levels).
    """
    depth = 0
    for event in yaml.parse(front, Loader=_Composer):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise _TooDeep(f"deeper than {MAX_NESTING} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _construct(node: Node, done: dict[Node, Any], scrub: bool) -> Any:
    """One node as a value, with PyYAML BaseConstructor's checks and messages.

    `done` maps each node built so far to its value (_BUSY while its children
    are built); `scrub` drops XML_FORBIDDEN characters, which only escapes
    (so only a front matter with a backslash) can produce.
    """
    value = done.get(node)
    if value is not None:
        if value is _BUSY:
            raise ConstructorError(None, None, "found unconstructable recursive node", node.start_mark)
        return value
    tag = node.tag
    if tag in _TEXT_TAGS:
        if type(node) is not ScalarNode:
            raise ConstructorError(None, None, f"expected a scalar node, but found {node.id}", node.start_mark)
        value = XML_FORBIDDEN.sub("", node.value) if scrub else node.value
    elif tag == _NULL:
        return None
    elif tag == _SEQ:
        if type(node) is not SequenceNode:
            raise ConstructorError(None, None, f"expected a sequence node, but found {node.id}", node.start_mark)
        done[node] = _BUSY
        value = []
        for child in node.value:
            value.append(_construct(child, done, scrub))
    elif tag == _MAP:
        if type(node) is not MappingNode:
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
        done[node] = _BUSY
        value = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, done, scrub)
            if isinstance(key, (list, dict)):
                raise ConstructorError("while constructing a mapping", node.start_mark,
                                       "found unhashable key", key_node.start_mark)
            value[key] = _construct(value_node, done, scrub)
    else:
        shown = tag.replace(_YAML, "!!")
        raise ConstructorError(
            None, None, f"the tag {shown} is not allowed in front matter: remove it (only plain values)", node.start_mark
        )
    done[node] = value
    return value


# ---------------------------------------------------------------- simple YAML
# What read_simple accepts, line by line (anything else: None, the YAML path):
#   key: value        key = [A-Za-z_][A-Za-z0-9_-]* at column 0 (not a null word)
#   key:              then zero or more `- value` lines, all at one indentation
#   key: [value, ...] a one-line flow list; plain values there have none of :,[]{}#'"
#   (empty line)
# where a value is on one line: 'single quoted' ('' for '), "double quoted"
# without backslash or ", or plain: not starting with a YAML indicator, without
# ": " or " #", not ending in ":". Characters YAML treats specially anywhere
# (tabs, controls, line separators, BOM, non-characters) send the whole text
# to the YAML path, so within this shape libyaml gives exactly these values.

# Anything but YAML's printable characters minus its line breaks (NEL, LS,
# PS), BOM and tab. Spelt as the few characters it matches, not as the
# complement of the many it does not: the same set (a test asks every code
# point), compiled in 0.6 ms instead of 6.5 ms at every start.
_SIMPLE_OUTSIDE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_KEYS_SEEN: set[str] = set()  # keys already checked against _SIMPLE_KEY (a few dozen in practice)
# (Spaces inside a plain item only before another character, so that no text
# can be split two ways and the match stays linear.)
_FLOW_ITEM = r"""'(?:[^']|'')*'|"[^"\\]*"|[^-?:,\[\]{}#&*!|>'"%@` ][^:,\[\]{}#'" ]*(?: +[^:,\[\]{}#'" ]+)*"""
_FLOW_LIST = re.compile(rf"\[ *(?:(?:{_FLOW_ITEM})(?: *, *(?:{_FLOW_ITEM}))*)? *\] *")
_FLOW_ITEMS = re.compile(_FLOW_ITEM)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NULL_WORDS = frozenset({"~", "null", "Null", "NULL"})
_UNSURE = object()


def read_simple(front: str) -> dict[str, Any] | None:
    """The front matter if it is in the simple shape above, else None (not an error).

    Plain string operations rather than one grammar regex: this runs for
    every article, and Python's regex engine costs ~25 ns per character here.
    """
    if not front or _SIMPLE_OUTSIDE.search(front):
        return None
    data: dict[str, Any] = {}
    pending: str | None = None  # a `key:` whose value may be `- item` lines
    items: list[str | None] = []
    indent = -1
    for line in front.split("\n"):
        if not line:
            continue
        first = line[0]
        if first == " " or first == "-":
            rest = line.lstrip(" ")
            if pending is None or not rest.startswith("- "):
                return None
            if indent < 0:
                indent = len(line) - len(rest)
            elif len(line) - len(rest) != indent:
                return None
            value = _simple_scalar(rest[2:].lstrip(" "))
            if value is _UNSURE:
                return None
            items.append(value)
            continue
        if pending is not None:
            data[pending] = items or None
            pending = None
        key, colon, rest = line.partition(":")
        if not colon or (key not in _KEYS_SEEN and not _simple_key(key)):
            return None
        text = rest.lstrip(" ")
        if not text:
            pending, items, indent = key, [], -1
            continue
        if rest[0] != " ":  # `key:value` is one plain scalar, not a key
            return None
        value = _simple_flow_list(text) if text[0] == "[" else _simple_scalar(text)
        if value is _UNSURE:
            return None
        data[key] = value
    if pending is not None:
        data[pending] = items or None
    return data or None


def _simple_key(key: str) -> bool:
    if key in _KEYS_SEEN:
        return True
    if key in _NULL_WORDS or _SIMPLE_KEY.fullmatch(key) is None:
        return False
    if len(_KEYS_SEEN) < 512:
        _KEYS_SEEN.add(key)
    return True


def _simple_scalar(text: str) -> Any:
    """One value of the simple shape, or _UNSURE; `text` has no leading space."""
    if not text:
        return _UNSURE
    first = text[0]
    if first == "'" or first == '"':
        quoted = text.rstrip(" ")
        inner = quoted[1:-1]
        if len(quoted) < 2 or quoted[-1] != first:
            return _UNSURE
        if first == "'":  # '' is a quote; any other quote would end the scalar early
            if "'" not in inner:
                return inner
            return _UNSURE if "'" in inner.replace("''", "") else inner.replace("''", "'")
        return _UNSURE if '"' in inner or "\\" in inner else inner
    if first in _INDICATORS or ": " in text or " #" in text:
        return _UNSURE
    text = text.rstrip(" ")
    if text[-1] == ":":
        return _UNSURE
    return None if text in _NULL_WORDS else text


def _simple_flow_list(text: str) -> Any:
    """A one-line `[a, 'b', "c"]` of the simple shape, or _UNSURE."""
    if _FLOW_LIST.fullmatch(text) is None:
        return _UNSURE
    # The full match proved the layout, so the items are the matches in order.
    items = [_simple_scalar(item) for item in _FLOW_ITEMS.findall(text)]
    return _UNSURE if _UNSURE in items else items


def _load_json(part: Split, path: str) -> Any:
    text = part.front.strip()
    if not text.startswith("{"):
        text = "{" + part.front + "}"  # Hexo's short form: members without braces
    else:
        text = part.front
    try:
        data = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise ArticleError(
            path, f"the front matter is not valid JSON: {exc.msg}", part.front_line + exc.lineno - 1
        ) from None
    except RecursionError:
        raise ArticleError(path, "the front matter is not valid JSON: it is nested too deeply", part.front_line) from None
    return _json_as_yaml(data)


def _scrub(value: Any) -> Any:
    """`value` with XML_FORBIDDEN characters removed from every string in it."""
    if isinstance(value, str):
        return XML_FORBIDDEN.sub("", value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value


def _json_as_yaml(value: Any) -> Any:
    """JSON booleans to the text YAML's BaseLoader would give (`true`/`false`)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return [_json_as_yaml(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_as_yaml(item) for key, item in value.items()}
    return value


_KEY_LINES: dict[str, re.Pattern[str]] = {}


def key_line(part: Split, key: str) -> int | None:
    """Line of a top-level `key:` in the front matter (for messages; slow path)."""
    pattern = _KEY_LINES.get(key)
    if pattern is None:
        name = re.escape(key)
        pattern = _KEY_LINES[key] = re.compile(rf"""^[ \t]*(?:{name}|"{name}"|'{name}')[ \t]*:""", re.MULTILINE)
    match = pattern.search(part.front)
    if match is None:
        return None
    return part.front_line + part.front.count("\n", 0, match.start())
