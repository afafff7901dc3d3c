"""The run: read -> parse -> group -> render -> validate -> publish.

This module sequences the pure stages and owns the costly parts of a run:
which files to read again (the cache), which bodies to render (only those of
articles that reach a feed), which feeds to render again (only those whose
inputs changed) and on how many cores. It prints nothing: it returns a
RunReport that the CLI turns into messages and an exit code.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from feeds import __version__
from feeds.cache import BodyEntry, Cache, Stat, decode_header, encode_header
from feeds.config import Config
from feeds.errors import ArticleError, Diagnostic, FeedsError
from feeds.model import Article, FeedSpec
from feeds.read import list_article_files, read_source

STATE_DIR = ".feeds"
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
    """What a run did, for the summary line, the messages and the exit code."""

    read: int = 0
    drafts: int = 0
    rejected: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    feeds: int = 0
    invalid: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

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


# ------------------------------------------------------------------ scan


@dataclass(frozen=True, slots=True)
class _File:
    rel: str
    path: Path
    stat: Stat


def scan(root: Path) -> list[_File]:
    """Every article file with its size and mtime, in a stable order."""
    if not root.is_dir():
        raise SourceMissing(f"articles folder {root} does not exist or is not a folder")
    files = []
    for path in list_article_files(root):
        try:
            st = path.stat()
        except OSError:
            continue  # vanished between listing and stat: it is simply not there this run
        files.append(_File(path.relative_to(root).as_posix(), path, Stat(st.st_size, st.st_mtime_ns)))
    return files


def config_fingerprint(config: Config) -> str:
    """Everything that can change what is parsed or rendered from the same files."""
    return hashlib.blake2b(f"{__version__}\n{config!r}".encode(), digest_size=16).hexdigest()


def digest_of(rel: str, data: bytes) -> str:
    """Content digest of an article file; the path is part of it (links depend on the name)."""
    h = hashlib.blake2b(rel.encode(), digest_size=16)
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()


# --------------------------------------------------------- parallel work
# Workers are forked, so they inherit these globals instead of receiving them.

_W_ROOT: Path = Path(".")
_W_CONFIG: Config = Config()
_W_KNOWN: dict[str, str] = {}


def _parse_one(item: tuple[str, str]) -> tuple[str, int, int, str, str | None]:
    """Read and parse one header in a worker: (rel, size, mtime_ns, digest, record or None if unchanged)."""
    rel, known_digest = item
    try:
        source = read_source(_W_ROOT, _W_ROOT / rel)
    except ArticleError as exc:
        return rel, -1, 0, "", encode_header(None, (), exc)
    digest = digest_of(rel, source.data)
    size, mtime_ns = source.size, int(source.mtime * 1e9) if isinstance(source.mtime, float) else source.mtime
    if digest == known_digest:
        return rel, size, mtime_ns, digest, None
    from feeds.parse import parse_article

    try:
        parsed = parse_article(source, _W_CONFIG, with_body=False)
        record = encode_header(parsed.article, parsed.warnings, None)
    except ArticleError as exc:
        record = encode_header(None, (), exc)
    return rel, size, mtime_ns, digest, record


def _complete_one(item: tuple[int, str]) -> tuple[int, BodyEntry | ArticleError]:
    """Render one selected article's body in a worker."""
    index, rel = item
    from feeds.body import complete
    from feeds.parse import body_of

    article = _W_SELECTED[index]
    try:
        source = read_source(_W_ROOT, _W_ROOT / rel)
        done = complete(article, body_of(source), _W_CONFIG)
    except ArticleError as exc:
        return index, exc
    return index, BodyEntry(done.content, done.summary, done.image)


_W_SELECTED: list[Article] = []
_W_SPECS: list[FeedSpec] = []


def _render_one(index: int) -> tuple[int, dict[str, bytes], list[tuple[str, list]]]:
    """Render and validate the Atom and RSS documents of one feed in a worker."""
    return index, *_render_and_validate(_W_SPECS[index], _W_CONFIG)


_RENDERER = None


