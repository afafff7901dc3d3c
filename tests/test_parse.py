"""From a file's bytes to the normalised Article: the seed, the samples, every front matter shape."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.config import load_config, make_config
from feeds.errors import ArticleError
from feeds.frontmatter import XML_FORBIDDEN
from feeds.model import Article, Author, BodyFormat
from feeds.parse import body_of, parse_article
from feeds.read import Source, list_article_files, read_source

ROOT = Path(__file__).resolve().parents[1]
# The seed article as bundled (an exact copy of shared/seeds/000_54eddf3d95a348cd.md).
SEED = ROOT / "articles" / "000_54eddf3d95a348cd.md"
CONFIG = make_config({"site_url": "https://example.com/", "timezone": "Asia/Shanghai"})
MTIME = datetime(2023, 3, 4, 5, 6, 7, tzinfo=timezone.utc).timestamp()


def source(text: str | bytes, path: str = "2022/post.md") -> Source:
    data = text.encode() if isinstance(text, str) else text
    return Source(path=path, data=data, mtime=MTIME, size=len(data))


def parse(text: str | bytes, path: str = "2022/post.md", config=CONFIG, with_body: bool = False) -> Article:
    return parse_article(source(text, path), config, with_body=with_body).article


def warnings_of(text: str, config=CONFIG) -> list[str]:
    return [str(w) for w in parse_article(source(text), config, with_body=False).warnings]


def error_of(text: str | bytes, config=CONFIG) -> ArticleError:
    with pytest.raises(ArticleError) as caught:
        parse(text, config=config)
    return caught.value


def fm(**keys: str) -> str:
    """A YAML front matter article with a title and date unless given."""
    keys = {"title": "A post", "date": "2022-06-17 14:50:00", **keys}
    lines = "".join(f"{k}: {v}\n" for k, v in keys.items())
    return f"---\n{lines}---\nSome body text.\n"


# ---------------------------------------------------------------- the seed


def test_seed_article_parses_to_exactly_what_the_issue_says() -> None:
    parsed = parse_article(read_source(SEED.parent, SEED), CONFIG)
    article = parsed.article
    assert parsed.warnings == ()
    assert article.title == "华为云陶志强：华为云生态与伙伴的关系就像钻石"
    assert article.categories == (("新媒体", "高科技行业门户", "新闻"),)
    assert article.authors == (Author("高科技行业门户"),)
    assert article.published.isoformat() == "2022-06-17T06:50:00+00:00"
    assert article.updated == article.published
    assert article.image == (
        "https://cors.zfour.workers.dev/?http://images.ofweek.com/Upload/News/2022-6/17/surong/"
        "20220617145123_1655448683131463987.png"
    )
    assert article.tags == () and article.draft is False and article.language is None
    assert article.body_format is BodyFormat.HTML
    assert article.link == "https://example.com/2022/06/17/000_54eddf3d95a348cd/"
    assert article.id.startswith("urn:uuid:")
    content = article.content
    assert content is not None and "陶志强表示，路遥知马力" in content
    assert "onclick" not in content and "style" not in content and "referrerpolicy" not in content
    assert article.summary is not None and article.summary.startswith("6月16日，华为云生态特别节目")
    assert article.summary.endswith("…") and len(article.summary) <= CONFIG.summary_length + 1


def test_every_bundled_article_parses_and_only_the_draft_is_a_draft() -> None:
    config = load_config(ROOT / "feeds.yaml", {})
    folder = ROOT / "articles"
    results = {p.relative_to(folder).as_posix(): parse_article(read_source(folder, p), config) for p in list_article_files(folder)}
    assert len(results) >= 10
    assert [name for name, r in results.items() if r.article.draft] == ["draft-quantum-computing.md"]
    assert all(r.warnings == () for r in results.values())
    for name, r in results.items():
        if not r.article.draft:
            assert r.article.content and r.article.summary, name
            assert r.article.link.startswith("https://example.com/"), name


# ---------------------------------------------------------------- title


@pytest.mark.parametrize("raw", ["2022", "yes", "1e3", "null_island", "'null'", "on", "0x1F"])
def test_yaml_type_guesses_do_not_change_titles(raw: str) -> None:
    assert parse(fm(title=raw)).title == raw.strip("'")


def test_multi_line_title_is_one_line() -> None:
    assert parse("---\ntitle: >\n  Two\n  lines\ndate: 2022-01-01\n---\n").title == "Two lines"


@pytest.mark.parametrize("front", ["date: 2022-01-01\n", "title:\ndate: 2022-01-01\n", "title: '   '\n", "title: ~\n"])
def test_missing_or_empty_title_is_an_error(front: str) -> None:
    err = error_of(f"\n---\n{front}---\nbody")
    assert "no title" in err.message and "add `title: ...`" in err.message
    assert err.path == "2022/post.md" and err.line in (2, 3)


def test_title_that_is_a_list_is_an_error_on_its_line() -> None:
    err = error_of("---\ndate: 2022-01-01\ntitle: [a, b]\n---\n")
    assert err.line == 3 and "must be text" in err.message


# ---------------------------------------------------------------- dates


def test_date_is_local_time_in_the_configured_zone() -> None:
    assert parse(fm(date="2021-10-28 14:08:07")).published.isoformat() == "2021-10-28T14:08:07+08:00"
    utc = replace(CONFIG, timezone="UTC")
    assert parse(fm(date="2021-10-28 14:08:07"), config=utc).published.isoformat() == "2021-10-28T14:08:07+00:00"


def test_missing_date_uses_mtime_with_a_warning() -> None:
    text = "---\ntitle: x\n---\nbody"
    article = parse(text)
    assert article.published == datetime(2023, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    assert article.updated == article.published
    (warning,) = warnings_of(text)
    assert warning.startswith("2022/post.md:1: warning: no `date`") and "modification time" in warning


def test_unparseable_date_is_an_error_naming_value_line_and_forms() -> None:
    err = error_of("---\ntitle: x\ndate: someday soon\n---\n")
    assert err.line == 3
    assert "'someday soon'" in err.message and "RFC 2822" in err.message


def test_ambiguous_zone_is_an_error_until_aliased() -> None:
    text = fm(date="'Fri, 17 Jun 2022 14:50:00 CST'")
    err = error_of(text)
    assert "timezone_aliases" in err.message and err.line == 3
    aliased = replace(CONFIG, timezone_aliases={"CST": "Asia/Shanghai"})
    assert parse(text, config=aliased).published.isoformat() == "2022-06-17T14:50:00+08:00"


def test_updated_defaults_to_date_and_is_never_before_it() -> None:
    assert parse(fm()).updated == parse(fm()).published
    later = parse(fm(updated="2022-06-18 09:00"))
    assert later.updated.isoformat() == "2022-06-18T09:00:00+08:00"
    text = fm(updated="2022-06-01")
    assert parse(text).updated == parse(text).published
    assert any("`updated` is before `date`" in w for w in warnings_of(text))


def test_date_that_is_a_list_is_an_error() -> None:
    assert "must be a date" in error_of("---\ntitle: x\ndate: [2022-01-01]\n---\n").message


# ---------------------------------------------------------------- drafts


@pytest.mark.parametrize("flag", ["draft: true", "draft: yes", "draft: True", "published: false", "published: no"])
def test_drafts_are_flagged_not_rejected(flag: str) -> None:
    assert parse(f"---\ntitle: x\n{flag}\n---\n").draft is True


def test_a_draft_may_be_unfinished() -> None:
    article = parse("---\ndraft: true\ndate: some day\n---\n")
    assert article.draft is True and article.title == "2022/post"


@pytest.mark.parametrize("flag", ["draft: false", "published: true", "draft: off"])
def test_not_drafts(flag: str) -> None:
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{flag}\n---\n").draft is False


def test_a_draft_flag_that_is_not_a_boolean_is_an_error() -> None:
    err = error_of("---\ntitle: x\ndate: 2022-01-01\ndraft: maybe\n---\n")
    assert err.line == 4 and "true or false" in err.message


# ---------------------------------------------------------------- categories, tags, authors


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("categories: 新闻", (("新闻",),)),
        ("categories: [新媒体, 高科技行业门户, 新闻]", (("新媒体", "高科技行业门户", "新闻"),)),
        ("categories:\n - [科技, 芯片]\n - [财经]", (("科技", "芯片"), ("财经",))),
        ("categories: [[Diary, PlayStation], [Diary, Games], Life]", (("Diary", "PlayStation"), ("Diary", "Games"), ("Life",))),
        ("categories: [a, a]", (("a", "a"),)),
        ("categories: [[a], [a]]", (("a",),)),
        ("categories: [' Open   Source ', '', ~]", (("Open Source",),)),
        ("categories:", ()),
        ("category: 单数", (("单数",),)),
    ],
)
def test_category_shapes(yaml: str, expected: tuple) -> None:
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{yaml}\n---\n").categories == expected


def test_a_category_path_deeper_than_folders_may_go_is_cut_with_a_warning() -> None:
    """Each level is a nested folder: 2,000 of them passed PATH_MAX and stopped the whole run."""
    text = "---\ntitle: x\ndate: 2022-01-01\ncategories: [" + ", ".join(f"c{i}" for i in range(2000)) + "]\n---\n"
    assert parse(text).categories == (tuple(f"c{i}" for i in range(8)),)
    assert warnings_of(text) == ["2022/post.md:4: warning: `categories`: 2000 levels, more than the 8 feeds makes "
                                 "folders for; those after 'c7' are ignored"]


@pytest.mark.parametrize(("key", "what"), [("tags", "tags"), ("categories", "category paths"), ("author", "authors")])
def test_one_article_cannot_make_thousands_of_feeds(key: str, what: str) -> None:
    """Every name is a feed of two files: 20,000 tags made 40,000 files and a 110 s run."""
    names = ", ".join(f"n{i}" for i in range(150))
    value = f"[[{names.replace(', ', '], [')}]]" if key == "categories" else f"[{names}]"
    text = f"---\ntitle: x\ndate: 2022-01-01\n{key}: {value}\n---\n"
    article = parse(text)
    kept = {"tags": article.tags, "categories": [path[0] for path in article.categories],
            "author": [author.name for author in article.authors]}[key]
    assert list(kept) == [f"n{i}" for i in range(100)]
    assert warnings_of(text) == [f"2022/post.md:4: warning: `{key}`: 150 {what}, more than the 100 an article may "
                                 f"have a feed for; those after the 100th are ignored"]


def test_category_mapping_is_dropped_with_a_warning() -> None:
    text = "---\ntitle: x\ndate: 2022-01-01\ncategories: {a: b}\n---\n"
    assert parse(text).categories == ()
    assert warnings_of(text) == ["2022/post.md:4: warning: `categories` should be a name, a list or a list of lists, not a mapping; ignored"]


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("tags: AI", ("AI",)),
        ("tags: [AI, 云计算, AI, '  5G ']", ("AI", "云计算", "5G")),
        ("tags:\n - Rust\n - 2022", ("Rust", "2022")),
        ("tags:", ()),
    ],
)
def test_tag_shapes(yaml: str, expected: tuple) -> None:
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{yaml}\n---\n").tags == expected


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("author: 高科技行业门户", (Author("高科技行业门户"),)),
        ("author:\n  name: Alice Chen\n  email: alice@example.com\n  url: https://example.com/alice/", (Author("Alice Chen", "alice@example.com", "https://example.com/alice/"),)),
        ("author: [王伟, {name: Carol Wang, email: carol@example.com}, 王伟]", (Author("王伟"), Author("Carol Wang", "carol@example.com"))),
        ("author: Grace Huang <grace@example.com> (https://example.com/grace/)", (Author("Grace Huang", "grace@example.com", "https://example.com/grace/"),)),
        ("author: 张三 (记者)", (Author("张三 (记者)"),)),
        ("authors: [A, B]", (Author("A"), Author("B"))),
        ("author:", ()),
    ],
)
def test_author_shapes(yaml: str, expected: tuple) -> None:
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{yaml}\n---\n").authors == expected


def test_author_mapping_without_name_is_dropped_with_a_warning() -> None:
    text = "---\ntitle: x\ndate: 2022-01-01\nauthor: {email: a@example.com}\n---\n"
    assert parse(text).authors == ()
    assert "`author` entries must be a name" in warnings_of(text)[0]


# ---------------------------------------------------------------- links and ids


def test_link_follows_the_permalink_pattern_in_the_configured_zone() -> None:
    # 23:30 UTC on the 16th is the 17th in Shanghai
    article = parse(fm(date="2022-06-16T23:30:00Z"))
    assert article.link == "https://example.com/2022/06/17/2022/post/"


def test_permalink_tokens() -> None:
    config = replace(CONFIG, permalink=":category/:i_month/:i_day/:hour:minute:second/:name-:post_title.html")
    text = fm(title="Hello, World & Friends", date="2022-06-07 08:09:10", categories="[开源 项目, Rust]")
    assert parse(text, config=config).link == (
        "https://example.com/%E5%BC%80%E6%BA%90-%E9%A1%B9%E7%9B%AE/Rust/6/7/080910/post-hello-world-friends.html"
    )


def test_link_under_a_site_in_a_sub_folder_and_non_ascii_names() -> None:
    config = replace(CONFIG, site_url="https://example.com/blog")
    article = parse(fm(date="2022-06-17"), path="新闻/华为 云.md", config=config)
    assert article.link == "https://example.com/blog/2022/06/17/%E6%96%B0%E9%97%BB/%E5%8D%8E%E4%B8%BA%20%E4%BA%91/"


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("permalink: review/2022/", "https://example.com/blog/review/2022/"),
        ("permalink: /review/2022/", "https://example.com/blog/review/2022/"),
        ("link: https://other.example.org/a b", "https://other.example.org/a%20b"),
        ("url: //cdn.example.org/post", "https://cdn.example.org/post"),
        ("slug: custom-slug", "https://example.com/blog/2022/06/17/custom-slug/"),
    ],
)
def test_front_matter_links(yaml: str, expected: str) -> None:
    config = replace(CONFIG, site_url="https://example.com/blog/")
    assert parse(f"---\ntitle: x\ndate: 2022-06-17\n{yaml}\n---\n", config=config).link == expected


def test_non_http_front_matter_link_falls_back_to_the_pattern_with_a_warning() -> None:
    text = fm(link="'javascript:alert(1)'")
    assert parse(text).link == "https://example.com/2022/06/17/2022/post/"
    assert "not a valid http(s) link" in warnings_of(text)[0]


def test_id_is_stable_across_edits_reruns_and_site_moves() -> None:
    first = parse(fm(title="First", date="2022-01-01"))
    edited = parse(fm(title="Edited title", date="2022-02-02", tags="[x]"))
    moved = parse(fm(title="First", date="2022-01-01"), config=replace(CONFIG, site_url="https://new.example.net/"))
    assert first.id == edited.id == moved.id == parse(fm(title="First", date="2022-01-01")).id
    assert first.id.startswith("urn:uuid:")
    assert first.link != moved.link


def test_renaming_changes_the_id_unless_id_keeps_the_old_path() -> None:
    old = parse(fm(), path="2022/post.md")
    renamed = parse(fm(), path="2022/better-name.md")
    kept = parse(fm(id="2022/post"), path="2022/better-name.md")
    assert old.id != renamed.id
    assert kept.id == old.id


def test_same_path_with_another_extension_keeps_the_id() -> None:
    assert parse(fm(), path="a/post.md").id == parse(fm(), path="a/post.html").id


def test_id_namespace_separates_sites() -> None:
    other = replace(CONFIG, id_namespace="my other site")
    assert parse(fm()).id != parse(fm(), config=other).id
    assert parse(fm(), config=other).id == parse(fm(), config=other).id


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("id: tag:example.com,2022:post-1", "tag:example.com,2022:post-1"),
        ("guid: https://example.com/?p=123", "https://example.com/?p=123"),
        ("id: urn:uuid:0b9f6c4e-59c4-4f6e-9a3b-6a4f7c2b1d10", "urn:uuid:0b9f6c4e-59c4-4f6e-9a3b-6a4f7c2b1d10"),
    ],
)
def test_absolute_iri_ids_are_kept(yaml: str, expected: str) -> None:
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{yaml}\n---\n").id == expected


def test_other_ids_become_stable_urns() -> None:
    a = parse(fm(id="12345"))
    b = parse(fm(id="12345", title="changed"), path="elsewhere.md")
    assert a.id == b.id and a.id.startswith("urn:uuid:") and a.id != parse(fm(id="12346")).id


# ---------------------------------------------------------------- image, summary, language, format


def test_image_key_priority_and_absolute_urls() -> None:
    text = fm(banner="/b.png", cover="c.png", image="https://img.example.com/i.png")
    assert parse(text).image == "https://example.com/2022/06/17/2022/post/c.png"
    assert parse(fm(headimg="https://img.example.com/头图.png", thumbnail="/t.png")).image == (
        "https://img.example.com/%E5%A4%B4%E5%9B%BE.png"
    )
    assert parse(fm(cover="[/first.png, /second.png]")).image == "https://example.com/first.png"


def test_non_http_image_is_ignored_with_a_warning() -> None:
    text = fm(cover="'javascript:alert(1)'")
    assert parse(text).image is None
    assert "not an http(s) image URL" in warnings_of(text)[0]


def test_summary_from_front_matter_is_escaped_text() -> None:
    assert parse(fm(description="'Tom & Jerry <b>live</b>'")).summary == "Tom &amp; Jerry &lt;b&gt;live&lt;/b&gt;"
    assert parse(fm(excerpt="摘要")).summary == "摘要"
    assert parse(fm(summary="S", description="D")).summary == "D"


def test_summary_and_image_come_from_the_body_only_with_it() -> None:
    text = "---\ntitle: x\ndate: 2022-01-01\n---\nIntro\n\n<!-- more -->\n\n![p](pic.png)\n"
    light = parse(text)
    assert light.summary is None and light.image is None and light.content is None
    full = parse(text, with_body=True)
    assert full.summary == "<p>Intro</p>"
    assert full.image == "https://example.com/2022/01/01/2022/post/pic.png"


@pytest.mark.parametrize(("yaml", "expected"), [("lang: en", "en"), ("language: zh_CN", "zh-CN"), ("lang: zh-Hant-TW", "zh-Hant-TW")])
def test_language(yaml: str, expected: str) -> None:
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{yaml}\n---\n").language == expected


def test_bad_language_is_ignored_with_a_warning() -> None:
    text = fm(lang="'english please'")
    assert parse(text).language is None
    assert "not a language tag" in warnings_of(text)[0]


@pytest.mark.parametrize(
    ("path", "body", "declared", "expected"),
    [
        ("a.md", "# Title\n\ntext", None, BodyFormat.MARKDOWN),
        ("a.markdown", "\n\n<div>\n\n    not code\n</div>", None, BodyFormat.HTML),
        ("a.md", "<p>para</p>", None, BodyFormat.HTML),
        ("a.md", "<span>inline</span> then *markdown*", None, BodyFormat.MARKDOWN),
        ("a.html", "# not a heading", None, BodyFormat.HTML),
        ("a.HTM", "text", None, BodyFormat.HTML),
        ("a.html", "# heading", "markdown", BodyFormat.MARKDOWN),
        ("a.md", "<div>x</div>", "md", BodyFormat.MARKDOWN),
        ("a.md", "plain", "html", BodyFormat.HTML),
    ],
)
def test_body_format(path: str, body: str, declared: str | None, expected: BodyFormat) -> None:
    extra = f"format: {declared}\n" if declared else ""
    assert parse(f"---\ntitle: x\ndate: 2022-01-01\n{extra}---\n{body}", path=path).body_format is expected


# ---------------------------------------------------------------- files as they come


def test_bom_crlf_and_leading_blank_lines() -> None:
    text = "\ufeff\r\n\r\n---\r\ntitle: 标题\r\ndate: 2022-01-01\r\ntags: [a]\r\n---\r\n正文\r\n"
    article = parse(text.encode(), with_body=True)
    assert (article.title, article.tags, article.content) == ("标题", ("a",), "<p>正文</p>")


def test_json_front_matter_article() -> None:
    text = ';;;\n{"title": 2022, "date": 1660982400, "categories": [["汽车", "新能源"]], "author": {"name": "Eve"}}\n;;;\nbody'
    article = parse(text)
    assert article.title == "2022"
    assert article.published.isoformat() == "2022-08-20T08:00:00+00:00"
    assert article.categories == (("汽车", "新能源"),)
    assert article.authors == (Author("Eve"),)


def test_not_utf8_is_an_error_with_line() -> None:
    err = error_of("---\ntitle: x\n---\n".encode() + "正文".encode("gb18030"))
    assert err.line == 4 and "not UTF-8" in err.message


def test_body_of_returns_the_body_again() -> None:
    text = "\n---\ntitle: x\n---\n<p>body</p>\n"
    assert body_of(source(text)) == "<p>body</p>\n"


def test_pipeline_path_equals_full_parse() -> None:
    from feeds.body import complete

    for path in list_article_files(ROOT / "articles"):
        src = read_source(ROOT / "articles", path)
        light = parse_article(src, CONFIG, with_body=False).article
        if light.draft:
            continue
        assert complete(light, body_of(src), CONFIG) == parse_article(src, CONFIG).article


def test_missing_site_url_is_a_config_problem_not_an_article_problem() -> None:
    from feeds.errors import ConfigError

    with pytest.raises(ConfigError):
        parse(fm(), config=replace(CONFIG, site_url=None))


# ---------------------------------------------------------------- robustness


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise_anything_but_article_error(data: bytes) -> None:
    try:
        parse_article(source(data), CONFIG, with_body=True)
    except ArticleError as err:
        assert err.path == "2022/post.md" and err.message


front_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(['"\\x01 \\u000c \\uFFFE"', "~", "[]", "{}", "[a, [b, c]]", "{name: x}", "'2022-01-01'", "yes", "1e3", "!!str x", "&a x", "*a", "|", ">"]),
)
keys = st.sampled_from(
    ["title", "date", "updated", "draft", "published", "categories", "tags", "author", "authors", "headimg", "cover",
     "description", "permalink", "link", "id", "lang", "format", "slug"]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, front_values, max_size=8), st.text(max_size=200))
def test_arbitrary_front_matter_values_give_an_article_or_an_article_error(meta: dict, body: str) -> None:
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in meta.items()) + "---\n" + body
    try:
        article = parse_article(source(text), CONFIG, with_body=True).article
    except ArticleError:
        return
    assert article.title and article.published.tzinfo is not None
    texts = [article.title, article.summary or "", article.content or "", *article.tags, *(a.name for a in article.authors)]
    assert not any(XML_FORBIDDEN.search(text) for text in texts)
    if not article.draft:
        assert article.link.startswith("https://example.com/") or "link" in meta or "permalink" in meta
        assert article.content is not None and "<script" not in article.content
