"""An article body to what feed readers get: sanitised HTML, a summary, an image.

`complete` is pure and only runs for articles that reach a feed, so the body of
an article that no feed shows is never rendered. Per body it costs one nh3
pass (Rust, ammonia) with a cleaner shared by all articles; relative URLs are
resolved by nh3 itself against the article's link (in a second, tiny nh3
pass). Lazy-loaded images get their real URL as `src` by a few regular
expressions on plainly written bodies, by an lxml round trip on the others.

The sanitiser runs last, after every rewrite, so nothing it removes can come
back: no script/style/iframe/object/embed/form, no event handlers or style
attributes, only http/https/mailto URLs (no `javascript:`, no `data:`).
"""

from __future__ import annotations

import html as htmllib
import operator
import re
import secrets
import threading
import unicodedata
from dataclasses import fields
from functools import lru_cache
from html.entities import html5 as html5_entities
from typing import Any

import lxml.etree
import lxml.html
import nh3

from feeds.config import Config
from feeds.errors import ArticleError
from feeds.frontmatter import XML_FORBIDDEN
from feeds.htmlguard import refusal
from feeds.links import to_uri
from feeds.model import Article, BodyFormat

# ---------------------------------------------------------------- format

# CommonMark's HTML block start tags (kinds 1 and 6): a body whose first line
# opens one of these is HTML from an aggregator or a CMS, not Markdown, and
# rendering it as Markdown would turn indented lines into code blocks.
_BLOCK_TAGS = (
    "address article aside base basefont blockquote body caption center col colgroup dd details dialog "
    "dir div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header "
    "hr html iframe legend li link main menu menuitem nav noframes ol optgroup option p param pre "
    "script search section source style summary table tbody td textarea tfoot th thead title tr track ul"
).split()
_HTML_START = re.compile(r"\s*<(?:!doctype\b|(?:" + "|".join(_BLOCK_TAGS) + r")(?=[\s/>]|$))", re.IGNORECASE)
_HTML_SUFFIXES = (".html", ".htm")


