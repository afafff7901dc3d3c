"""Publishing into dist/: atomic, minimal, tidy, and never outside the folder."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.errors import PublishError
from feeds.group import group_feeds
from feeds.pages import render_index, render_opml
from feeds.publish import MANIFEST, STATE_DIR, PublishReport, publish, untouched
from feeds.render import render_all
from render_samples import seed_article, site_articles, site_config


def site_files(articles: list | None = None) -> dict[str, bytes]:
    config = site_config()
    specs = group_feeds(site_articles() if articles is None else articles, config)
    files = render_all(specs, config)
    files["feeds.opml"] = render_opml(specs, config)
    files["index.html"] = render_index(specs, config)
    return files


def tree(root: Path) -> dict[str, bytes]:
    """Every regular file under root (relative POSIX path -> bytes), bookkeeping excluded."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and STATE_DIR not in path.relative_to(root).parts:
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def mtimes(root: Path) -> dict[str, int]:
    return {p: (root / p).stat().st_mtime_ns for p in tree(root)}


def manifest_paths(root: Path) -> set[str]:
    return set(json.loads((root / MANIFEST).read_text(encoding="utf-8"))["files"])


def test_first_run_writes_everything_second_run_nothing(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    files = site_files()
    first = publish(dist, files)
    assert first == PublishReport(tuple(sorted(files)), (), (), tuple(sorted(files)))
    assert tree(dist) == files
    before = mtimes(dist)
    manifest_before = (dist / MANIFEST).stat().st_mtime_ns
    second = publish(dist, site_files())
    assert second.written == () and second.removed == () and second.unchanged == tuple(sorted(files))
    assert mtimes(dist) == before
    assert (dist / MANIFEST).stat().st_mtime_ns == manifest_before


def test_only_changed_files_are_rewritten(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    publish(dist, site_files())
    before = mtimes(dist)
    newer = dataclasses.replace(seed_article(), title="华为云陶志强：生态就像钻石（更新）")
    files = site_files([newer, *site_articles()[1:]])
    report = publish(dist, files)
    assert "categories/新媒体/高科技行业门户/新闻/atom.xml" in report.written
    assert "tags/Rust/atom.xml" in report.unchanged  # the seed has no tag Rust
    assert tree(dist) == files
    after = mtimes(dist)
    assert all(after[p] == before[p] for p in report.unchanged)


def test_a_file_edited_behind_our_back_is_compared_by_bytes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    files = site_files()
    publish(dist, files)
    (dist / "atom.xml").write_bytes(b"<feed/>")
    report = publish(dist, files)
    assert report.written == ("atom.xml",)
    assert (dist / "atom.xml").read_bytes() == files["atom.xml"]
    os.utime(dist / "rss.xml", ns=(1, 1))  # same bytes, other stat: recognised, not rewritten
    report = publish(dist, files)
    assert report.written == () and (dist / "rss.xml").stat().st_mtime_ns == 1


def test_a_dropped_feed_is_removed_with_its_empty_folders(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    publish(dist, site_files())
    without_seed_and_older = [a for a in site_articles() if a.source not in ("000_54eddf3d95a348cd.md", "2021/older.md")]
    files = site_files(without_seed_and_older)
    report = publish(dist, files)
    assert "categories/新媒体/高科技行业门户/新闻/atom.xml" in report.removed
    assert "authors/高科技行业门户/rss.xml" in report.removed
    assert not (dist / "categories/新媒体/高科技行业门户/新闻").exists()
    assert not (dist / "authors/高科技行业门户").exists()
    assert (dist / "categories/新媒体/高科技行业门户/评论/atom.xml").exists()  # still produced
    assert tree(dist) == files
    assert manifest_paths(dist) == set(files)


def test_files_feeds_did_not_write_survive(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "categories/新媒体").mkdir(parents=True)
    (dist / "categories/新媒体/README.txt").write_text("mine", encoding="utf-8")
    (dist / "robots.txt").write_text("User-agent: *", encoding="utf-8")
    (dist / "authors/高科技行业门户").mkdir(parents=True)
    publish(dist, site_files())
    (dist / "authors/高科技行业门户/photo.jpg").write_bytes(b"\xff\xd8")
    report = publish(dist, site_files([a for a in site_articles() if a.source == "2022/why-rust.md"]))
    assert "authors/高科技行业门户/atom.xml" in report.removed
    assert (dist / "robots.txt").read_text(encoding="utf-8") == "User-agent: *"
    assert (dist / "categories/新媒体/README.txt").exists()
    assert (dist / "authors/高科技行业门户/photo.jpg").exists()
    assert not (dist / "categories/新媒体/atom.xml").exists()


def test_a_kept_path_is_not_touched(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    old = site_files()
    publish(dist, old)
    before = (dist / "tags/AI/atom.xml").stat().st_mtime_ns
    new = site_files([dataclasses.replace(a, title=a.title + "!") for a in site_articles()])
    del new["tags/AI/atom.xml"]  # say it failed validation this run
    report = publish(dist, new, keep=["tags/AI/atom.xml"])
    assert "tags/AI/atom.xml" not in report.written + report.removed + report.unchanged
    assert (dist / "tags/AI/atom.xml").read_bytes() == old["tags/AI/atom.xml"]
    assert (dist / "tags/AI/atom.xml").stat().st_mtime_ns == before
    assert "tags/AI/atom.xml" in manifest_paths(dist)
    report = publish(dist, new)  # no longer kept and not produced: now it goes
    assert report.removed == ("tags/AI/atom.xml",)


def test_a_path_cannot_be_both_written_and_kept(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="both"):
        publish(tmp_path / "dist", {"atom.xml": b"x"}, keep=["atom.xml"])


@pytest.mark.parametrize(
    "path", ["../escape.xml", "/etc/passwd", "a/../../b.xml", "a//b.xml", "./a.xml", "a\\b.xml", "", MANIFEST, "x/.atom.xml.1.feeds-tmp"]
)
def test_unsafe_paths_are_refused_before_anything_is_written(tmp_path: Path, path: str) -> None:
    dist = tmp_path / "dist"
    with pytest.raises(PublishError):
        publish(dist, {"atom.xml": b"<feed/>", path: b"bad"})
    assert not (dist / "atom.xml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["dist"])


def test_hostile_names_cannot_escape_dist(tmp_path: Path) -> None:
    categories = ["../../etc", "a/b", "CON", "华" * 100, ".", "..", "/etc/passwd", "..\\..\\win"]
    tags = ["../../etc", "a/b", "CON", "华" * 100, "", "..", "nul.txt"]  # "" and "." would clash: both "-"
    article = dataclasses.replace(seed_article(), categories=tuple((n, "..") for n in categories), tags=tuple(tags))
    site = tmp_path / "site"
    dist = site / "dist"
    files = site_files([dataclasses.replace(article, authors=())])
    publish(dist, files)
    assert [p.name for p in site.iterdir()] == ["dist"]
    real_dist = dist.resolve()
    for path in dist.rglob("*"):
        assert path.resolve().is_relative_to(real_dist)
        assert len(path.name.encode()) <= 255
    assert len(tree(dist)) == len(files)


def test_a_symlink_leading_out_of_dist_is_refused(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    outside = tmp_path / "outside"
    outside.mkdir()
    dist.mkdir()
    (dist / "categories").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PublishError, match="symbolic link"):
        publish(dist, site_files())
    assert list(outside.iterdir()) == []


def test_a_symlink_inside_dist_is_followed(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "real-tags").mkdir(parents=True)
    (dist / "tags").symlink_to("real-tags", target_is_directory=True)
    files = site_files()
    publish(dist, files)
    assert (dist / "real-tags/AI/atom.xml").read_bytes() == files["tags/AI/atom.xml"]


def test_leftover_temporary_files_are_cleaned_up(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    publish(dist, site_files())
    leftovers = [dist / ".atom.xml.k1l2m3.feeds-tmp", dist / "tags/AI/.rss.xml.x9y8.feeds-tmp"]
    for path in leftovers:
        path.write_bytes(b"<rss")
    (dist / "tags/AI/notes.feeds-tmp.txt").write_bytes(b"not ours")
    publish(dist, site_files())
    assert not any(p.exists() for p in leftovers)
    assert (dist / "tags/AI/notes.feeds-tmp.txt").exists()


def test_files_are_readable_by_the_web_server(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        publish(tmp_path / "dist", {"atom.xml": b"<feed/>"})
    finally:
        os.umask(old)
    assert (tmp_path / "dist/atom.xml").stat().st_mode & 0o777 == 0o644


# --- crash safety: SIGKILL at every step of a run -------------------------


def _publish_and_die(dist: Path, files: dict[str, bytes], target: str, after: int) -> None:
    """In a child: publish, but SIGKILL ourselves on the `after`-th call of os.<target>."""
    real: Callable[..., object] = getattr(os, target)
    calls = 0

    def dying(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == after:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(os, target, dying)
    publish(dist, files)
    os._exit(0)


@pytest.mark.parametrize("target", ["replace", "fsync", "unlink", "rmdir", "mkdir"])
def test_sigkill_at_any_step_leaves_old_or_new_files_and_loses_track_of_nothing(tmp_path: Path, target: str) -> None:
    old = site_files()
    gone = ("2021/older.md", "2022/why-rust.md")  # why-rust alone has Open Source, Bob O'Neil, Rust
    new = site_files([a for a in site_articles() if a.source not in gone] + [
        dataclasses.replace(seed_article(), source="new.md", categories=(("新栏目", "子栏目"),), tags=("新标签",))
    ])
    for after in range(1, 200):
        dist = tmp_path / f"{target}-{after}"
        publish(dist, old)
        child = multiprocessing.get_context("fork").Process(target=_publish_and_die, args=(dist, new, target, after))
        child.start()
        child.join()
        on_disk = tree(dist)
        listed = manifest_paths(dist)
        for path, data in on_disk.items():
            if path.endswith(".feeds-tmp"):
                continue  # a killed run's temporary file: the next run deletes it
            assert data in (old.get(path), new.get(path)), (target, after, path)
            assert path in listed, (target, after, path)
        report = publish(dist, new)
        assert tree(dist) == new and manifest_paths(dist) == set(new), (target, after, report)
        if child.exitcode == 0:
            assert after > 1, f"os.{target} was never called: nothing was tested"
            break
        assert child.exitcode == -signal.SIGKILL
    else:
        pytest.fail("the run never completed")


def test_untouched_lists_only_files_nobody_changed(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    publish(dist, {"atom.xml": b"<feed/>", "rss.xml": b"<rss/>", "a/atom.xml": b"<feed/>"})
    assert untouched(dist) == {"atom.xml", "rss.xml", "a/atom.xml"}
    (dist / "rss.xml").write_bytes(b"<rss>edited by hand</rss>")
    (dist / "a/atom.xml").unlink()
    assert untouched(dist) == {"atom.xml"}
    assert untouched(tmp_path / "nothing-here") == frozenset()


def test_the_manifest_written_line_by_line_reads_back_as_it_was(tmp_path: Path) -> None:
    """Built by hand around the C JSON encoder: names in any script, with spaces and punctuation, survive."""
    from feeds.publish import _Manifest, _Record, _manifest_bytes, _read_manifest

    files = {name: _Record("ab" * 32, 10 + i, 1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_001, 42 + i)
             for i, name in enumerate(["tags/it's & more/atom.xml", "tags/C++ (v2)/rss.xml", "categories/新媒体/atom.xml",
                                       "tags/😀/atom.xml", "atom.xml", 'authors/Ann "A" Lee/atom.xml'])}
    for manifest in (_Manifest(files, frozenset({"tags", "tags/😀", "categories/新媒体"})), _Manifest({}, frozenset())):
        data = _manifest_bytes(manifest)
        (tmp_path / ".feeds").mkdir(exist_ok=True)
        (tmp_path / MANIFEST).write_bytes(data)
        assert _read_manifest(tmp_path) == (data, manifest)
        if manifest.files:
            assert data.count(b"\n") == len(manifest.files) + len(manifest.dirs) + 8  # one entry a line
