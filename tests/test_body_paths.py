"""sanitise gives exactly what the straightforward route gives, by cheaper ones.

The straightforward route, rebuilt here as the reference: lazy images fixed
with lxml.html (the real URL set as `src`, the whole body written out again),
then nh3.Cleaner(url_relative=("rewrite_with_base", link)). sanitise instead
shares one nh3 cleaner between all articles and lets nh3 join the relative
URLs it marked in a second, tiny pass (building a cleaner per link cost more
than cleaning the body), and copies lazy images' real URLs into their tags'
text when the body is written plainly enough that libxml2's round trip would
change nothing else. Inputs are generated from the pieces that make the
routes diverge if anything is off: every kind of relative URL, URLs that do
not join, data:/javascript: URLs, lazy images, entities, broken markup,
markup libxml2 builds otherwise than HTML5 (html5ever), non-ASCII links.
"""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor

import lxml.etree
import lxml.html
import nh3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import body
from feeds.body import LAZY_ATTRIBUTES, XML_FORBIDDEN, sanitise


def _reference_unlazy(html: str) -> str:
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return html
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
    return lxml.html.tostring(root, encoding="unicode")[len("<div>") : -len("</div>")]


def reference(html: str, base: str) -> str:
    if "data-" in html and any(attr in html for attr in LAZY_ATTRIBUTES):
        html = _reference_unlazy(html)
    cleaner = nh3.Cleaner(url_relative=("rewrite_with_base", base), **body._CLEANER_OPTIONS)
    return XML_FORBIDDEN.sub("", cleaner.clean(html)).strip()


URLS = [
    "https://img.example.com/a.png", "/img/a.png", "img/b c.png", "../up/../x.png", "//cdn.example.com/p.png",
    "?q=1&amp;r=2", "#frag", "", " /padded.png ", "data:image/gif;base64,R0lGOD", "DATA:x", "javascript:alert(1)",
    "mailto:a@example.com", "http://[bad", "//[bad", "//a:99999/x", "https://x.com/&quot;q", "&#x80;", "a&nbsp;b",
    "图片/一.png", "http://例子.com/图.png", "\tdata:x", "\\\\host\\share", "%zz", "?", "..", body._MARK + "0\ue001",
]
BASES = [
    "https://example.com/2022/06/17/post/", "http://example.com/blog/a.html?x=1#f", "https://例子.com/路径/",
    "https://example.com/sub/dir/page", "https://user@example.com:8443/a/b/",
]


def _quoted(url: str, quote: str) -> str:
    if quote == "" and (not url or any(c in url for c in " '\"=<>`\t&")):
        quote = '"'
    if quote in url:
        quote = "'" if quote == '"' else '"'
    return f"{quote}{url}{quote}"


url_value = st.builds(_quoted, st.sampled_from(URLS), st.sampled_from(['"', "'", ""]))
other_attribute = st.sampled_from(['alt="a"', 'title="t"', 'width="3"', 'class="lazy"', 'style="x"', 'onclick="y"', "ALT=z"])
img = st.builds(
    lambda attrs, end: "<img " + " ".join(attrs) + end,
    st.lists(st.one_of(st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["src", "SRC", *LAZY_ATTRIBUTES]), url_value),
                       other_attribute), max_size=5),
    st.sampled_from([">", "/>", " >"]),
)
link = st.builds(lambda v, t: f'<a href={v} title="t">{t}</a>', url_value, st.sampled_from(["x", "", "中文"]))
text = st.sampled_from(["hello", "中文", "AT&amp;T", "x &lt; y", "&nbsp;", "a\nb", "&#1;", "\x01", "“q”", "<!-- c -->",
                        "<!-- more -->", "<br>", "</p>", "<p/>", "<b>", "</div>"])
