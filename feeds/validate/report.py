"""Turning messages into what `feeds validate` prints: text lines or one JSON document.

Pure functions from messages to strings; the CLI does the printing.
Text: one `file:line:column: severity code: message` line per message, then
a summary line. JSON: {"files": [...], "summary": {...}}, the same facts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from feeds.validate.messages import ERROR, WARNING, Message


@dataclass(frozen=True, slots=True)
class FileResult:
    """The messages about one file (empty when it is valid)."""

    path: str
    messages: tuple[Message, ...]

    @property
    def errors(self) -> int:
        return sum(1 for m in self.messages if m.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for m in self.messages if m.severity == WARNING)


def failed(result: FileResult, strict: bool) -> bool:
    """Whether this file counts as invalid (with strict, warnings count too)."""
    return result.errors > 0 or (strict and result.warnings > 0)


def summary_line(results: Sequence[FileResult], strict: bool) -> str:
    files = len(results)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    bad = sum(1 for r in results if failed(r, strict))
    verdict = "all valid" if bad == 0 else f"{bad} invalid"
    mode = " (strict: warnings count as errors)" if strict else ""
    return (f"{files} {'file' if files == 1 else 'files'} checked, {verdict}: "
            f"{errors} {'error' if errors == 1 else 'errors'}, "
            f"{warnings} {'warning' if warnings == 1 else 'warnings'}{mode}")


def as_text(results: Sequence[FileResult], strict: bool) -> str:
    lines = [str(m) for r in results for m in r.messages]
    lines.append(summary_line(results, strict))
    return "\n".join(lines)


def as_json(results: Sequence[FileResult], strict: bool) -> str:
    document = {
        "files": [
            {
                "path": r.path,
                "valid": not failed(r, strict),
                "errors": r.errors,
                "warnings": r.warnings,
                "messages": [
                    {"line": m.line, "column": m.column, "severity": m.severity, "code": m.code, "message": m.text}
                    for m in r.messages
                ],
            }
            for r in results
        ],
        "summary": {
            "files": len(results),
            "invalid": sum(1 for r in results if failed(r, strict)),
            "errors": sum(r.errors for r in results),
            "warnings": sum(r.warnings for r in results),
            "strict": strict,
            "text": summary_line(results, strict),
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