def detect_format(path: str, body: str, declared: BodyFormat | None = None) -> BodyFormat:
    """HTML or Markdown: front matter `format`, else the suffix, else the first line.

    `.html`/`.htm` files are HTML. `.md`/`.markdown` files are Markdown unless
    their first non-blank line starts with an HTML block-level tag (`<div>`,
    `<p>`, `<table>`...), as aggregator output like the seed article does.
    """
    if declared is not None:
        return declared
    if path.lower().endswith(_HTML_SUFFIXES):
        return BodyFormat.HTML
    if _HTML_START.match(body):
        return BodyFormat.HTML
    return BodyFormat.MARKDOWN


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """CommonMark with raw HTML passing through (the sanitiser runs afterwards),
    plus GFM tables and ~~strikethrough~~, which Hexo's renderer also reads.

    Made on first use: a run that renders no Markdown body (a site of HTML
    articles, or a run that renders a few feeds) does not pay for importing it.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render(body: str, fmt: BodyFormat) -> str:
    """The body as (unsanitised) HTML."""
    return _markdown().render(body) if fmt is BodyFormat.MARKDOWN else body


# ---------------------------------------------------------------- sanitising

_ATTRIBUTES: dict[str, set[str]] = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"title", "lang", "dir"}
_ATTRIBUTES["img"] = _ATTRIBUTES.get("img", set()) | {"src", "alt", "width", "height"}
_ATTRIBUTES["a"] = _ATTRIBUTES.get("a", set()) | {"href", "hreflang"}
# nh3's default allow-list has none of these today; subtracting them keeps it
# that way whatever a future nh3 release adds.
_NEVER = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
          "button", "textarea", "select", "link", "meta", "base", "svg", "math", "noscript", "template"}
_CLEANER_OPTIONS: dict[str, Any] = {
    "tags": set(nh3.ALLOWED_TAGS) - _NEVER,
    # Removed with their content (the others only lose the tag, keep the text):
    "clean_content_tags": {
        "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object",
        "applet", "svg", "math", "textarea", "select", "head", "title",
    },
    "attributes": _ATTRIBUTES,  # no on*, no style, no class/id
    "url_schemes": {"http", "https", "mailto"},
    "link_rel": None,  # feeds are not pages; readers add their own rel
    "strip_comments": True,
}


LAZY_ATTRIBUTES = ("data-original", "data-src", "data-lazy-src")


def sanitise(html: str, base: str) -> str:
    """Untrusted HTML to a safe fragment with absolute URLs (relative to `base`)."""
    clean = None
    if "data-" in html and any(attr in html for attr in LAZY_ATTRIBUTES):
        clean = _clean_lazy(html, base)
        if clean is None:
            html = _unlazy_images(html)
    if clean is None:
        clean = _clean_shared(html, base)
    if clean is None:
        clean = _cleaner(base).clean(html)
    # nh3 keeps control characters (and decodes `&#1;` to one); XML forbids them.
    return (XML_FORBIDDEN.sub("", clean) if _has_xml_forbidden(clean) else clean).strip()


# The characters XML_FORBIDDEN matches below U+0100 (C0 controls), as Latin-1
# bytes. Above it, it matches U+FFFE and U+FFFF only (a test asks the regex
# about every code point).
_FORBIDDEN_LATIN1 = bytes(code for code in range(0x100) if XML_FORBIDDEN.match(chr(code)))


def _has_xml_forbidden(text: str) -> bool:
    """`XML_FORBIDDEN.search(text) is not None`, at about half its cost.

    The regex tries its character class at every position (~2.5 ns a
    character on a Chinese body); encoding to Latin-1 (dropping all other
    characters) and deleting the forbidden bytes are plain C loops, and `in`
    is a fast search (instant on a string with no character that wide).
    """
    latin1 = text.encode("latin-1", "ignore")
    if len(latin1.translate(None, _FORBIDDEN_LATIN1)) != len(latin1):
        return True
    return "\ufffe" in text or "\uffff" in text


@lru_cache(maxsize=8)
def _cleaner(base: str) -> nh3.Cleaner:
    """A sanitiser resolving relative URLs against `base` (~45 us to build)."""
    return nh3.Cleaner(url_relative=("rewrite_with_base", base), **_CLEANER_OPTIONS)


# Building an nh3.Cleaner costs ~45 us, more than cleaning a 5 KB body, and
# `_cleaner(base)` must be built for every article (every link is another
# base). So one cleaner, built once, marks each relative URL instead: nh3
# calls _mark_relative exactly where `_cleaner(base)` would join the URL with
# its base. The marked URLs are then joined by nh3 itself, all in one small
# document, with a cleaner that knows only <img src> (~7 us to build), and
# put in place of the marks. When that cannot give the same bytes (an
# article containing the mark, a URL that does not join), _clean_shared
# answers None and `_cleaner(base)` does the work.

_MARK = f"\ue000feeds-{secrets.token_hex(8)}-"
_MARKED = re.compile(re.escape(_MARK) + r"(\d+)\ue001")
_marked = threading.local()


def _mark_relative(url: str) -> str:
    found: list[str] = _marked.urls
    found.append(url)
    return f"{_MARK}{len(found) - 1}\ue001"


_SHARED_CLEANER = nh3.Cleaner(url_relative=_mark_relative, **_CLEANER_OPTIONS)
_JOINED = re.compile(r'<img(?: src="([^"]*)")?>')


def _clean_marked(cleaner: nh3.Cleaner, html: str, urls: list[str]) -> str:
    """`cleaner.clean(html)` with each relative URL replaced by a mark (appended to `urls`)."""
    _marked.urls = urls
    try:
        return cleaner.clean(html)
    finally:
        _marked.urls = None


def _clean_shared(html: str, base: str) -> str | None:
    """`_cleaner(base).clean(html)` without building that cleaner, or None."""
    urls: list[str] = []
    clean = _clean_marked(_SHARED_CLEANER, html, urls)
    if urls and clean.count(_MARK) != len(urls):
        return None  # the article itself contains the mark (as text or as character references)
    return _put_joined(clean, urls, base)


def _put_joined(clean: str, urls: list[str], base: str) -> str | None:
    """`clean` with its marks replaced by their URLs joined with `base`; None if one fails to join."""
    if not urls:
        return clean
    joined = _join(urls, base)
    if joined is None:
        return None
    return _MARKED.sub(lambda mark: joined[int(mark.group(1))], clean)


def _join(urls: list[str], base: str) -> list[str] | None:
    """Each relative URL joined with `base` and escaped as nh3 writes it; None if one fails to join."""
    document = "".join(f'<img src="{htmllib.escape(url)}">' for url in urls)
    values = [img.group(1) for img in _JOINED.finditer(_joiner(base).clean(document))]
    if len(values) != len(urls) or None in values:
        return None  # nh3 drops a URL that does not join, and reorders the other attributes
    return values


@lru_cache(maxsize=8)
def _joiner(base: str) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags={"img"}, clean_content_tags=set(), attributes={"img": {"src"}},
        url_schemes=_CLEANER_OPTIONS["url_schemes"], link_rel=None, url_relative=("rewrite_with_base", base),
    )


# ---------------------------------------------------------------- lazy images

# Lazy-loaded images keep their real URL in a data- attribute. The reference
# route, _unlazy_images, moves it to `src` in an lxml.html tree and writes the
# whole body out again before nh3 reads it: that costs more than sanitising.
# _clean_lazy gets the same bytes without lxml when the body is plainly
# written: it copies each real URL into its <img> tag's `src` in the text
# itself (in place of the placeholder, else last, as lxml does) and lets the
# shared cleaner judge it like any `src`. That equals the reference route only
# where libxml2's round trip of the body changes nothing html5ever (nh3's
# parser) would read otherwise, so _clean_lazy checks that first and answers
# None when it cannot tell.

# The input's plainly written tags (`<name` or `</name`, group 1): plain
# attribute names, values quoted (without `<` or `>`) or plainly unquoted, an
# optional `/`. Both libxml2 and html5ever read these one way, and libxml2
# writes them back so. And the input's comments, when exactly HTML5 comments.
_IN_TAG = re.compile(
    r"""(</?[a-z][a-z0-9]*)(?:[\t\n\f\r ]++[a-zA-Z_:][-a-zA-Z0-9_:.]{0,99}+"""
    r"""(?:=(?:"[^"<>]*+"|'[^'<>]*+'|[^\t\n\f\r "'=<>`]++))?)*+[\t\n\f\r ]*+/?>"""
)
_IN_COMMENT = re.compile(r"<!--[^<>]*-->")
_IN_VOID_SELF_CLOSED = re.compile(r"<(?:area|br|col|hr|img|wbr)(?=[\t\n\f\r />])[^<>]*/>")
_IN_IMG = re.compile(r"<img(?=[\t\n\f\r />])[^<>]*>")
_IN_ATTRIBUTE = re.compile(
    r"""[\t\n\f\r ]++([a-zA-Z_:][-a-zA-Z0-9_:.]*+)(?:=(?:"([^"]*+)"|'([^']*+)'|([^\t\n\f\r >]++)))?"""
)
_IN_REFERENCE = re.compile(r"&(?:#|([0-9A-Za-z]*);?)")  # group 1 is None for a numeric one
_ENTITY_NAMES = frozenset(name.rstrip(";") for name in html5_entities)
_LAZY_SET = frozenset(LAZY_ATTRIBUTES)
_LIBXML2_SAFE_LENGTH = 1_000_000  # libxml2 stops at a text node of 10 MB
# sre scans for these two literals faster than `in` does through text of wide
# characters (2.0 against 3.4 us, 3.7 against 5.8 us on a 5.4k-character
# Chinese body; str.find cannot use memchr for U+0000, nor skip far for `/>`).
_NUL = re.compile("\x00")
_SELF_CLOSING = re.compile("/>")
_VOID = frozenset({"<area", "<br", "<col", "<hr", "<img", "<wbr"})
# (open element, start tag) pairs on which libxml2's HTML parser closes the
# open element (its HTML 4 rules) where html5ever may nest the new one, for
# the tags the sanitiser keeps. Pinned by a test that asks lxml.
_LIBXML2_CLOSES: frozenset[tuple[str, str]] = frozenset(
    (f"<{old}", f"<{new}")
    for old, news in {
        "a": "a table td th", "b": "center p td th", "caption": "col colgroup tbody thead tr",
        "colgroup": "colgroup tbody thead tr", "dd": "dt", "dl": "li", "dt": "dd dl",
        "h1": "li p table", "h2": "li p table", "h3": "li p table", "h4": "li p table",
        "h5": "li p table", "h6": "li p table", "i": "center p td th", "li": "li",
        "p": "blockquote caption center col colgroup dd div dl dt h1 h2 h3 h4 h5 h6 hr li ol p pre table "
             "tbody td th tr ul",
        "pre": "dd dl dt li table ul", "s": "p", "small": "p", "span": "td th", "strike": "p",
        "tbody": "tbody", "td": "tbody td th tr", "th": "tbody td th tr", "thead": "tbody",
        "tr": "tbody tr", "tt": "p", "u": "p td th", "ul": "pre",
    }.items()
    for new in news.split()
)
# The same, by open element: the start tags at which libxml2 closes it.
_CLOSED_AT: dict[str, frozenset[str]] = {
    old: frozenset(new for open_, new in _LIBXML2_CLOSES if open_ == old) for old, _ in _LIBXML2_CLOSES
}
_NOTHING: frozenset[str] = frozenset()
# nh3's output is canonical: every `<` starts a tag, attribute values are
# double-quoted with `"`, `<`, `>`, `&` and no-break spaces escaped.
_OUT_TAG = re.compile(r"</?[a-z][a-z0-9]*")
_OUT_EMPTY_LI = re.compile(r"<li(?: [^<>]*)?></li>")  # libxml2 writes it `<li>`: its end tag is optional
_OUT_URL = re.compile(r' (?:href|src)="([^"]*)"')
# URLs libxml2 writes back as they were (it %-escapes others in href and src):
# printable ASCII but `"`; in nh3's output, also the marks of relative URLs.
_PLAIN_URL = re.compile(r"[!#-~]*")
_PLAIN_OUT_URLS = re.compile(r"(?:[!#-%'-~]++|&(?:amp|lt|gt);|" + re.escape(_MARK) + r"\d+\ue001)*+")


def _clean_lazy(html: str, base: str) -> str | None:
    """`_cleaner(base).clean(_unlazy_images(html))` with no lxml round trip, or None."""
    tags = _plain_tags(html)
    if tags is None:
        return None
    unlazied = _with_real_srcs(html) if "<img" in tags else html
    if unlazied is None:
        return None
    if unlazied is not html:
        urls: list[str] = []
        try:
            clean = _clean_marked(_SHARED_CLEANER, unlazied, urls)
        except UnicodeEncodeError:
            return None  # a lone surrogate: the lxml route reports it where it is in `html`
        if clean.count(_MARK) != len(urls) or not _libxml2_would_keep(tags, clean, urls):
            return None
        joined = _put_joined(clean, urls, base)
        if joined is not None:
            return joined
    # No real URL anywhere (lxml would not have written the body out), or one
    # that does not join: nh3 reads `unlazied` as it would read lxml's text.
    shared = _clean_shared(unlazied, base) if unlazied is html else None
    return shared if shared is not None else _cleaner(base).clean(unlazied)


def _with_real_srcs(html: str) -> str | None:
    """`html` with each <img> tag's first non-blank lazy URL copied as its `src`, as lxml sets it.

    `html` itself if no tag has one; None if a URL cannot be copied exactly
    (it holds a character reference but `&amp;`, or libxml2 would %-escape it).
    """
    parts: list[str] = []
    done = 0
    at = html.find("<img")
    while at >= 0:
        start, end = at, _img_tag_end(html, at)
        at = html.find("<img", at + 4)
        if end < 0:
            continue  # `<imgx` (another tag), or no `>` before the next `<`
        tag = html[start:end]
        if "DATA-" not in tag.upper():
            continue  # an <img> with no lazy attribute
        src: re.Match[str] | None = None
        written: dict[str, str] = {}
        for attribute in _IN_ATTRIBUTE.finditer(tag):
            name = attribute.group(1).lower()  # ASCII: a plainly written name
            if name == "src" and src is None:
                src = attribute
            elif name in _LAZY_SET and name not in written:
                written[name] = attribute.group(2) or attribute.group(3) or attribute.group(4) or ""
        for name in LAZY_ATTRIBUTES:
            real = written.get(name, "").strip()
            if real:
                break
        else:
            continue  # nh3 drops the lazy attributes, as lxml did
        value = _plainly_decoded(real)
        if value is None or _PLAIN_URL.fullmatch(value) is None:
            return None
        if src is None:  # last, as lxml adds it (a `/` before `>` may end an unquoted value: kept)
            tag = f'{tag[:-1]} src="{real}">'
        else:  # in place of the placeholder
            tag = f'{tag[: src.start(1)]}src="{real}"{tag[src.end() :]}'
        parts += html[done:start], tag
        done = end
    if not parts:
        return html
    parts.append(html[done:])
    return "".join(parts)


_AFTER_IMG = frozenset("\t\n\f\r />")


def _img_tag_end(html: str, at: int) -> int:
    """Where `_IN_IMG.match(html, at)` ends (-1 if it does not match), `at` being a `<img`.

    str.find runs through the tag's text several times faster than the
    regex's `[^<>]*` (sre tests each character against the class).
    """
    if html[at + 4 : at + 5] not in _AFTER_IMG:
        return -1
    close = html.find(">", at + 4)
    if close < 0 or html.find("<", at + 4, close) >= 0:
        return -1
    return close + 1


def _plainly_decoded(written: str) -> str | None:
    """An attribute value as HTML5 decodes it, if its only character reference is `&amp;`, else None.

    Any other `&` must be one no character reference starts with (`&w=300`).
    """
    if "&" not in written:
        return written
    for reference in _IN_REFERENCE.finditer(written):
        name = reference.group(1)
        if reference.group() == "&amp;":
            continue
        if name is None or any(name[:end] in _ENTITY_NAMES for end in range(1, len(name) + 1)):
            return None
    return written.replace("&amp;", "&")


def _plain_tags(html: str) -> list[str] | None:
    """The input's tags (`<p`, `</p`...) if every `<` starts a plainly written tag or comment, else None.

    Also None for what libxml2 would read otherwise or refuse: a NUL, a
    non-void tag closed by `/>`, a body too long for it, leading text
    with character references, control characters or only white space and
    a no-break space (lxml drops white space before the first tag).
    """
    if len(html) > _LIBXML2_SAFE_LENGTH or _NUL.search(html):
        return None
    tags = _IN_TAG.findall(html)
    starts = html.count("<")
    if starts != len(tags) and starts != len(tags) + len(_IN_COMMENT.findall(html)):
        return None
    if _SELF_CLOSING.search(html) and html.count("/>") != len(_IN_VOID_SELF_CLOSED.findall(html)):
        return None
    leading = html[: html.find("<")]
    if leading and ("&" in leading or XML_FORBIDDEN.search(leading) or ("\xa0" in leading and not leading.strip())):
        return None
    return tags


def _libxml2_would_keep(tags: list[str], clean: str, urls: list[str]) -> bool:
    """True if lxml.html would write the body back as html5ever reads it (`tags` its tags, `clean` nh3's reading).

    libxml2 (2.14) tokenizes as HTML5 does but builds its tree by the HTML 4
    rules and writes some things its own way. So: the tags nh3 kept must be
    `tags`, in order (html5ever implied, moved or dropped none); none closes
    its parent in libxml2 (_LIBXML2_CLOSES); no empty <li> (written without
    its end tag), no `&#13;` (written raw, read back as a newline), and every
    URL one libxml2 writes back unchanged.
    """
    if tags != _OUT_TAG.findall(clean):
        return False
    closing = _NOTHING  # the start tags at which libxml2 closes the innermost open element
    outer: list[frozenset[str]] = []  # the same for each element around it; nh3 wrote them well nested
    for token in tags:
        if token[1] == "/":
            closing = outer.pop()
        elif token in closing:
            return False
        elif token not in _VOID:
            outer.append(closing)
            closing = _CLOSED_AT.get(token, _NOTHING)
    if "<li" in tags and _OUT_EMPTY_LI.search(clean) is not None:
        return False
    return (
        "\r" not in clean
        and _PLAIN_OUT_URLS.fullmatch("".join(_OUT_URL.findall(clean))) is not None
        and _PLAIN_URL.fullmatch("".join(urls)) is not None
    )


# lxml.html's own parser with plain elements: the same tree without HtmlElement proxies.
_TREE_PARSER = lxml.etree.HTMLParser()


def _unlazy_images(html: str) -> str:
    """Give lazy-loaded images their real `src` (replacing the placeholder)."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div", parser=_TREE_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return html  # nothing parseable (or control characters): leave it to nh3
    changed = False
    for img in root.iter("img"):
        for attr in LAZY_ATTRIBUTES:
            real = (img.get(attr) or "").strip()
            if real:
                img.set("src", real)
                changed = True
                break
        for attr in LAZY_ATTRIBUTES:
            img.attrib.pop(attr, None)
    if not changed:
        return html
    text = lxml.html.tostring(root, encoding="unicode")
    return text[len("<div>") : -len("</div>")]


# ---------------------------------------------------------------- summary

MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
# nh3 output is normalised: attribute values are double-quoted with `"`, `<`
# and `>` escaped, and text has `<` escaped, so these patterns are exact on it.
# (So a tag is `<[^>]*>`: sre runs through `[^>]` several times faster than
# through `[^<>]`, which it tests character by character against the class.)
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(
    r"<br>|</(?:p|div|li|dt|dd|h[1-6]|blockquote|pre|tr|td|th|table|ul|ol|dl|figure|figcaption|section|article|header|footer|aside|details|summary|hr)>|<hr>"
)
_IMG = re.compile(r"<img\b([^>]*)>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
_PARTIAL_ENTITY = re.compile(r"&[#0-9A-Za-z]*\Z")
ELLIPSIS = "…"


def text_of(fragment: str) -> str:
    """The visible text of a sanitised fragment, whitespace collapsed."""
    text = _TAG.sub("", _BLOCK_END.sub(" ", fragment))
    return " ".join(htmllib.unescape(text).split())  # str.split's whitespace is regex \s, and faster


def _is_cjk(char: str) -> bool:
    """Scripts written without spaces: any two of their characters may be split."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions B and later
    )


