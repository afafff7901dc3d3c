"""The two ways front matter is read give exactly what PyYAML's own BaseLoader gives.

feeds reads YAML with a line reader for the common Hexo shape (read_simple)
and otherwise composes nodes with libyaml and builds values itself
(read_yaml). Both must be indistinguishable from the loader they replace:
PyYAML's BaseLoader with plain nulls and non-core tags refused, which is
rebuilt here as the reference. Texts are generated from the pieces real
front matter and YAML's corner cases are made of.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feeds import frontmatter
from feeds.errors import ArticleError
from feeds.frontmatter import MAX_NESTING, XML_FORBIDDEN, Split, _find_closer, load, read_simple, read_yaml, split

# ---------------------------------------------------------------- the reference


def _reference_loader(base: type) -> type:
    """PyYAML's BaseLoader + YAML nulls + core tags as text; every other tag refused."""

    class Reference(base):  # type: ignore[misc,valid-type]
        pass

    def refuse(loader: Any, suffix: str, node: Any) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {tag} is not allowed in front matter: remove it (only plain values)", node.start_mark
        )

    Reference.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    Reference.add_constructor("tag:yaml.org,2002:null", lambda loader, node: None)
    for tag in ("str", "int", "float", "bool", "timestamp"):
        Reference.add_constructor(f"tag:yaml.org,2002:{tag}", base.construct_scalar)
    Reference.add_constructor("tag:yaml.org,2002:seq", base.construct_sequence)
    Reference.add_constructor("tag:yaml.org,2002:map", base.construct_mapping)
    Reference.add_multi_constructor("", refuse)
    return Reference


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return XML_FORBIDDEN.sub("", value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    return value


def reference(front: str, loader: type) -> tuple[Any, ...]:
    """What the loader feeds used before gives for `front`, as load() reports it."""
    try:
        data = yaml.load(front, Loader=loader)  # noqa: S506 - BaseLoader subclass: plain values only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem += "; quote values that contain ': ', ' #' or start with a special character"
        return ("error", f"the front matter is not valid YAML: {problem}", 2 + mark.line if mark else 2)
    except yaml.YAMLError as exc:
        return ("error", f"the front matter is not valid YAML: {exc}", 2)
    if "\\" in front:
        data = _scrub(data)
    if data is None:
        return ("error", "the front matter is empty: add at least `title: ...`", 1)
    if not isinstance(data, dict):
        return ("error", "not a mapping", 2)
    return ("ok", repr(data))  # repr: key order and types, not only equality


def ours(front: str) -> tuple[Any, ...]:
    try:
        data = load(Split("yaml", front, 2, 1, "", 3 + front.count("\n")), "a.md")
    except ArticleError as err:
        if "must be `key: value` lines" in err.message:
            return ("error", "not a mapping", err.line)
        return ("error", err.message, err.line)
    return ("ok", repr(data))


LIBYAML = _reference_loader(yaml.CBaseLoader) if yaml.__with_libyaml__ else None
PURE = _reference_loader(yaml.BaseLoader)


@pytest.fixture(params=["libyaml", "pure"])
def composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """Run a test with each composer feeds can use, against the matching reference loader."""
    if request.param == "libyaml":
        if LIBYAML is None:
            pytest.skip("PyYAML without libyaml")
        return LIBYAML
    monkeypatch.setattr(frontmatter, "_Composer", frontmatter._PyComposer)
    return PURE


# ---------------------------------------------------------------- generated texts

SIMPLE_KEYS = ["title", "date", "tags", "categories", "author", "headimg", "x_1", "a-b", "Null", "null"]
ODD_KEYS = ["~", "'q'", '"d"', "? k", "a b", "-k", "k:", "1", "[a]", "{a: b}", "&a k", "*a", "!!str k"]
SEPARATORS = [": ", ":", ":  ", " : ", ":\t", ": \t"]
SPECIAL_VALUES = [
    "", " ", "~", "null", "Null", "NULL", "nULL", "''", '""', "'it''s'", "'a' b", "'a''", "'a'''", '"say \\"hi\\""',
    '"tab\\there"', '"\\x01\\u000c\\uFFFE"', "'\\x01'", "[a, b]", "[ ]", "[]", "[a,]", "[,]", "[a, [b, c]]", "[a: b]",
    "['x, y', \"z\"]", "[~, null, a b]", "{a: b}", "{}", "&x v", "*x", "&x [a, *x]", "!!str 1", "!!int 2", "!!null",
    "!!null [a]", "!!seq [a]", "!!map {a: b}", "!!str [a]", "!!seq a", "!!map a", "!!python/name:os.system",
    "!!binary aGk=", "!custom v", "! v", "!<tag:yaml.org,2002:str> v", "|\n  lit\n  block", ">-\n  folded\n  text",
    "a # comment", "a #b", "a#b", "a:b", "a: b", "a:", "- x", "-x", "?x", ":x", "x:", "'unterminated", "%x", "@x",
    "`x`", "a\u2028b", "a\x85b", "\ufeffa", "a\tb", "a\u3000b", "a\xa0", "http://example.com/a?b=c#d", "2022-06-17 14:50:00",
    "Fri, 17 Jun 2022 06:50:00 GMT", "华为云：生态", "'华为云：生态'", "a\\b", "-", "- ", "...", "---",
]
text_piece = st.text(alphabet=" abc:#'\"-[],{}?!&*|>%@`~\\\xa0中\t", max_size=12)
value = st.one_of(st.sampled_from(SPECIAL_VALUES), text_piece)
key = st.one_of(st.sampled_from(SIMPLE_KEYS), st.sampled_from(ODD_KEYS))
entry = st.builds(lambda k, sep, v: f"{k}{sep}{v}", key, st.sampled_from(SEPARATORS), value)
item = st.builds(lambda indent, v: f"{' ' * indent}- {v}", st.integers(0, 3), value)
other = st.sampled_from(["", "  ", "# comment", "  name: x", "  - - a", "\t- a", "key", "---", "...", "%YAML 1.1"])
lines = st.lists(st.one_of(entry, entry, item, item, other), min_size=1, max_size=10)

# The simple shape itself, with values near its edges, so read_simple answers often.
quotable = st.text(alphabet=" ab:#'\"-~中\\", max_size=8)
simple_value = st.one_of(
    st.text(alphabet=" abc:#'\"-~中", min_size=1, max_size=10),
    st.text(alphabet="ab c中-./~", min_size=1, max_size=8),
    st.builds(lambda text: "'" + text.replace("'", "''") + "'", quotable),
    st.builds(lambda text: '"' + text + '"', quotable),
    st.text(alphabet="ab :'\u2028\u2029\x85\ufeff\t\xa0\\\x01\x7f\ufffe\U0001f600\u3000", min_size=1, max_size=5),
    st.sampled_from(SPECIAL_VALUES),
)
simple_entry = st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(SIMPLE_KEYS), simple_value)
simple_list = st.builds(
    lambda k, indent, vs: "\n".join([f"{k}:", *(f"{' ' * indent}- {v}" for v in vs)]),
    st.sampled_from(SIMPLE_KEYS), st.integers(0, 2), st.lists(simple_value, max_size=3),
)
simple_flow = st.builds(
    lambda k, vs: f"{k}: [{', '.join(vs)}]",
    st.sampled_from(SIMPLE_KEYS), st.lists(st.text(alphabet=" ab'\"~中-", min_size=1, max_size=6), max_size=3),
)
simple_lines = st.lists(st.one_of(simple_entry, simple_list, simple_flow, st.just("")), min_size=1, max_size=6)

