"""Finding and reading article files: which files count, in which order, and what an unreadable one gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds import read
from feeds.errors import ArticleError
from feeds.read import list_article_files, read_source, stat_article_files


def touch(root: Path, name: str, text: str = "---\ntitle: x\n---\n") -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in list_article_files(root)]


def test_lists_article_suffixes_sorted_by_relative_path(tmp_path: Path) -> None:
    for name in ["b.md", "a.html", "2022/z.markdown", "2022/a.htm", "C.MD", "notes.txt", "pic.png"]:
        touch(tmp_path, name)
    assert names(tmp_path) == ["2022/a.htm", "2022/z.markdown", "C.MD", "a.html", "b.md"]


def test_skips_a_feeds_output_folder_but_not_the_articles_folder_itself(tmp_path: Path) -> None:
    """An output folder (it holds `.feeds`) inside the articles: its index.html is no article."""
    for name in ["post.md", "dist/index.html", "dist/.feeds/manifest.json", "deep/er/out/index.html",
                 "deep/er/out/.feeds/lock", "deep/post.md"]:
        touch(tmp_path, name)
    assert names(tmp_path) == ["deep/post.md", "post.md"]
    touch(tmp_path, ".feeds/lock")  # the articles folder itself is scanned whatever it holds
    assert names(tmp_path) == ["deep/post.md", "post.md"]


def test_skips_hidden_underscore_and_editor_temp_files(tmp_path: Path) -> None:
    for name in [
        "post.md",
        ".hidden.md",
        "_partial.md",
        "#post.md#",
        ".#post.md",
        "~$post.md",
        "post.md~",
        "post.md.swp",
        ".git/HEAD.md",
        "_drafts/idea.md",
    ]:
        touch(tmp_path, name)
    assert names(tmp_path) == ["post.md"]


def test_does_not_follow_symlinked_folders(tmp_path: Path) -> None:
    touch(tmp_path, "sub/post.md")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    assert names(tmp_path) == ["sub/post.md"]


def test_missing_folder_is_an_os_error_for_the_caller(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        list_article_files(tmp_path / "nope")


def test_read_source_keeps_bytes_and_stat(tmp_path: Path) -> None:
    path = touch(tmp_path, "2022/post.md", "---\ntitle: 你好\n---\nbody\n")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    source = read_source(tmp_path, path)
    assert source.path == "2022/post.md"
    assert source.data == "---\ntitle: 你好\n---\nbody\n".encode()
    assert source.size == len(source.data)
    assert source.mtime == 1_600_000_000


def test_unreadable_file_is_an_article_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ArticleError) as caught:
        read_source(tmp_path, tmp_path / "gone.md")
    assert caught.value.path == "gone.md"
    assert "cannot read" in caught.value.message


def test_a_folder_named_like_an_article_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "odd.md").mkdir()
    with pytest.raises(ArticleError, match="cannot read"):
        read_source(tmp_path, tmp_path / "odd.md")


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 10)
    path = touch(tmp_path, "big.md", "x" * 11)
    with pytest.raises(ArticleError, match="more than the 10"):
        read_source(tmp_path, path)


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_ARTICLE_BYTES", 10)
    assert read_source(tmp_path, touch(tmp_path, "ok.md", "x" * 10)).data == b"x" * 10
    assert read_source(tmp_path, touch(tmp_path, "empty.md", "")).data == b""


def test_read_relative_is_read_source_for_a_scanned_name(tmp_path: Path) -> None:
    path = touch(tmp_path, "2022/06/post.md", "---\ntitle: 你好\n---\n" + "body\n" * 30000)
    assert read.read_relative(tmp_path, "2022/06/post.md") == read_source(tmp_path, path)
    with pytest.raises(ArticleError, match="cannot read") as caught:
        read.read_relative(tmp_path, "2022/06/gone.md")
    assert caught.value.path == "2022/06/gone.md"


@pytest.mark.parametrize(
    ("root", "file", "expected"),
    [
        ("/srv/blog", "/srv/blog/2022/post.md", "2022/post.md"),
        ("/srv/blog", "/srv/blog2/post.md", "/srv/blog2/post.md"),
        ("/", "/srv/post.md", "srv/post.md"),
        (".", "post.md", "post.md"),
        ("articles", "articles/a/b.md", "a/b.md"),
        ("/srv/blog/", "/srv/blog//x/./post.md", "x/post.md"),
    ],
)
def test_relative_name_is_the_posix_path_under_root(root: str, file: str, expected: str) -> None:
    assert read.relative_name(Path(root), Path(file)) == expected


def test_stat_article_files_lists_the_same_files_with_their_stat(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.md").write_text("---\ntitle: two\n---\n")
    (tmp_path / "one.html").write_text("---\ntitle: one\n---\n")
    (tmp_path / "_draft.md").write_text("---\ntitle: skipped\n---\n")
    (tmp_path / "notes.txt").write_text("not an article")
    listed = list_article_files(tmp_path)
    stated = stat_article_files(tmp_path)
    assert [rel for rel, _, _ in stated] == [p.relative_to(tmp_path).as_posix() for p in listed] == ["b/two.md", "one.html"]
    for (rel, size, mtime_ns), path in zip(stated, listed):
        st = path.stat()
        assert (size, mtime_ns) == (st.st_size, st.st_mtime_ns)


@given(st.text(alphabet=st.sampled_from(list("aM.dHtmlKkrown_~# 中\u212a\u0130")), min_size=1, max_size=14))
def test_an_article_name_is_told_by_the_suffix_splitext_gives(name: str) -> None:
    if name.startswith(read._SKIPPED_PREFIXES):
        return  # never asked: the scan skips these names first
    assert read._article_name(name) == (os.path.splitext(name)[1].lower() in read.ARTICLE_SUFFIXES)


def test_stats_by_folder_descriptor_equal_each_entry_s_own_stat(tmp_path: Path) -> None:
    """The fast stat pass (os.stat under an open folder) must give what DirEntry.stat gives."""
    for name in ["a.md", "sub/b.md", "sub/deeper/c.html", "z.md"]:
        touch(tmp_path, name, "x" * len(name))
    (tmp_path / "link.md").symlink_to(tmp_path / "sub" / "b.md")  # a link to a file: its target's stat
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")  # dangling: not an article
    fast = stat_article_files(tmp_path)
    assert fast == read._stat_each(read._walk(tmp_path))
    assert [rel for rel, _, _ in fast] == ["a.md", "link.md", "sub/b.md", "sub/deeper/c.html", "z.md"]
