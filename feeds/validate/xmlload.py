"""Bytes to an element tree, safely: encoding checks, a hardened parser, and malformed input.

The parser never touches the network or the file system: no DTD is loaded,
no external entity is resolved, internal entities are expanded with
libxml2's amplification limit (an entity bomb is an error, not a hang), and
input larger than `MAX_BYTES` is refused before parsing. A malformed
document is parsed a second time, incrementally, so that the elements read
before the error can still be checked, as a streaming (SAX) validator would.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

# Far above any real feed (a 10k-entry full-content feed is ~60 MB) and low
# enough that the parsed tree stays within a few hundred MB.
MAX_BYTES: Final = 96 * 1024 * 1024

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARATION: Final = re.compile(
    r"<\?xml\s+version\s*=\s*[\"']([^\"']*)[\"']"
    r"(?:\s+encoding\s*=\s*[\"']([^\"']*)[\"'])?"
)
# Encodings every feed reader decodes; others get a warning.
_COMMON_ENCODINGS: Final = frozenset({"utf_8", "utf_16", "utf_16_le", "utf_16_be", "ascii", "latin_1", "iso8859_1",
                                      "cp1252", "utf_32", "utf_32_le", "utf_32_be"})


@dataclass(frozen=True, slots=True)
class Finding:
    """A document-level finding, placed by line and column."""

    code: str
    line: int
    column: int
    details: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Loaded:
    """What the checks need from the document.

    `root` is None when nothing could be parsed. `incomplete` holds the
    elements whose end tag was never reached (only for malformed input).
    `source` is the UTF-8 the parser read (kept for placing messages and
    for document-wide byte scans).
    """

    root: etree._Element | None
    source: bytes
    findings: list[Finding]
    incomplete: frozenset[etree._Element] = frozenset()
    docinfo_public_id: str | None = None
    read_up_to: int = -1  # how much of `source` was read (all unless malformed)

    def __post_init__(self) -> None:
        if self.read_up_to < 0:
            self.read_up_to = len(self.source)


def load(data: bytes) -> Loaded:
    """Decode and parse `data`; never raises for any input."""
    if len(data) > MAX_BYTES:
        return Loaded(None, b"", [Finding("ValidatorLimit", 1, 1, {"limit": str(MAX_BYTES)})])
    findings: list[Finding] = []
    encoding, body = sniff(data, findings)
    if encoding is None:
        return Loaded(None, b"", findings)
    if encoding == "utf-8":
        source = data  # libxml2 checks UTF-8 itself; Python decodes only to explain a failure
    else:
        text = _decode(body, encoding, findings)
        if text is None:
            return Loaded(None, b"", findings)
        # Handed to libxml2 as the UTF-8 we produced, with the declaration neutralised.
        source = _DECLARATION.sub(lambda m: f'<?xml version="{m.group(1)}"', text, count=1).encode("utf-8")
    try:
        root = parse(source)
    except etree.XMLSyntaxError as exc:
        if encoding == "utf-8" and _decode(body, "utf-8", findings) is None:
            return Loaded(None, b"", findings)
        return _load_partial(source, findings, exc)
    return Loaded(root, source, findings, docinfo_public_id=root.getroottree().docinfo.public_id)


def sniff(data: bytes, findings: list[Finding]) -> tuple[str | None, bytes]:
    """The Python codec the document is in (BOM, else declaration, else UTF-8), and its bytes sans BOM."""
    bom_encoding = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            bom_encoding, data = name, data[len(bom):]
            break
    if bom_encoding is None and data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        bom_encoding = "utf-16-le" if data[0] == 0x3C else "utf-16-be"
    head = data[:512].decode(bom_encoding or "latin-1", errors="replace")
    declared_encoding = None
    m = _DECLARATION.match(head)
    if m:
        declared_version, declared_encoding = m.group(1), m.group(2)
        if declared_version != "1.0":
            findings.append(Finding("BadXmlVersion", 1, 1, {"value": declared_version}))
    name = bom_encoding or declared_encoding or "utf-8"
    try:
        codec = codecs.lookup(name)
    except (LookupError, ValueError):
        findings.append(Finding("UnknownEncoding", 1, 1, {"value": name}))
        return None, data
    if bom_encoding and declared_encoding:
        try:
            declared_codec = codecs.lookup(declared_encoding).name
        except (LookupError, ValueError):
            declared_codec = declared_encoding
        if _family(declared_codec) != _family(codec.name):
            findings.append(Finding("EncodingMismatch", 1, 1, {"bom": bom_encoding, "value": declared_encoding}))
    if codec.name.replace("-", "_") not in _COMMON_ENCODINGS:
        findings.append(Finding("ObscureEncoding", 1, 1, {"value": name}))
    return ("utf-8" if codec.name == "utf-8" else codec.name), data


def _family(codec_name: str) -> str:
    return codec_name.replace("-le", "").replace("-be", "").replace("_le", "").replace("_be", "")


def _decode(body: bytes, encoding: str, findings: list[Finding]) -> str | None:
    """`body` as text, or None with a UnicodeError finding placed at the first bad byte."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        good = body[: exc.start].decode(encoding, errors="replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        findings.append(Finding("UnicodeError", line, column,
                                {"encoding": encoding, "detail": f"byte 0x{body[exc.start]:02x} cannot be decoded"}))
        return None


_local = threading.local()


class _NothingFromOutside(etree.Resolver):
    """Every external entity, DTD or parameter entity resolves to nothing: no file or network access."""

    def resolve(self, url: str, pubid: str, context: object) -> object:
        return self.resolve_string("", context)


def _parser_options() -> dict[str, object]:
    return dict(resolve_entities=True, no_network=True, load_dtd=False, dtd_validation=False,
                huge_tree=False, collect_ids=False, remove_blank_text=False)


def parse(source: bytes) -> etree._Element:
    """Parse with the hardened parser; raises XMLSyntaxError."""
    return etree.fromstring(source, _parser())


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(**_parser_options())
        parser.resolvers.add(_NothingFromOutside())
    return parser


def _load_partial(source: bytes, findings: list[Finding], error: etree.XMLSyntaxError) -> Loaded:
    """Re-read a malformed document up to its first error, noting which elements were closed.

    libxml2 reports some errors (an undeclared prefix, say) and reads on; a
    streaming reader stops there, so only the bytes before the error are
    read again, incrementally, and whatever was not closed by then is
    incomplete.
    """
    line, column = error.position if error.position else (1, 1)
    line, column = max(line, 1), max(column, 1)
    detail = str(error.msg or error).split(", line ")[0]
    findings.append(Finding("SAXError", line, column, {"detail": detail}))
    offset = 0
    for _ in range(line - 1):
        offset = source.find(b"\n", offset) + 1
        if offset == 0:
            offset = len(source)
            break
    offset = min(len(source), offset + column - 1)
    parser = etree.XMLPullParser(events=("start", "end"), **_parser_options())
    parser.resolvers.add(_NothingFromOutside())
    try:
        parser.feed(source[:offset])
    except etree.XMLSyntaxError:
        pass
    started: list[etree._Element] = []
    ended: set[etree._Element] = set()
    for event, element in parser.read_events():
        (started.append if event == "start" else ended.add)(element)
    root = started[0] if started else None
    incomplete = frozenset(e for e in started if e not in ended)
    return Loaded(root, source, findings, incomplete, read_up_to=offset)
