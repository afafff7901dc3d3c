"""Dedicated exception and diagnostic types.

Core functions raise or return these; only cli.py turns them into messages
and exit codes. Each carries the file (and line when known) it is about.
"""

from __future__ import annotations

from dataclasses import dataclass


class FeedsError(Exception):
    """Base class of every error feeds raises on purpose."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A message about one input file: `path:line: severity: message`."""

    path: str
    message: str
    line: int | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


class ArticleError(FeedsError):
    """An article that cannot be used; the others are still processed."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.path, self.message, self.line, "error")

    def __str__(self) -> str:
        return str(self.diagnostic())


class ConfigError(FeedsError):
    """A bad configuration file or option: exit code 2, nothing written."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
