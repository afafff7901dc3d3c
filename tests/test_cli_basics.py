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
