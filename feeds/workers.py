"""What each process of a run does: parse headers, make entries, render feeds.

The pipeline decides what to do and on how many cores; these functions do it,
in the run's own process or in workers forked from it. What they all read
(the articles folder, the settings, the feeds, the renderer, the shared entry
file, the publication) is in `shared`, set by the pipeline before it forks,
so every worker inherits it instead of having it pickled: each function takes
only small items (file names, feed indices) and returns plain values.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from feeds.cache import Cache, HeaderRow, Stat, encode_header
from feeds.config import Config
from feeds.errors import ArticleError, Diagnostic
from feeds.fingerprint import digest_of
from feeds.model import Article, FeedKind, FeedSpec
from feeds.publish import Publication, Staged
from feeds.read import read_relative
from feeds.spill import EntrySpill, Place

if TYPE_CHECKING:
    from feeds.render import FeedRenderer
    from feeds.validate import Message
    from feeds.validate.fastpath import MemoEntry


@dataclass(slots=True)
class Shared:
    """What the workers of a run read, set by the pipeline before it forks them."""

    root: Path = Path(".")
    config: Config = field(default_factory=Config)
    cache_path: Path | None = None  # where header workers store their rows; None: they send them back
    # Taken by a worker around its cache write. SQLite lets one writer in at a
    # time and makes the other poll, sleeping up to 100 ms between tries; this
    # lock wakes the waiting worker as soon as the first one commits instead.
    cache_writers: Any = None
    specs: list[FeedSpec] = field(default_factory=list)  # the run's feeds, indexed by `render_part`
    whole: dict[str, Article] = field(default_factory=dict)  # whole headers of the articles to make entries of
    maker: FeedRenderer | None = None  # makes the entries; one per run, inherited by each worker
    spill: EntrySpill | None = None  # the serialised entries, once made
    places: dict[str, Place] = field(default_factory=dict)  # where each article's entries are in `spill`
    publication: Publication | None = None


shared = Shared()
_worker_cache: tuple[int, Path, Cache] | None = None  # (pid, path, connection): one per process


def start_of_run(root: Path, config: Config) -> Shared:
    """A fresh `shared` for a run (the lock between cache writers is kept from run to run)."""
    global shared
    shared = Shared(root, config, cache_writers=shared.cache_writers)
    return shared


def end_of_run() -> None:
    """Let go of everything a run held: the entry file, the renderer, this process's cache connection."""
    global _worker_cache, shared
    if _worker_cache is not None and _worker_cache[0] == os.getpid():
        _worker_cache[2].close()  # the in-process "worker" of a one-job run
    _worker_cache = None
    if shared.spill is not None:
        shared.spill.close()
    shared = Shared(cache_writers=shared.cache_writers)


# ------------------------------------------------------------------ headers

ParsedRow = tuple[str, str, HeaderRow | None, Stat | None]
"""(rel, digest, row: None when the digest is known, the file's stat when it was read: None if it could not be)"""


def parse_header(rel: str, known_digest: str) -> ParsedRow:
    """Read one file and parse its front matter."""
    try:
        source = read_relative(shared.root, rel)
    except ArticleError as exc:
        return rel, "", encode_header(None, (), exc), None
    stat = Stat(*source.stat) if source.stat is not None else None
    digest = digest_of(rel, source.data)
    if digest == known_digest:
        return rel, digest, None, stat
    try:
        parsed = _parse_module().parse_article(source, shared.config, with_body=False)
        return rel, digest, encode_header(parsed.article, parsed.warnings, None), stat
    except ArticleError as exc:
        return rel, digest, encode_header(None, (), exc), stat


@functools.cache
def _parse_module() -> ModuleType:
    """feeds.parse, imported on first use (a run with nothing to parse never loads the parser),
    then found with one call instead of an import statement per file (~0.6 us)."""
    import feeds.parse

    return feeds.parse


def parse_batch(batch: list[tuple[str, str]]) -> tuple[list[tuple[Any, ...]], bool]:
    """Parse a batch of files and store their rows in the cache from this process.

    The whole header records (most of the bytes) then never travel back to
    the run, which would otherwise spend a third of a core receiving them:
    it gets each row without its record, and `True`. If this process cannot
    write the cache, the records come back whole, with `False`.
    """
    global _worker_cache
    parsed = [parse_header(rel, known) for rel, known in batch]
    fresh = [(rel, stat, digest, row) for rel, digest, row, stat in parsed if digest and row is not None and stat]
    stored = False
    cache_path, writers = shared.cache_path, shared.cache_writers
    if cache_path is not None and fresh:
        if _worker_cache is None or _worker_cache[:2] != (os.getpid(), cache_path):
            if _worker_cache is not None and _worker_cache[0] == os.getpid():
                _worker_cache[2].close()
            _worker_cache = (os.getpid(), cache_path, Cache.attach(cache_path))
        if writers is not None and writers.acquire(timeout=60):
            try:
                stored = _worker_cache[2].put_headers(fresh)
            finally:
                writers.release()
        else:  # one process, or a worker stuck holding the lock: SQLite's own locking still holds
            stored = _worker_cache[2].put_headers(fresh)
    # Plain tuples: a dataclass costs ten times more to send between processes.
    return [(rel, digest, *_stat_fields(stat)) if row is None else
            (rel, digest, *_stat_fields(stat), row.state, row.published, row.listing, row.notes,
             "" if stored else row.record)
            for rel, digest, row, stat in parsed], stored


def _stat_fields(stat: Stat | None) -> tuple[int, int]:
    return (stat.size, stat.mtime_ns) if stat is not None else (-1, -1)


