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

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # Errors are raised in worker processes too: each must travel back to the run whole.
        return type(self), (self.path, self.message, self.line)

    def __str__(self) -> str:
        return str(self.diagnostic())


class ConfigError(FeedsError):
    """A bad configuration file or option: exit code 2, nothing written."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), (self.message, self.path, self.line)

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class SegmentClashError(FeedsError):
    """Two different names would be published in one folder.

    Raised instead of silently merging two categories (authors, tags) into one
    feed. Names that differ only in case clash too: the output must work on
    case-insensitive file systems (macOS, Windows) and on the web servers
    behind them, where `AI/` and `ai/` are one folder.
    """

    def __init__(self, kind: str, first: str, second: str, segment: str,
                 first_path: str | None = None, second_path: str | None = None, *,
                 folders: tuple[str, ...] = (), keys: tuple[object, ...] = ()) -> None:
        self.kind = kind
        self.first = first
        self.second = second
        self.segment = segment
        self.first_path = first_path
        self.second_path = second_path
        self.folders = folders  # the output folders of both, relative (`categories/AI`, `categories/ai`)
        self.keys = keys  # the two feeds' keys, as feeds.group knows them
        where = "" if first_path is None or second_path is None else f" (in {first_path} and {second_path})"
        self.message = (
            f"{kind} names {first!r} and {second!r}{where} would share the folder {segment!r}; "
            f"give one of them its own segment with {kind}_map in feeds.yaml"
        )
        super().__init__(self.message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.kind, self.first, self.second, self.segment, self.first_path, self.second_path),
                {"folders": self.folders, "keys": self.keys})

    def __str__(self) -> str:
        return self.message


class PublishError(FeedsError):
    """The output folder cannot be written safely (path outside it, symlink escaping it, I/O error)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), (self.path, self.message)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
