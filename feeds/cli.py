"""The command line: the only place that prints, reads options and exits.

Exit codes (documented in README.md):
  0  all good
  1  some articles were rejected or some feed failed validation (the rest was processed)
  2  usage or configuration error (nothing was written)
  3  another run held the lock for longer than --wait (nothing was written)
  4  the output could not be written (disk full, permissions); what was published stays valid
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from feeds import __version__
from feeds.config import Config, load_config
from feeds.errors import ConfigError

if TYPE_CHECKING:
    from feeds.pipeline import RunReport

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_OUTPUT = 4

app = typer.Typer(
    rich_markup_mode=None,
    help="Turn a folder of Hexo-style articles into Atom and RSS feeds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"feeds {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Turn a folder of Hexo-style articles into Atom and RSS feeds."""


ArticlesOpt = typer.Option(Path("articles"), "--articles", help="Folder of articles to read.", show_default=True)
OutOpt = typer.Option(Path("dist"), "--out", help="Folder the feeds are written into.", show_default=True)
ConfigOpt = typer.Option(None, "--config", help="Config file [default: ./feeds.yaml when it exists].")
SiteUrlOpt = typer.Option(None, "--site-url", help="Absolute URL the site is served from.")
TimezoneOpt = typer.Option(None, "--timezone", help="IANA zone for dates without one [default: UTC].")
LimitOpt = typer.Option(None, "--limit", min=0, help="Entries per feed, 0 = all [default: 20].")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Print nothing unless something is wrong.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Also print notes and each file written.")


def err(message: str) -> None:
    """Print one message to stderr."""
    print(message, file=sys.stderr)


def resolve_config(config_path: Optional[Path], overrides: dict[str, Any]) -> Config:
    """Find the config file (explicit, else ./feeds.yaml if present) and merge overrides."""
    if config_path is None:
        default = Path("feeds.yaml")
        config_path = default if default.is_file() else None
    return load_config(config_path, overrides)


def print_messages(report: "RunReport", quiet: bool, verbose: bool) -> None:
    """Errors always (stderr); warnings unless quiet; notes and per-file lines when verbose."""
    for d in report.errors:
        err(str(d))
    if not quiet:
        for d in report.warnings:
            err(str(d))
    if verbose:
        for note in report.notes:
            err(f"feeds: note: {note}")
        for line in report.log:
            typer.echo(line)