def _joins_previous(char: str) -> bool:
    """True for a character that belongs to the one before it on screen."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF  # ideographic variation selectors (葛󠄀)
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin tones
        or code == 0x200D  # zero-width joiner
    )


def cut(text: str, limit: int) -> str:
    """At most `limit` characters of `text` + an ellipsis if anything was cut.

    Never splits a word of a spaced script (backs up to a space; a single word
    longer than the limit is cut hard), nor a character from the marks,
    variation selectors or joiners that display with it (a first character
    longer than the limit is kept whole). CJK text has no spaces, so it may
    be cut between any two characters. Python strings hold code points, so a
    character outside the BMP (𠮷) is never split into surrogate halves.
    """
    if len(text) <= limit:
        return text
    end = limit
    while end > 0 and _inside_character(text, end):
        end -= 1
    if end == 0:  # the first character alone is longer than the limit: keep it whole
        end = 1
        while end < len(text) and _inside_character(text, end):
            end += 1
        if end == len(text):
            return text  # one character (with its marks) and nothing else: nothing to cut
    hard = end
    while end > 0 and not _break_allowed(text, end):
        end -= 1
    if end == 0:
        end = hard
    head = text[:end].rstrip(" \t，、,;；:：—-")
    return head + ELLIPSIS if head else ""


def _inside_character(text: str, index: int) -> bool:
    return _joins_previous(text[index]) or text[index - 1] == "\u200d"


def _break_allowed(text: str, index: int) -> bool:
    before, after = text[index - 1], text[index]
    return before.isspace() or after.isspace() or _is_cjk(before) or _is_cjk(after)


def text_summary(content: str, limit: int) -> str | None:
    """The start of the article's text as an escaped fragment, or None."""
    if limit <= 0:
        return None
    text = _leading_text(content, limit)
    if not text:
        return None
    return htmllib.escape(cut(text, limit), quote=False) or None