HEXO = (
    "title: '华为云陶志强：华为云生态与伙伴的关系就像钻石'\ncategories: \n - 新媒体\n - 高科技行业门户\n - 新闻\n"
    "headimg: 'https://cors.zfour.workers.dev/?http://images.ofweek.com/Upload/News/2022-06/17/a.png'\n"
    "author: 高科技行业门户\ncomments: false\ndate: Fri, 17 Jun 2022 06:50:00 GMT"
)


# ---------------------------------------------------------------- the properties


# The fixture only picks the composer, the same for every generated input.
@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines)
@example([HEXO])
@example(["a: &x [b, *x]"])
@example(["? [a]\n: b"])
@example(["a: !!str [b]"])
@example(["a: !!python/object:x {b: !!str c}"])
def test_load_gives_what_pyyaml_base_loader_gave(composer: type, lines: list[str]) -> None:
    front = "\n".join(lines)
    assert ours(front) == reference(front, composer)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simple_lines)
@example([HEXO])
def test_read_simple_answers_only_with_what_yaml_gives(lines: list[str]) -> None:
    front = "\n".join(lines)
    simple = read_simple(front)
    if simple is not None:
        assert repr(simple) == repr(read_yaml(front))
        assert ("ok", repr(simple)) == reference(front, LIBYAML or PURE)


