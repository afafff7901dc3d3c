"""An article body to what feed readers get: sanitised HTML, a summary, an image.

`complete` is pure and only runs for articles that reach a feed, so the body of
an article that no feed shows is never rendered. Per body it costs one nh3
pass (Rust, ammonia) with a cleaner shared by all articles, plus one lxml
pass only when the text shows lazy-loaded images; relative URLs are resolved
by nh3 itself against the article's link (in a second, tiny nh3 pass).

The sanitiser runs last, after every rewrite, so nothing it removes can come
back: no script/style/iframe/object/embed/form, no event handlers or style
attributes, only http/https/mailto URLs (no `javascript:`, no `data:`).
"""

from __future__ import annotations

import html as htmllib
import re
import secrets
import threading
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Any

import lxml.etree
import lxml.html
import nh3

from feeds.config import Config
from feeds.errors import ArticleError
from feeds.frontmatter import XML_FORBIDDEN
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
    if "data-" in html and any(attr in html for attr in LAZY_ATTRIBUTES):
        html = _unlazy_images(html)
    clean = _clean_shared(html, base)
    if clean is None:
        clean = _cleaner(base).clean(html)
    # nh3 keeps control characters (and decodes `&#1;` to one); XML forbids them.
    return XML_FORBIDDEN.sub("", clean).strip()


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


def _clean_shared(html: str, base: str) -> str | None:
    """`_cleaner(base).clean(html)` without building that cleaner, or None."""
    _marked.urls = urls = []
    try:
        clean = _SHARED_CLEANER.clean(html)
    finally:
        _marked.urls = None
    if clean.count(_MARK) != len(urls):
        return None  # the article itself contains the mark (as text or as character references)
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
_TAG = re.compile(r"<[^<>]*>")
_BLOCK_END = re.compile(
    r"<br>|</(?:p|div|li|dt|dd|h[1-6]|blockquote|pre|tr|td|th|table|ul|ol|dl|figure|figcaption|section|article|header|footer|aside|details|summary|hr)>|<hr>"
)
_IMG = re.compile(r"<img\b([^<>]*)>")
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
    # Only the start of the content is needed: widen the window until it holds
    # more than `limit` characters of text (or is the whole content).
    window = limit * 3 + 256
    while True:
        text = text_of(_head(content, window))
        if len(text) > limit or window >= len(content):
            break
        window *= 4
    if not text:
        return None
    return htmllib.escape(cut(text, limit), quote=False) or None


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


def complete(article: Article, body: str, config: Config) -> Article:
    """The article with `content`, and `summary`/`image` if front matter had none.

    Raises ArticleError if the body cannot be rendered at all (the sanitiser
    refusing the article's link as a base, say), never anything else.
    """
    rendered = render(body, article.body_format)
    try:
        content = sanitise(rendered, article.link)
        summary = article.summary
        if summary is None:
            summary = more_summary(rendered, article.link) or text_summary(content, config.summary_length)
    except ValueError as exc:
        raise ArticleError(article.source, f"the body cannot be made safe for feed readers ({exc}); "
                           "check the article's link and the URLs in its body") from None
    image = article.image if article.image is not None else first_image(content)
    return replace(article, content=content, summary=summary, image=image)
