"""The run: read -> parse -> group -> render -> validate -> publish.

This module sequences the pure stages and decides what each run really has
to do: which files to read again (the cache), which bodies to render (only
those of articles that reach a feed), which feeds to render again (only those
whose inputs changed), and on how many cores. It prints nothing: it returns a
RunReport that the CLI turns into messages and an exit code.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

from feeds import __version__
from feeds.cache import BodyEntry, Cache, Stat, decode_header, encode_header
from feeds.config import Config
from feeds.errors import ArticleError, Diagnostic, FeedsError
from feeds.model import Article, FeedSpec
from feeds.read import list_article_files, read_source

STATE_DIR = ".feeds"  # same folder as publish.STATE_DIR: manifest, cache and lock live there
CACHE_FILE = "cache.sqlite"
LOCK_FILE = "lock"

Progress = Callable[[str, int, int], None]
"""on_progress(stage, done, total): called as work advances; the CLI may draw a bar."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run, as opposed to what to build (that is Config)."""

    articles: Path
    out: Path
    jobs: int = 1
    use_cache: bool = True


@dataclass(slots=True)
class RunReport:
    """What a run did: the summary line, the messages and the exit code come from it."""

    files: int = 0
    read: int = 0
    drafts: int = 0
    rejected: int = 0
    feeds: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    invalid: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # one line per file or feed, for --verbose

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != "error"]

    def summary(self) -> str:
        line = (
            f"{self.read} articles read, {self.drafts} skipped, {self.rejected} rejected; "
            f"{self.written} files written, {self.unchanged} unchanged, {self.removed} removed"
        )
        if self.invalid:
            line += f"; {len(self.invalid)} feeds failed validation and were not published"
        return line


class SourceMissing(FeedsError):
    """The articles folder does not exist: a usage error."""


# ------------------------------------------------------------------ read


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """One article file found by the scan."""

    rel: str
    stat: Stat


def scan(root: Path) -> list[ArticleFile]:
    """Every article file with its size and mtime, in a stable order."""
    if not root.is_dir():
        raise SourceMissing(f"articles folder not found: {root} (pass --articles DIR)")
    try:
        paths = list_article_files(root)
    except OSError as exc:
        raise SourceMissing(f"cannot list the articles folder {root}: {exc.strerror or exc}") from None
    files = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue  # vanished between listing and stat: it is simply not there this run
        files.append(ArticleFile(path.relative_to(root).as_posix(), Stat(st.st_size, st.st_mtime_ns)))
    return files


def config_fingerprint(config: Config) -> str:
    """Everything besides the files that can change what is parsed or rendered."""
    return hashlib.blake2b(f"{__version__}\n{config!r}".encode(), digest_size=16).hexdigest()


def digest_of(rel: str, data: bytes) -> str:
    """Content digest of an article file; the path is part of it (links depend on the name)."""
    h = hashlib.blake2b(rel.encode(), digest_size=16)
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()


def feed_fingerprint(config_fp: str, spec: FeedSpec, digests: dict[str, str]) -> str:
    """Everything that goes into a feed's bytes: config, which feed, and each entry's file."""
    h = hashlib.blake2b(config_fp.encode(), digest_size=16)
    h.update(repr((spec.kind.value, spec.names, spec.segments)).encode())
    for a in spec.articles:
        h.update(digests[a.source].encode())
    return h.hexdigest()


# ------------------------------------------------------- parallel work
# Workers are forked after these are set, so they inherit them instead of
# having them pickled; each worker function takes only small items.

_root: Path = Path(".")
_config: Config = Config()
_pending_bodies: list[Article] = []
_specs: list[FeedSpec] = []

T = TypeVar("T")
R = TypeVar("R")


