"""RSS 2.0 rules (the RSS Advisory Board specification and its profile).

rss > channel > item, with image, textInput, cloud, skipHours and skipDays,
plus the Atom elements RSS feeds borrow (atom:link rel="self" above all).
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from feeds.validate import atom, common, extensions, fastpath
from feeds.validate import checks as c
from feeds.validate.engine import (
    EAT, PLACEHOLDER, Frame, Rule, Table, Walker, check_attributes, display, empty, leaf, own_text, split_tag, walk,
)

NETSCAPE_091: Final = "-//Netscape Communications//DTD RSS 0.91//EN"


def _core_twin(rule: Rule, twin: str, code: str) -> Rule:
    """Warn when a core element repeats what an extension element already said."""
    inner = rule.handle

    def handle(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
        if twin in parent.seen:
            w.report(code, el, value=twin, core=key)
        inner(w, el, parent, key)

    return Rule(handle, once=rule.once, attrs=rule.attrs, repeat_code=rule.repeat_code)


def _channel_metadata(rule: Rule) -> Rule:
    """RSS 2.0 profile: channel metadata comes before the items."""
    inner = rule.handle

    def handle(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
        if "item" in parent.seen and not parent.state.get("misplaced"):
            parent.state["misplaced"] = True
            w.report("MisplacedItem", el)
        inner(w, el, parent, key)

    return Rule(handle, once=rule.once, attrs=rule.attrs, repeat_code=rule.repeat_code)


# ---------------------------------------------------------------- small elements

def _remember(name: str, *checks: c.Check) -> c.Check:
    """Keep the channel's title and link: the image must repeat them."""

    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        w.scopes.setdefault(f"channel-{name}", set()).add(value)
        for inner in checks:
            inner(w, el, key, value, raw)

    return check


