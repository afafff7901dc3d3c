"""Atom 1.0 (RFC 4287) rules: feed, entry, source, person, link, category and text constructs.

Atom elements can also appear inside RSS (atom:link rel="self" above all),
so the element rules here are written for either host; rss.py reuses them.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final, NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml import etree

from feeds.validate import checks as c
from feeds.validate import common, extensions, fastpath, html
from feeds.validate.engine import (
    ATOM_NS, PLACEHOLDER, XHTML_NS, XML_BASE, Frame, Rule, Table, Walker, check_attributes, display, empty, leaf,
    own_text, prefix_for, split_tag, walk,
)

# Registered link relations (IANA), plus any absolute IRI.
LINK_RELATIONS: Final = frozenset("""
alternate current describedby edit edit-media enclosure first hub last license next next-archive payment
prev-archive previous related replies search self service up via
""".split())
PAGING_RELATIONS: Final = frozenset("current first last next next-archive prev-archive previous".split())
_IANA_REL_PREFIX: Final = "http://www.iana.org/assignments/relation/"
_FEED_TYPES: Final = ("application/atom+xml", "application/rss+xml", "application/rdf+xml")
THR_NS: Final = "http://purl.org/syndication/thread/1.0"
_THR_COUNT: Final = f"{{{THR_NS}}}count"
_THR_UPDATED: Final = f"{{{THR_NS}}}updated"
_THR_WHEN: Final = f"{{{THR_NS}}}when"
_REL_IRI: Final = re.compile(r"[A-Za-z][0-9A-Za-z+.\-]*:(//)?[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,#]+\Z")


class Link(NamedTuple):
    """The parts of an atom:link that rules about sets of links need (a tuple: one is made per link walked)."""

    rel: str
    type: str
    hreflang: str
    href: str | None


# ---------------------------------------------------------------- text constructs

def _text_construct(w: Walker, el: etree._Element, parent: Frame, key: str, *, content: bool) -> None:
    """title, subtitle, rights, summary, content: type text|html|xhtml (content: any media type)."""
    src = el.get("src")
    declared = el.get("type")
    if (src is None and (declared is None or declared == "text" or declared == "html") and not len(el)
            and (not w.incomplete or el not in w.incomplete)):
        _plain_text_construct(w, el, key, declared == "html")
        return
    name = display(key)
    kind = "" if src is not None else "text"
    if declared is not None:
        kind = declared
        if not declared:
            w.report("AttrNotBlank", el, element=name, attr="type")
    if content:
        if kind == "multipart/alternative":
            w.report("InvalidMIMEType", el, element=name, value=kind)
    elif "/" in kind:
        w.report("InvalidTextType", el, element=name, value=kind)
    if w.kind == "rss" and key != "atom:summary":
        w.report("DuplicateDescriptionSemantics", el, element=name)
    if src is not None:
        if (el.text and not el.text.isspace()) or len(el):
            w.report("UnexpectedText", el, element=name)
        problem = common.check_uri(src, error="InvalidURIAttribute")
        if problem:
            w.report(problem[0], el, element=name, attr="src", **problem[1])
        if declared is None:
            w.report("MissingTypeAttr", el, element=name)
    if not (kind in ("text", "html", "xhtml") and src is None) and kind and not common.is_media_type(kind):
        w.report("InvalidMIMEType", el, element=name, value=kind)

    xml_type = kind.endswith("+xml") or kind.endswith("/xml")
    value = el.text or ""
    if kind == "xhtml" and value.strip():
        w.report("MissingXhtmlDiv", el, element=name)
    elements = [child for child in el if child.tag.__class__ is str] if len(el) else []
    if elements:
        value = _text_construct_children(w, el, name, kind, xml_type, elements)
    if not w.done(el):
        return

    if kind in ("text", "xhtml"):
        if kind == "xhtml":
            c.plain_text(w, el, key, value, "NotInline")
        else:
            c.plain_text(w, el, key, value, "ContainsUndeclaredHTML")
    else:
        blank = not value
        if "/" in kind and not (xml_type or kind.startswith("text/")):
            try:
                decoded = base64.b64decode(value.encode("ascii", "replace"))
            except (binascii.Error, ValueError):
                w.report("NotBase64", el, element=name)
            else:
                blank = not decoded
                value = decoded.decode("utf-8", "replace") if kind.endswith("/html") else ""
        if kind == "html" or kind.endswith("/html"):
            c.html_content(w, el, key, value, relative_refs=w.kind == "atom" and not _base(w, el),
                           document=kind != "html")
            if kind.endswith("/html") and "<html" not in value and src is None:
                w.report("HtmlFragment", el, element=name, value=kind)
        elif not xml_type:
            c.plain_text(w, el, key, value, "ContainsUndeclaredHTML")
        if blank and not elements and src is None:
            w.report("NotBlank", el, element=name)
        return
    if not value and not elements and src is None:
        w.report("NotBlank", el, element=name)


def _plain_text_construct(w: Walker, el: etree._Element, key: str, escaped_html: bool) -> None:
    """The common case of `_text_construct`: text or escaped HTML, inline, no child elements."""
    if w.kind == "rss" and key != "atom:summary":
        w.report("DuplicateDescriptionSemantics", el, element=display(key))
    if escaped_html:
        blank = not c.html_text(w, el, key, relative_refs=w.kind == "atom" and not _base(w, el), strip=False)
    else:
        value = el.text or ""
        if "<" in value or "&" in value:
            c.plain_text(w, el, key, value, "ContainsUndeclaredHTML")
        blank = not value
    if blank:
        w.report("NotBlank", el, element=display(key))


def _text_construct_children(w: Walker, el: etree._Element, name: str, kind: str, xml_type: bool,
                             elements: list[etree._Element]) -> str:
    """Child elements of a text construct; returns the text that counts as its value."""
    escaped = el.get("mode") == "escaped"
    value = el.text or ""
    text_reported = False
    for child in elements:
        namespace, local = split_tag(child.tag)
        if kind != "xhtml" and not xml_type:
            w.report("UndefinedElement", child, element=local, parent=name)
        if kind == "xhtml":
            is_div = namespace == XHTML_NS and local == "div"
            if not is_div and not value.strip():
                w.report("MissingXhtmlDiv", el, element=name)
                if local == "div":
                    w.report("NotHtml", el, element=name, value=f"div in {namespace or 'no namespace'}")
            if is_div:
                value += _xhtml_div(w, child, name)
        elif kind == "application/xhtml+xml" and local != "html":
            w.report("HtmlFragment", el, element=name, value=kind)
        if escaped:
            w.report("NotEscaped", el, element=name)
            escaped = False
        tail = child.tail or ""
        if tail.strip() and not text_reported:
            w.report("UnexpectedText", el, element=name)
            text_reported = True
        value += tail
    return value


def _xhtml_div(w: Walker, div: etree._Element, name: str) -> str:
    """Check the XHTML inside the wrapper div; returns its text when it is text only."""
    if not len(div):
        return div.text or ""
    _xhtml_descendants(w, div, name)
    return ""


_SVG_NS: Final = "http://www.w3.org/2000/svg"
_MATHML_NS: Final = "http://www.w3.org/1998/Math/MathML"
_MATHML_ATTRIBUTES: Final = frozenset("""
actiontype align columnalign columnlines columnspacing columnspan depth display displaystyle encoding
equalcolumns equalrows fence fontstyle fontweight frame height linethickness lspace mathbackground
mathcolor mathvariant maxsize minsize other rowalign rowlines rowspacing rowspan rspace scriptlevel
selection separator stretchy width
""".split())


def _xhtml_descendants(w: Walker, el: etree._Element, name: str) -> None:
    for child in el:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        ns, local = split_tag(tag)
        if ns is None:
            w.report("MissingNamespace", child, element=local)
        elif ns == XHTML_NS:
            if local not in html.HTML_TAGS:
                w.report("NotHtml", child, element=name, value=local)
            elif local not in html.SAFE_TAGS:
                w.report("SecurityRisk", child, element=name, value=local)
            for attr, value in child.attrib.items():
                if attr[0] == "{":
                    continue
                if attr == "style":
                    for evil in html.check_style(value):
                        w.report("DangerousStyleAttr", child, element=name, value=evil)
                elif attr.startswith("on"):
                    w.report("SecurityRiskAttr", child, element=name, value=attr)
        elif ns == _SVG_NS:
            if local not in html.SVG_TAGS:
                w.report("SecurityRisk", child, element=name, value=local)
            for attr in child.attrib:
                if attr[0] != "{" and attr.startswith("on"):
                    w.report("SecurityRiskAttr", child, element=name, value=attr)
        elif ns == _MATHML_NS:
            if local not in html.MATHML_TAGS:
                w.report("SecurityRisk", child, element=name, value=local)
            for attr in child.attrib:
                if attr[0] != "{" and attr not in _MATHML_ATTRIBUTES:
                    w.report("SecurityRiskAttr", child, element=name, value=attr)
        elif prefix_for(ns) is not None:
            w.report("UndefinedElement", child, element=f"{prefix_for(ns)}:{local}", parent="xhtml:div")
            continue
        _xhtml_descendants(w, child, name)


def text_construct(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    _text_construct(w, el, parent, key, content=False)


def content(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    parent.state["content"] = el
    _text_construct(w, el, parent, key, content=True)


_TEXT_ATTRS: Final = frozenset({"type", "src"})
TEXT: Final = Rule(text_construct, once=True, attrs=_TEXT_ATTRS)
CONTENT: Final = Rule(content, once=True, attrs=_TEXT_ATTRS)


# ---------------------------------------------------------------- links

_HREF_URI: Final = common.uri_check(iri=True, error="InvalidIRI")


def link(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """atom:link: rel, type, hreflang, title, length and href; self links must be absolute."""
    name = display(key)
    rel = "alternate"
    declared_rel = el.get("rel")
    if declared_rel is not None:
        rel = declared_rel
        if rel.startswith(_IANA_REL_PREFIX):
            rel = rel[len(_IANA_REL_PREFIX):]
        if rel not in LINK_RELATIONS and not _REL_IRI.match(rel):
            w.report("UnregisteredAtomLinkRel", el, value=rel)
        if not declared_rel:
            w.report("AttrNotBlank", el, element=name, attr="rel")
        if rel in PAGING_RELATIONS and parent.key in ("entry", "atom:entry"):
            w.report("FeedHistoryRelInEntry", el, value=rel)
    declared_type = el.get("type")
    mime = "" if declared_type is None else declared_type
    if declared_type is not None:
        if not common.is_media_type(mime):
            w.report("InvalidMIMEType", el, element=name, value=mime)
        elif rel == "self" and mime.split(";")[0] not in _FEED_TYPES:
            w.report("SelfNotAtom", el, value=mime)
    title = el.get("title")
    if title is not None:
        if not title:
            w.report("AttrNotBlank", el, element=name, attr="title")
        c.plain_text(w, el, key, title)
    length = el.get("length")
    if length is not None:
        number = common.as_integer(length)
        if number is None or number < 0:
            w.report("InvalidNonNegativeInteger", el, element="length", value=length)
    declared_hreflang = el.get("hreflang")
    hreflang = "" if declared_hreflang is None else declared_hreflang
    if declared_hreflang is not None and not common.is_language(hreflang):
        w.report("InvalidLanguage", el, element="hreflang", value=hreflang)
    href = el.get("href")
    if href is None:
        w.report("MissingHref", el, element=name)
    else:
        problem = _HREF_URI(href)
        if problem:
            w.report(problem[0], el, element="href", **problem[1])
        if rel == "self" and parent.key in ("feed", "channel"):
            _self_link(w, el, href)
    counted = el.get(_THR_COUNT)
    if counted is not None:
        if rel != "replies":
            w.report("UnexpectedAttribute", el, element=name, attr="thr:count")
        number = common.as_integer(counted)
        if number is None or number < 0:
            w.report("InvalidNonNegativeInteger", el, element="thr:count", value=counted)
    when = el.get(_THR_UPDATED)
    if when is not None:
        if rel != "replies":
            w.report("UnexpectedAttribute", el, element=name, attr="thr:updated")
        c.rfc3339(w, el, "thr:updated", when, when)
    if el.get(_THR_WHEN) is not None:
        w.report("UndefinedElement", el, element="thr:when", parent=name)
    text = el.text if not len(el) else own_text(el)
    if text and not text.isspace():
        w.report("AtomLinkNotEmpty", el)
    parent.links.append(Link(rel, mime, hreflang, href))


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""


# An http(s) URL urllib gives back unchanged (no ';', '?', '#', space or control character; lower-case
# scheme): a self link that is exactly such a URL, where the document is served from, is right as it is.
PLAIN_SELF: Final = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?(?:/[A-Za-z0-9\-._~%!$&'()*+,=:@/]*)?\Z")


def _self_link(w: Walker, el: etree._Element, href: str) -> None:
    base = _base(w, el)
    if href == w.location and not base and PLAIN_SELF.match(href):
        return  # what `self_link_checks` finds then: nothing (URL parsing is slow, and every feed has one)
    self_link_checks(w, el, href, base)


def self_link_checks(w: Walker, el: etree._Element, href: str, base: str) -> None:
    """A feed's self link (under the xml:base `base`): absolute, and the URL the document is served from."""
    if not _netloc(href) and not _netloc(base):
        w.report("RelativeSelf", el, value=href)
    if w.location is None:
        return
    try:
        document_base = urljoin(w.location, base) if base else w.location
        resolved = urljoin(document_base, href)
    except ValueError:
        return
    if resolved.split("#")[0] == document_base.split("#")[0]:
        return
    if common.canonical_uri(resolved) != common.canonical_uri(w.location):
        w.report("SelfDoesntMatchLocation", el, value=href, location=w.location)


def _base(w: Walker, el: etree._Element) -> str:
    """`_xml_base`, or "" at once when the walker knows its source has no xml:base."""
    return _xml_base(el) if w.bases else ""


def _xml_base(el: etree._Element | None) -> str:
    """The xml:base in effect at `el`, resolved through its ancestors."""
    bases: list[str] = []
    while el is not None:
        base = el.get(XML_BASE)
        if base is not None:
            bases.append(base)
        el = el.getparent()
    resolved = ""
    for base in reversed(bases):
        try:
            resolved = urljoin(resolved, base) if resolved else base
        except ValueError:
            resolved = base
    return resolved


_LINK_ATTRS: Final = frozenset({
    "type", "title", "rel", "href", "length", "hreflang",
    "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}type", "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource",
    f"{{{THR_NS}}}count", f"{{{THR_NS}}}when", f"{{{THR_NS}}}updated",
})
LINK: Final = Rule(link, attrs=_LINK_ATTRS)


def duplicate_alternates(w: Walker, frame: Frame) -> None:
    """Only one alternate link per media type and language."""
    if len(frame.links) < 2:
        return
    seen: set[tuple[str, str]] = set()
    for item in frame.links:
        if item.rel != "alternate":
            continue
        marker = (item.type, item.hreflang)
        if marker in seen:
            w.report("DuplicateAtomLink", frame.el, parent=display(frame.key), value=item.type or "(none)")
        seen.add(marker)


