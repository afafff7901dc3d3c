"""The command line: the only place that prints, reads options and exits.

Exit codes (documented in README.md):
  0  all good
  1  some articles were rejected or some feed failed validation (the rest was processed)
  2  usage or configuration error (nothing was written)
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

import typer

from feeds import __version__
from feeds.config import Config, load_config
from feeds.errors import ArticleError, ConfigError, Diagnostic

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2

app = typer.Typer(
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
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Also print warnings and each file written.")


def err(message: str) -> None:
    """Print one message to stderr."""
    print(message, file=sys.stderr)


def resolve_config(config_path: Optional[Path], overrides: dict[str, Any]) -> Config:
    """Find the config file (explicit, else ./feeds.yaml if present) and merge overrides."""
    if config_path is None:
        default = Path("feeds.yaml")
        config_path = default if default.is_file() else None
    return load_config(config_path, overrides)


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
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Read the articles and write every feed into the output folder."""
    err("feeds generate: not built yet")
    raise typer.Exit(EXIT_USAGE)


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
    # Imported here: the parser pulls in nh3, lxml and markdown-it (~60 ms),
    # which --help and --version do not need.
    from feeds.parse import parse_article
    from feeds.read import list_article_files, read_source

    cfg = config_or_exit(config, {"site_url": site_url, "timezone": timezone})
    if cfg.site_url is None:
        cfg = replace(cfg, site_url=CHECK_PLACEHOLDER_URL)
    if not articles.is_dir():
        err(f"feeds: articles folder not found: {articles} (pass --articles DIR)")
        raise typer.Exit(EXIT_USAGE)
    try:
        files = list_article_files(articles)
    except OSError as exc:
        err(f"feeds: cannot list the articles folder {articles}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_USAGE) from None
    drafts = rejected = warnings = 0
    seen_ids: dict[str, str] = {}
    for file in files:
        try:
            parsed = parse_article(read_source(articles, file), cfg)
        except ArticleError as exc:
            rejected += 1
            err(str(exc))
            continue
        article = parsed.article
        if article.draft:
            drafts += 1
            if verbose:
                typer.echo(f"{article.source}: draft, skipped")
            continue
        notes = list(parsed.warnings)
        first = seen_ids.setdefault(article.id, article.source)
        if first != article.source:
            notes.append(Diagnostic(article.source, f"same id as {first} ({article.id}): set a different `id:`", None, "warning"))
        warnings += len(notes)
        if not quiet:
            for note in notes:
                err(str(note))
        if verbose:
            typer.echo(f"{article.source}: ok")
    if not quiet:
        typer.echo(
            f"{len(files)} articles read, {drafts} drafts skipped, {rejected} rejected, {warnings} warnings"
        )
    raise typer.Exit(EXIT_REJECTED if rejected else EXIT_OK)


@app.command()
def validate(
    paths: Optional[list[Path]] = typer.Argument(None, help="Feed files or folders [default: ./dist]."),
) -> None:
    """Check Atom and RSS files against RFC 4287 and RSS 2.0."""
    err("feeds validate: not built yet")
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    """Console-script entry point."""
    app()