def config_or_exit(config_path: Optional[Path], overrides: dict[str, Any]) -> Config:
    try:
        return resolve_config(config_path, overrides)
    except ConfigError as exc:
        err(f"feeds: configuration error: {exc}")
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def generate(
    articles: Path = ArticlesOpt,
    out: Path = OutOpt,
    config: Optional[Path] = ConfigOpt,
    site_url: Optional[str] = SiteUrlOpt,
    timezone: Optional[str] = TimezoneOpt,
    limit: Optional[int] = LimitOpt,
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Processes to use; 0 = one per core."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ignore the cache and rebuild every feed (the cache is refreshed)."),
    wait: float = typer.Option(60.0, "--wait", min=0, help="Seconds to wait for a run already working on --out, then exit 3."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Read the articles and write every feed into the output folder."""
    from feeds.errors import PublishError, SegmentClashError
    from feeds.lock import LockTimeout, run_lock
    from feeds.pipeline import LOCK_FILE, STATE_DIR, FoldersOverlap, RunOptions, SourceMissing, check_folders
    from feeds.pipeline import generate as run

    cfg = config_or_exit(config, {"site_url": site_url, "timezone": timezone, "limit": limit})
    options = RunOptions(articles=articles, out=out, jobs=jobs or os.cpu_count() or 1, use_cache=not no_cache,
                         now=datetime.now(UTC))
    progress = _progress_bar() if not quiet and sys.stderr.isatty() else None
    try:
        check_folders(articles, out)  # before the lock makes anything in it
        with run_lock(out / STATE_DIR / LOCK_FILE, wait=wait):
            report = run(cfg, options, progress.update if progress else None)
    except (ConfigError, SourceMissing, FoldersOverlap, SegmentClashError) as exc:
        err(f"feeds: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except LockTimeout as exc:
        err(f"feeds: {exc}")
        raise typer.Exit(EXIT_LOCKED) from None
    except PublishError as exc:
        err(f"feeds: cannot publish: {exc}")
        raise typer.Exit(EXIT_OUTPUT) from None
    except OSError as exc:
        err(f"feeds: cannot use the output folder {out}: {exc.strerror or exc} ({exc.filename or out})")
        raise typer.Exit(EXIT_OUTPUT) from None
    finally:
        if progress:
            progress.close()
    print_messages(report, quiet, verbose)
    if not quiet:
        typer.echo(report.summary())
    raise typer.Exit(EXIT_REJECTED if report.rejected or report.invalid or report.held else EXIT_OK)


class _progress_bar:
    """A progress bar on stderr for long runs; only ever drawn on a terminal."""

    def __init__(self) -> None:
        self._bar = None
        self._stage = ""

    def update(self, stage: str, done: int, total: int) -> None:
        if total < 500:  # short stages finish before a bar would help
            return
        if stage != self._stage:
            self.close()
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(stage, total=total)
            self._stage = stage
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._stage = ""


# `check` builds links only to check them, so it does not need the site URL:
# without one they are built under this reserved name (RFC 2606), which can
# never be mistaken for a real site.
CHECK_PLACEHOLDER_URL = "https://example.invalid/"


@app.command()
def check(
    articles: Path = ArticlesOpt,
    config: Optional[Path] = ConfigOpt,
    site_url: Optional[str] = SiteUrlOpt,
    timezone: Optional[str] = TimezoneOpt,
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Parse every article and report problems; write nothing."""
    from feeds.pipeline import SourceMissing, check as run_check

    cfg = config_or_exit(config, {"site_url": site_url, "timezone": timezone})
    if cfg.site_url is None:
        cfg = replace(cfg, site_url=CHECK_PLACEHOLDER_URL)
    try:
        report = run_check(cfg, articles)
    except SourceMissing as exc:
        err(f"feeds: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    print_messages(report, quiet, verbose)
    if not quiet:
        typer.echo(
            f"{report.files} articles read, {report.drafts} drafts skipped, {report.rejected} rejected, "
            f"{len(report.warnings)} warnings"
        )
    raise typer.Exit(EXIT_REJECTED if report.rejected else EXIT_OK)


class OutputFormat(str, Enum):
    """How `feeds validate` prints its findings."""

    TEXT = "text"
    JSON = "json"


@app.command()
def validate(
    paths: Optional[list[Path]] = typer.Argument(None, help="Feed files or folders [default: ./dist]."),
    output: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", help="text (one line per message) or json."),
    strict: bool = typer.Option(False, "--strict", help="Count warnings as errors."),
) -> None:
    """Check Atom and RSS files against RFC 4287 and RSS 2.0, the way the W3C validator does."""
    from feeds.validate import find_feed_files, report, validate_bytes
    from feeds.validate.report import FileResult

    targets = paths or [Path("dist")]
    missing = [p for p in targets if not p.exists()]
    odd = [p for p in targets if p.exists() and not p.is_file() and not p.is_dir()]
    if missing or odd:
        for path in missing:
            err(f"feeds validate: no such file or folder: {path}")
        for path in odd:  # a pipe would wait for a writer for ever, a device never end
            err(f"feeds validate: not a file or a folder (a pipe, a device?): {path}")
        raise typer.Exit(EXIT_USAGE)
    results = []
    for path in find_feed_files(targets):
        try:
            data = path.read_bytes()
        except OSError as exc:
            err(f"feeds validate: cannot read {path}: {exc.strerror}")
            raise typer.Exit(EXIT_USAGE) from None
        results.append(FileResult(str(path), tuple(validate_bytes(data, str(path)))))
    text = report.as_json(results, strict) if output is OutputFormat.JSON else report.as_text(results, strict)
    typer.echo(text)
    raise typer.Exit(EXIT_REJECTED if any(report.failed(r, strict) for r in results) else EXIT_OK)


def main() -> None:
    """Console-script entry point.

    The process ends with os._exit once the output is flushed, without the
    interpreter's teardown: after a run over 50,000 articles that would free
    millions of objects one by one (a tenth of a second) for nothing.
    """
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: nothing more can be said
        pass
    os._exit(code)
