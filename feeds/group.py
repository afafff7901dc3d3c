"""Articles -> the feeds to publish, and where each feed lives.

Pure functions: `group_feeds` decides which feeds exist and which articles
each one holds; `segment` turns a human name into a folder name that is safe
on every file system and in a URL; `feed_paths`, `feed_url` and `page_url`
place a feed in the output folder and on the site.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TypeVar
from urllib.parse import quote

from feeds.config import Config
from feeds.errors import SegmentClashError
from feeds.model import Article, FeedKind, FeedSpec, Listing

# Unsafe in a file name on some system or in a URL path, plus what cannot be
# written at all: control characters (C0, DEL, C1), lone surrogates (they
# cannot be encoded to UTF-8) and the XML non-characters U+FFFE/U+FFFF.
_UNSAFE = re.compile('[/\\\\?#%:*"<>|\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]')
_TRAILING_DOTS_SPACES = re.compile(r"[. ]+$")

# Device names Windows reserves in every folder, with or without extension.
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")]
)

MAX_SEGMENT_BYTES = 255  # NAME_MAX of ext4, XFS, btrfs, APFS; NTFS counts UTF-16 units (<= bytes)
_HASH_CHARS = 12

_TOP_FOLDER = {FeedKind.CATEGORY: "categories", FeedKind.AUTHOR: "authors", FeedKind.TAG: "tags"}
_KIND_ORDER = {FeedKind.SITE: 0, FeedKind.CATEGORY: 1, FeedKind.AUTHOR: 2, FeedKind.TAG: 3}


def nfc(text: str) -> str:
    """Unicode NFC, the one spelling of a name that grouping and segments use."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def safe_segment(text: str) -> str:
    """Make `text` a folder name that works everywhere and cannot leave its parent.

    NFC; `/ \\ ? # % : * " < > |` and control characters become `-`; a leading
    dot (hidden files, `.`/`..`) and trailing dots or spaces (dropped by
    Windows) become `-`; Windows device names get a `-` after the stem; empty
    becomes `-`; a name longer than 255 UTF-8 bytes is cut on a character
    boundary and ends with a hash of the whole name, so it stays unique.
    """
    seg = _UNSAFE.sub("-", nfc(text))
    if seg.startswith("."):
        seg = "-" + seg[1:]
    seg = _TRAILING_DOTS_SPACES.sub(lambda m: "-" * len(m.group()), seg)
    if not seg:
        return "-"
    stem = seg.split(".", 1)[0]
    if stem.upper() in _WINDOWS_RESERVED:
        seg = f"{stem}-{seg[len(stem):]}"
    encoded = seg.encode("utf-8")
    if len(encoded) > MAX_SEGMENT_BYTES:
        digest = hashlib.sha256(encoded).hexdigest()[:_HASH_CHARS]
        head = encoded[: MAX_SEGMENT_BYTES - _HASH_CHARS - 1].decode("utf-8", "ignore")
        seg = f"{head}-{digest}"
    return seg


def segment(name: str, mapping: Mapping[str, str]) -> str:
    """The folder name of one category level, author or tag.

    A site may choose a segment with `category_map`/`author_map`/`tag_map`
    (looked up by the name as written and by its NFC form); the chosen value is
    made safe the same way as a plain name.
    """
    key = nfc(name)
    chosen = mapping.get(name)
    if chosen is None:
        chosen = mapping.get(key, key)
    return safe_segment(chosen)


Listed = TypeVar("Listed", Article, Listing)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def newest_first(articles: Iterable[Listed]) -> list[Listed]:
    """Newest published first; equal dates ordered by source path, so the order never varies.

    One sort on (-microseconds since 1970, source): the same order as
    comparing the aware datetimes, at a fraction of the cost (comparing two
    aware datetimes asks both for their UTC offset every time).
    """
    return sorted(articles, key=_newest_first_key)