def _render_and_validate(spec: FeedSpec, config: Config) -> tuple[dict[str, bytes], list[tuple[str, list]]]:
    global _RENDERER
    from feeds.group import feed_paths, feed_url
    from feeds.render import FeedRenderer
    from feeds.validate import validate_bytes

    if _RENDERER is None:
        _RENDERER = FeedRenderer(config)
    atom_path, rss_path = feed_paths(spec)
    docs = {atom_path: _RENDERER.atom(spec), rss_path: _RENDERER.rss(spec)}
    problems = []
    for path, fmt in ((atom_path, "atom"), (rss_path, "rss")):
        messages = validate_bytes(docs[path], path, location=feed_url(spec, fmt, config))
        if messages:
            problems.append((path, messages))
    return docs, problems


def _map(func: Callable, items: Sequence, jobs: int, chunk: int) -> Iterator:
    """Map over items on `jobs` forked processes (in-process for small work or one job)."""
    if jobs <= 1 or len(items) < 2 * chunk:
        return map(func, items)
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(jobs)

    def results() -> Iterator:
        try:
            yield from pool.imap_unordered(func, items, chunksize=chunk)
        finally:
            pool.terminate()
            pool.join()

    return results()


# ------------------------------------------------------------------- run


def generate(config: Config, options: RunOptions, on_progress: Progress | None = None) -> RunReport:
    """One complete run. Raises FeedsError subclasses only for run-level problems."""
    global _W_ROOT, _W_CONFIG, _W_SELECTED, _W_SPECS, _RENDERER
    started = time.monotonic()
    report = RunReport()
    progress = on_progress or (lambda stage, done, total: None)
    root, out = options.articles, options.out
    base_fp = config_fingerprint(config)
    config.base_url  # raises ConfigError early when site_url is missing

    files = scan(root)
    state = out / STATE_DIR
    cache = Cache.open(state / CACHE_FILE, base_fp) if options.use_cache else Cache.disabled(state / CACHE_FILE)
    if cache.problem:
        report.notes.append(cache.problem)
    try:
        return _generate(config, options, files, cache, report, progress, started)
    finally:
        cache.close()
        _W_SELECTED, _W_SPECS, _RENDERER = [], [], None