markup = st.recursive(
    st.one_of(text, img, link),
    lambda inner: st.builds(
        lambda tag, children, closed: f"<{tag}>{''.join(children)}" + (f"</{tag}>" if closed else ""),
        st.sampled_from(["p", "div", "span", "li", "table", "td", "script", "noscript", "svg", "textarea", "pre", "figure"]),
        st.lists(inner, max_size=3),
        st.booleans(),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(markup, min_size=1, max_size=5).map("".join), st.sampled_from(BASES))
def test_sanitise_is_the_cleaner_built_for_the_link(html: str, base: str) -> None:
    assert sanitise(html, base) == reference(html, base)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("base", BASES)
def test_every_kind_of_url_in_links_and_images(url: str, base: str) -> None:
    html = f'<p><a href="{url}">a</a><img src="{url}" alt="x"><img data-src="{url}" src="data:x" alt="y"></p>'
    assert sanitise(html, base) == reference(html, base)


@pytest.mark.parametrize("mark", [body._MARK + "0\ue001", "&#xe000;" + body._MARK[1:] + "0&#xe001;"])
def test_a_mark_written_in_the_article_stays_text(mark: str) -> None:
    html = f'<p>{mark}</p><a href="rel/{mark}">x</a><a href="/other">y</a><img title="{mark}" src="a.png">'
    assert sanitise(html, BASES[0]) == reference(html, BASES[0])


def test_threads_do_not_mix_their_urls() -> None:
    docs = [(f'<p><a href="/{i}/a">a</a>' * (1 + i % 5) + f'<img src="img-{i}.png"></p>', BASES[i % len(BASES)])
            for i in range(300)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda doc: sanitise(*doc), docs))
    assert results == [reference(*doc) for doc in docs]


# ---------------------------------------------------------------- lazy images without lxml

LAZY_URLS = [
    *URLS, "https://img.example.com/a.png?w=300&h=200", "https://img.example.com/a.png?w=300&amp;h=200",
    "https://img.example.com/a.png?x=1&copy=2", "https://img.example.com/&#47;a.png", "  https://img.example.com/pad.png  ",
    "https://img.example.com/a b.png", "https://img.example.com/'q'.png", "HTTPS://IMG.EXAMPLE.COM/A.PNG", "&nbsp;", "&#32;",
]
PLACEHOLDERS = ["data:image/gif;base64,R0lGODlhAQABAAAAACw=", "/static/blank.gif", "https://img.example.com/blank.gif", "javascript:x", ""]
plain_value = st.sampled_from(["x", "", "a b", "中文", "AT&amp;T", "a&b", "=", "`", "&#1;", "&nbsp;", "x/", "a\nb"])


def _attribute(name: str, value: str, style: int) -> str:
    if style == 0 and '"' not in value:
        return f'{name}="{value}"'
    if style == 1 and "'" not in value:
        return f"{name}='{value}'"
    if style == 2 and value and not any(c in value for c in " \t\n\"'=<>`"):
        return f"{name}={value}"
    return f'{name}="{value.replace(chr(34), "&quot;")}"'


attribute_style = st.integers(0, 3)
lazy_attribute = st.builds(_attribute, st.sampled_from([*LAZY_ATTRIBUTES, "DATA-SRC", "data-lazy"]), st.sampled_from(LAZY_URLS), attribute_style)
placeholder = st.builds(_attribute, st.sampled_from(["src", "SRC"]), st.sampled_from(PLACEHOLDERS), attribute_style)
img_attribute = st.builds(_attribute, st.sampled_from(["alt", "title", "width", "height", "align", "class", "onclick", "Alt"]), plain_value, attribute_style)
lazy_img = st.builds(
    lambda attributes, gap, end: "<img" + "".join(gap + a for a in attributes) + end,
    st.lists(st.one_of(lazy_attribute, lazy_attribute, placeholder, img_attribute), min_size=1, max_size=6),
    st.sampled_from([" ", "\n", "  "]),
    st.sampled_from([">", " />", "/>"]),
)
plain_text = st.sampled_from(["正文", "AT&amp;T", "a &lt; b", "x &gt; y", "a > b", "&copy; 2022", "&#8220;q&#8221;", "\n", " ", "&#13;", "\x01",
                              "\xa0", "&nbsp;", "<!-- more -->", "<br>", "<br />", "<hr/>", "<p/>", "<wbr>"])
