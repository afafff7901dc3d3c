"""The incremental-run cache: what earlier runs learnt, kept in one SQLite file.

Three things are remembered, all keyed so that a stale entry can never be
mistaken for a fresh one:
  * per article file: its size, mtime and content digest, and the parsed
    header (or the error it gave) -- a file whose size and mtime are unchanged
    is not read; one whose stat changed but whose digest did not is not parsed.
    The header is kept twice: whole, and as the small Listing that grouping
    reads, so a run decodes whole headers only for the feeds it renders;
  * the grouping of the last run (which articles each feed shows), keyed by
    a digest of every Listing, so edits that move no article skip grouping;
  * per feed file: a fingerprint of everything that went into its bytes, so
    a feed whose inputs did not change is not rendered again;
  * the last run's file snapshot and report, so a run with nothing new stops
    after one stat per file.
Bodies are not cached: only the feeds a change touches are rendered again,
and their few dozen bodies cost less to render than to store for every run.
The whole cache is bound to a fingerprint of the feeds version and the
configuration: any change there, a foreign schema, or a file SQLite cannot
read makes it start empty. It is an optimisation only, never a source of
truth, so every failure to use it degrades to a full run, never a crash.

Records are JSON, not pickle: a cache file is data and must not be able to
run code when loaded.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

from feeds.errors import ArticleError, Diagnostic
from feeds.model import Article, Author, BodyFormat, Listing

# Bumped whenever the same file and settings parse or render differently, so
# that a cache kept from before does not keep the old result.
SCHEMA = "feeds-cache-4"


class Stat(NamedTuple):
    """What is compared to decide whether a file may have changed.

    A named tuple rather than a dataclass: a run makes one per article file
    (50,000 of them), and a tuple is made several times faster.
    """

    size: int
    mtime_ns: int


USABLE, DRAFT, REJECTED = 0, 1, 2


class HeaderRow(NamedTuple):
    """One parsed header as stored: everything a run needs without decoding `record`.

    `state` is USABLE, DRAFT or REJECTED; `published` is epoch seconds (to
    hold back scheduled articles); `listing` is the JSON of what grouping
    reads; `notes` the JSON of its warnings or error; `record` the whole
    header, decoded only for articles in feeds being rendered. A named tuple
    for the same reason as Stat.
    """

    state: int
    published: int
    listing: str
    notes: str
    record: str


class CachedHeader(NamedTuple):
    """One article's row in the cache, without its record (see Cache.headers)."""

    path: str
    size: int
    mtime_ns: int
    digest: str
    state: int
    published: int
    listing: str
    notes: str

    def row(self) -> HeaderRow:
        """The HeaderRow stored, its record left out (Cache.records has it)."""
        return HeaderRow(self.state, self.published, self.listing, self.notes, "")


# ---------------------------------------------------------------- codec


# One encoder, made once: json.dumps builds a new one per call when given options.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_ENCODE = _ENCODER.encode
_DECODE = json.JSONDecoder().decode


