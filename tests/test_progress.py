"""A progress bar on a terminal for long runs, and never anywhere else (cron, pipes)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.site_corpus import REPO, write_corpus


def run_on_terminal(args: list[str]) -> tuple[int, bytes]:
    """Run with stdout and stderr on a pseudo-terminal; returns the exit status and what it showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, cwd=REPO,
                            env=dict(os.environ, COLUMNS="100", TERM="xterm"))
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the run is over
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return proc.wait(), shown


def test_a_long_run_on_a_terminal_shows_progress_and_a_pipe_does_not(tmp_path: Path) -> None:
    articles = write_corpus(tmp_path / "articles", 700, with_samples=False)
    command = [sys.executable, "-m", "feeds", "generate", "--articles", str(articles), "--site-url",
               "https://example.com/", "--jobs", "1"]
    code, shown = run_on_terminal([*command, "--out", str(tmp_path / "tty")])
    assert code == 0, shown[-2000:]
    assert b"read" in shown and b"%" in shown  # rich draws "read ━━━━ 100%"
    assert b"700 articles read" in shown
    piped = subprocess.run([*command, "--out", str(tmp_path / "pipe")], capture_output=True, cwd=REPO)
    assert piped.returncode == 0
    assert b"%" not in piped.stderr and b"\x1b[" not in piped.stderr + piped.stdout