def _newest_first_key(article: Article | Listing) -> tuple[int, str]:
    moment = article.published
    since = moment - (_NAIVE_EPOCH if moment.tzinfo is None else _EPOCH)  # naive ones (library use) among themselves
    return -(since // _MICROSECOND), article.source


def group_feeds(articles: Iterable[Article | Listing], config: Config, *,
                clashes: list[SegmentClashError] | None = None) -> list[FeedSpec]:
    """Every feed to publish: the site, each category level, each author, each tag.

    Drafts are left out. The site feed is always there, even with no article.
    Each feed holds its newest `config.limit` articles (0 = all), newest first.
    Names are compared in NFC; two different names that would share a folder
    (after the maps, or differing only in case) raise SegmentClashError. With
    a `clashes` list, each clash is added to it instead, and neither feed nor
    any feed below them is returned: which name owns the folder is not
    guessed, and every other feed is still made.
    Feeds come sorted: site, categories, authors, tags, each by name.
    """
    ordered = newest_first(a for a in articles if not a.draft)
    limit = config.limit or None
    members: dict[tuple[FeedKind, tuple[str, ...]], list[Article | Listing]] = {}
    first_seen: dict[tuple[FeedKind, tuple[str, ...]], str] = {}
    names_cache: dict[str, str] = {}

    def norm(name: str) -> str:
        cached = names_cache.get(name)
        if cached is None:
            cached = names_cache[name] = nfc(name)
        return cached

    def bucket(key: tuple[FeedKind, tuple[str, ...]], source: str) -> list[Article | Listing]:
        """The feed's list of articles; made for the first (newest) article that is in it."""
        found = members.get(key)
        if found is None:
            found = members[key] = []
            first_seen[key] = source
        return found

    # Articles come newest first, so each goes to the end of its feeds' lists.
    # Many share a category list or an author: the lists they go to are looked
    # up once per category list and per name, not once per feed per article.
    category_buckets: dict[tuple[tuple[str, ...], ...], tuple[list[Article | Listing], ...]] = {}
    name_buckets: dict[tuple[FeedKind, str], list[Article | Listing]] = {}

    def named(kind: FeedKind, name: str, source: str) -> list[Article | Listing]:
        found = name_buckets.get((kind, name))
        if found is None:
            found = name_buckets[(kind, name)] = bucket((kind, (norm(name),)), source)
        return found

    for article in ordered:
        source = article.source
        lists = category_buckets.get(article.categories)
        if lists is None:
            lists = category_buckets[article.categories] = tuple(
                bucket(key, source) for key in _category_keys(article.categories, norm))
        authors, tags = article.authors, article.tags
        if len(authors) == 1 and not tags:
            lists += (named(FeedKind.AUTHOR, authors[0].name, source),)
        elif authors or tags:
            more = [named(FeedKind.AUTHOR, a.name, source) for a in authors]
            more += (named(FeedKind.TAG, t, source) for t in tags)
            lists += tuple({id(b): b for b in more}.values())  # two spellings of one name: one feed
        for members_of in lists:
            if limit is None or len(members_of) < limit:
                members_of.append(article)

    maps = {
        FeedKind.CATEGORY: _nfc_keys(config.category_map),
        FeedKind.AUTHOR: _nfc_keys(config.author_map),
        FeedKind.TAG: _nfc_keys(config.tag_map),
    }
    keys_sorted = sorted(members, key=lambda k: (_KIND_ORDER[k[0]], k[1]))
    found: list[SegmentClashError] = []
    segments_of = _assign_segments(keys_sorted, maps, first_seen, found)
    if found and clashes is None:
        raise found[0]
    held = {(kind, names) for c in found for kind, names in c.keys}

    specs = [FeedSpec(FeedKind.SITE, (), (), tuple(ordered[:limit]))]
    for key in keys_sorted:
        kind, names = key
        if held and any((kind, names[:depth]) in held for depth in range(1, len(names) + 1)):
            continue  # a clashing folder, or one inside it
        specs.append(FeedSpec(kind, names, segments_of[key], tuple(members[key][:limit])))
    if clashes is not None:
        clashes.extend(found)
    return specs


def _category_keys(
    categories: tuple[tuple[str, ...], ...], norm: Callable[[str], str]
) -> tuple[tuple[FeedKind, tuple[str, ...]], ...]:
    """The feed of every level of every category path, each once, parents first."""
    keys: dict[tuple[FeedKind, tuple[str, ...]], None] = {}
    for path in categories:
        names = tuple(norm(n) for n in path)
        for depth in range(1, len(names) + 1):
            keys[(FeedKind.CATEGORY, names[:depth])] = None
    return tuple(keys)


def _nfc_keys(mapping: Mapping[str, str]) -> dict[str, str]:
    return {nfc(k): v for k, v in mapping.items()}


def _assign_segments(
    keys: list[tuple[FeedKind, tuple[str, ...]]],
    maps: Mapping[FeedKind, Mapping[str, str]],
    first_seen: Mapping[tuple[FeedKind, tuple[str, ...]], str],
    clashes: list[SegmentClashError],
) -> dict[tuple[FeedKind, tuple[str, ...]], tuple[str, ...]]:
    """Segments for every feed key; two names on one folder are added to `clashes`.

    `keys` is sorted so a parent comes before its children and the clashes
    reported are always the same pairs (the first name on a folder against
    each other one).
    """
    out: dict[tuple[FeedKind, tuple[str, ...]], tuple[str, ...]] = {}
    # (kind, parent names, case-folded segment) -> the name that took it
    taken: dict[tuple[FeedKind, tuple[str, ...], str], str] = {}
    for key in keys:
        kind, names = key
        parent = names[:-1]
        seg = segment(names[-1], maps[kind])
        slot = (kind, parent, seg.casefold())
        owner = taken.setdefault(slot, names[-1])
        out[key] = (*out[(kind, parent)], seg) if parent else (seg,)
        if owner != names[-1]:
            other = (kind, (*parent, owner))
            folders = tuple(dict.fromkeys("/".join((_TOP_FOLDER[kind], *out[k])) for k in (other, key)))
            clashes.append(SegmentClashError(kind.value, owner, names[-1], seg, first_seen.get(other),
                                             first_seen.get(key), folders=folders, keys=(other, key)))
    return out


def feed_paths(spec: FeedSpec) -> tuple[str, str]:
    """(Atom path, RSS path) relative to the output folder, POSIX separators."""
    folder = spec.directory
    prefix = f"{folder}/" if folder else ""
    return f"{prefix}atom.xml", f"{prefix}rss.xml"


def _quoted_folder(spec: FeedSpec) -> str:
    if spec.kind is FeedKind.SITE:
        return ""
    return "/".join((_TOP_FOLDER[spec.kind], *(quote(s, safe="") for s in spec.segments))) + "/"


def feed_url(spec: FeedSpec, fmt: str, config: Config) -> str:
    """Absolute URL of the feed in `fmt` ("atom" or "rss"), segments percent-encoded."""
    if fmt not in ("atom", "rss"):
        raise ValueError(f"unknown feed format {fmt!r}")
    return f"{config.base_url}{_quoted_folder(spec)}{fmt}.xml"


def page_url(spec: FeedSpec, config: Config) -> str:
    """The site page a feed mirrors (Hexo's layout): /, /categories/a/b/, /authors/x/, /tags/y/."""
    return f"{config.base_url}{_quoted_folder(spec)}"


def feed_label(spec: FeedSpec) -> str:
    """Human name of a feed within its kind: '新媒体 / 高科技行业门户', 'Alice', '' for the site."""
    return " / ".join(spec.names)
