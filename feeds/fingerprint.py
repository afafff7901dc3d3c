"""What changed since the last run: digests and fingerprints of a run's inputs.

Pure functions: each says what a piece of output depends on, so that a run
can tell what it must redo by comparing with what the last run stored.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Sequence

from feeds import __version__
from feeds.config import Config
from feeds.model import FeedSpec

if TYPE_CHECKING:
    from feeds.pipeline import ArticleFile


def config_fingerprint(config: Config) -> str:
    """Everything besides the files that can change what is parsed or rendered."""
    return hashlib.blake2b(f"{__version__}\n{config!r}".encode(), digest_size=16).hexdigest()


def digest_of(rel: str, data: bytes) -> str:
    """Content digest of an article file; the path is part of it (links depend on the name).

    SHA-256 rather than BLAKE2: with the CPU's SHA instructions OpenSSL's
    SHA-256 hashes about twice as fast here, and this runs once per file.
    """
    h = hashlib.sha256(rel.encode())
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()[:32]


def feed_fingerprint(config_fp: str, spec: FeedSpec, digests: dict[str, str]) -> str:
    """Everything that goes into a feed's bytes: config, which feed, and each entry's file."""
    h = hashlib.blake2b(config_fp.encode(), digest_size=16)
    h.update(repr((spec.kind.value, spec.names, spec.segments)).encode())
    for a in spec.articles:
        h.update(digests[a.source].encode())
    return h.hexdigest()


def pages_fingerprint(config_fp: str, specs: list[FeedSpec]) -> str:
    """What feeds.opml and index.html show: the settings, which feeds exist, their size and date."""
    h = hashlib.blake2b(config_fp.encode(), digest_size=16)
    for spec in specs:
        newest = max((a.updated for a in spec.articles), default=None)
        h.update(repr((spec.kind.value, spec.names, spec.segments, len(spec.articles), newest)).encode())
    return h.hexdigest()


def snapshot_of(files: list[ArticleFile], config_fp: str, misnamed: Sequence[str] = ()) -> str:
    """One digest of every article file's path, size and mtime, the configuration,
    and the files left out for their names (by name: a run only says what they are called)."""
    h = hashlib.blake2b(config_fp.encode(), digest_size=16)
    h.update("".join([f"{f.rel}\0{f.stat.size}\0{f.stat.mtime_ns}\n" for f in files]).encode())
    if misnamed:
        h.update("\0".join(misnamed).encode())
    return h.hexdigest()