@pytest.mark.parametrize(
    "front",
    [
        HEXO,
        "title: Hello World\ndate: 2013/7/13 20:46:25\ntags: [Open Source, Linux, 开源]",
        "title: \"Rust 1.62: cargo add\"\nauthor:\n  - Bob O'Neil\n  - Grace <grace@example.com> (https://example.com/)",
        "title: x\n\ntags:\n- a\n\n- b\ndraft: false\nempty:\ncover: ~",
    ],
)
def test_everyday_front_matter_takes_the_simple_path(front: str) -> None:
    simple = read_simple(front)
    assert simple is not None and repr(simple) == repr(read_yaml(front))


@pytest.mark.parametrize(
    "front",
    [
        "title: a # comment",
        "title: a\n  continued",
        "title: 'a\n  b'",
        "author:\n  name: x",
        "tags:\n - a\n  - b",
        "tags:\n- - a",
        "title:\tx",
        "title: a\u2028b",
        "null: x",
        "title: x\ntitle: y\n  - z",
        "tags: [a, [b]]",
        "t: x\n- y",
    ],
)
def test_anything_else_is_left_to_yaml(front: str) -> None:
    assert read_simple(front) is None


def test_nesting_is_bounded_without_recursion(composer: type) -> None:
    def nested(depth: int) -> str:
        return "---\nx: " + "[" * depth + "]" * depth + "\n---\n"

    value = load(split(nested(MAX_NESTING - 1), "a.md"), "a.md")  # the mapping is one level
    for _ in range(MAX_NESTING - 2):
        value = value["x"] if isinstance(value, dict) else value[0]
    assert value == {"x": []} or value == [[]]
    with pytest.raises(ArticleError, match="nested too deeply"):
        load(split(nested(MAX_NESTING), "a.md"), "a.md")
    with pytest.raises(ArticleError, match="nested too deeply"):  # libyaml's composer would crash the process
        load(split(nested(200_000), "a.md"), "a.md")
    with pytest.raises(ArticleError, match="nested too deeply"):  # found before the end of the text
        load(split("---\nx: " + "[" * 100_000 + "\n---\n", "a.md"), "a.md")


def test_an_alias_bomb_costs_what_its_text_costs() -> None:
    lines = ['a0: &a0 ["\\x01x", x, x, x, x, x, x, x, x, x]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    meta = load(split("---\n" + "\n".join(lines) + "\n---\n", "a.md"), "a.md")
    assert meta["a9"][0][0] is meta["a8"][0] and meta["a0"][0] == "x"


# ---------------------------------------------------------------- finding the closing line


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="-; \t\na", max_size=40), st.sampled_from(["---", "----", ";;;"]), st.integers(0, 40))
def test_find_closer_is_the_closing_line_regex(text: str, separator: str, start: int) -> None:
    start = min(start, len(text))
    if start and text[start - 1] != "\n":
        return  # the front matter always starts a line
    found = re.compile(rf"^{re.escape(separator)}[ \t]*$", re.MULTILINE).search(text, start)
    assert _find_closer(text, separator, start) == (None if found is None else (found.start(), found.end()))