def _leading_text(content: str, limit: int) -> str:
    """The text of the start of `content`, for `cut(text, limit)`: more than `limit` characters, or all of it.

    Only the start of the content is needed: the window widens until it holds
    more than `limit` characters of text (or is the whole content). The text
    of a window is the start of the text of a wider one, and `cut` reads the
    first `limit + 1` characters of a longer text only, so any window giving
    that many gives the same summary. Except when the text's first character
    (with its marks and joiners) runs past them: then `cut` keeps what it was
    given, and that case reads the window it always read. A first window of
    2 * limit + 200 characters (two per character of text, and room for a
    leading image) holds enough text for most articles, at two thirds of the
    cost of the 3 * limit + 256 one.
    """
    first = 2 * limit + 200
    text = text_of(_head(content, first))
    if first >= len(content) or (len(text) > limit and not _inside_character(text, limit)):
        return text
    window = limit * 3 + 256
    while True:
        text = text_of(_head(content, window))
        if len(text) > limit or window >= len(content):
            return text
        window *= 4


def _head(fragment: str, size: int) -> str:
    """The first `size` characters of a fragment, minus a tag or entity cut in half."""
    if size >= len(fragment):
        return fragment
    head = fragment[:size]
    open_tag = head.rfind("<")
    if open_tag > head.rfind(">"):
        head = head[:open_tag]
    return _PARTIAL_ENTITY.sub("", head)


def more_summary(rendered: str, base: str) -> str | None:
    """The sanitised HTML before `<!-- more -->`, or None if there is no marker."""
    marker = MORE.search(rendered) if "<!--" in rendered else None  # find is quicker than the regex
    if marker is None:
        return None
    before = sanitise(rendered[: marker.start()], base)
    return before if text_of(before) or "<img" in before else None


def plain_summary(text: str) -> str:
    """A front matter description: plain text, so it is escaped, never parsed."""
    return htmllib.escape(text.strip(), quote=False)


def first_image(content: str) -> str | None:
    """The `src` of the first image of a sanitised fragment, as a URI."""
    for tag in _IMG.finditer(content):
        src = _SRC.search(tag.group(1))
        if src and src.group(1):
            return to_uri(htmllib.unescape(src.group(1)))
    return None


# ---------------------------------------------------------------- together

# An Article's fields in order, read in one C call: the completed article is
# built with the constructor, at half the cost of dataclasses.replace (which
# goes through every field's Field object and passes them all by keyword).
_FIELDS = tuple(field.name for field in fields(Article))
_ALL_FIELDS = operator.attrgetter(*_FIELDS)
_CONTENT, _SUMMARY, _IMAGE = (_FIELDS.index(name) for name in ("content", "summary", "image"))


def complete(article: Article, body: str, config: Config) -> Article:
    """The article with `content`, and `summary`/`image` if front matter had none.

    Raises ArticleError if the body cannot be rendered at all (the sanitiser
    refusing the article's link as a base, say, or HTML that would keep the
    sanitiser for hours), never anything else.
    """
    rendered = render(body, article.body_format)
    refused = refusal(rendered)
    if refused is not None:
        raise ArticleError(article.source, refused)
    try:
        content = sanitise(rendered, article.link)
        summary = article.summary
        if summary is None:
            summary = more_summary(rendered, article.link) or text_summary(content, config.summary_length)
    except ValueError as exc:
        raise ArticleError(article.source, f"the body cannot be made safe for feed readers ({exc}); "
                           "check the article's link and the URLs in its body") from None
    image = article.image if article.image is not None else first_image(content)
    values = list(_ALL_FIELDS(article))
    values[_CONTENT], values[_SUMMARY], values[_IMAGE] = content, summary, image
    return Article(*values)