plainly_written = st.recursive(
    st.one_of(plain_text, lazy_img),
    lambda inner: st.builds(
        lambda tag, attrs, children: f"<{tag}{attrs}>{''.join(children)}</{tag}>",
        st.sampled_from(["p", "div", "span", "a", "strong", "em", "b", "i", "blockquote", "figure", "figcaption", "li", "ul", "h2", "pre", "table", "td"]),
        st.sampled_from(["", ' style="text-indent: 2em;"', ' class="lazy"', ' title="t"', ' href="/x/"', ' href="https://例子.com/图"', " title=x"]),
        st.lists(inner, max_size=3),
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(lazy_img, plainly_written), min_size=1, max_size=4).map("".join), st.sampled_from(BASES))
def test_lazy_images_are_fixed_as_lxml_fixes_them(html: str, base: str) -> None:
    assert sanitise(html, base) == reference(html, base)


AGGREGATOR_BODY = (
    '\n<div>\n<p style="text-align:center"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
    'data-original="https://cors.zfour.workers.dev/?http://images.ofweek.com/Upload/News/2020-11/4/a.png" class="lazy" '
    'referrerpolicy="no-referrer"></p><p style="text-indent: 2em; text-align: left;">正文，<span class="hrefStyle">'
    '<a href="http://cloud.ofweek.com/tag-1124-bf0579.HTM" target="_blank" title="加快">加快</a></span>。'
    "Kubernetes & Prometheus.</p>\n<p><strong>要点</strong></p>\n</div>\n"
)


@pytest.mark.parametrize(
    "html",
    [
        AGGREGATOR_BODY,
        '<p><img data-src="/img/real.jpg" alt="图" width="300" src="data:,"></p><!-- more --><p>x</p>',
        '<p><img alt="x" src="/blank.gif" data-lazy-src="real.jpg?w=300&amp;h=2&amp;q=1" title="t"></p>',
        "<p><img alt=x data-original='https://img.example.com/a.png?w=300&h=200' ALT=y></p>",
        '<p>Markdown<br />\n<img src="/blank.gif" data-original="https://img.example.com/a.png" alt="a" /></p>\n<hr />\n',
        '<ul>\n<li><img data-src="https://img.example.com/1.png"> one</li>\n<li>two</li>\n</ul>',
    ],
)
def test_plainly_written_bodies_skip_the_lxml_round_trip(html: str) -> None:
    fast = body._clean_lazy(html, BASES[0])
    assert fast is not None
    assert XML_FORBIDDEN.sub("", fast).strip() == reference(html, BASES[0])


@pytest.mark.parametrize(
    ("html", "why"),
    [
        ('<b><p>x</p><img data-src="a.png"></b>', "libxml2 closes <b> at <p>, html5ever nests it"),
        ('<p>x<figure><img data-src="a.png"></figure></p>', "html5ever closes <p> at <figure>, libxml2 nests it"),
        ('<ul><li></li><img data-src="a.png"></ul>', "libxml2 writes an empty <li> without its end tag"),
        ('<p/><img data-src="a.png">text</p>', "libxml2 honours `/>` on a non-void tag"),
        ('<p>a&#13;b</p><img data-src="a.png">', "libxml2 writes the CR raw, read back as a newline"),
        ('&nbsp;<img data-src="a.png">', "lxml drops leading white space"),
        ('&#1;x<img data-src="a.png">', "lxml refuses leading text with control characters"),
        ('<p title =x="y">a</p><img data-src="a.png">', "libxml2 writes a name starting with `=` back unquoted"),
        ('<a href="/图 片/">a</a><img data-src="a.png">', "libxml2 %-escapes href and src"),
        ('<img data-src="/图.png">', "libxml2 %-escapes the new src"),
        ('<img data-src="a.png?x=1&copy=2">', "a character reference in the real URL"),
        ('<!-- <p> --><img data-src="a.png">', "a tag inside a comment"),
        ('<p title="a<b">x</p><img data-src="a.png">', "a `<` inside an attribute"),
        ('<script>var x = "<p>";</script><img data-src="a.png">', "script text"),
        ('<table><td><img data-src="a.png"></td></table>', "html5ever implies <tbody> and <tr>"),
        ('<p>a\x00b</p><img data-src="a.png">', "a NUL"),
        (f'<a href="{body._MARK}0\ue001">a</a><img data-src="a.png">', "the article holds the mark of relative URLs"),
    ],
)
def test_bodies_libxml2_would_rewrite_take_the_lxml_route(html: str, why: str) -> None:
    assert body._clean_lazy(html, BASES[0]) is None, why
    assert sanitise(html, BASES[0]) == reference(html, BASES[0])