def _one_shot_encoder() -> Any:
    """`_ENCODE` for the header rows, without its per-call setup (~1.6 us of ~3.3 us each).

    JSONEncoder.encode builds json's C encoder anew on every call; this builds
    it once, with the same options, so the text is the same. Without the
    circular-reference check: a header is made of fresh tuples, lists and
    strings that cannot contain themselves. Falls back to `_ENCODE` where
    json has no C accelerator.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _ENCODE
    e = _ENCODER
    chunks = make(None, e.default, json.encoder.encode_basestring, None, e.key_separator, e.item_separator,
                  e.sort_keys, e.skipkeys, e.allow_nan)
    join = "".join

    def encode(value: Any) -> str:
        return join(chunks(value, 0))

    return encode


_ENCODE_ROW = _one_shot_encoder()
_BODY_FORMATS = {member.value: member for member in BodyFormat}  # a dict lookup, not Enum's __call__


def encode_header(article: Article | None, warnings: Iterable[Diagnostic], error: ArticleError | None) -> HeaderRow:
    """The stored form of one parsed header (content is never stored here)."""
    if error is not None:
        notes = _ENCODE([[error.path, error.message, error.line, "error"]])
        return HeaderRow(REJECTED, 0, "", notes, "")
    assert article is not None
    a = article
    rec = [
        a.source, a.title, a.link, a.id, a.published.isoformat(), a.updated.isoformat(),
        [[x.name, x.email, x.uri] for x in a.authors], a.categories, a.tags,
        a.summary, a.image, a.language, a.draft, a.body_format.value,
    ]
    listing = [rec[4], rec[5], [x.name for x in a.authors], a.categories, a.tags]
    notes = [[w.path, w.message, w.line, w.severity] for w in warnings]
    return HeaderRow(DRAFT if a.draft else USABLE, int(a.published.timestamp()), _ENCODE_ROW(listing),
                     _ENCODE_ROW(notes) if notes else "", _ENCODE_ROW(rec))


def decode_article(record: str) -> Article:
    """The whole article of a USABLE or DRAFT row; raises ValueError/KeyError/TypeError when damaged."""
    (source, title, link, ident, published, updated, authors, categories, tags,
     summary, image, language, draft, body_format) = _DECODE(record)
    published_at = datetime.fromisoformat(published)
    return Article(
        source=source, title=title, link=link, id=ident, published=published_at,
        updated=published_at if updated == published else datetime.fromisoformat(updated),
        authors=tuple([Author(name, email, uri) for name, email, uri in authors]),
        categories=tuple(map(tuple, categories)), tags=tuple(tags),
        summary=summary, content=None, image=image, language=language, draft=bool(draft),
        body_format=_BODY_FORMATS[body_format],
    )


def decode_listings(rows: list[tuple[str, str]]) -> list[Listing]:
    """(source, listing JSON) pairs to Listings, in one JSON parse for all of them."""
    if not rows:
        return []
    values = _DECODE("[" + ",".join(text for _, text in rows) + "]")
    fromiso = datetime.fromisoformat
    # A site has a few dozen authors for thousands of articles: each name is
    # made an Author once per call and shared (Authors are immutable).
    authors_named: dict[str, Author] = {}
    listings = []
    for (source, _), (published, updated, authors, categories, tags) in zip(rows, values):
        published_at = fromiso(published)
        people = []
        for name in authors:
            author = authors_named.get(name)
            if author is None:
                author = authors_named[name] = Author(name)
            people.append(author)
        listings.append(Listing(
            source, published_at, published_at if updated == published else fromiso(updated),
            tuple(people), tuple(map(tuple, categories)), tuple(tags),
        ))
    return listings


def decode_notes(text: str) -> tuple[Diagnostic, ...]:
    """The warnings (or the error) of a row."""
    if not text:
        return ()
    return tuple([Diagnostic(p, m, ln, sev) for p, m, ln, sev in _DECODE(text)])


# ---------------------------------------------------------------- store


class Cache:
    """An open cache file. Use `Cache.open`; every method degrades to 'not cached'."""

    def __init__(self, db: sqlite3.Connection | None, path: Path) -> None:
        self._db = db
        self.path = path
        self.problem: str | None = None

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, fingerprint: str, *, fresh: bool = False) -> "Cache":
        """Open (or create) the cache at `path` for this version + configuration.

        A corrupt file, another schema or another fingerprint is thrown away
        and rebuilt; the reason is kept in `.problem` for a verbose message.
        `fresh` empties it first (--no-cache: a full run that refreshes it).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        problem = None
        for attempt in range(2):
            try:
                db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                fp = db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
                if fresh or row is None or row[0] != SCHEMA or fp is None or fp[0] != fingerprint:
                    if row is not None and not fresh:
                        problem = "cache was made by another version or configuration; rebuilding it"
                    db.execute("BEGIN")
                    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                        db.execute(f'DROP TABLE "{table}"')  # tables of another schema go whole
                    _create(db)
                    db.executemany("INSERT INTO meta VALUES (?, ?)",
                                   [("schema", SCHEMA), ("fingerprint", fingerprint)])
                    db.execute("COMMIT")
                cache = cls(db, path)
                cache.problem = problem
                return cache
            except sqlite3.Error as exc:
                problem = f"cache file {path} was unreadable ({exc}); rebuilding it"
                _remove_db(path)
        cache = cls(None, path)
        cache.problem = problem
        return cache

    @classmethod
    def attach(cls, path: Path) -> "Cache":
        """Another connection to a cache a run has already opened (from one of its worker processes).

        With the durability of the run's own connection (synchronous is set per
        connection; SQLite's default would sync the disk at every commit of
        every worker batch, 0.5-3 ms each here: 40% of the cost of a row).
        """
        db = None
        try:
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            if db is not None:
                db.close()
            cache = cls(None, path)
            cache.problem = f"cache file {path} failed ({exc})"
            return cache
        return cls(db, path)

    @property
    def usable(self) -> bool:
        return self._db is not None

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    # -- reads ------------------------------------------------------------

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        if self._db is None:
            return iter(())
        try:
            return iter(self._db.execute(sql, args).fetchall())
        except sqlite3.Error as exc:
            self._fail(exc)
            return iter(())

    def meta(self, key: str) -> str | None:
        for (value,) in self._rows("SELECT value FROM meta WHERE key=?", (key,)):
            return str(value)
        return None

    def headers(self) -> dict[str, CachedHeader]:
        """path -> its cached header without the record: what every run that reads a file compares and reads.

        Made straight from SQLite's rows (no Stat or HeaderRow per file: at
        50,000 files building them cost as much as reading the rows).
        """
        make = CachedHeader._make
        return {row.path: row for row in map(make, self._rows(
            "SELECT path, size, mtime_ns, digest, state, published, listing, notes FROM articles"))}

    def has_headers(self) -> bool:
        """Whether any article is cached (a run without any reads every file)."""
        return any(True for _ in self._rows("SELECT 1 FROM articles LIMIT 1"))

    def records(self, paths: Iterable[str]) -> dict[str, str]:
        """path -> whole header record, for the articles a run renders."""
        wanted = list(paths)
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = tuple(wanted[start:start + 500])
            marks = ",".join("?" * len(chunk))
            found.update(self._rows(f"SELECT path, record FROM articles WHERE path IN ({marks})", chunk))  # type: ignore[arg-type]
        return found

    def feed_fingerprints(self) -> dict[str, str]:
        return dict(self._rows("SELECT path, fingerprint FROM feeds"))  # type: ignore[arg-type]

    # -- writes -----------------------------------------------------------

    def _fail(self, exc: Exception) -> None:
        self.problem = f"cache file {self.path} failed ({exc}); continuing without it"
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One explicit transaction (the connection is in autocommit mode: without it every row commits)."""
        assert self._db is not None
        self._db.execute("BEGIN")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> bool:
        """True when the rows were stored."""
        if self._db is None:
            return False
        try:
            with self._transaction() as db:
                db.executemany(sql, rows)
            return True
        except sqlite3.Error as exc:
            self._fail(exc)
            return False

    def put_headers(self, rows: Iterable[tuple[str, Stat, str, HeaderRow]]) -> bool:
        return self._write("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((p, s.size, s.mtime_ns, d, h.state, h.published, h.listing, h.notes, h.record)
                     for p, s, d, h in rows))

    def drop_headers(self, paths: Iterable[str]) -> None:
        self._write("DELETE FROM articles WHERE path=?", ((p,) for p in paths))

    def put_feed_fingerprints(self, rows: dict[str, str]) -> None:
        if self._db is None:
            return
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM feeds")
                db.executemany("INSERT INTO feeds VALUES (?, ?)", rows.items())
        except sqlite3.Error as exc:
            self._fail(exc)

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(key, value)])


def _create(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS articles(path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
               " digest TEXT, state INTEGER, published INTEGER, listing TEXT, notes TEXT, record TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS feeds(path TEXT PRIMARY KEY, fingerprint TEXT)")


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass
