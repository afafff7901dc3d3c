"""Rules for the extension namespaces feeds commonly use, by the context they may appear in.

Dublin Core and DC Terms, Media RSS, content:, slash:, wfw:, thr:, sy:,
admin:, trackback:, the geo vocabularies, creativeCommons:, blogChannel:
and feed history. The tables below are merged into the Atom and RSS tables
of each context (everywhere, channel or feed, item or entry, image...).
Elements of these namespaces not listed for a context are UndefinedElement
there, as the W3C service reports them.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from feeds.validate import checks as c
from feeds.validate import common
from feeds.validate.engine import EAT, Frame, Rule, Table, Walker, any_attrs, display, eat, empty, leaf, walk

RDF_NS: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_RESOURCE: Final = f"{{{RDF_NS}}}resource"


def _text() -> Rule:
    return Rule(leaf())


def _once(*checks: c.Check) -> Rule:
    return Rule(leaf(*checks), once=True)


def _semantic_twin(rule: Rule, core: str, code: str, dotted_ok: bool = False) -> Rule:
    """Warn when an extension element repeats what a core element already said."""
    inner = rule.handle

    def handle(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
        if core in parent.seen and not (dotted_ok and "." in key):
            w.report(code, el, value=display(key).split(".")[0], core=core)
        inner(w, el, parent, key)

    return Rule(handle, once=rule.once, attrs=rule.attrs, repeat_code=rule.repeat_code)


def _resource(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """An element pointing at something by rdf:resource."""
    target = el.get(_RDF_RESOURCE)
    if target is not None:
        problem = common.check_uri(target)
        if problem:
            w.report(problem[0], el, element=display(key), **problem[1])


RESOURCE: Final = Rule(_resource, attrs=frozenset({_RDF_RESOURCE, "{http://purl.org/dc/elements/1.1/}title"}))
RESOURCE_ONCE: Final = Rule(_resource, once=True, attrs=RESOURCE.attrs)

# ---------------------------------------------------------------- Dublin Core

_DC_EVERYWHERE: Final[dict[str, Rule]] = {
    "dc:title": _once(), "dc:description": _once(), "dc:contributor": _text(),
    "dc:type": _once(), "dc:format": _once(), "dc:identifier": _text(),
    "dc:relation": _text(), "dc:coverage": _text(),
    "dc:publisher": _semantic_twin(_text(), "webMaster", "DuplicateSemantics"),
    "dc:source": _semantic_twin(_once(), "source", "DuplicateItemSemantics"),
    "dc:language": _semantic_twin(_once(c.language), "language", "DuplicateSemantics"),
    "dc:rights": _semantic_twin(_once(c.PLAIN), "copyright", "DuplicateSemantics"),
}
_DC_PLAIN: Final = {"dc:creator": _text(), "dc:subject": _text(), "dc:date": _once(c.w3cdtf)}
DC_CHANNEL: Final = {
    "dc:creator": _semantic_twin(_text(), "managingEditor", "DuplicateSemantics"),
    "dc:subject": _semantic_twin(_text(), "category", "DuplicateSemantics"),
    "dc:date": _semantic_twin(_once(c.w3cdtf), "pubDate", "DuplicateSemantics"),
}
DC_ITEM: Final = {
    "dc:creator": _semantic_twin(_text(), "author", "DuplicateItemSemantics", dotted_ok=True),
    "dc:subject": _semantic_twin(_text(), "category", "DuplicateItemSemantics", dotted_ok=True),
    "dc:date": _semantic_twin(Rule(leaf(c.w3cdtf)), "pubDate", "DuplicateItemSemantics", dotted_ok=True),
}

_DCTERMS_RESOURCES: Final = (
    "tableOfContents isVersionOf hasVersion isReplacedBy replaces isRequiredBy requires isPartOf hasPart "
    "isReferencedBy references isFormatOf hasFormat conformsTo"
).split()
_DCTERMS: Final[dict[str, Rule]] = {
    "dcterms:alternative": _text(), "dcterms:abstract": _once(),
    "dcterms:created": _once(c.w3cdtf), "dcterms:issued": _once(c.w3cdtf),
    "dcterms:modified": _semantic_twin(_once(c.w3cdtf), "lastBuildDate", "DuplicateSemantics"),
    "dcterms:dateAccepted": _once(), "dcterms:dateCopyrighted": _once(), "dcterms:dateSubmitted": _once(),
    "dcterms:extent": _once(c.POSITIVE, c.nonblank), "dcterms:audience": _text(), "dcterms:mediator": _once(),
    **{f"dcterms:{name}": RESOURCE for name in _DCTERMS_RESOURCES},
    **{f"dcterms:{name}": any_attrs(eat) for name in (
        "valid available spatial temporal accessRights accrualMethod accrualPeriodicity accrualPolicy "
        "bibliographicCitation educationLevel instructionalMethod license provenance rightsHolder").split()},
}

# ---------------------------------------------------------------- geography

_LATITUDE: Final = c.number_range(-90, 90, "InvalidLatitude")
_LONGITUDE: Final = c.number_range(-180, 180, "InvalidLongitude")


def _geo_point(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame(key, parent, el)
    walk(w, el, frame, {"geo:lat": _text_with(_LATITUDE), "geo:long": _text_with(_LONGITUDE)})
    if w.done(el):
        for part in ("geo:lat", "geo:long"):
            if part not in frame.seen:
                w.report("MissingElement", el, parent=display(key), element=part)


def _text_with(check: c.Check) -> Rule:
    return Rule(leaf(check))


_GEO: Final[dict[str, Rule]] = {
    "geo:lat": _text_with(_LATITUDE), "geo:long": _text_with(_LONGITUDE), "geo:alt": _text(),
    "geo:Point": Rule(_geo_point),
    "geourl:latitude": _text_with(_LATITUDE), "geourl:longitude": _text_with(_LONGITUDE),
    "icbm:latitude": _text_with(_LATITUDE), "icbm:longitude": _text_with(_LONGITUDE),
    **{f"georss:{name}": _text() for name in
       "point line polygon box featureTypeTag relationshipTag featureName elev floor radius".split()},
    "georss:where": any_attrs(eat),
}

_RDF: Final[dict[str, Rule]] = {
    "rdf:RDF": EAT, "rdf:type": EAT, "rdf:Description": EAT, "rdfs:seeAlso": RESOURCE,
}

EVERYWHERE: Final[dict[str, Rule]] = {**_DC_EVERYWHERE, **_DCTERMS, **_GEO, **_RDF}

# ---------------------------------------------------------------- Media RSS

_NPT: Final = r"(?:now|\d+(?:\.\d+)?|\d+:\d\d:\d\d(?:\.\d+)?)\Z"


def _media_thumbnail(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    _media_url(w, el, key, required=True)
    _media_positive(w, el, key, "width", "height")
    time = el.get("time")
    if time and not re.match(_NPT, time):
        w.report("InvalidNPTTime", el, element=display(key), attr="time", value=time)
    empty(w, el, parent, key)


_MEDIA_URL: Final = common.uri_check(absolute=True, error="InvalidFullLink")


def _media_url(w: Walker, el: etree._Element, key: str, *, required: bool) -> None:
    url = el.get("url")
    if url is None:
        if required:
            w.report("MissingAttribute", el, element=display(key), attr="url")
        return
    problem = _MEDIA_URL(url)
    if problem:
        w.report(problem[0], el, element="url", **problem[1])


def _media_positive(w: Walker, el: etree._Element, key: str, *names: str) -> None:
    for name in names:
        value = el.get(name)
        if value:
            number = common.as_integer(value)
            if number is None or number <= 0:
                w.report("InvalidPositiveInteger", el, element=name, value=value)


def _media_content(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    _media_url(w, el, key, required=False)
    _media_positive(w, el, key, "fileSize", "height", "width")
    channels = el.get("channels")
    if channels:
        number = common.as_integer(channels)
        if number is None or number < 0:
            w.report("InvalidNonNegativeInteger", el, element="channels", value=channels)
    mime = el.get("type")
    if mime and not common.is_media_type(mime):
        w.report("InvalidMIMEAttribute", el, element=display(key), attr="type", value=mime)
    lang = el.get("lang")
    if lang and not common.is_language(lang):
        w.report("InvalidLanguage", el, element="lang", value=lang)
    walk(w, el, Frame(key, parent, el), MEDIA_CONTENT)


def _media_group(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame(key, parent, el)
    walk(w, el, frame, MEDIA_GROUP)
    if w.done(el) and frame.seen.count("media:content") < 2:
        w.report("MediaGroupWithoutAlternatives", el)


def _media_text(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    kind = el.get("type")
    if kind is not None and kind not in ("plain", "html"):
        w.report("InvalidMediaTextType", el, element=display(key), value=kind)
    if len(el):
        from feeds.validate.engine import text_children

        text_children(w, el, key)
    if w.done(el):
        value = (el.text or "").strip()
        if kind == "html":
            c.html_content(w, el, key, value, relative_refs=False)
        else:
            c.plain_text(w, el, key, value, "ContainsUndeclaredHTML")


def _media_category(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    label = el.get("label")
    if label:
        c.plain_text(w, el, "label", label)
    scheme = el.get("scheme")
    if scheme:
        problem = common.check_uri(scheme, absolute=True, error="InvalidFullLink")
        if problem:
            w.report(problem[0], el, element="scheme", **problem[1])


def _media_restriction(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    relationship = el.get("relationship")
    if not relationship:
        w.report("MissingAttribute", el, element=display(key), attr="relationship")
    elif relationship not in ("allow", "deny"):
        w.report("InvalidMediaRestrictionRel", el, element=display(key), value=relationship)


def _media_player(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    _media_url(w, el, key, required=True)
    _media_positive(w, el, key, "width", "height")


MEDIA_ELEMENTS: Final[dict[str, Rule]] = {
    "media:thumbnail": Rule(_media_thumbnail, attrs=frozenset({"url", "width", "height", "time"})),
    "media:title": Rule(_media_text, once=True, attrs=frozenset({"type"})),
    "media:description": Rule(_media_text, once=True, attrs=frozenset({"type"})),
    "media:text": Rule(_media_text, attrs=frozenset({"type", "lang", "start", "end"})),
    "media:keywords": _text(),
    "media:category": Rule(_media_category, attrs=frozenset({"label", "scheme"})),
    "media:copyright": Rule(eat, once=True, attrs=frozenset({"url"})),
    "media:credit": Rule(eat, attrs=frozenset({"role", "scheme"})),
    "media:hash": Rule(eat, attrs=frozenset({"algo"})),
    "media:player": Rule(_media_player, attrs=frozenset({"url", "width", "height"})),
    "media:rating": Rule(eat, attrs=frozenset({"scheme"})),
    "media:restriction": Rule(_media_restriction, attrs=frozenset({"relationship", "type"})),
    "media:adult": _once(),
    # Media RSS 1.5 additions readers know about.
    **{f"media:{name}": any_attrs(eat) for name in (
        "community comments embed responses backLinks status price license subTitle peerLink location rights "
        "scenes").split()},
}
_MEDIA_CONTENT_RULE: Final = Rule(_media_content, attrs=frozenset(
    "url fileSize type medium isDefault expression bitrate framerate samplingrate channels duration height "
    "width lang".split()))
MEDIA_CONTENT: Final[Table] = {**MEDIA_ELEMENTS, **EVERYWHERE}
MEDIA_GROUP: Final[Table] = {**MEDIA_ELEMENTS, "media:content": _MEDIA_CONTENT_RULE}

# ---------------------------------------------------------------- per context

CHANNEL_ITEM: Final[dict[str, Rule]] = {**EVERYWHERE, **MEDIA_ELEMENTS}

_POSITIVE_NONBLANK: Final = _once(c.POSITIVE, c.nonblank)

ITEM: Final[dict[str, Rule]] = {
    **CHANNEL_ITEM,
    "media:group": Rule(_media_group),
    "media:content": _MEDIA_CONTENT_RULE,
    "annotate:reference": RESOURCE_ONCE,
    "slash:comments": _once(c.NON_NEGATIVE),
    "slash:section": _text(),
    "slash:department": _text(),
    "slash:hit_parade": _once(c.pattern(r"\d+(,\s*\d+)*\Z", "InvalidCommaSeparatedIntegers")),
    "thr:total": _once(c.NON_NEGATIVE),
    "thr:in-reply-to": any_attrs(eat),
    "wfw:comment": _once(c.uri(absolute=True)),
    "wfw:commentRss": _once(c.uri(absolute=True)),
    "trackback:ping": _once(c.uri(absolute=True)),
    "trackback:about": _text_with(c.uri(absolute=True)),
    "creativeCommons:license": _text_with(c.uri(absolute=True)),
    # Aggregation and Event modules (RSS 1.0 modules, also seen in RSS 2.0 items).
    "ag:source": _once(),
    "ag:sourceURL": _once(c.uri(absolute=True)),
    "ag:timestamp": _once(c.iso8601),
    "ev:startdate": _once(c.iso8601),
    "ev:enddate": _once(c.iso8601),
    "ev:location": any_attrs(eat),
    "ev:organizer": any_attrs(eat),
    "ev:type": _once(),
}


def _comment_rss(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("CommentRSS", el)


ITEM["wfw:commentRSS"] = Rule(_comment_rss, once=True)


def _rss1_only(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("UndefinedElement", el, element=display(key), parent=display(parent.key))


ITEM["thr:children"] = any_attrs(_rss1_only)

ENTRY: Final[dict[str, Rule]] = {**ITEM, **_DC_PLAIN}

_SY_PERIODS: Final = frozenset({"hourly", "daily", "weekly", "monthly", "yearly"})
CHANNEL: Final[dict[str, Rule]] = {
    **CHANNEL_ITEM,
    "admin:generatorAgent": RESOURCE_ONCE,
    "admin:errorReportsTo": RESOURCE_ONCE,
    "blogChannel:blogRoll": _once(c.uri(absolute=True)),
    "blogChannel:mySubscriptions": _once(c.uri(absolute=True)),
    "blogChannel:blink": _once(c.uri(absolute=True)),
    "blogChannel:changes": _once(c.uri(absolute=True)),
    "sy:updatePeriod": _once(c.one_of(_SY_PERIODS, "InvalidUpdatePeriod")),
    "sy:updateFrequency": _POSITIVE_NONBLANK,
    "sy:updateBase": _once(c.w3cdtf),
    "thr:in-reply-to": any_attrs(eat),
    "fh:archive": EAT,
    "fh:complete": EAT,
    "xhtml:div": EAT,
    "xhtml:meta": Rule(eat, attrs=frozenset({"name", "content"})),
    "creativeCommons:license": _text_with(c.uri(absolute=True)),
}
FEED: Final[dict[str, Rule]] = {**CHANNEL, **_DC_PLAIN}
IMAGE: Final[dict[str, Rule]] = {**EVERYWHERE, **_DC_PLAIN}
