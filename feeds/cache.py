"""The incremental-run cache: what earlier runs learnt, kept in one SQLite file.

Three things are remembered, all keyed so that a stale entry can never be
mistaken for a fresh one:
  * per article file: its size, mtime and content digest, and the parsed
    header (or the error it gave) -- a file whose size and mtime are unchanged
    is not read; one whose stat changed but whose digest did not is not parsed;
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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from feeds.errors import ArticleError, Diagnostic
from feeds.model import Article, Author, BodyFormat

SCHEMA = "feeds-cache-2"


@dataclass(frozen=True, slots=True)
class Stat:
    """What is compared to decide whether a file may have changed."""

    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class HeaderEntry:
    """A cached parse of one article file: an article with its warnings, or its error."""

    stat: Stat
    digest: str
    article: Article | None
    warnings: tuple[Diagnostic, ...]
    error: ArticleError | None


# ---------------------------------------------------------------- codec


# One encoder, made once: json.dumps builds a new one per call when given options.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode
_BODY_FORMATS = {member.value: member for member in BodyFormat}  # a dict lookup, not Enum's __call__


def encode_header(article: Article | None, warnings: Iterable[Diagnostic], error: ArticleError | None) -> str:
    """JSON text for one parsed header (content is never stored here)."""
    if error is not None:
        return _ENCODE({"e": [error.path, error.message, error.line]})
    assert article is not None
    a = article
    rec = [
        a.source, a.title, a.link, a.id, a.published.isoformat(), a.updated.isoformat(),
        [[x.name, x.email, x.uri] for x in a.authors], a.categories, a.tags,
        a.summary, a.image, a.language, a.draft, a.body_format.value,
    ]
    return _ENCODE({"a": rec, "w": [[w.path, w.message, w.line, w.severity] for w in warnings]})


def decode_header(text: str) -> tuple[Article | None, tuple[Diagnostic, ...], ArticleError | None]:
    """Inverse of encode_header; raises ValueError/KeyError/TypeError on a damaged record."""
    data = _DECODE(text)
    if "e" in data:
        path, message, line = data["e"]
        return None, (), ArticleError(path, message, line)
    (source, title, link, ident, published, updated, authors, categories, tags,
     summary, image, language, draft, body_format) = data["a"]
    published_at = datetime.fromisoformat(published)
    article = Article(
        source=source, title=title, link=link, id=ident, published=published_at,
        updated=published_at if updated == published else datetime.fromisoformat(updated),
        authors=tuple([Author(name, email, uri) for name, email, uri in authors]),
        categories=tuple(map(tuple, categories)), tags=tuple(tags),
        summary=summary, content=None, image=image, language=language, draft=bool(draft),
        body_format=_BODY_FORMATS[body_format],
    )
    warnings = tuple([Diagnostic(p, m, ln, s) for p, m, ln, s in data["w"]])
    return article, warnings, None


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
                _create(db)
                row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                fp = db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
                if fresh or row is None or row[0] != SCHEMA or fp is None or fp[0] != fingerprint:
                    if row is not None and not fresh:
                        problem = "cache was made by another version or configuration; rebuilding it"
                    db.execute("BEGIN")
                    db.execute("DROP TABLE IF EXISTS bodies")  # schema 1 kept rendered bodies
                    for table in ("articles", "feeds", "meta"):
                        db.execute(f"DELETE FROM {table}")
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

    def headers(self) -> dict[str, tuple[Stat, str, str]]:
        """path -> (stat, digest, encoded header); decoded lazily by the caller."""
        return {
            path: (Stat(size, mtime_ns), digest, record)
            for path, size, mtime_ns, digest, record in self._rows(
                "SELECT path, size, mtime_ns, digest, record FROM articles")
        }

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

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        if self._db is None:
            return
        try:
            with self._transaction() as db:
                db.executemany(sql, rows)
        except sqlite3.Error as exc:
            self._fail(exc)

    def put_headers(self, rows: Iterable[tuple[str, Stat, str, str]]) -> None:
        self._write("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)",
                    ((p, s.size, s.mtime_ns, d, r) for p, s, d, r in rows))

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
               " digest TEXT, record TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS feeds(path TEXT PRIMARY KEY, fingerprint TEXT)")


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass
