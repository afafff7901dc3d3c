"""Checks of HTML carried in feeds: what readers will strip, and markup where text was promised.

Feed readers sanitise entry HTML with allow-lists: scripts, frames, plugins,
event handlers and most CSS are dropped, and relative URLs cannot be resolved
in an RSS item. `check_html` reports what a reader would silently lose, as
warnings (the W3C service's SecurityRisk family and ContainsRelRef). It runs
on every html content string `feeds generate` writes, so it is a regex scan,
not a parse, and its results are memoised per distinct string.
"""

from __future__ import annotations

import re
from html import unescape
from html.entities import name2codepoint
from itertools import filterfalse
from typing import Final

from feeds.validate.common import Problem

# Every element name of HTML (current and obsolete): anything else is "not HTML".
HTML_TAGS: Final = frozenset("""
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink
blockquote body br button canvas caption center cite code col colgroup command comment data datalist
dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins isindex kbd keygen label
legend li link listing main map mark marquee menu menuitem meta meter multicol nav nextid nobr noembed
noframes noscript object ol optgroup option output p param picture plaintext pre progress q rb rp rt
rtc ruby s samp script search section select slot small source spacer span strike strong style sub
summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr
xmp
""".split())

# Elements readers pass through: everything that cannot run code, load a
# plugin, restyle the reader's page or replace the document around it.
SAFE_TAGS: Final = HTML_TAGS - frozenset("""
applet base basefont bgsound blink body comment embed frame frameset head html iframe isindex link
listing marquee meta noembed noframes object param plaintext script slot style title xmp
""".split())

# Attributes readers pass through; every on* event handler is absent on purpose.
SAFE_ATTRIBUTES: Final = frozenset("""
abbr accept accept-charset accesskey action align alink allow allowfullscreen alt autocomplete
autoplay axis background balance bgcolor bgproperties border bordercolor bordercolordark
bordercolorlight bottompadding cellpadding cellspacing ch challenge char charoff charset checked choff
cite class clear color cols colspan compact contenteditable controls coords crossorigin data datafld
datapagesize datasrc datetime decoding default delay dir dirname disabled download draggable dynsrc
enctype end face for form formenctype frame galleryimg gutter headers height hidden hidefocus high
href hreflang hspace icon id inputmode ismap itemid itemprop itemref itemscope itemtype keytype kind
label lang leftspacing list loading longdesc loop loopcount loopend loopstart low lowsrc max maxlength
media method min minlength multiple muted name nohref noshade nowrap open optimum pattern ping
placeholder playsinline point-size poster preload prompt pqg radiogroup readonly referrerpolicy rel
repeat-max repeat-min replace required rev reversed rightspacing rows rowspan rules scope selected
shape size sizes span spellcheck src srclang srcset start step summary suppress tabindex target
title toppadding translate type unselectable usemap urn valign value variable volume vspace vrml
width wrap xml:lang xmlns
""".split())

SAFE_CSS_PROPERTIES: Final = frozenset("""
azimuth background background-color border border-bottom border-bottom-color border-bottom-style
border-bottom-width border-collapse border-color border-left border-left-color border-left-style
border-left-width border-right border-right-color border-right-style border-right-width
border-spacing border-style border-top border-top-color border-top-style border-top-width
border-width clear color cursor direction display elevation float font font-family font-size
font-style font-variant font-weight height letter-spacing line-height list-style-type margin
margin-bottom margin-left margin-right margin-top overflow padding padding-bottom padding-left
padding-right padding-top pause pause-after pause-before pitch pitch-range richness speak
speak-header speak-numeral speak-punctuation speech-rate stress text-align text-decoration
text-indent unicode-bidi vertical-align voice-family volume white-space width
""".split())

