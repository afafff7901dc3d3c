"""`feeds validate PATH...`: one line per message, a summary, exit 0 / 1 / 2, --format json, --strict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from feeds.validate import find_feed_files

REPO = Path(__file__).resolve().parents[1]

VALID = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example</title>
  <id>https://example.com/</id>
  <updated>2024-01-01T00:00:00Z</updated>
  <link rel="self" href="https://example.com/atom.xml"/>
  <author><name>Jane</name></author>
  <entry>
    <title>Hello</title>
    <id>https://example.com/hello</id>
    <link href="https://example.com/hello"/>
    <updated>2024-01-01T00:00:00Z</updated>
    <summary>Hi</summary>
  </entry>
</feed>
"""
WARNED = VALID.replace(b'  <link rel="self" href="https://example.com/atom.xml"/>\n', b"")
INVALID = VALID.replace(b"<updated>2024-01-01T00:00:00Z</updated>\n    <summary>",
                        b"<updated>2024-01-01 00:00:00</updated>\n    <summary>")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "feeds", "validate", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or REPO, env=env)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "category" / "news").mkdir(parents=True)
    (folder / "atom.xml").write_bytes(VALID)
    (folder / "category" / "news" / "atom.xml").write_bytes(WARNED)
    (folder / "notes.txt").write_text("not a feed")
    (folder / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    return folder


def test_folders_are_searched_for_feeds(dist: Path) -> None:
    assert find_feed_files([dist]) == [dist / "atom.xml", dist / "category" / "news" / "atom.xml"]


def test_valid_with_warnings_exits_0(dist: Path) -> None:
    res = run(dist)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0] == f"{dist / 'category' / 'news' / 'atom.xml'}:2:1: warning MissingSelf: " \
                       'add <link rel="self" href="..."/> with the URL this feed is served from'
    assert lines[-1] == "2 files checked, all valid: 0 errors, 1 warning"


def test_strict_counts_warnings(dist: Path) -> None:
    res = run("--strict", dist)
    assert res.returncode == 1
    assert res.stdout.strip().splitlines()[-1].startswith("2 files checked, 1 invalid: 0 errors, 1 warning")


def test_an_error_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(INVALID)
    res = run(bad)
    assert res.returncode == 1
    assert f"{bad}:12:5: error InvalidRFC3339Date: <updated> must be an RFC 3339 date-time" in res.stdout


def test_json_says_the_same(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(INVALID)
    res = run("--format", "json", bad)
    assert res.returncode == 1
    document = json.loads(res.stdout)
    assert document["summary"]["errors"] == 1
    [file] = document["files"]
    assert (file["path"], file["valid"]) == (str(bad), False)
    assert file["messages"][0]["code"] == "InvalidRFC3339Date"
    assert (file["messages"][0]["line"], file["messages"][0]["column"]) == (12, 5)


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    res = run(tmp_path / "nowhere")
    assert res.returncode == 2
    assert "no such file or folder" in res.stderr
    assert "Traceback" not in res.stderr


def test_default_is_dist(dist: Path) -> None:
    res = run(cwd=dist.parent)
    assert res.returncode == 0
    assert res.stdout.strip().endswith("2 files checked, all valid: 0 errors, 1 warning")


def test_without_dist_it_is_a_usage_error(tmp_path: Path) -> None:
    res = run(cwd=tmp_path)
    assert res.returncode == 2
    assert "dist" in res.stderr


def test_unknown_format_is_a_usage_error(dist: Path) -> None:
    res = run("--format", "xml", dist)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_a_pipe_or_a_device_is_a_usage_error_not_a_wait_or_a_traceback(tmp_path: Path) -> None:
    pipe = tmp_path / "feed.xml"
    os.mkfifo(pipe)
    for path in (pipe, Path("/dev/zero")):
        res = run(path)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        assert f"not a file or a folder (a pipe, a device?): {path}" in res.stderr
