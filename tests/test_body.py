"""What feed readers get from a body: safe HTML, absolute URLs, real images, a summary cut cleanly."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import body
from feeds.body import ELLIPSIS, _inside_character, complete, cut, first_image, render, sanitise, text_of, text_summary
from feeds.config import make_config
from feeds.model import Article, BodyFormat

BASE = "https://example.com/2022/06/17/post/"
CONFIG = make_config({"site_url": "https://example.com/"})
WHEN = datetime(2022, 6, 17, 6, 50, tzinfo=timezone.utc)
ARTICLE = Article(source="post.md", title="t", link=BASE, id="urn:uuid:x", published=WHEN, updated=WHEN)


def done(body: str, fmt: BodyFormat = BodyFormat.HTML, **changes) -> Article:
    return complete(replace(ARTICLE, body_format=fmt, **changes), body, CONFIG)


# ---------------------------------------------------------------- sanitising


@pytest.mark.parametrize(
    ("dirty", "gone"),
    [
        ('<p>ok</p><script>alert("x")</script>', "alert"),
        ("<style>p{color:red}</style><p>ok</p>", "color"),
        ('<iframe src="https://evil.example/"></iframe><p>ok</p>', "iframe"),
        ('<p onclick="steal()">ok</p>', "onclick"),
        ('<img src="https://example.com/a.png" onerror="steal()">', "onerror"),
        ('<a href="javascript:alert(1)">ok</a>', "javascript"),
        ('<a href=" JaVaScRiPt:alert(1)">ok</a>', "alert"),
        ('<p style="position:fixed">ok</p>', "style"),
        ('<object data="x.swf"></object><embed src="x.swf"><p>ok</p>', "swf"),
        ('<form action="https://evil.example/"><input name="pw"></form><p>ok</p>', "form"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<svg><script>alert(1)</script></svg><p>ok</p>', "alert"),
        ("<noscript><img src='https://example.com/dup.png'></noscript><p>ok</p>", "dup.png"),
        ('<p class="x" id="y">ok</p>', "class"),
    ],
)
def test_dangerous_markup_is_removed(dirty: str, gone: str) -> None:
    clean = sanitise(dirty, BASE)
    assert gone.lower() not in clean.lower()


def test_characters_xml_forbids_are_dropped_raw_or_as_references() -> None:
    assert sanitise("<p>a\x01b&#1;c&#x0c;d&#xFFFE;e\x1b</p>", BASE) == "<p>abcde</p>"


def test_safe_markup_is_kept() -> None:
    html = (
        '<h2>Title</h2><p><strong>b</strong> <em>i</em> <a href="https://example.org/x" title="T">link</a></p>'
        '<blockquote>q</blockquote><pre><code>x &lt; y</code></pre><table><tr><td colspan="2">c</td></tr></table>'
        '<img src="https://example.com/a.png" alt="说明" width="10"><a href="mailto:a@example.com">mail</a>'
    )
    assert sanitise(html, BASE) == html.replace("<table><tr>", "<table><tbody><tr>").replace("</tr></table>", "</tr></tbody></table>")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="../x/">a</a>', '<a href="https://example.com/2022/06/17/x/">a</a>'),
        ('<a href="/about/">a</a>', '<a href="https://example.com/about/">a</a>'),
        ('<a href="#notes">a</a>', '<a href="https://example.com/2022/06/17/post/#notes">a</a>'),
        ('<a href="//cdn.example.org/x">a</a>', '<a href="https://cdn.example.org/x">a</a>'),
        ('<img src="pic.png" alt="p">', '<img src="https://example.com/2022/06/17/post/pic.png" alt="p">'),
        ('<a href="https://other.example/">a</a>', '<a href="https://other.example/">a</a>'),
    ],
)
def test_relative_urls_become_absolute_against_the_article_link(html: str, expected: str) -> None:
    assert sanitise(html, BASE) == expected


@pytest.mark.parametrize("attr", ["data-original", "data-src", "data-lazy-src"])
def test_lazy_images_get_their_real_src(attr: str) -> None:
    html = f'<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" {attr}="https://img.example.com/real.jpg" class="lazy" alt="图"></p>'
    assert sanitise(html, BASE) == '<p><img src="https://img.example.com/real.jpg" alt="图"></p>'


def test_lazy_image_placeholder_and_relative_real_src() -> None:
    html = '<img src="/static/blank.gif" data-original="/img/real.jpg"><img src="/ok.png">'
    assert sanitise(html, BASE) == '<img src="https://example.com/img/real.jpg"><img src="https://example.com/ok.png">'


def test_lazy_image_with_a_dangerous_real_src_is_still_sanitised() -> None:
    assert "javascript" not in sanitise('<img src="x.gif" data-src="javascript:alert(1)">', BASE)


def test_markdown_is_commonmark_with_raw_html_then_sanitised() -> None:
    body = '# Title\n\nSome *text* and <span onclick="x()">raw</span>.\n\n<div align="center">\n\n**md in html**\n\n</div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
    html = render(body, BodyFormat.MARKDOWN)
    assert "<h1>Title</h1>" in html and "<em>text</em>" in html and "onclick" in html
    clean = done(body, BodyFormat.MARKDOWN).content
    assert clean is not None
    assert "<h1>Title</h1>" in clean and "<span>raw</span>" in clean and "onclick" not in clean
    assert "<strong>md in html</strong>" in clean and "<td>1</td>" in clean


def test_html_bodies_are_not_rendered_as_markdown() -> None:
    body = "<div>\n\n    four spaces, not code\n*not emphasis*\n</div>"
    content = done(body).content
    assert content is not None and "<pre>" not in content and "<em>" not in content


def test_sanitised_content_is_well_formed_for_feedparser() -> None:
    content = done("<p>a<b>unclosed <i>tags & stray < signs").content
    feed = f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">{content.replace("&", "&amp;").replace("<", "&lt;")}</content></entry></feed>'
    parsed = feedparser.parse(feed)
    assert not parsed.bozo
    assert "unclosed" in parsed.entries[0].content[0].value


# ---------------------------------------------------------------- images


def test_first_image_of_the_body_after_lazy_fix() -> None:
    body = '<p>x</p><img src="data:," data-original="https://img.example.com/1.jpg"><img src="https://img.example.com/2.jpg">'
    assert done(body).image == "https://img.example.com/1.jpg"


def test_first_image_skips_images_without_src_and_reads_entities() -> None:
    content = '<img alt="a&gt;b"><img alt="x" src="https://img.example.com/a.jpg?x=1&amp;y=%E5%9B%BE">'
    assert first_image(content) == "https://img.example.com/a.jpg?x=1&y=%E5%9B%BE"
    assert first_image('<img src="https://img.example.com/图 片.png">') == "https://img.example.com/%E5%9B%BE%20%E7%89%87.png"
    assert first_image("<p>no images</p>") is None


def test_front_matter_image_wins_over_the_body() -> None:
    article = done('<img src="https://img.example.com/body.jpg">', image="https://img.example.com/head.jpg")
    assert article.image == "https://img.example.com/head.jpg"


# ---------------------------------------------------------------- summary


def test_summary_is_the_part_before_more() -> None:
    article = done('<p>Intro with <a href="/x">a link</a>.</p>\n<!-- more -->\n<p>Rest.</p>')
    assert article.summary == '<p>Intro with <a href="https://example.com/x">a link</a>.</p>'
    assert article.content is not None and "Rest." in article.content and "more" not in article.content


def test_more_marker_in_markdown_and_its_spellings() -> None:
    assert done("Lead *paragraph*.\n\n<!--more-->\n\nBody.", BodyFormat.MARKDOWN).summary == "<p>Lead <em>paragraph</em>.</p>"
    assert done("<p>A</p><!--  MORE  --><p>B</p>").summary == "<p>A</p>"


def test_more_marker_at_the_top_falls_back_to_the_text() -> None:
    assert done("<!-- more --><p>Only text.</p>").summary == "Only text."


def test_front_matter_summary_is_kept() -> None:
    assert done("<p>Body.</p><!-- more -->", summary="Given &amp; kept").summary == "Given &amp; kept"


def test_text_summary_is_escaped_text() -> None:
    assert text_summary("<p>AT&amp;T &lt;rocks&gt;</p><p>Second</p>", 200) == "AT&amp;T &lt;rocks&gt; Second"


def test_summary_length_zero_means_no_text_summary() -> None:
    assert done("<p>Text</p>").summary == "Text"
    assert complete(ARTICLE, "<p>Text</p>", replace(CONFIG, summary_length=0)).summary is None


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("The quick brown fox jumps", 12, "The quick…"),
        ("The quick brown fox jumps", 10, "The quick…"),
        ("Supercalifragilistic", 5, "Super…"),
        ("华为云生态与伙伴的关系就像钻石", 6, "华为云生态与…"),
        ("华为云与Huawei Cloud合作", 9, "华为云与…"),
        ("华为云，生态", 4, "华为云…"),
        ("葛\U000e0100城市的葛\U000e0100饰", 1, "葛\U000e0100…"),
        ("ab葛\U000e0100城", 3, "ab…"),
        ("ab葛\U000e0100城", 4, "ab葛\U000e0100…"),
        ("𠮷野家的牛丼很好吃", 3, "𠮷野家…"),
        ("Cafe\u0301 au lait", 5, "Cafe\u0301…"),
        ("Cafe\u0301 au lait", 4, "Caf…"),
        ("👨\u200d👩\u200d👧 family", 3, "👨\u200d👩\u200d👧…"),
        ("a 👨\u200d👩\u200d👧 family", 4, "a…"),
        ("👍🏽👍🏽👍🏽", 1, "👍🏽…"),
    ],
)
def test_cut_never_breaks_a_word_or_a_character(text: str, limit: int, expected: str) -> None:
    assert cut(text, limit) == expected


def test_cut_text_summary_never_breaks_an_entity() -> None:
    html = "<p>" + "AT&amp;T " * 40 + "</p>"
    summary = text_summary(html, 50)
    assert summary is not None and summary.endswith(ELLIPSIS)
    body = summary[: -len(ELLIPSIS)]
    assert body.count("&") == body.count("&amp;") and body.endswith("AT&amp;T")


def test_summary_of_a_long_chinese_article_window() -> None:
    html = "<div>" + "".join(f'<p style="x"><span class="y">段落{i}：华为云生态与伙伴</span></p>' for i in range(200)) + "</div>"
    summary = text_summary(sanitise(html, BASE), 100)
    assert summary is not None and summary.startswith("段落0：华为云生态与伙伴 段落1") and summary.endswith(ELLIPSIS)
    assert len(summary) == 101 or len(summary) == 100


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=1, max_value=120))
def test_cut_is_a_prefix_within_the_limit(text: str, limit: int) -> None:
    result = cut(text, limit)
    if len(text) <= limit:
        assert result == text
    elif result == text:  # one character with its marks/joiners, longer than the limit: kept whole, nothing cut
        assert all(_inside_character(text, i) for i in range(1, len(text)))
    elif result:
        assert result.endswith(ELLIPSIS)
        head = result[: -len(ELLIPSIS)]
        assert text.startswith(head)
        # within the limit, unless the head is one character with its marks/joiners
        assert len(head) <= limit or all(_inside_character(head, i) for i in range(1, len(head)))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab &<>;#x1华为 \n")), max_size=200), st.integers(min_value=1, max_value=60))
def test_text_summary_of_escaped_text_keeps_entities_whole(text: str, limit: int) -> None:
    import html as htmllib

    content = sanitise("<p>" + htmllib.escape(text) + "</p>", BASE)
    summary = text_summary(content, limit)
    if summary is not None:
        assert htmllib.escape(htmllib.unescape(summary), quote=False) == summary


def _summary_of_the_widening_windows(content: str, limit: int) -> str | None:
    """text_summary as it was written first: windows of 3 * limit + 256 characters, widened by 4."""
    import html as htmllib

    window = limit * 3 + 256
    while True:
        text = text_of(body._head(content, window))
        if len(text) > limit or window >= len(content):
            break
        window *= 4
    return (htmllib.escape(cut(text, limit), quote=False) or None) if text else None


# Pieces of a sanitised fragment (nh3 writes tags and entities so): markup that
# eats a window, text of every script cut() treats apart, and first characters
# carrying more marks than the limit (which cut keeps whole, whatever it is given).
summary_piece = st.one_of(
    st.sampled_from(["<p>", "</p>", "<br>", "<div>", "</div>", "<li>", "</li>", "</a>", "&amp;", "&lt;", "&nbsp;", " ", "\n",
                     '<a href="https://example.com/2022/06/17/a-long-path/">', '<img src="https://img.example.com/' + "x" * 90 + '.png">']),
    st.text(alphabet=st.sampled_from(list("ab 华为云，、\u0301\u200d👍🏽")), min_size=1, max_size=40),
    st.builds(lambda marks: "\u0301" * marks, st.integers(1, 300)),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(summary_piece, max_size=60).map("".join), st.integers(min_value=1, max_value=50))
def test_the_first_smaller_window_gives_the_summary_the_widening_ones_give(content: str, limit: int) -> None:
    assert text_summary(content, limit) == _summary_of_the_widening_windows(content, limit)


def test_a_first_character_longer_than_the_limit_reads_the_window_it_always_read() -> None:
    content = "<p>e" + "\u0301" * 400 + " tail</p>"  # cut keeps all the text it is given
    assert text_summary(content, 10) == _summary_of_the_widening_windows(content, 10)


def test_text_of_separates_blocks() -> None:
    assert text_of("<p>one</p><p>two<br>three</p><ul><li>a</li><li>b</li></ul>") == "one two three a b"


# ---------------------------------------------------------------- purity


def test_complete_is_pure() -> None:
    before = replace(ARTICLE, body_format=BodyFormat.MARKDOWN)
    after = complete(before, "Hello *world*", CONFIG)
    assert before.content is None and before.summary is None
    assert after.content == "<p>Hello <em>world</em></p>"
    assert complete(before, "Hello *world*", CONFIG) == after
