"""The run: read -> parse -> group -> render -> validate -> publish.

This module sequences the pure stages and decides what each run really has
to do: which files to read again (the cache), which bodies to render (only
those of articles that reach a feed), which feeds to render again (only those
whose inputs changed), and on how many cores (the work itself, in whichever
process does it, is in workers.py). It prints nothing: it returns a RunReport
that the CLI turns into messages and an exit code.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from feeds import STATE_DIR, workers
from feeds.cache import (
    DRAFT,
    CachedHeader,
    REJECTED,
    USABLE,
    Cache,
    HeaderRow,
    Stat,
    decode_article,
    decode_listings,
    decode_notes,
)
from feeds.config import Config
from feeds.errors import ArticleError, Diagnostic, FeedsError, SegmentClashError
from feeds.model import Article, FeedKind, FeedSpec, Listing
from feeds.fingerprint import (
    config_fingerprint,
    feed_fingerprint,
    pages_fingerprint,
    snapshot_of,
)
from feeds.parallel import entry_batches, parallel_map, split_feeds
from feeds.publish import Publication
from feeds.spill import EntrySpill
from feeds.read import article_names, read_source, stat_article_files

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
    now: datetime | None = None  # the clock, read at the edge: articles dated later are scheduled


@dataclass(slots=True)
class RunReport:
    """What a run did: the summary line, the messages and the exit code come from it."""

    files: int = 0
    read: int = 0
    drafts: int = 0
    scheduled: int = 0
    rejected: int = 0
    feeds: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    invalid: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # articles whose body or entry failed
    unreadable: list[str] = field(default_factory=list)  # files that could not be read: tried again next run
    held: list[str] = field(default_factory=list)  # feed folders not published: two names share each
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # one line per file or feed, for --verbose
    outputs: list[str] = field(default_factory=list)  # the files feeds manages in the output folder
    next_due: datetime | None = None  # the earliest scheduled article's date

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != "error"]

    def summary(self) -> str:
        skipped = f"{self.drafts + self.scheduled} skipped"
        if self.scheduled:
            skipped += f" ({self.scheduled} scheduled for later)"
        line = (
            f"{self.read} articles read, {skipped}, {self.rejected} rejected; "
            f"{self.written} files written, {self.unchanged} unchanged, {self.removed} removed"
        )
        if self.invalid:
            line += f"; {len(self.invalid)} feeds failed validation and were not published"
        if self.held:
            line += f"; {len(self.held)} feed folders held back (their names would share a folder)"
        return line


class SourceMissing(FeedsError):
    """The articles folder does not exist: a usage error."""


class FoldersOverlap(FeedsError):
    """The output folder is the articles folder: a usage error."""


def check_folders(articles: Path, out: Path) -> None:
    """Refuse to publish into the articles folder itself (its index.html would be read as an article).

    An output folder inside the articles folder is fine: the scan skips it.
    """
    if os.path.realpath(articles) == os.path.realpath(out):
        raise FoldersOverlap(f"the output folder is the articles folder ({out}): pass another --out, "
                             "such as dist beside it")


# ------------------------------------------------------------------ read


class ArticleFile(NamedTuple):
    """One article file found by the scan (its stat is None until the file is read, in a cold run).

    A named tuple, like cache.Stat: a run makes one (or two) per article file.
    """

    rel: str
    stat: Stat | None


def scan(root: Path, *, with_stats: bool = True) -> list[ArticleFile]:
    """Every article file, with its size and mtime unless `with_stats` is False, in a stable order."""
    if not root.is_dir():
        raise SourceMissing(f"articles folder not found: {root} (pass --articles DIR)")
    try:
        if not with_stats:
            return [ArticleFile(rel, None) for rel in article_names(root)]
        found = stat_article_files(root)
    except OSError as exc:
        raise SourceMissing(f"cannot list the articles folder {root}: {exc.strerror or exc}") from None
    return [ArticleFile(rel, Stat(size, mtime_ns)) for rel, size, mtime_ns in found]


def _named_in_utf8(files: list[ArticleFile]) -> tuple[list[ArticleFile], list[str]]:
    """The files whose names are UTF-8, and the others' names as they can be shown (`bad\\xff.md`).

    A name that is not UTF-8 cannot become an id, a link or a message (nor a
    cache key): such a file is rejected before anything is done with it.
    """
    good: list[ArticleFile] = []
    misnamed: list[str] = []
    for f in files:
        if f.rel.isascii():
            good.append(f)
            continue
        try:
            f.rel.encode()
            good.append(f)
        except UnicodeEncodeError:
            misnamed.append(f.rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
    return good, misnamed


def _reject_misnamed(misnamed: list[str], report: RunReport) -> None:
    for name in misnamed:
        report.rejected += 1
        report.diagnostics.append(Diagnostic(name, "the file name is not UTF-8 (ids, links and messages are made "
                                                   "from it); rename it"))
        report.log.append(f"{name}: rejected")


# -------------------------------------------------------------- generate


def generate(config: Config, options: RunOptions, on_progress: Progress | None = None) -> RunReport:
    """One complete run. Raises FeedsError subclasses only for run-level problems.

    The caller holds the run lock (feeds.lock) around this call.
    """
    config.base_url  # a missing site_url is a ConfigError before anything is read
    with _few_collections():
        return _run(config, options, on_progress)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Run without the cyclic garbage collector (workers, forked from this process, too).

    A run allocates millions of small objects (listings, parsed headers, JSON
    values, cached rows, entries) that live until it ends or die by
    reference counting; the collector would walk them again and again (a
    fifth of an incremental run at 50,000 articles, ~5 % of a cold run's CPU)
    and find nothing: a run makes no reference cycles worth collecting. Peak
    memory is the same with it on or off (50,000 articles in one process:
    182 MB either way; 10,000: 106 MB). Reference counting still frees
    everything at once. The caller gets the collector back as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(config: Config, options: RunOptions, on_progress: Progress | None) -> RunReport:
    if not options.articles.is_dir():
        scan(options.articles)  # the error, before anything is made in the output folder
    check_folders(options.articles, options.out)
    fp = config_fingerprint(config)
    cache = Cache.open(options.out / STATE_DIR / CACHE_FILE, fp, fresh=not options.use_cache)
    workers.start_of_run(options.articles, config)
    try:
        # With nothing cached every file is read, and its size and mtime come
        # from the open file: the scan only lists names (50,000 stats saved).
        warm = cache.has_headers()
        files, misnamed = _named_in_utf8(scan(options.articles, with_stats=warm))
        snapshot = snapshot_of(files, fp, misnamed) if warm else None
        if snapshot is not None:
            replay = _nothing_changed(cache, snapshot, options)
            if replay is not None:
                return replay
        report = RunReport(files=len(files) + len(misnamed))
        if cache.problem:
            report.notes.append(cache.problem)
        _reject_misnamed(misnamed, report)
        files = _generate(config, options, files, cache, fp, report, on_progress or _no_progress)
        # A warm scan's stats are the ones the run went by: the same snapshot.
        _remember(cache, snapshot or snapshot_of(files, fp, misnamed), report)
        return report
    finally:
        workers.end_of_run()
        cache.close()


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def _nothing_changed(cache: Cache, snapshot: str, options: RunOptions) -> RunReport | None:
    """The last run's report when no article file, setting or published file changed since.

    The cheapest run of all, for cron: one stat per article and per output
    file, no parsing, no rendering. Not taken when a scheduled article has
    come due, or when anything published was touched by hand.
    """
    from feeds.publish import untouched

    if cache.meta("snapshot") != snapshot:
        return None
    try:
        stored = json.loads(cache.meta("report") or "")
        due = stored["next_due"]
        if due is not None and options.now is not None and datetime.fromisoformat(due) <= options.now:
            return None
        # A feed held back, or a file that could not be read (a read error, a file
        # made readable by chmod keeps its mtime): try again. An article left out
        # for what its file says (an invalid entry, another's id, a body that
        # cannot be made safe) would fail the same way: its error is said again.
        if stored["invalid"] or stored.get("unreadable", stored.get("left_out")):
            return None
        if not set(stored["outputs"]) <= untouched(options.out):
            return None
        report = RunReport(
            files=stored["files"], read=stored["read"], drafts=stored["drafts"], scheduled=stored["scheduled"],
            rejected=stored["rejected"], feeds=stored["feeds"], unchanged=len(stored["outputs"]),
            invalid=list(stored["invalid"]), held=list(stored.get("held", [])),
            diagnostics=[Diagnostic(p, m, ln, sev) for p, m, ln, sev in stored["diagnostics"]],
            next_due=datetime.fromisoformat(due) if due else None,
        )
    except (ValueError, KeyError, TypeError):
        return None
    report.log.append("nothing changed since the last run")
    return report


def _remember(cache: Cache, snapshot: str, report: RunReport) -> None:
    """Store what the next run needs to see that nothing changed."""
    stored = {
        "files": report.files, "read": report.read, "drafts": report.drafts, "scheduled": report.scheduled,
        "rejected": report.rejected, "feeds": report.feeds, "invalid": report.invalid, "left_out": report.left_out,
        "unreadable": report.unreadable, "held": report.held,
        "diagnostics": [[d.path, d.message, d.line, d.severity] for d in report.diagnostics],
        "next_due": report.next_due.isoformat() if report.next_due else None,
        "outputs": report.outputs,
    }
    cache.set_meta("report", json.dumps(stored, ensure_ascii=False))
    cache.set_meta("snapshot", snapshot)


def _generate(config: Config, options: RunOptions, files: list[ArticleFile], cache: Cache, fp: str,
              report: RunReport, progress: Progress) -> list[ArticleFile]:
    """Render and publish what changed; the files with their stats (known once read, in a cold run)."""
    from feeds.group import feed_paths
    from feeds.pages import render_index, render_opml
    from feeds.publish import managed, untouched

    now = None if config.future else options.now
    headers = _read_headers(files, cache, options.jobs, now, report, progress)
    digests = headers.digests
    specs, clashes = _grouped(headers, cache, fp, config)
    report.feeds = 2 * len(specs)

    previous = cache.feed_fingerprints()
    on_disk = untouched(options.out)
    fingerprints: dict[str, str] = {}
    keep: set[str] = set()
    if clashes:  # those feeds keep what they last published, until the names are told apart
        held = tuple(dict.fromkeys(folder for clash in clashes for folder in clash.folders))
        report.held = list(held)
        keep.update(p for p in managed(options.out) if p.startswith(tuple(f"{folder}/" for folder in held)))
        for clash in clashes:
            report.diagnostics.append(Diagnostic(
                clash.second_path or clash.first_path or "feeds.yaml",
                f"{clash.message}; until then neither feed is published (their last versions stay)"))
    todo: list[int] = []
    for i, spec in enumerate(specs):
        paths = feed_paths(spec)
        feed_fp = feed_fingerprint(fp, spec, digests)
        fingerprints.update(dict.fromkeys(paths, feed_fp))
        if all(previous.get(p) == feed_fp and p in on_disk for p in paths):
            keep.update(paths)
        else:
            todo.append(i)

    pages_fp = pages_fingerprint(fp, specs)
    pages = ("feeds.opml", "index.html")
    fingerprints.update(dict.fromkeys(pages, pages_fp))
    pages_kept = all(previous.get(p) == pages_fp and p in on_disk for p in pages)
    if pages_kept:
        keep.update(pages)

    specs = _whole_articles(specs, todo, headers, cache, report)

    shared = workers.shared
    planned = [p for i in todo for p in feed_paths(specs[i])] + ([] if pages_kept else list(pages))
    with Publication(options.out, planned, keep=keep) as publication:
        shared.publication = publication
        shared.spill = EntrySpill(options.out / STATE_DIR)
        failed = _make_all_entries(specs, todo, options.jobs, report, progress)
        if failed:
            report.read -= len(failed)
            report.rejected += len(failed)
            report.left_out = sorted(failed)
        shared.specs = list(specs)
        for i in todo if failed else ():
            if any(a.source in failed for a in specs[i].articles):
                shared.specs[i] = replace(specs[i], articles=tuple(a for a in specs[i].articles if a.source not in failed))
                for path in feed_paths(specs[i]):  # not what its fingerprint says: render it again next run
                    fingerprints.pop(path, None)
        done = 0
        for part in parallel_map(workers.render_part, split_feeds(todo, specs, options.jobs), options.jobs, 1):
            for result in part:
                done += 1
                progress("render", done, 2 * len(todo))
                for m in result.messages:
                    report.diagnostics.append(Diagnostic(result.path, f"{m.code}: {m.text}", m.line, m.severity))
                if result.staged is None:
                    report.invalid.append(result.path)  # not staged: the previous, valid version stays
                    fingerprints.pop(result.path, None)
                else:
                    publication.register(result.staged)
        if not pages_kept:
            publication.put("feeds.opml", render_opml(specs, config))
            publication.put("index.html", render_index(specs, config))
        result = publication.finish()

    report.log.extend(f"{path}: written" for path in result.written)
    report.log.extend(f"{path}: removed" for path in result.removed)
    report.log.extend(f"{path}: failed validation, previous version kept" for path in report.invalid)
    report.outputs = list(result.managed)
    report.written = len(result.written)
    report.unchanged = len(result.unchanged) + len(keep)
    report.removed = len(result.removed)
    cache.put_feed_fingerprints(fingerprints)
    return headers.files


def _make_all_entries(specs: list[FeedSpec], todo: list[int], jobs: int, report: RunReport,
                      progress: Progress) -> set[str]:
    """Every entry the feeds to render show, made once, on every core; the articles whose body failed.

    The entries and their checks stay in this process, where the processes
    rendering the feeds are then forked from.
    """
    from feeds.render import FeedRenderer
    from feeds.validate import fastpath

    shared = workers.shared
    shared.maker = FeedRenderer(shared.config)
    whole = shared.whole
    for i in todo:  # the other feeds are not rendered: their articles are Listings
        for article in specs[i].articles:
            whole[article.source] = article
    needed = sorted(whole)
    failed: set[str] = set()
    for source, first in _same_ids(needed, whole):
        failed.add(source)
        report.diagnostics.append(Diagnostic(source, f"left out of every feed: it has the same id as {first} "
                                                     f"({whole[source].id}); give one of them its own `id:`"))
    if failed:
        needed = [source for source in needed if source not in failed]
    seen: set[Diagnostic] = set()
    done = 0
    for made in parallel_map(workers.make_entries, entry_batches(needed, jobs), jobs, 1):
        shared.places.update(made.entries)
        fastpath.remember(made.checks)
        failed.update(made.failed)
        report.unreadable.extend(made.unreadable)
        for d in made.diagnostics:
            if d not in seen:
                seen.add(d)
                report.diagnostics.append(d)
        done += len(made.entries) + len(made.failed)
        progress("entries", done, len(needed))
    whole.clear()
    shared.maker = None
    return failed


def _same_ids(sources: list[str], whole: dict[str, Article]) -> list[tuple[str, str]]:
    """(source, the first source with its id) for each article whose entry id another one has already.

    Entry ids are what readers tell entries apart by, and a feed holding two
    alike fails validation: the first in file order keeps its id.
    """
    from feeds.render import as_uri

    owners: dict[str, str] = {}
    same = []
    for source in sources:
        first = owners.setdefault(as_uri(whole[source].id), source)
        if first != source:
            same.append((source, first))
    return same


@dataclass(slots=True)
class Headers:
    """The articles a run groups, as cheap Listings, and where to get each whole header."""

    listings: list[tuple[str, str]]  # (source, listing JSON) of usable, due articles, in file order
    digests: dict[str, str]  # source -> file digest
    records: dict[str, str]  # whole header records parsed this run (the rest are in the cache)
    decoded: dict[str, Listing]  # listings decoded while the workers parsed (those parsed this run)
    files: list[ArticleFile]  # every file, with the stat it was read with if the scan had none


def _read_headers(files: list[ArticleFile], cache: Cache, jobs: int, now: datetime | None, report: RunReport,
                  progress: Progress) -> Headers:
    """Parse what changed, take the rest from the cache, count and report every file."""
    shared = workers.shared
    cached = cache.headers()
    # rel -> (digest, row): a CachedHeader is read like a HeaderRow (state, published, listing, notes)
    rows: dict[str, tuple[str, HeaderRow | CachedHeader]] = {}
    todo: list[tuple[str, str]] = []  # (rel, known digest): plain tuples are cheap to send to the workers
    stats: dict[str, Stat] = {}  # of the files read this run, as they were read
    for f in files:
        hit = cached.get(f.rel)
        if hit is not None and f.stat is not None and hit.size == f.stat.size and hit.mtime_ns == f.stat.mtime_ns:
            rows[f.rel] = (hit.digest, hit)
        else:
            todo.append((f.rel, hit.digest if hit is not None else ""))
    unstored = []
    records: dict[str, str] = {}
    shared.cache_path = cache.path if cache.usable else None
    if jobs > 1 and shared.cache_writers is None:
        import multiprocessing

        shared.cache_writers = multiprocessing.get_context("fork").Lock()
    done = 0
    decoded: dict[str, Listing] = {}
    for parsed, stored in parallel_map(workers.parse_batch, workers.header_batches(todo, jobs), jobs, 1):
        done += len(parsed)
        progress("read", done, len(todo))
        # Decoded now, while the workers go on: grouping needs them all after a cold start.
        # (A row is rel, digest, size, mtime_ns, then the HeaderRow fields when it was parsed.)
        for listing in decode_listings([(row[0], row[6]) for row in parsed if len(row) > 4 and row[4] == USABLE]):
            decoded[listing.source] = listing
        for rel, digest, size, mtime_ns, *fields in parsed:
            stat = Stat(size, mtime_ns) if size >= 0 else None
            if stat is not None:
                stats[rel] = stat
            else:  # could not be read: not cached, and no "nothing changed" until it is read
                report.unreadable.append(rel)
            row = HeaderRow(*fields) if fields else None
            if row is None:  # same bytes as the cached header: only the stat changed
                row = cached[rel].row()
                if stat is not None:
                    unstored.append((rel, stat, digest, row._replace(record=cache.records([rel]).get(rel, ""))))
            elif not stored:
                records[rel] = row.record
                if digest and stat is not None:  # an unreadable file is not cached: it is tried again next run
                    unstored.append((rel, stat, digest, row))
            rows[rel] = (digest, row)
    cache.put_headers(unstored)
    cache.drop_headers(set(cached) - set(rows))

    due = None if now is None else now.timestamp()
    headers = Headers([], {}, records, decoded, [f if f.stat is not None else _with_stat(f, stats) for f in files])
    # This loop runs after the last worker is done, once per file (50,000 at
    # most): counts are kept in locals and added to the report once.
    listings, digests, diagnostics = headers.listings, headers.digests, report.diagnostics
    read = rejected = drafts = 0
    for f in files:  # in file order, so messages and ties come out the same every run
        rel = f.rel
        digest, row = rows[rel]
        state = row.state
        if state == REJECTED:
            rejected += 1
            if row.notes:
                diagnostics.extend(_notes(rel, row.notes))
            continue
        read += 1
        if state == DRAFT:
            drafts += 1
            continue
        if row.notes:
            diagnostics.extend(_notes(rel, row.notes))
        if due is not None and row.published > due:
            report.scheduled += 1  # published by the first run after its date
            moment = datetime.fromtimestamp(row.published, UTC)
            report.next_due = min(report.next_due or moment, moment)
            continue
        listings.append((rel, row.listing))
        digests[rel] = digest
    report.read += read
    report.rejected += rejected
    report.drafts += drafts
    return headers


def _with_stat(file: ArticleFile, read: dict[str, Stat]) -> ArticleFile:
    """The file with the stat it was read with (or, for one that could not be read, a stat now)."""
    if file.stat is not None:
        return file
    stat = read.get(file.rel)
    if stat is None:
        try:
            st = os.stat(os.path.join(workers.shared.root, file.rel))
            stat = Stat(st.st_size, st.st_mtime_ns)
        except OSError:
            stat = Stat(-1, -1)  # gone or unreadable: never equal to a real stat
    return ArticleFile(file.rel, stat)


def _notes(rel: str, text: str) -> tuple[Diagnostic, ...]:
    try:
        return decode_notes(text)
    except (ValueError, KeyError, TypeError):
        return (Diagnostic(rel, "cache record damaged: run with --no-cache"),)


def _grouped(headers: Headers, cache: Cache, config_fp: str,
             config: Config) -> tuple[list[FeedSpec], list[SegmentClashError]]:
    """Which feeds exist and which articles each shows, and the names that would share a folder;
    the last run's answer when its input is the same.

    Grouping reads only Listings, so when no article was added, removed or
    moved (edits to titles and bodies, the common case), the stored answer
    is reused and only the Listings of the articles it shows are decoded.
    """
    from feeds.group import group_feeds

    h = hashlib.sha256(config_fp.encode())
    h.update("".join([f"{source}\0{listing}\n" for source, listing in headers.listings]).encode())
    key = h.hexdigest()
    try:
        stored = json.loads(cache.meta("groups") or "null")
    except ValueError:
        stored = None
    if isinstance(stored, dict) and stored.get("key") == key:
        try:
            wanted = {source for _, _, _, sources in stored["feeds"] for source in sources}
            text = dict(headers.listings)
            by_source = {x.source: x for x in decode_listings([(s, text[s]) for s in sorted(wanted)])}
            specs = [FeedSpec(FeedKind(kind), tuple(names), tuple(segments), tuple(by_source[s] for s in sources))
                     for kind, names, segments, sources in stored["feeds"]]
            clashes = [SegmentClashError(*fields, folders=tuple(folders)) for *fields, folders in stored["clashes"]]
            return specs, clashes
        except (ValueError, KeyError, TypeError):
            pass  # damaged: group again
    missing = decode_listings([(s, text) for s, text in headers.listings if s not in headers.decoded])
    listings = {**headers.decoded, **{x.source: x for x in missing}}
    clashes: list[SegmentClashError] = []
    specs = group_feeds([listings[s] for s, _ in headers.listings], config, clashes=clashes)
    cache.set_meta("groups", json.dumps({"key": key, "feeds": [
        [s.kind.value, s.names, s.segments, [a.source for a in s.articles]] for s in specs], "clashes": [
        [c.kind, c.first, c.second, c.segment, c.first_path, c.second_path, c.folders] for c in clashes]},
        ensure_ascii=False))
    return specs, clashes


def _whole_articles(specs: list[FeedSpec], todo: list[int], headers: Headers, cache: Cache,
                    report: RunReport) -> list[FeedSpec]:
    """The feeds to render get whole Articles in place of Listings (decoded once each)."""
    needed = {a.source for i in todo for a in specs[i].articles}
    records = {s: headers.records[s] for s in needed if s in headers.records}
    records.update(cache.records(needed - records.keys()))
    whole: dict[str, Article] = {}
    for source in needed:
        try:
            whole[source] = decode_article(records[source])
        except (ValueError, KeyError, TypeError):  # the cache lost or damaged it: read the file again
            row = workers.parse_header(source, "")[2]
            try:
                if row is None or row.state == REJECTED:
                    raise ValueError(source)
                whole[source] = decode_article(row.record)
            except (ValueError, KeyError, TypeError):
                report.diagnostics.append(Diagnostic(source, "changed while feeds was running; run again"))
    specs = list(specs)
    for i in todo:
        spec = specs[i]
        specs[i] = replace(spec, articles=tuple(whole[a.source] for a in spec.articles if a.source in whole))
    return specs


# ------------------------------------------------------------------ check


def check(config: Config, root: Path) -> RunReport:
    """Parse every article fully (body included) and report; writes nothing."""
    from feeds.parse import parse_article

    files, misnamed = _named_in_utf8(scan(root))
    report = RunReport(files=len(files) + len(misnamed))
    _reject_misnamed(misnamed, report)
    used: dict[str, Article] = {}  # the articles feeds would publish, by source, in file order
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
        used[article.source] = article
    for source, first in _same_ids(list(used), used):  # what `generate` leaves out, said the same way
        report.read -= 1
        report.rejected += 1
        report.log[report.log.index(f"{source}: ok")] = f"{source}: rejected"
        report.diagnostics.append(Diagnostic(source, f"same id as {first} ({used[source].id}): `feeds generate` "
                                                     "leaves it out of every feed; give one of them its own `id:`"))
    return report

