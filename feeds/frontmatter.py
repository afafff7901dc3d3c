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

YAML is loaded with PyYAML's BaseLoader (the libyaml C version when present):
it builds only strings, lists and mappings and makes no type guesses, so
`title: 2022` or `title: yes` stay text and dates are parsed by feeds.dates.
On top of it, plain `~`/`null`/empty values load as None (so an empty key is
"absent"), and any other explicit tag (`!!python/object:...`, `!custom`) is an
error instead of being silently accepted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from feeds.errors import ArticleError

_Base = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """BaseLoader + YAML nulls; every non-core explicit tag is refused."""


_CORE_TEXT_TAGS = ("str", "int", "float", "bool", "timestamp")


def _construct_null(loader: Any, node: Any) -> None:
    return None


def _refuse_tag(loader: Any, suffix: str, node: Any) -> Any:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {tag} is not allowed in front matter: remove it (only plain values)", node.start_mark
    )


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Loader.add_constructor("tag:yaml.org,2002:null", _construct_null)
for _tag in _CORE_TEXT_TAGS:
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Base.construct_scalar)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Base.construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:map", _Base.construct_mapping)
_Loader.add_multi_constructor("", _refuse_tag)


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
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ArticleError(path, "the file contains NUL bytes: it is not a text file", line)
    if "\r" in text:
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
    close = _closer(separator).search(text, front_start) if front_start < len(text) else None
    if close is None:
        raise ArticleError(
            path,
            f"front matter opened by `{separator}` on line {first_line} is never closed: "
            f"add a `{separator}` line after the last front matter line",
            first_line,
        )
    return _make(style, text, front_start, close.start(), close.end(), first_line + 1, first_line)


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
        data = _load_yaml(part, path)
        # YAML refuses these characters written as such, but its escapes
        # ("\x01") can still produce them; without a backslash there are none.
        if "\\" in part.front:
            data = _scrub(data)
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
    try:
        return yaml.load(part.front, Loader=_Loader)  # noqa: S506 - BaseLoader subclass: plain values only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = part.front_line + mark.line if mark is not None else part.front_line
        problem = exc.problem or exc.context or "syntax error"
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem += "; quote values that contain ': ', ' #' or start with a special character"
        raise ArticleError(path, f"the front matter is not valid YAML: {problem}", line) from None
    except (yaml.YAMLError, RecursionError) as exc:
        detail = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ArticleError(path, f"the front matter is not valid YAML: {detail}", part.front_line) from None


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