class _CountingCleaner:
    """An nh3 cleaner that counts the bodies it cleans."""

    def __init__(self, cleaner: nh3.Cleaner, passes: list[str]) -> None:
        self.cleaner, self.passes = cleaner, passes

    def clean(self, html: str) -> str:
        self.passes.append(html)
        return self.cleaner.clean(html)


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="//[bad">a</a><img data-src="/real.png" src="data:x"></p>',  # a real URL, a link that does not join
        '<p><a href="//[bad">a</a><img data-src=" " src="/blank.png"></p>',  # no real URL, a link that does not join
    ],
)
def test_a_lazy_body_with_a_url_that_does_not_join_is_cleaned_twice_at_most(html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared cleaner's marks cannot stand for a URL that does not join, so the cleaner built
    for the link reads the body again; but neither reads it twice, nor lxml's copy of it."""
    passes: list[str] = []
    monkeypatch.setattr(body, "_SHARED_CLEANER", _CountingCleaner(body._SHARED_CLEANER, passes))
    built = body._cleaner
    monkeypatch.setattr(body, "_cleaner", lambda base: _CountingCleaner(built(base), passes))
    assert sanitise(html, BASES[0]) == reference(html, BASES[0])
    assert len(passes) == 2 and len(set(passes)) == 1


def _libxml2_closes(old: str, new: str) -> bool:
    """True if lxml.html ends an open `old` element at a `new` start tag."""
    root = lxml.html.fragment_fromstring(f"<{old}><{new}>", create_parent="div")
    opened = root[0]
    return not any(opened in element.iterancestors() for element in root.iter(new))


def test_the_autoclose_table_is_libxml2s() -> None:
    kept = sorted(body._CLEANER_OPTIONS["tags"])
    found = {
        (f"<{old}", f"<{new}")
        for old, new in itertools.product(kept, repeat=2)
        if f"<{old}" not in body._VOID and _libxml2_closes(old, new)
    }
    assert found == body._LIBXML2_CLOSES


# ---------------------------------------------------------------- str methods for regexes

forbidden_prone = st.text(alphabet=st.one_of(st.sampled_from(list("\x00\x01\x08\t\n\x0b\x0c\r\x1f \x7f\x80\x9f\xa0\xff\ufffd\ufffe\uffff\U00010000正a<&")),
                                             st.characters()), max_size=60)


def test_has_xml_forbidden_agrees_with_the_regex_on_every_code_point() -> None:
    for code in range(0x110000):
        char = chr(code)
        assert body._has_xml_forbidden(char) == (XML_FORBIDDEN.search(char) is not None), hex(code)


@given(forbidden_prone)
def test_has_xml_forbidden_is_the_regex_search(text: str) -> None:
    assert body._has_xml_forbidden(text) == (XML_FORBIDDEN.search(text) is not None)


img_prone = st.lists(st.sampled_from(["<img", "<img ", "<img/", "<img>", "<imgx", "<img\t", ">", "<", "/>", " src=\"a>b\"",
                                      "alt='<'", "data-src=x", "中", "\n", "<p>", "&gt;"]), max_size=12).map("".join)


@given(img_prone)
def test_img_tag_end_is_the_regex_match(html: str) -> None:
    at = html.find("<img")
    while at >= 0:
        match = body._IN_IMG.match(html, at)
        assert body._img_tag_end(html, at) == (match.end() if match else -1)
        at = html.find("<img", at + 1)


_REFERENCE_TAG = re.compile(r"<[^<>]*>")  # any tag: what text_of and first_image read on any input
_REFERENCE_IMG = re.compile(r"<img\b([^<>]*)>")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(markup, lazy_img, plainly_written), min_size=1, max_size=5).map("".join), st.sampled_from(BASES))
def test_tag_patterns_for_sanitised_html_read_it_as_the_general_ones(html: str, base: str) -> None:
    """text_of and first_image read nh3's output, in which every `<` starts a tag and no tag holds a `<`."""
    content = sanitise(html, base)
    assert body._TAG.findall(content) == _REFERENCE_TAG.findall(content)
    assert body._IMG.findall(content) == _REFERENCE_IMG.findall(content)
