"""sanitise gives exactly what a cleaner built for the article's link gives.

sanitise shares one nh3 cleaner between all articles and lets nh3 join the
relative URLs it marked in a second, tiny pass (building a cleaner per link
cost more than cleaning the body). The straightforward route it replaces is
rebuilt here as the reference: lazy images fixed with lxml.html, then
nh3.Cleaner(url_relative=("rewrite_with_base", link)). Inputs are generated
from the pieces that make the two routes diverge if anything is off: every
kind of relative URL, URLs that do not join, data:/javascript: URLs, lazy
images, entities, broken markup, non-ASCII links and hosts.
"""

from __future__ import annotations

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