def _category(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    _CATEGORY_VALUE(w, el, parent, key)


_CATEGORY_VALUE: Final = leaf(c.PLAIN)


def _cloud(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    empty(w, el, parent, key)
    for name in ("domain", "path", "registerProcedure", "protocol"):
        if el.get(name) is None:
            w.report("MissingAttribute", el, element="cloud", attr=name)
    port = el.get("port")
    if port is None:
        w.report("MissingAttribute", el, element="cloud", attr="port")
    else:
        number = common.as_integer(port)
        if number is None or number <= 0:
            w.report("InvalidIntegerAttribute", el, element="cloud", attr="port", value=port)


def _enclosure(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    empty(w, el, parent, key)
    length = el.get("length")
    if length is None:
        w.report("MissingAttribute", el, element="enclosure", attr="length")
    else:
        number = common.as_integer(length)
        if number is None:
            w.report("InvalidIntegerAttribute", el, element="enclosure", attr="length", value=length)
        elif number == -1:
            w.report("UseZeroForUnknown", el)
        elif number < 0:
            w.report("InvalidNonNegativeInteger", el, element="length", value=length)
    mime = el.get("type")
    if mime is None:
        w.report("MissingAttribute", el, element="enclosure", attr="type")
    elif not common.is_media_type(mime):
        w.report("InvalidMIMEAttribute", el, element="enclosure", attr="type", value=mime)
    url = el.get("url")
    if url is None:
        w.report("MissingAttribute", el, element="enclosure", attr="url")
    elif not common.is_http_url(url):
        w.report("InvalidURLAttribute", el, element="enclosure", attr="url", value=url)




def _guid(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """guid: a permalink URL unless isPermaLink="false"; unique within the channel."""
    if len(el):
        from feeds.validate.engine import text_children

        text_children(w, el, key)
    if not w.done(el):
        return
    value = own_text(el).strip()
    permalink = True
    flag = el.get("isPermaLink")
    if flag is not None:
        if flag not in ("true", "false"):
            w.report("InvalidBooleanAttribute", el, element="guid", attr="isPermaLink", value=flag)
        permalink = flag == "true"
    if permalink:
        problem = common.check_uri(value, absolute=True, error="InvalidHttpGUID")
        if problem and problem[0] != "SchemeNotIANARegistered":
            w.report(problem[0], el, element="guid", **problem[1])
        elif value.lower().startswith(("tag:", "urn:uuid:")):
            w.report("InvalidPermalink", el)
    elif len(value) < 9 and value.isdigit():
        w.report("NotSufficientlyUnique", el, value=value)
    if not value:
        w.report("NotBlank", el, element="guid")
    if value:
        w.unique("guid", value, "DuplicateValue", el, key)


def _source(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    url = el.get("url")
    if url is None:
        w.report("MissingAttribute", el, element="source", attr="url")
    else:
        problem = common.check_uri(url, absolute=True)
        if problem:
            w.report(problem[0], el, element="url", **problem[1])
    _SOURCE_VALUE(w, el, parent, key)


_SOURCE_VALUE: Final = leaf(c.PLAIN)


def _content_encoded(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    if "description" not in parent.seen:
        w.report("NeedDescriptionBeforeContent", el)
    _html_value(w, el, parent, key)


def _html_value(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    """Escaped HTML (description, content:encoded): what readers strip, and relative links they cannot follow."""
    if len(el) or not w.done(el):
        _SAFE_HTML(w, el, parent, key)
    else:
        c.html_text(w, el, key, relative_refs=True, strip=True)


_SAFE_HTML: Final = leaf(c.safe_html(relative_refs=True))


def _description(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    if w.rss_version == "0.91":
        _PLAIN_VALUE(w, el, parent, key)
    else:
        _html_value(w, el, parent, key)


_PLAIN_VALUE: Final = leaf(c.PLAIN)


def _xhtml_body(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("DuplicateDescriptionSemantics", el, element="xhtml:body")
    from feeds.validate.atom import _xhtml_descendants

    _xhtml_descendants(w, el, "xhtml:body")


# ---------------------------------------------------------------- image, textInput, skips

def _image(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame(key, parent, el)
    walk(w, el, frame, IMAGE, text_ok=True)
    if not w.done(el):
        return
    if own_text(el).strip():
        w.report("UnexpectedText", el, element="image", parent=display(parent.key))
    if el.get(f"{{{extensions.RDF_NS}}}resource") is not None:
        return
    if "title" not in frame.seen:
        w.report("MissingTitle", el, parent="image")
    if "url" not in frame.seen:
        w.report("MissingElement", el, parent="image", element="url")
    if "link" not in frame.seen:
        w.report("MissingLink", el, parent="image")


def _image_title(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    if not value:
        w.report("NotBlank", el, element="title")
    else:
        c.plain_text(w, el, key, value)
    titles = w.scopes.get("channel-title")
    if titles and value not in titles:
        w.report("ImageTitleDoesntMatch", el)


def _image_link(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    c.uri(absolute=True)(w, el, key, value, raw)
    links = w.scopes.get("channel-link")
    if links and value not in links:
        w.report("ImageLinkDoesntMatch", el)


def _image_url(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
    c.uri(absolute=True)(w, el, key, value, raw)
    extension = value.rsplit(".", 1)[-1].lower()
    if re.match(r"\w+\Z", extension) and extension not in ("jpg", "jpeg", "gif", "png"):
        w.report("ImageUrlFormat", el)


def _bounded(low: int, high: int, code: str) -> c.Check:
    def check(w: Walker, el: etree._Element, key: str, value: str, raw: str) -> None:
        number = common.as_integer(value)
        if number is None or not low <= number <= high:
            w.report(code, el, element=display(key), value=value)

    return check


IMAGE: Final[Table] = {
    **extensions.IMAGE,
    "cc:license": EAT,
    "title": Rule(leaf(_image_title), once=True),
    "link": Rule(leaf(_image_link), once=True),
    "url": Rule(leaf(_image_url), once=True),
    "width": Rule(leaf(_bounded(1, 144, "InvalidWidth")), once=True),
    "height": Rule(leaf(_bounded(1, 400, "InvalidHeight")), once=True),
    "description": Rule(leaf(c.PLAIN), once=True),
}


def _text_input(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("AvoidTextInput", el)
    frame = Frame(key, parent, el)
    walk(w, el, frame, TEXT_INPUT)
    if not w.done(el):
        return
    for required, code in (("title", "MissingTitle"), ("link", "MissingLink"),
                           ("description", "MissingDescription"), ("name", "MissingElement")):
        if required not in frame.seen:
            w.report(code, el, parent="textInput", element=required)


TEXT_INPUT: Final[Table] = {
    **extensions.IMAGE,
    "title": Rule(leaf(c.PLAIN), once=True),
    "description": Rule(leaf(), once=True),
    "name": Rule(leaf(c.pattern(r"[A-Za-z][A-Za-z0-9:._]*", "InvalidFormComponentName")), once=True),
    "link": Rule(leaf(c.uri(absolute=True)), once=True),
}


def _skip_hours(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame(key, parent, el)
    frame.state["hours"] = set()
    walk(w, el, frame, {"hour": Rule(_hour)})
    if w.done(el):
        if "hour" not in frame.seen:
            w.report("MissingElement", el, parent="skipHours", element="hour")
        if len(frame.seen) > 24:
            w.report("NotEnoughHoursInTheDay", el)


def _hour(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    if not w.done(el):
        return
    value = own_text(el).strip()
    hours: set[int] = parent.state["hours"]
    number = common.as_integer(value) if re.match(r"\d+\Z", value) else None
    if number is not None and (number in hours or (number in (0, 24) and 24 - number in hours)):
        w.report("DuplicateValue", el, element="hour", value=value)
    if number is not None and 0 <= number <= 23:
        hours.add(number)
    elif value == "24":
        w.report("UseZeroForMidnight", el)
    else:
        w.report("InvalidHour", el, value=value)


_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _skip_days(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame(key, parent, el)
    frame.state["days"] = set()
    walk(w, el, frame, {"day": Rule(_day)})
    if w.done(el):
        if "day" not in frame.seen:
            w.report("MissingElement", el, parent="skipDays", element="day")
        if len(frame.seen) > 7:
            w.report("EightDaysAWeek", el)


def _day(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    if not w.done(el):
        return
    value = own_text(el).strip()
    days: set[str] = parent.state["days"]
    if value not in _DAYS:
        w.report("InvalidDay", el, value=value)
    elif value in days:
        w.report("DuplicateValue", el, element="day", value=value)
    else:
        days.add(value)


def _blink(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("NoBlink", el)


def _undefined(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    w.report("UndefinedElement", el, element=display(key), parent=display(parent.key))


# ---------------------------------------------------------------- item

def _item(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    if el.tag == PLACEHOLDER:
        fastpath.replay(w, el, parent, key, CHANNEL)
        return
    frame = Frame(key, parent, el)
    walk(w, el, frame, ITEM)
    if not w.done(el):
        return
    seen = frame.seen
    if "title" not in seen and "description" not in seen:
        w.report("ItemMustContainTitleOrDescription", el)
    if "guid" not in seen and w.rss_version.startswith("2."):
        w.report("MissingGuid", el)
    if "slash:comments" in seen and "lastBuildDate" not in parent.seen:
        w.report("SlashDate", el)


_ITEM_ATOM: Final[dict[str, Rule]] = {
    "atom:id": _core_twin(Rule(leaf(c.uri(absolute=True), c.unique("atom_id", "DuplicateValue")), once=True),
                          "guid", "DuplicateItemSemantics"),
    "atom:link": atom.LINK,
    "atom:title": atom.CONTENT,
    "atom:summary": atom.TEXT,
    "atom:author": Rule(atom.person, once=True),
    "atom:contributor": atom.PERSON_RULE,
    "atom:content": Rule(atom.content, attrs=atom.CONTENT.attrs),
    "atom:published": _core_twin(Rule(leaf(c.rfc3339), once=True), "published", "DuplicateItemSemantics"),
    "atom:updated": Rule(leaf(c.rfc3339), once=True),
}
ITEM: Final[Table] = {
    **extensions.ITEM,
    **extensions.DC_ITEM,
    **_ITEM_ATOM,
    "cc:license": _core_twin(EAT, "creativeCommons:license", "DuplicateItemSemantics"),
    "creativeCommons:license": _core_twin(extensions.ITEM["creativeCommons:license"], "cc:license",
                                          "DuplicateItemSemantics"),
    "content:encoded": Rule(_content_encoded, once=True),
    "content:items": EAT,
    "xhtml:body": Rule(_xhtml_body, attrs=frozenset({"xmlns"})),
    "title": Rule(leaf(c.PLAIN, c.nonblank), once=True),
    "link": Rule(leaf(c.uri(absolute=True)), once=True),
    "description": Rule(_description, once=True),
    "author": _core_twin(Rule(leaf(c.contact_with_name), once=True), "dc:creator", "DuplicateItemSemantics"),
    "category": _core_twin(Rule(leaf(c.PLAIN, c.nonblank), attrs=frozenset({"domain"})), "dc:subject",
                           "DuplicateItemSemantics"),
    "comments": Rule(leaf(c.uri(absolute=True)), once=True),
    "enclosure": Rule(_enclosure, once=True, attrs=frozenset({"url", "length", "type"}),
                      repeat_code="DuplicateEnclosure"),
    "guid": _core_twin(Rule(_guid, once=True, attrs=frozenset({"isPermaLink"})), "atom:id",
                       "DuplicateItemSemantics"),
    "pubDate": _core_twin(_core_twin(Rule(leaf(c.rfc822), once=True), "dc:date", "DuplicateItemSemantics"),
                          "atom:published", "DuplicateItemSemantics"),
    "source": _core_twin(Rule(_source, once=True, attrs=frozenset({"url"})), "dc:source",
                         "DuplicateItemSemantics"),
}

# ---------------------------------------------------------------- channel

def _channel(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame(key, parent, el)
    walk(w, el, frame, CHANNEL)
    if not w.done(el):
        return
    seen = frame.seen
    if "description" not in seen:
        w.report("MissingDescription", el, parent="channel")
    if "link" not in seen:
        w.report("MissingLink", el, parent="channel")
    if "title" not in seen:
        w.report("MissingTitle", el, parent="channel")
    for once in ("image", "textInput", "skipHours", "skipDays"):
        if seen.count(once) > 1 and once in ("skipHours", "skipDays"):
            w.report("DuplicateElement", el, parent="channel", element=once)
    if w.rss_version == "2.0" and not any(item.rel == "self" for item in frame.links):
        w.report("MissingAtomSelfLink", el)


_CHANNEL_CORE: Final[dict[str, Rule]] = {
    "title": Rule(leaf(_remember("title", c.PLAIN, c.nonblank)), once=True),
    "link": Rule(leaf(_remember("link", c.uri(absolute=True))), once=True),
    "description": Rule(leaf(c.PLAIN), once=True),
    "language": _core_twin(Rule(leaf(c.language), once=True), "dc:language", "DuplicateSemantics"),
    "copyright": _core_twin(Rule(leaf(c.PLAIN), once=True), "dc:rights", "DuplicateSemantics"),
    "managingEditor": _core_twin(Rule(leaf(c.contact_with_name), once=True), "dc:creator", "DuplicateSemantics"),
    "webMaster": _core_twin(Rule(leaf(c.contact_with_name), once=True), "dc:publisher", "DuplicateSemantics"),
    "pubDate": _core_twin(Rule(leaf(c.rfc822), once=True), "dc:date", "DuplicateSemantics"),
    "lastBuildDate": _core_twin(Rule(leaf(c.rfc822), once=True), "dcterms:modified", "DuplicateSemantics"),
    "category": Rule(_category, attrs=frozenset({"domain"})),
    "generator": _core_twin(Rule(leaf(), once=True), "admin:generatorAgent", "DuplicateSemantics"),
    "docs": Rule(leaf(c.uri(absolute=True)), once=True),
    "cloud": Rule(_cloud, once=True, attrs=frozenset({"domain", "port", "path", "registerProcedure", "protocol"})),
    "ttl": Rule(leaf(c.POSITIVE, c.nonblank), once=True),
    "image": Rule(_image, once=True, attrs=frozenset({
        f"{{{extensions.RDF_NS}}}resource", f"{{{extensions.RDF_NS}}}about", f"{{{extensions.RDF_NS}}}parseType"})),
    "rating": Rule(leaf()),
    "textInput": Rule(_text_input, once=True, attrs=frozenset({f"{{{extensions.RDF_NS}}}about"})),
    "skipHours": Rule(_skip_hours),
    "skipDays": Rule(_skip_days),
}
CHANNEL: Final[Table] = {
    **extensions.CHANNEL,
    **extensions.DC_CHANNEL,
    "cc:license": _core_twin(EAT, "creativeCommons:license", "DuplicateSemantics"),
    "creativeCommons:license": _core_twin(extensions.CHANNEL["creativeCommons:license"], "cc:license",
                                          "DuplicateSemantics"),
    **{name: _channel_metadata(rule) for name, rule in _CHANNEL_CORE.items()},
    "textinput": Rule(_undefined, attrs=frozenset()),
    "blink": Rule(_blink, once=True),
    "item": Rule(_item),
    "atom:author": atom.PERSON_RULE,
    "atom:category": atom.CATEGORY,
    "atom:contributor": atom.PERSON_RULE,
    "atom:generator": atom.GENERATOR,
    "atom:id": Rule(leaf(c.uri(absolute=True)), once=True),
    "atom:icon": Rule(leaf(c.nonblank, c.uri()), once=True),
    "atom:link": _channel_metadata(atom.LINK),
    "atom:logo": Rule(leaf(c.nonblank, c.uri()), once=True),
    "atom:title": atom.TEXT,
    "atom:subtitle": atom.TEXT,
    "atom:rights": atom.TEXT,
    "atom:updated": Rule(leaf(c.rfc3339), once=True),
}


def _rss(w: Walker, el: etree._Element, parent: Frame, key: str) -> None:
    frame = Frame("rss", parent, el)
    walk(w, el, frame, {"channel": Rule(_channel, once=True,
                                        attrs=frozenset({"{urn:atom-extension:indexing}index"}))})
    if w.done(el) and "channel" not in frame.seen:
        w.report("MissingElement", el, parent="rss", element="channel")


def check_document(w: Walker, root: etree._Element, public_id: str | None) -> None:
    """An RSS document: <rss version="..."> with one channel."""
    namespace = split_tag(root.tag)[0]
    w.use_vocabulary("rss", namespace)
    if namespace:
        w.report("InvalidNamespace", root, element="rss", value=namespace,
                 expected="the rss element must not be in a namespace")
    version = root.get("version")
    w.rss_version = "2.0"
    if version is None:
        w.report("MissingAttribute", root, element="rss", attr="version")
    else:
        w.rss_version = version
        if public_id == NETSCAPE_091:
            if version != "0.91":
                w.report("InvalidDoctype", root)
        elif version not in ("0.91", "0.92", "2.0"):
            w.report("InvalidRSSVersion", root, value=version)
    if root.attrib:
        check_attributes(w, root, "rss", frozenset({"version"}))
    top = Frame("root", None, None)
    top.seen.append("rss")
    _rss(w, root, top, "rss")
    w.resolve_pending()