def _generate(config: Config, options: RunOptions, files: list[_File], cache: Cache, report: RunReport,
              progress: Progress, started: float) -> RunReport:
    global _W_ROOT, _W_CONFIG, _W_SELECTED, _W_SPECS
    from feeds.group import feed_paths, group_feeds
    from feeds.pages import render_index, render_opml
    from feeds.publish import publish
    from feeds.render import clean_article

    _W_ROOT, _W_CONFIG = options.articles, config

    # 1. headers: cached when the stat is unchanged, else read (and parsed unless the digest matches)
    cached = cache.headers()
    records: dict[str, tuple[Stat, str, str]] = {}
    todo: list[tuple[str, str]] = []
    for f in files:
        hit = cached.get(f.rel)
        if hit is not None and hit[0] == f.stat:
            records[f.rel] = hit
        else:
            todo.append((f.rel, hit[1] if hit is not None else ""))
    fresh: list[tuple[str, Stat, str, str]] = []
    for n, (rel, size, mtime_ns, digest, record) in enumerate(_map(_parse_one, todo, options.jobs, 64), 1):
        progress("read", n, len(todo))
        if size < 0:  # unreadable: not cached, reported every run
            records[rel] = (Stat(-1, 0), "", record or "")
            continue
        if record is None:
            record = cached[rel][2]
        records[rel] = (Stat(size, mtime_ns), digest, record)
        fresh.append((rel, Stat(size, mtime_ns), digest, record))
    cache.put_headers(fresh)
    cache.drop_headers(set(cached) - set(records))

    articles: list[Article] = []
    digests: dict[str, str] = {}
    for f in files:
        stat, digest, record = records[f.rel]
        try:
            article, warnings, error = decode_header(record)
        except (ValueError, KeyError, TypeError):
            article, warnings, error = None, (), ArticleError(f.rel, "internal: unreadable cache record")
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

    # 2. group: which feeds exist and which articles each one shows
    specs = group_feeds(articles, config)
    del articles

    # 3. bodies: only for articles that reach a feed, from the cache when the file did not change
    selected: dict[str, Article] = {}
    for spec in specs:
        for a in spec.articles:
            selected.setdefault(a.source, a)
    known = cache.bodies(digests[s] for s in selected)
    completed: dict[str, Article] = {}
    todo_bodies: list[Article] = []
    for source, article in selected.items():
        body = known.get(digests[source])
        if body is not None:
            completed[source] = replace(article, content=body.content, summary=body.summary, image=body.image)
        else:
            todo_bodies.append(article)
    _W_SELECTED = todo_bodies
    new_bodies: list[tuple[str, BodyEntry]] = []
    failed: set[str] = set()
    items = [(i, a.source) for i, a in enumerate(todo_bodies)]
    for n, (index, result) in enumerate(_map(_complete_one, items, options.jobs, 32), 1):
        progress("render bodies", n, len(items))
        article = todo_bodies[index]
        if isinstance(result, ArticleError):
            report.rejected += 1
            report.read -= 1
            report.diagnostics.append(result.diagnostic())
            failed.add(article.source)
            continue
        completed[article.source] = replace(article, content=result.content, summary=result.summary,
                                            image=result.image)
        new_bodies.append((digests[article.source], result))
    cache.put_bodies(new_bodies)
    if failed:  # a file that changed between the two reads: regroup without it
        specs = [replace(s, articles=tuple(a for a in s.articles if a.source not in failed)) for s in specs]

    cleaned: dict[str, Article] = {}
    for source, article in completed.items():
        clean, warnings = clean_article(article)
        cleaned[source] = clean
        report.diagnostics.extend(warnings)
    specs = [replace(s, articles=tuple(cleaned[a.source] for a in s.articles)) for s in specs]
    report.feeds = 2 * len(specs)

    # 4. render + validate only the feeds whose inputs changed
    render_fp = config_fingerprint(config)
    fingerprints = {}
    for spec in specs:
        h = hashlib.blake2b(render_fp.encode(), digest_size=16)
        h.update(repr((spec.kind.value, spec.names, spec.segments)).encode())
        for a in spec.articles:
            h.update(digests[a.source].encode())
        fingerprints[feed_paths(spec)] = h.hexdigest()
    previous = cache.feed_fingerprints()
    from feeds.publish import intact

    keep: set[str] = set()
    todo_specs: list[int] = []
    for i, spec in enumerate(specs):
        paths = feed_paths(spec)
        fp = fingerprints[paths]
        if all(previous.get(p) == fp for p in paths) and intact(options.out, paths):
            keep.update(paths)
        else:
            todo_specs.append(i)
    _W_SPECS = specs
    files_out: dict[str, bytes] = {}
    published_fp: dict[str, str] = {p: previous[p] for p in keep}
    for n, (index, docs, problems) in enumerate(_map(_render_one, todo_specs, options.jobs, 8), 1):
        progress("render feeds", n, len(todo_specs))
        paths = feed_paths(specs[index])
        bad = {path for path, messages in problems if any(m.severity == "error" for m in messages)}
        for path, messages in problems:
            for m in messages:
                report.diagnostics.append(Diagnostic(path, f"{m.code}: {m.text}", m.line,
                                                     "error" if m.severity == "error" else "warning"))
        for path, data in docs.items():
            if path in bad:
                report.invalid.append(path)
                keep.add(path)
            else:
                files_out[path] = data
                published_fp[path] = fingerprints[paths]

    # 5. pages and publishing
    files_out["feeds.opml"] = render_opml(specs, config)
    files_out["index.html"] = render_index(specs, config)
    result = publish(options.out, files_out, keep=keep & _managed(options.out, keep))
    report.written = len(result.written)
    report.unchanged = len(result.unchanged) + len(keep - set(report.invalid))
    report.removed = len(result.removed)
    cache.put_feed_fingerprints(published_fp)
    report.seconds = time.monotonic() - started
    return report


def _managed(out: Path, paths: Iterable[str]) -> set[str]:
    """The subset of `paths` that publish already manages (kept files must exist to be kept)."""
    from feeds.publish import managed

    return managed(out) & set(paths)