# Keywords seen in harmless box shorthands (background, border, margin, padding).
_SAFE_CSS_KEYWORDS: Final = frozenset("""
aqua auto black block blue bold both bottom brown center collapse dashed dotted fuchsia gray green
!important italic left lime maroon medium none navy normal nowrap olive pointer purple red right solid
silver teal top transparent underline white yellow
""".split())
_SAFE_CSS_VALUE: Final = re.compile(
    r"(?:#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d?\.?\d?\d(?:cm|em|ex|in|mm|pc|pt|px|%|,|\))?)\Z"
)
_CSS_CHARS: Final = re.compile(r"""(?:[:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*\Z""")
_CSS_DECLARATIONS: Final = re.compile(r"(?:\s*[-\w]+\s*:\s*[^:;]*(?:;|\Z))*\Z")
_CSS_DECLARATION: Final = re.compile(r"([-\w]+)\s*:\s*([^:;]*)")

# Elements allowed inside type="xhtml" content from MathML and SVG Tiny.
MATHML_TAGS: Final = frozenset("""
annotation annotation-xml maction math merror mfrac mi mmultiscripts mn mo mover mpadded mphantom
mprescripts mroot mrow mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr munder munderover
none semantics
""".split())
SVG_TAGS: Final = frozenset("""
a animate animateColor animateMotion animateTransform circle defs desc ellipse font-face font-face-name
font-face-src g glyph hkern line linearGradient marker metadata missing-glyph mpath path polygon
polyline radialGradient rect set stop svg switch text title tspan use
""".split())


def check_style(style: str) -> list[str]:
    """The parts of a style attribute a reader would strip (empty when all is safe)."""
    if not _CSS_CHARS.match(style) or not _CSS_DECLARATIONS.match(style):
        return [style]
    unsafe: list[str] = []
    for prop, value in _CSS_DECLARATION.findall(style.lower()):
        if prop not in SAFE_CSS_PROPERTIES:
            if prop not in unsafe:
                unsafe.append(prop)
        elif prop.split("-")[0] in ("background", "border", "margin", "padding"):
            for keyword in value.split():
                if keyword not in _SAFE_CSS_KEYWORDS and not _SAFE_CSS_VALUE.match(keyword):
                    if keyword not in unsafe:
                        unsafe.append(keyword)
    return unsafe


# ---------------------------------------------------------------- escaped HTML