def _parallel(func: Callable[[T], R], items: Sequence[T], jobs: int, chunk: int) -> Iterator[R]:
    """func over items on `jobs` forked processes; in-process when the work is small or jobs is 1."""
    if jobs <= 1 or len(items) < 2 * chunk:
        return map(func, items)
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(min(jobs, (len(items) + chunk - 1) // chunk))

    def results() -> Iterator[R]:
        try:
            yield from pool.imap_unordered(func, items, chunksize=chunk)
        finally:
            pool.terminate()
            pool.join()

    return results()


def _parse_header(item: tuple[str, str]) -> tuple[str, str, str | None]:
    """Read one file and parse its front matter: (rel, digest, record) -- record None when the digest is known."""
    from feeds.read import read_relative

    rel, known_digest = item
    try:
        source = read_relative(_root, rel)
    except ArticleError as exc:
        return rel, "", encode_header(None, (), exc)
    digest = digest_of(rel, source.data)
    if digest == known_digest:
        return rel, digest, None
    from feeds.parse import parse_article

    try:
        parsed = parse_article(source, _config, with_body=False)
        return rel, digest, encode_header(parsed.article, parsed.warnings, None)
    except ArticleError as exc:
        return rel, digest, encode_header(None, (), exc)


def _complete_body(index: int) -> tuple[int, BodyEntry | ArticleError]:
    """Render one selected article's body: content, and summary/image when the front matter had none."""
    from feeds.body import complete
    from feeds.parse import body_of
    from feeds.read import read_relative

    article = _pending_bodies[index]
    try:
        source = read_relative(_root, article.source)
        done = complete(article, body_of(source), _config)
    except ArticleError as exc:
        return index, exc
    return index, BodyEntry(done.content, done.summary, done.image)


@dataclass(frozen=True, slots=True)
class Rendered:
    """One feed's two documents and what the validator said about each."""

    index: int
    documents: dict[str, bytes]
    messages: dict[str, list]  # path -> validator messages (empty lists omitted)


def _render_chunk(indices: list[int]) -> list[Rendered]:
    """Render and validate a run of neighbouring feeds (neighbours share entries)."""
    from feeds.group import feed_paths, feed_url
    from feeds.render import FeedRenderer
    from feeds.validate import validate_bytes

    renderer = FeedRenderer(_config, [_specs[i] for i in indices])
    done = []
    for i in indices:
        spec = _specs[i]
        atom_path, rss_path = feed_paths(spec)
        docs = {atom_path: renderer.atom(spec), rss_path: renderer.rss(spec)}
        messages = {}
        for path, fmt in ((atom_path, "atom"), (rss_path, "rss")):
            found = validate_bytes(docs[path], path, location=feed_url(spec, fmt, _config))
            if found:
                messages[path] = found
        done.append(Rendered(i, docs, messages))
    return done


def _chunks(indices: list[int], jobs: int) -> list[list[int]]:
    """Split feed indices into contiguous runs: a few per worker, so work spreads evenly."""
    if not indices:
        return []
    size = max(1, min(64, len(indices) // (jobs * 6) or 1))
    return [indices[i:i + size] for i in range(0, len(indices), size)]


# -------------------------------------------------------------- generate


def generate(config: Config, options: RunOptions, on_progress: Progress | None = None) -> RunReport:
    """One complete run. Raises FeedsError subclasses only for run-level problems.

    The caller holds the run lock (feeds.lock) around this call.
    """
    config.base_url  # a missing site_url is a ConfigError before anything is read
    files = scan(options.articles)
    cache_path = options.out / STATE_DIR / CACHE_FILE
    fp = config_fingerprint(config)
    cache = Cache.open(cache_path, fp) if options.use_cache else Cache.disabled(cache_path)
    report = RunReport(files=len(files))
    if cache.problem:
        report.notes.append(cache.problem)
    global _root, _config
    _root, _config = options.articles, config
    try:
        return _generate(config, options, files, cache, fp, report, on_progress or _no_progress)
    finally:
        cache.close()
        _pending_bodies.clear()
        _specs.clear()


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def _generate(config: Config, options: RunOptions, files: list[ArticleFile], cache: Cache, fp: str,
              report: RunReport, progress: Progress) -> RunReport:
    from feeds.group import feed_paths, group_feeds
    from feeds.pages import render_index, render_opml
    from feeds.publish import Publication, untouched

    articles, digests = _read_headers(files, cache, options.jobs, report, progress)
    specs = group_feeds(articles, config)
    del articles
    specs = _complete_bodies(specs, digests, cache, options.jobs, report, progress)
    report.feeds = 2 * len(specs)

    previous = cache.feed_fingerprints()
    on_disk = untouched(options.out)
    fingerprints: dict[str, str] = {}
    keep: set[str] = set()
    todo: list[int] = []
    for i, spec in enumerate(specs):
        paths = feed_paths(spec)
        feed_fp = feed_fingerprint(fp, spec, digests)
        fingerprints.update(dict.fromkeys(paths, feed_fp))
        if all(previous.get(p) == feed_fp and p in on_disk for p in paths):
            keep.update(paths)
        else:
            todo.append(i)

    _specs[:] = specs
    planned = [p for i in todo for p in feed_paths(specs[i])] + ["feeds.opml", "index.html"]
    with Publication(options.out, planned, keep=keep) as publication:
        done = 0
        for batch in _parallel(_render_chunk, _chunks(todo, options.jobs), options.jobs, 1):
            for rendered in batch:
                done += 1
                progress("render", done, len(todo))
                for path, data in rendered.documents.items():
                    messages = rendered.messages.get(path, [])
                    for m in messages:
                        report.diagnostics.append(Diagnostic(path, f"{m.code}: {m.text}", m.line, m.severity))
                    if any(m.severity == "error" for m in messages):
                        report.invalid.append(path)  # not put: the previous, valid version stays
                        fingerprints.pop(path, None)
                    else:
                        publication.put(path, data)
        publication.put("feeds.opml", render_opml(specs, config))
        publication.put("index.html", render_index(specs, config))
        result = publication.finish()

    report.log.extend(f"{path}: written" for path in result.written)
    report.log.extend(f"{path}: removed" for path in result.removed)
    report.log.extend(f"{path}: failed validation, previous version kept" for path in report.invalid)
    report.written = len(result.written)
    report.unchanged = len(result.unchanged) + len(keep)
    report.removed = len(result.removed)
    cache.put_feed_fingerprints(fingerprints)
    cache.keep_bodies(digests.values())
    return report


def _read_headers(files: list[ArticleFile], cache: Cache, jobs: int, report: RunReport,
                  progress: Progress) -> tuple[list[Article], dict[str, str]]:
    """Parse what changed, take the rest from the cache; returns usable articles and file digests."""
    cached = cache.headers()
    records: dict[str, tuple[str, str]] = {}  # rel -> (digest, record)
    todo: list[tuple[str, str]] = []
    stats = {f.rel: f.stat for f in files}
    for f in files:
        hit = cached.get(f.rel)
        if hit is not None and hit[0] == f.stat:
            records[f.rel] = (hit[1], hit[2])
        else:
            todo.append((f.rel, hit[1] if hit is not None else ""))
    fresh = []
    for n, (rel, digest, record) in enumerate(_parallel(_parse_header, todo, jobs, 64), 1):
        progress("read", n, len(todo))
        if record is None:
            record = cached[rel][2]
        records[rel] = (digest, record)
        if digest:  # an unreadable file is not cached: it is tried again next run
            fresh.append((rel, stats[rel], digest, record))
    cache.put_headers(fresh)
    cache.drop_headers(set(cached) - set(records))

    articles: list[Article] = []
    digests: dict[str, str] = {}
    for f in files:
        digest, record = records[f.rel]
        try:
            article, warnings, error = decode_header(record)
        except (ValueError, KeyError, TypeError):
            article, warnings, error = None, (), ArticleError(f.rel, "cache record damaged: run with --no-cache")
        if error is not None:
            report.rejected += 1
            report.diagnostics.append(error.diagnostic())
            continue
        assert article is not None
        report.read += 1
        if article.draft:
            report.drafts += 1
            continue
        report.diagnostics.extend(warnings)
        articles.append(article)
        digests[article.source] = digest
    return articles, digests


def _complete_bodies(specs: list[FeedSpec], digests: dict[str, str], cache: Cache, jobs: int,
                     report: RunReport, progress: Progress) -> list[FeedSpec]:
    """Give every article that reaches a feed its content, summary and image; clean them for XML."""
    from feeds.render import clean_article

    selected: dict[str, Article] = {}
    for spec in specs:
        for a in spec.articles:
            selected.setdefault(a.source, a)
    known = cache.bodies(digests[s] for s in selected)
    done: dict[str, Article] = {}
    _pending_bodies.clear()
    for source, article in selected.items():
        body = known.get(digests[source])
        if body is not None:
            done[source] = replace(article, content=body.content, summary=body.summary, image=body.image)
        else:
            _pending_bodies.append(article)
    fresh: list[tuple[str, BodyEntry]] = []
    failed: set[str] = set()
    indices = list(range(len(_pending_bodies)))
    for n, (index, result) in enumerate(_parallel(_complete_body, indices, jobs, 32), 1):
        progress("bodies", n, len(indices))
        article = _pending_bodies[index]
        if isinstance(result, ArticleError):  # the file changed or vanished since its header was read
            report.rejected += 1
            report.read -= 1
            report.diagnostics.append(result.diagnostic())
            failed.add(article.source)
            continue
        done[article.source] = replace(article, content=result.content, summary=result.summary, image=result.image)
        fresh.append((digests[article.source], result))
    cache.put_bodies(fresh)

    cleaned: dict[str, Article] = {}
    for source, article in done.items():
        clean, warnings = clean_article(article)
        cleaned[source] = clean
        report.diagnostics.extend(warnings)
    return [replace(s, articles=tuple(cleaned[a.source] for a in s.articles if a.source not in failed))
            for s in specs]


# ------------------------------------------------------------------ check


def check(config: Config, root: Path) -> RunReport:
    """Parse every article fully (body included) and report; writes nothing."""
    from feeds.parse import parse_article

    files = scan(root)
    report = RunReport(files=len(files))
    seen_ids: dict[str, str] = {}
    for f in files:
        try:
            parsed = parse_article(read_source(root, root / f.rel), config)
        except ArticleError as exc:
            report.rejected += 1
            report.diagnostics.append(exc.diagnostic())
            report.log.append(f"{f.rel}: rejected")
            continue
        report.read += 1
        article = parsed.article
        if article.draft:
            report.drafts += 1
            report.log.append(f"{f.rel}: draft, skipped")
            continue
        report.log.append(f"{f.rel}: ok")
        report.diagnostics.extend(parsed.warnings)
        first = seen_ids.setdefault(article.id, article.source)
        if first != article.source:
            report.diagnostics.append(Diagnostic(
                article.source, f"same id as {first} ({article.id}): give one of them its own `id:`", None, "warning"))
    return report