def header_batches(items: list[tuple[str, str]], jobs: int) -> list[list[tuple[str, str]]]:
    """Batches big enough to amortise a cache transaction, small enough to spread over the processes."""
    size = max(16, min(256, len(items) // (jobs * 8) or 1))
    return [items[i:i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------ entries


@dataclass(frozen=True, slots=True)
class EntriesResult:
    """What one process made of a batch of articles: their entries, and what checking them found."""

    entries: dict[str, Place]  # source -> where its Atom entry and RSS item are in the run's spill
    checks: list[MemoEntry]  # the validator's findings for those entries, for the processes that render feeds
    diagnostics: list[Diagnostic]  # articles whose body failed, characters removed
    failed: list[str]  # sources of articles left out: their body or entry failed, or their file could not be read
    unreadable: list[str]  # of those, the ones whose file could not be read again (worth trying next run)


def make_entries(sources: list[str]) -> EntriesResult:
    """Complete, serialise and check the entries of a batch of articles: the per-article work of a run.

    Each article's work is done once per run, in whichever process takes its
    batch, however many feeds it is in. Its entries are checked inside one
    document per format holding the whole batch (shaped like every feed), so
    the checks of the feeds themselves find them remembered.
    """
    from feeds.body import complete
    from feeds.parse import body_of
    from feeds.validate import fastpath, has_errors, validate_bytes

    root, config, whole, maker, spill = shared.root, shared.config, shared.whole, shared.maker, shared.spill
    assert maker is not None and spill is not None
    diagnostics: list[Diagnostic] = []
    failed: list[str] = []
    unreadable: list[str] = []
    done: list[Article] = []
    for source in sources:
        try:
            body = body_of(read_relative(root, source))
        except ArticleError as exc:  # unreadable, changed or vanished since its header was read
            diagnostics.append(exc.diagnostic())
            failed.append(source)
            unreadable.append(source)
            continue
        try:
            done.append(complete(whole[source], body, config))
        except ArticleError as exc:  # the same file would fail the same way: no use trying it again
            diagnostics.append(exc.diagnostic())
            failed.append(source)
    batch = FeedSpec(FeedKind.SITE, (), (), tuple(done))
    invalid: dict[str, list[Message]] = {}
    with fastpath.new_checks() as checks:
        for fmt, document in (("atom", maker.atom(batch)), ("rss", maker.rss(batch))):
            messages = validate_bytes(document, "<entries>")  # its own findings do not matter: only its entries'
            if has_errors(messages):
                for source, found in _entry_errors(document, done, messages).items():
                    invalid.setdefault(source, []).extend(found)
    made = maker.entries(done)
    for source, found in invalid.items():  # in no feed: each of its feeds would fail validation, and be held back
        del made[source]
        failed.append(source)
        diagnostics.extend(Diagnostic(source, f"left out of every feed: the entry made from it is invalid "
                                              f"({m.code}: {m.text})") for m in found)
    entries = spill.put(made)
    diagnostics.extend(maker.warnings)  # the renderer removes what XML cannot carry, and says so
    maker.warnings.clear()
    return EntriesResult(entries, checks, diagnostics, failed, unreadable)


def _entry_errors(document: bytes, articles: list[Article], messages: list[Message]) -> dict[str, list[Message]]:
    """The validator's errors inside each article's entry of a batch document, by article source.

    The entries are in the articles' order; an error outside every entry is
    about the batch document itself, which is never published.
    """
    from feeds.validate import ERROR, fastpath

    cut = fastpath.split(document)
    if cut is None or len(cut.entries) != len(articles):
        raise AssertionError("a batch document of entries must cut into exactly its entries")
    first_lines = [document.count(b"\n", 0, begin) + 1 for begin, _ in cut.entries]
    last_lines = [document.count(b"\n", 0, end) + 1 for _, end in cut.entries]
    found: dict[str, list[Message]] = {}
    for m in messages:
        if m.severity != ERROR:
            continue
        for article, first, last in zip(articles, first_lines, last_lines):
            if first <= m.line <= last:
                found.setdefault(article.source, []).append(m)
                break
    return found


# ------------------------------------------------------------------ feeds


@dataclass(frozen=True, slots=True)
class FeedResult:
    """One rendered document: what the validator said, and its staged file unless it failed."""

    index: int
    path: str
    messages: list[Message]
    staged: Staged | None


def render_part(indices: list[int]) -> list[FeedResult]:
    """Render, validate and stage a run of feeds from their articles' entries (made by `make_entries`).

    A document with a validation error is not staged: its previous version stays published.
    """
    from feeds.group import feed_paths, feed_url
    from feeds.render import FeedRenderer
    from feeds.validate import has_errors, validate_bytes

    config, publication, spill, places = shared.config, shared.publication, shared.spill, shared.places
    assert publication is not None and spill is not None
    specs = [shared.specs[i] for i in indices]
    renderer = FeedRenderer(config, specs, load=lambda source: spill.get(places[source]))
    feeds = []
    for i, spec in zip(indices, specs):
        atom_path, rss_path = feed_paths(spec)
        for path, fmt, data in ((atom_path, "atom", renderer.atom(spec)), (rss_path, "rss", renderer.rss(spec))):
            messages = validate_bytes(data, path, location=feed_url(spec, fmt, config))
            staged = None if has_errors(messages) else publication.stage(path, data)
            feeds.append(FeedResult(i, path, messages, staged))
    publication.flush([f.staged for f in feeds if f.staged is not None])
    return feeds
