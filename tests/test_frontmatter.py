"""Splitting and loading front matter as real files write it, with the line numbers errors need."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.errors import ArticleError
from feeds.frontmatter import decode, key_line, load, split

# The seed article as bundled (an exact copy of shared/seeds/000_54eddf3d95a348cd.md).
SEED = Path(__file__).resolve().parents[1] / "articles" / "000_54eddf3d95a348cd.md"


def front(text: str) -> dict:
    return load(split(text, "a.md"), "a.md")


def error_of(text: str) -> ArticleError:
    with pytest.raises(ArticleError) as caught:
        front(text)
    return caught.value


# ---------------------------------------------------------------- decoding


def test_bom_and_crlf_are_normalised() -> None:
    text = decode("\ufeff---\r\ntitle: 标题\r\n---\r\nbody\r\n".encode(), "a.md")
    assert text == "---\ntitle: 标题\n---\nbody\n"


def test_old_mac_line_endings_are_normalised() -> None:
    assert decode(b"---\rtitle: x\r---\rbody", "a.md") == "---\ntitle: x\n---\nbody"


def test_not_utf8_names_the_byte_offset_and_line() -> None:
    data = "---\ntitle: ok\n---\n".encode() + "第一行\n第二行 ".encode("gbk")
    with pytest.raises(ArticleError) as caught:
        decode(data, "gbk.md")
    err = caught.value
    assert err.path == "gbk.md"
    assert err.line == 4
    assert "offset 18" in err.message and "save the file as UTF-8" in err.message


def test_utf16_is_recognised() -> None:
    with pytest.raises(ArticleError, match="UTF-16"):
        decode("---\ntitle: x\n---\n".encode("utf-16"), "a.md")


def test_nul_bytes_mean_not_a_text_file() -> None:
    with pytest.raises(ArticleError, match="NUL") as caught:
        decode(b"---\ntitle: x\n---\n\x00\x01", "a.md")
    assert caught.value.line == 4


# ---------------------------------------------------------------- splitting


def test_seed_article_leading_blank_line() -> None:
    with open(SEED, "rb") as handle:
        part = split(decode(handle.read(), "seed.md"), "seed.md")
    assert (part.style, part.open_line, part.front_line, part.body_line) == ("yaml", 2, 3, 14)
    assert part.front.startswith("title: '华为云陶志强")
    assert part.body.lstrip().startswith("<div>")


def test_leading_blank_and_whitespace_lines_are_skipped() -> None:
    part = split("\n  \n\t\n---\ntitle: x\n---\nbody\n", "a.md")
    assert (part.open_line, part.front_line, part.body_line, part.body) == (4, 5, 7, "body\n")


def test_longer_dash_runs_and_trailing_spaces_on_separators() -> None:
    part = split("-----  \ntitle: x\n-----\nbody", "a.md")
    assert part.front == "title: x" and part.body == "body"


def test_body_may_contain_dash_lines_after_front_matter() -> None:
    part = split("---\ntitle: x\n---\nintro\n\n---\n\nmore\n", "a.md")
    assert part.body == "intro\n\n---\n\nmore\n"


def test_json_front_matter_between_semicolons() -> None:
    assert front(';;;\n{"title": "Hello", "tags": ["a", "b"]}\n;;;\nbody') == {"title": "Hello", "tags": ["a", "b"]}


def test_hexo_short_json_front_matter() -> None:
    text = '"title": "Hello World",\n"date": "2013/7/13 20:46:25"\n;;;\nbody'
    part = split(text, "a.md")
    assert part.style == "json" and part.body == "body" and part.body_line == 4
    assert load(part, "a.md") == {"title": "Hello World", "date": "2013/7/13 20:46:25"}


def test_json_type_guesses_are_undone_like_yaml() -> None:
    meta = front(';;;\n{"title": 2022, "date": 1660982400, "draft": false, "x": 1.50, "n": null}\n;;;\n')
    assert meta == {"title": "2022", "date": "1660982400", "draft": "false", "x": "1.50", "n": None}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty"),
        ("\n\n   \n", None, "empty"),
        ("just a body\n", 1, "no front matter"),
        ("\n\ntitle: x\nbody\n", 3, "no front matter"),
        ("\n---\ntitle: x\nbody without end\n", 2, "never closed"),
        ("---\n---\nbody", 1, "empty"),
        (";;;\n{\"title\": \"x\",}\n;;;\n", 2, "not valid JSON"),
    ],
)
def test_missing_or_broken_front_matter_is_one_error_with_its_line(text: str, line: int | None, words: str) -> None:
    err = error_of(text)
    assert words in err.message
    assert err.line == line
    assert err.path == "a.md"


def test_front_matter_without_its_opening_line_gets_a_hint() -> None:
    err = error_of("title: x\ndate: 2022-01-01\n---\nbody")
    assert "no front matter" in err.message and "add the opening `---`" in err.message and err.line == 1


# ---------------------------------------------------------------- loading


def test_yaml_type_guesses_are_undone() -> None:
    meta = front(
        "---\ntitle: 2022\nyes_title: yes\nsci: 1e3\noctal: 0o17\ndate: 2021-10-28 14:08:07\n"
        "flag: on\nversion: 1.10\n---\n"
    )
    assert meta == {
        "title": "2022",
        "yes_title": "yes",
        "sci": "1e3",
        "octal": "0o17",
        "date": "2021-10-28 14:08:07",
        "flag": "on",
        "version": "1.10",
    }


def test_plain_nulls_are_none_but_quoted_ones_are_text() -> None:
    meta = front("---\na: ~\nb:\nc: null\nd: 'null'\ne: [x, ~]\n---\n")
    assert meta == {"a": None, "b": None, "c": None, "d": "null", "e": ["x", None]}


def test_characters_xml_forbids_are_dropped_from_escapes() -> None:
    assert front('---\ntitle: "a\\x01b\\u000cc\\uFFFEd\\te"\ntags: ["\\x1b"]\n---\n') == {"title": "abcd\te", "tags": [""]}
    assert front(';;;\n{"title": "a\\u0001b\\uffff"}\n;;;\n') == {"title": "ab"}


def test_raw_control_characters_in_yaml_are_an_error() -> None:
    err = error_of("---\ntitle: a\x0cb\n---\n")
    assert "not valid YAML" in err.message and err.line == 2


def test_core_tags_give_text() -> None:
    assert front("---\na: !!str 3\nb: !!int 5\nc: !!bool yes\n---\n") == {"a": "3", "b": "5", "c": "yes"}


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/object:feeds.model.Author {name: x}",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!custom value",
    ],
)
def test_other_tags_construct_nothing_and_are_an_error(value: str) -> None:
    err = error_of(f"---\ntitle: x\nevil: {value}\n---\n")
    assert err.line == 3
    assert "is not allowed in front matter" in err.message


def test_yaml_syntax_error_points_at_the_file_line() -> None:
    err = error_of("\n---\ntitle: x\ndate: 2022-01-01\nbad: a: b\n---\n")
    assert err.line == 5
    assert "not valid YAML" in err.message and "quote values" in err.message


def test_front_matter_that_is_not_a_mapping() -> None:
    err = error_of("---\n- a\n- b\n---\n")
    assert "key: value" in err.message and err.line == 2


def test_recursive_and_deep_yaml_are_clean_errors() -> None:
    assert "not valid YAML" in error_of("---\nx: &a [*a]\n---\n").message
    deep = "---\nx: " + "[" * 3000 + "]" * 3000 + "\n---\n"
    assert "nested too deeply" in error_of(deep).message


def test_key_line_finds_plain_and_quoted_keys() -> None:
    part = split("\n---\ntitle: x\n'date': y\n\"tags\": [a]\n---\n", "a.md")
    assert [key_line(part, k) for k in ("title", "date", "tags", "nope")] == [3, 4, 5, None]


# ---------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_mapping_or_an_article_error(text: str) -> None:
    try:
        meta = front(text)
    except ArticleError as err:
        assert err.path == "a.md" and err.message
    else:
        assert isinstance(meta, dict)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["---", ";;;", "title: x", "- a", "  b: [", '"k": 1,', "", "{", "}", "\r", "\ufeff", "#"]), max_size=12))
def test_separator_soup_gives_a_mapping_or_an_article_error(lines: list[str]) -> None:
    try:
        meta = front("\n".join(lines))
    except ArticleError:
        return
    assert isinstance(meta, dict)


def test_simple_outside_is_every_character_but_yaml_printable_ones_that_are_not_breaks_bom_or_tab() -> None:
    """Spelt as what it matches (fast to compile); pinned here to its definition, code point by code point."""
    from feeds.frontmatter import _SIMPLE_OUTSIDE

    def allowed(c: int) -> bool:  # YAML c-printable, minus NEL, LS, PS, BOM and tab
        return c == 0xA or 0x20 <= c <= 0x7E or 0xA0 <= c <= 0xFFFD and c not in (0x2028, 0x2029, 0xFEFF) \
            and not 0xD800 <= c <= 0xDFFF or 0x10000 <= c <= 0x10FFFF
    everything = "".join(map(chr, range(0x110000)))
    assert [m.start() for m in _SIMPLE_OUTSIDE.finditer(everything)] == [c for c in range(0x110000) if not allowed(c)]
