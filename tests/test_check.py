"""`feeds check`: every broken file reported as path:line, exit codes 0/1/2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feeds.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOOD = "---\ntitle: Good\ndate: 2022-06-17 14:50\ntags: [a]\n---\n<p>Fine.</p>\n"

BROKEN = {
    "gbk.md": "---\ntitle: 旧编码\ndate: 2022-01-01\n---\n正文".encode("gbk"),
    "no-front.md": b"Just a body, no front matter.\n",
    "unclosed.md": b"\n---\ntitle: Never closed\ndate: 2022-01-01\n",
    "yaml.md": b"---\ntitle: x\ndate: 2022-01-01\nbad: a: b\n---\n",
    "no-title.md": b"---\ndate: 2022-01-01\n---\nbody\n",
    "bad-date.md": b"---\ntitle: x\ndate: the day after tomorrow\n---\n",
    "cst.md": b"---\ntitle: x\ndate: Fri, 17 Jun 2022 14:50:00 CST\n---\n",
    "evil.md": b"---\ntitle: x\ndate: 2022-01-01\nx: !!python/object/apply:os.system [echo pwned]\n---\n",
}
EXPECTED_LINES = {
    "gbk.md": "gbk.md:2: error: not UTF-8: byte 0xbe at offset 11",
    "no-front.md": "no-front.md:1: error: no front matter",
    "unclosed.md": "unclosed.md:2: error: front matter opened by `---` on line 2 is never closed",
    "yaml.md": "yaml.md:4: error: the front matter is not valid YAML",
    "no-title.md": "no-title.md:1: error: the article has no title",
    "bad-date.md": "bad-date.md:3: error: `date`: 'the day after tomorrow' is not a date",
    "cst.md": "cst.md:3: error: `date`: the time zone 'CST' is ambiguous",
    "evil.md": "evil.md:4: error: the front matter is not valid YAML: the tag !!python/object/apply:os.system is not allowed",
}


def write(folder: Path, files: dict[str, bytes | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return folder


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder so no ./feeds.yaml is picked up."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str):
    return CliRunner().invoke(app, ["check", *args])


def test_every_broken_file_is_reported_and_the_rest_still_checked(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {**BROKEN, "good.md": GOOD, "draft.md": "---\ntitle: d\ndraft: true\n---\n"})
    before = snapshot(in_tmp)
    result = check("--articles", str(folder))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == len(BROKEN)
    for name, expected in EXPECTED_LINES.items():
        assert any(line.startswith(expected) for line in errors), (name, errors)
    assert result.stdout.strip() == f"{len(BROKEN) + 2} articles read, 1 drafts skipped, {len(BROKEN)} rejected, 0 warnings"
    assert snapshot(in_tmp) == before  # wrote nothing


def test_clean_folder_exits_zero_with_a_summary(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {"a.md": GOOD, "sub/b.html": GOOD})
    result = check("--articles", str(folder), "--site-url", "https://example.com/")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == "2 articles read, 0 drafts skipped, 0 rejected, 0 warnings\n"


def test_warnings_are_printed_but_do_not_fail(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {"nodate.md": "---\ntitle: x\n---\nbody"})
    result = check("--articles", str(folder))
    assert result.exit_code == 0
    assert result.stderr.startswith("nodate.md:1: warning: no `date`")
    assert "1 warnings" in result.stdout


def test_quiet_prints_only_errors(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {"nodate.md": "---\ntitle: x\n---\n", "bad.md": "nothing"})
    result = check("--articles", str(folder), "--quiet")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("bad.md:1: error: no front matter")
    assert "warning" not in result.stderr


def test_verbose_lists_each_file(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {"a.md": GOOD, "d.md": "---\ntitle: d\npublished: false\n---\n"})
    result = check("--articles", str(folder), "--verbose")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["a.md: ok", "d.md: draft, skipped"]


def test_duplicate_ids_are_an_error_as_generate_makes_them(in_tmp: Path) -> None:
    """`generate` leaves the later of two articles with one id out of every feed: `check` says so."""
    same = "---\ntitle: x\ndate: 2022-01-01\nid: tag:example.com,2022:1\n---\n"
    folder = write(in_tmp / "articles", {"a.md": same, "b.md": same})
    result = check("--articles", str(folder))
    assert result.exit_code == 1
    assert result.stderr.startswith("b.md: error: same id as a.md (tag:example.com,2022:1): `feeds generate` "
                                    "leaves it out of every feed")
    assert "2 articles read, 0 drafts skipped, 1 rejected" in result.stdout
    assert check("--articles", str(folder), "--verbose").stdout.splitlines()[:2] == ["a.md: ok", "b.md: rejected"]


def test_timezone_and_config_file_are_used(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {"cst.md": BROKEN["cst.md"]})
    (in_tmp / "feeds.yaml").write_text("timezone_aliases:\n  CST: Asia/Shanghai\n", encoding="utf-8")
    assert check("--articles", str(folder)).exit_code == 0
    assert check("--articles", str(folder), "--config", str(in_tmp / "feeds.yaml")).exit_code == 0
    os.remove(in_tmp / "feeds.yaml")
    assert check("--articles", str(folder)).exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--articles", "missing"], "articles folder not found"),
        (["--timezone", "Mars/Olympus"], "unknown time zone"),
        (["--site-url", "example.com"], "site_url must be an absolute http(s) URL"),
        (["--config", "nope.yaml"], "config file not found"),
    ],
)
def test_usage_and_config_errors_exit_2(in_tmp: Path, args: list[str], message: str) -> None:
    write(in_tmp / "articles", {"a.md": GOOD})
    result = check(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_bundled_articles_check_clean_as_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "feeds", "check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.endswith("1 drafts skipped, 0 rejected, 0 warnings\n")


def test_broken_folder_as_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    folder = write(tmp_path / "articles", BROKEN)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "feeds", "check", "--articles", str(folder)],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=env,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == len(BROKEN)


def test_a_file_name_that_is_not_utf8_is_an_error_not_a_traceback(in_tmp: Path) -> None:
    folder = write(in_tmp / "articles", {"a.md": GOOD, os.fsdecode(b"caf\xe9.md"): GOOD})
    result = check("--articles", str(folder))
    assert result.exit_code == 1 and not isinstance(result.exception, UnicodeError)
    assert result.stderr == ("caf\\xe9.md: error: the file name is not UTF-8 (ids, links and messages are made "
                             "from it); rename it\n")
    assert "2 articles read, 0 drafts skipped, 1 rejected" in result.stdout
