"""The CLI answers --version and --help on every command without a traceback."""

import subprocess
import sys

import pytest

from feeds import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "feeds", *args], capture_output=True, text=True)


def test_version() -> None:
    res = run("--version")
    assert res.returncode == 0
    assert res.stdout.strip() == f"feeds {__version__}"


@pytest.mark.parametrize("command", [[], ["generate"], ["check"], ["validate"]])
def test_help_everywhere(command: list[str]) -> None:
    res = run(*command, "--help")
    assert res.returncode == 0, res.stderr
    assert "Usage" in res.stdout
    assert "Traceback" not in res.stderr


def test_exit_codes_and_piped_output_survive_the_quick_exit(tmp_path) -> None:
    """The process ends with os._exit: its output must still be flushed and its code kept."""
    missing = run("generate", "--articles", str(tmp_path / "nope"), "--out", str(tmp_path / "dist"))
    assert missing.returncode == 2
    assert "articles folder not found" in missing.stderr and "Traceback" not in missing.stderr

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "ok.md").write_text("---\ntitle: Fine\ndate: 2022-06-17 10:00:00\n---\n<p>Body.</p>\n")
    (articles / "bad.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    res = run("generate", "--articles", str(articles), "--out", str(tmp_path / "dist"),
              "--site-url", "https://example.com/")
    assert res.returncode == 1
    assert "1 articles read, 0 skipped, 1 rejected" in res.stdout
    assert "bad.md" in res.stderr