# One pass finds every '<' that matters: a start tag (name, then its attributes, as a
# whole), a processing instruction ('<?'), or a '<' that opens nothing (the empty match).
# End tags and comments ('</', '<!') match nothing. It runs on UTF-8 bytes: the
# pattern is ASCII, so it matches there exactly what it matches in the text.
# The start tag is matched atomically: giving characters back could never end it
# sooner (each run stops at the '>' or quote that must come next), so the engine
# need not keep the state to try (tests/test_validate_values.py pins this).
_MARKUP: Final = re.compile(rb"""<(?![/!])(?:(?>[A-Za-z][^>"']*+(?:(?:"[^"]*+"|'[^']*+')[^>"']*+)*+)>|\?|)""")
# The start tags that are safe as they stand, with no attribute: `_check_tag` finds nothing in them
# whatever is asked, so the scan passes over them in the regex engine (most tags in a body are these).
# The most common come first: the engine tries the names in this order.
_BARE_SAFE_TAGS: Final = (
    "p", "span", "div", "strong", "a", "em", "b", "br", "li", "i", "u", "s", "hr", "ul", "ol", "h1", "h2", "h3",
    "h4", "h5", "h6", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "td", "th", "figure",
    "figcaption", "sup", "sub", "small",
)
# `_MARKUP` less those bare tags: its matches are exactly `_MARKUP`'s others (tests/test_validate_values.py).
_MARKUP_TO_CHECK: Final = re.compile(
    rb"""<(?![/!]|(?:%s)>)(?:(?>[A-Za-z][^>"']*+(?:(?:"[^"]*+"|'[^']*+')[^>"']*+)*+)>|\?|)"""
    % "|".join(_BARE_SAFE_TAGS).encode()
)
# A start tag's name: the longest run of name characters (what follows may not be one, or '>').
_TAG_NAME: Final = re.compile(rb"[A-Za-z0-9:_\-]+")
# An attribute: its name, then (when it has a value) the '=' part and the value, in double quotes,
# single quotes or bare (findall gives "" for the quotes not used; the '=' part tells "" from no value).
_ATTRIBUTE: Final = re.compile(r"""([^\s=/>"']+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_SCHEME_PREFIX: Final = re.compile(r"\w+:")
_URI_CHAR: Final = re.compile(r"[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,#]")
_CACHE_LIMIT: Final = 8192  # distinct start tags per kind of check
_MEMO_LIMIT: Final = 1 << 15  # distinct HTML strings; each entry costs ~100 bytes
_cache: dict[tuple[int, int, bool, bool], tuple[Problem, ...]] = {}
_utf8_cache: dict[tuple[int, int, bool, bool], tuple[Problem, ...]] = {}
_DOCUMENT_TAGS: Final = frozenset({"html", "head", "body", "title"})
_UNTERMINATED: Final = re.compile(r"<[A-Za-z][^<>]*(?:<|\Z)")


def check_html(value: str, *, relative_refs: bool, document: bool = False) -> tuple[Problem, ...]:
    """What readers would strip from HTML, and (if asked) its relative links.

    `document` is for whole HTML documents (a text/html body), where html,
    head and body are expected. Memoised: feeds share entries, so the same
    content string is seen many times. The memo is keyed by the string's
    length and hash rather than the string, to keep memory small; two
    different contents colliding on both is a 1 in 2**64 chance. Least
    recently used strings are forgotten first: a site's feeds repeat an entry
    in feeds written far apart.
    """
    if "<" not in value:
        return ()
    key = (len(value), hash(value), relative_refs, document)  # not the string: entries are large
    found = _cache.pop(key, None)
    if found is None:
        found = _scan_html(value.encode("utf-8", "surrogatepass"), relative_refs, document)
        if len(_cache) >= _MEMO_LIMIT:
            del _cache[next(iter(_cache))]  # dicts keep insertion order
    _cache[key] = found
    return found


def check_html_utf8(text: bytes, *, relative_refs: bool, document: bool = False) -> tuple[Problem, ...]:
    """`check_html` for HTML given as UTF-8 bytes (as lxml holds an element's text: no decoding).

    An entry's HTML is the same text in the Atom and the RSS feeds, escaped
    differently: keyed by the text itself, the second feed finds it in the memo.
    """
    if b"<" not in text:
        return ()
    key = (len(text), hash(text), relative_refs, document)
    found = _utf8_cache.pop(key, None)
    if found is None:
        found = _scan_html(text, relative_refs, document)
        if len(_utf8_cache) >= _MEMO_LIMIT:
            del _utf8_cache[next(iter(_utf8_cache))]
    _utf8_cache[key] = found
    return found


def _scan_html(text: bytes, relative_refs: bool, document: bool) -> tuple[Problem, ...]:
    """The problems in HTML given as UTF-8; only the rare parts with a finding are decoded."""
    if b"<" not in text:
        return ()
    clean = _clean_tags.setdefault((relative_refs, document), set())
    problems: list[Problem] = []
    processing = stray = False
    cache = _tag_caches.setdefault((relative_refs, document), {})
    # Start tags seen before without a problem are passed over in C; problems keep their order.
    for tag in filterfalse(clean.__contains__, _MARKUP_TO_CHECK.findall(text)):
        if len(tag) < 3:  # a start tag is at least '<', a letter and '>'
            if len(tag) == 2:  # '<?'
                processing = True
            else:
                stray = True
            continue
        name_end = _TAG_NAME.match(tag, 1).end()  # type: ignore[union-attr]  # a letter follows '<'
        blob = tag[name_end:-1]
        if b"<" in blob:  # markup inside the attribute list (rare): counted as if it stood alone
            processing = processing or b"<?" in blob
            stray = stray or blob.count(b"<") > blob.count(b"</") + blob.count(b"<!") + blob.count(b"<?")
        found = cache.get(tag)
        if found is None:
            found = _check_tag(tag[1:name_end].decode("ascii"), blob.decode("utf-8", "surrogatepass"),
                               relative_refs, document)
            if found or b"<" in blob:  # a clean tag is remembered in `clean` alone: it never gets this far again
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[tag] = found
            else:
                if len(clean) >= _CACHE_LIMIT:
                    clean.clear()
                clean.add(tag)
        if found:
            problems.extend(found)
    if not processing and not stray:
        return tuple(problems)
    value = text.decode("utf-8", "surrogatepass")
    if processing:
        first: list[Problem] = [("SecurityRisk", {"value": "?import"})] if "<?import" in value.lower() else []
        problems[:0] = [*first, ("NotHtml", {"value": "<?"})]
    # Every '<' that opens neither a tag, an end tag, a comment nor a PI is
    # markup a reader's HTML parser will choke on (a tag cut short, say).
    if stray:
        broken = _UNTERMINATED.search(value)
        if broken:
            problems.append(("NotHtml", {"value": broken.group().rstrip("<")[:40]}))
    return tuple(problems)


_tag_caches: dict[tuple[bool, bool], dict[bytes, tuple[Problem, ...]]] = {}  # by the whole start tag, if not clean
_clean_tags: dict[tuple[bool, bool], set[bytes]] = {}  # the start tags without a problem


def _check_tag(name: str, blob: str, relative_refs: bool, document: bool) -> tuple[Problem, ...]:
    """What a reader strips from one start tag (memoised: the same tags recur everywhere)."""
    tag = name.lower()
    if tag not in HTML_TAGS:
        return (("NotHtml", {"value": name}),)
    if document and tag in _DOCUMENT_TAGS:
        return ()
    if tag not in SAFE_TAGS:
        return (("SecurityRisk", {"value": tag}),)
    if not blob or blob.isspace() or blob.strip() == "/":
        return ()
    problems: list[Problem] = []
    for written, assigned, double_quoted, single_quoted, bare in _ATTRIBUTE.findall(blob):
        attr = written.lower()
        if attr == "style":
            for evil in check_style(unescape(double_quoted or single_quoted or bare)):
                problems.append(("DangerousStyleAttr", {"value": evil}))
        elif attr not in SAFE_ATTRIBUTES and not attr.startswith("data-"):
            problems.append(("SecurityRiskAttr", {"value": attr}))
        elif relative_refs and assigned and ((tag == "a" and attr == "href") or (tag == "img" and attr == "src")):
            raw = double_quoted or single_quoted or bare
            # A value starting with a scheme keeps it through unescape() and strip(): the usual case, at once.
            problem = None if _SCHEME_PREFIX.match(raw) else _relative_ref(unescape(raw).strip())
            if problem:
                problems.append(problem)
    return tuple(problems)


def _relative_ref(ref: str) -> Problem | None:
    if _SCHEME_PREFIX.match(ref):
        return None
    for char in ref:
        if char < "\x80" and not _URI_CHAR.match(char):
            return "InvalidUriChar", {"value": ref, "char": repr(char)}
    return "ContainsRelRef", {"value": ref}


# ---------------------------------------------------------------- markup in text

_END_TAG: Final = re.compile(r"</(\w+)>")
_ENTITY: Final = re.compile(r"&(#?\w+)")
_CHAR_DATA: Final = re.compile(r"&#[x0-9]|<[/a-zA-Z]")


def markup_in_text(value: str) -> str | None:
    """The first HTML end tag or entity reference in decoded plain text, else None.

    Plain text that still contains '</p>' or '&amp;' after XML decoding was
    escaped twice, or is HTML in disguise; readers disagree on showing it.
    """
    if "<" in value:
        for tag in _END_TAG.findall(value):
            if tag.lower() in HTML_TAGS:
                return f"</{tag}>"
    if "&" in value:
        for ref in _ENTITY.findall(value):
            if ref in name2codepoint or ref == "apos" or not ref.isalpha():
                return f"&{ref};"
    return None


def looks_like_markup(value: str) -> bool:
    """RSS 2.0 profile: text with '<' + letter or a numeric character reference."""
    return ("<" in value or "&" in value) and _CHAR_DATA.search(value) is not None