# ---------------------------------------------------------------- people and categories

def person(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """author / contributor: a name, optionally an e-mail and a URI."""
    frame = Frame(key, parent, el)
    walk(w, el, frame, PERSON)
    if w.done(el) and "name" not in frame.seen and "atom:name" not in frame.seen:
        w.report("MissingElement", el, parent=display(key), element="name")


_NAME: Final = Rule(leaf(c.PLAIN, c.no_email, c.nonblank), once=True)
_EMAIL: Final = Rule(leaf(c.addr_spec), once=True)
_URI: Final = Rule(leaf(c.nonblank, c.uri(iri=True), c.nows), once=True)
PERSON: Final[Table] = {
    "name": _NAME, "email": _EMAIL, "uri": _URI,
    "atom:name": _NAME, "atom:email": _EMAIL, "atom:uri": _URI,
}
PERSON_RULE: Final = Rule(person, attrs=frozenset({"{http://www.w3.org/1999/02/22-rdf-syntax-ns#}parseType"}))


_SCHEME_URI: Final = common.uri_check(absolute=True, iri=True, error="InvalidFullLink")


def category(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """atom:category: a term (required), an absolute scheme IRI and a plain-text label."""
    term = el.get("term")
    if term is None:
        w.report("MissingAttribute", el, element=display(key), attr="term")
    elif not term:
        w.report("NotBlank", el, element="term")
    scheme = el.get("scheme")
    if scheme is not None:
        problem = _SCHEME_URI(scheme)
        if problem:
            w.report(problem[0], el, element="scheme", **problem[1])
    label = el.get("label")
    if label is not None and ("<" in label or "&" in label):
        c.plain_text(w, el, "label", label)
    empty(w, el, parent, key)


CATEGORY: Final = Rule(category, attrs=frozenset({"term", "scheme", "label"}))


def generator(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """atom:generator: plain-text name, optional uri and version."""
    uri = el.get("uri")
    if uri is not None:
        problem = common.check_uri(uri, error="InvalidURIAttribute")
        if problem:
            w.report(problem[0], el, element=display(key), attr="uri", **problem[1])
    _GENERATOR_VALUE(w, el, parent, key)


_GENERATOR_VALUE: Final = leaf(c.PLAIN, c.nonblank)
GENERATOR: Final = Rule(generator, once=True, attrs=frozenset({"uri", "version"}))


# ---------------------------------------------------------------- feed, entry, source

def _metadata(rule: Rule) -> Rule:
    """Feed metadata must precede the entries."""
    inner = rule.handle

    def handle(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
        if "entry" in parent.seen[:-1]:
            w.report("MisplacedMetadata", el, element=display(key))
        inner(w, el, parent, key)

    return Rule(handle, once=rule.once, attrs=rule.attrs, repeat_code=rule.repeat_code)


_ID: Final = Rule(leaf(c.canonical_id, c.nows), once=True)
_DATE: Final = Rule(leaf(c.rfc3339, c.nows), once=True)
_IMAGE: Final = Rule(leaf(c.nonblank, c.nows, c.uri()), once=True)


def feed_metadata_check(w: Walker, frame: Frame, *, source: bool = False) -> None:
    """Required feed metadata (checked when the first entry starts, or at the end)."""
    for required in ("title", "id", "updated"):
        if required not in frame.seen:
            if source:
                w.report("MissingSourceElement", frame.el, parent="source", element=required)
            else:
                w.report("MissingElement", frame.el, parent=display(frame.key), element=required)
    if not source and not any(item.rel == "self" for item in frame.links):
        w.report("MissingSelf", frame.el)
    duplicate_alternates(w, frame)


def feed(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """The atom:feed document element."""
    frame = Frame(key, parent, el)
    walk(w, el, frame, FEED)
    if "entry" not in frame.seen and w.done(el):
        feed_metadata_check(w, frame)
    w.resolve_pending()
    _duplicate_ids(w, frame)


def _duplicate_ids(w: Walker, frame: Frame) -> None:
    """When (almost) every entry shares one id, readers see one entry: an error, not a warning."""
    entries = frame.seen.count("entry")
    duplicates = [m for m in w.messages if m.code == "DuplicateEntries"]
    if entries > 9 and len(duplicates) == entries - 1:
        w.messages = [m for m in w.messages if m.code != "DuplicateEntries"]
        w.report("DuplicateIds", frame.el)


def entry(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """atom:entry, in a feed or standing alone."""
    if parent.key == "feed" and parent.el is not None and "metadata checked" not in parent.state:
        parent.state["metadata checked"] = True  # when the first entry starts
        feed_metadata_check(w, parent)
    if el.tag == PLACEHOLDER:
        fastpath.replay(w, el, parent, key, FEED)
        return
    frame = Frame(key, parent, el)
    walk(w, el, frame, ENTRY)
    if not w.done(el):
        return
    seen = frame.seen
    for required in ("title", "id", "updated"):
        if required not in seen:
            w.report("MissingElement", el, parent="entry", element=required)
    if "author" not in seen and "author" not in parent.seen:
        w.report("MissingElement", el, parent="entry", element="author")
    body = frame.state.get("content")
    if body is not None:
        if "summary" not in seen:
            kind = body.get("type", "" if body.get("src") is not None else "text")
            if body.get("src") is not None or ("/" in kind and not (
                    kind.endswith("+xml") or kind.endswith("/xml") or kind.startswith("text/"))):
                w.report("MissingSummary", el)
    else:
        if "summary" not in seen:
            w.report("MissingTextualContent", el)
        if not any(item.rel == "alternate" for item in frame.links):
            w.report("MissingContentOrAlternate", el)
    duplicate_alternates(w, frame)


def source(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """atom:source: the metadata of the feed an entry was copied from."""
    frame = Frame("source", parent, el)
    walk(w, el, frame, SOURCE)
    if "author" in frame.seen:
        parent.seen.append("author")
    if w.done(el):
        feed_metadata_check(w, frame, source=True)


def _source_entry(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("UndefinedElement", el, element="entry", parent="source")


_FEED_CORE: Final[dict[str, Rule]] = {
    "author": _metadata(PERSON_RULE),
    "category": _metadata(CATEGORY),
    "contributor": _metadata(PERSON_RULE),
    "generator": _metadata(GENERATOR),
    "icon": _metadata(_IMAGE),
    "id": _metadata(_ID),
    "link": _metadata(LINK),
    "logo": _metadata(_IMAGE),
    "rights": _metadata(TEXT),
    "subtitle": _metadata(TEXT),
    "title": _metadata(TEXT),
    "updated": _metadata(_DATE),
}
FEED: Final[Table] = {**extensions.FEED, **_FEED_CORE,
                      "entry": Rule(entry, attrs=frozenset({"{http://www.w3.org/1999/02/22-rdf-syntax-ns#}parseType"}))}
SOURCE: Final[Table] = {**extensions.FEED, **_FEED_CORE, "entry": Rule(_source_entry, attrs=frozenset())}
ENTRY: Final[Table] = {
    **extensions.ENTRY,
    "author": PERSON_RULE,
    "category": CATEGORY,
    "content": CONTENT,
    "contributor": PERSON_RULE,
    "id": Rule(leaf(c.canonical_id, c.nows, c.nonblank, c.unique("entry-id", "DuplicateEntries")), once=True),
    "link": LINK,
    "published": _DATE,
    "rights": TEXT,
    "source": Rule(source, once=True),
    "summary": TEXT,
    "title": TEXT,
    "updated": Rule(leaf(c.rfc3339, c.nows, c.unique("entry-updated", "DuplicateUpdated")), once=True),
    "app:edited": _DATE,
    "app:control": Rule(lambda w, el, p, k: None, once=True),
}


def check_document(w: Walker, root: etree._Element, namespace: str | None = ATOM_NS) -> None:
    """An Atom document: a feed, or a single entry (its elements in `namespace`, normally Atom's)."""
    w.use_vocabulary("atom", namespace)
    top = Frame("root", None, None)
    local = split_tag(root.tag)[1]
    if root.attrib:
        check_attributes(w, root, local, frozenset({"{urn:atom-extension:indexing}index"}
                                                   if local == "feed" else
                                                   {"{http://www.w3.org/1999/02/22-rdf-syntax-ns#}parseType"}))
    top.seen.append(local)
    if local == "feed":
        feed(w, root, top, "feed")
    else:
        entry(w, root, top, "entry")
        w.resolve_pending()
