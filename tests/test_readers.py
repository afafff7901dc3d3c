"""Real feed readers read what we write: feedparser and newsboat agree on every feed.

Uses ../shared/tools/readers_check.py, which reads each feed with both clients
(newsboat through its own sqlite cache, like a subscriber) and reports any
disagreement: lost items, dates, authors, links, mojibake. Skipped, with the
reason, where ../shared or newsboat is not available (.ci/run installs newsboat).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feeds.cli import app
from tests.site_corpus import REPO, write_corpus

READERS_CHECK = REPO.parent / "shared" / "tools" / "readers_check.py"


@pytest.mark.skipif(not READERS_CHECK.exists(), reason=f"{READERS_CHECK} not found (needs ../shared)")
@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat not installed (apt-get install newsboat)")
def test_feedparser_and_newsboat_agree_on_every_feed(tmp_path: Path) -> None:
    articles = write_corpus(tmp_path / "articles", 40)
    dist = tmp_path / "dist"
    result = CliRunner().invoke(app, ["generate", "--articles", str(articles), "--out", str(dist),
                                      "--config", str(REPO / "feeds.yaml"), "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    check = subprocess.run([sys.executable, str(READERS_CHECK), str(dist)], capture_output=True, text=True,
                           timeout=600)
    failures = [line for line in check.stdout.splitlines() if line.startswith("FAIL")]
    assert check.returncode == 0 and not failures, "\n".join(failures[:20]) + check.stderr[-2000:]
    assert " 0 failed" in check.stdout
