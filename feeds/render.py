"""FeedSpec -> Atom 1.0 and RSS 2.0 bytes, with feedgen.

Pure: the same spec and config always give the same bytes (no clock, no
ordering left to chance). `FeedRenderer` is the fast path for a whole run:
an article sits in up to ~10 feeds (site, three category levels, author,
tags), so its entry is built and serialised by feedgen once per format and
those bytes are reused by every feed it is in.

Deliberate departures from feedgen's defaults:
- Atom entries never use feedgen's enclosure: feedgen 1.0 writes it as a
  second rel="alternate" link and readers open the image instead of the
  article. The image is a media:thumbnail in both formats, plus an RSS
  enclosure when its MIME type is known from the URL.
- RSS authors are dc:creator (RSS <author> must be an e-mail address, and
  the W3C validator warns when both are present).
- The first author of an article is its author, the others are contributors
  (atom:contributor, dc:contributor): with several atom:author elements
  feedparser shows the last one and newsboat all of them, with several
  dc:creator both show the last; this way every reader shows the same
  byline and every person is still in the entry.
- RSS category values are the slash-separated segment path, as RSS 2.0
  defines hierarchic categories; Atom gets the same path as term plus the
  human label.
- Dates are cut to whole seconds (a reader tested drops the zone of a date
  with fractional seconds); feed `updated`/`lastBuildDate` is the newest
  entry's, or EMPTY_FEED_DATE for a feed with no entry, never "now".
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.ext.dc import DcBaseExtension, DcEntryExtension
from feedgen.ext.media import MediaEntryExtension, MediaExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from feeds import __version__
from feeds.config import Config
from feeds.errors import Diagnostic
from feeds.group import feed_label, feed_paths, feed_url, nfc, page_url, segment
from feeds.links import ascii_netloc
from feeds.model import Article, Author, FeedKind, FeedSpec
from feeds.validate.common import is_http_url

GENERATOR = "feeds"
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
"""`updated` of a feed without entries: fixed, so the bytes do not change from run to run
(and not before 1990, which the W3C validator calls implausible)."""

# XML 1.0 Char, minus DEL and the C1 controls: XML "discourages" them, the
# W3C validator warns about them and readers show them as mojibake.
# (The complement of `[\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]`,
# spelt out: compiled ten times faster at every start, and a test asks every code point.)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Characters allowed in a URI (RFC 3986 reserved + unreserved + '%').
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
_URI_OK = re.compile(r"[A-Za-z0-9!#$%&'()*+,/:;=?@\[\]~\-._]*")

# The W3C validator's addr-spec test: anything else is an error in Atom.
_EMAIL_OK = re.compile(
    r"[A-Z0-9_\-+.']+@(([0-9]{1,3}\.){3}|([A-Z0-9\-]+\.)+)[A-Z0-9][-A-Z0-9]*", re.IGNORECASE
)

# Fixed table rather than `mimetypes`, whose answers depend on the machine.
IMAGE_TYPES = {
    "apng": "image/apng",
    "avif": "image/avif",
    "bmp": "image/bmp",
    "gif": "image/gif",
    "heic": "image/heic",
    "heif": "image/heif",
    "ico": "image/vnd.microsoft.icon",
    "jfif": "image/jpeg",
    "jpe": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "jxl": "image/jxl",
    "png": "image/png",
    "svg": "image/svg+xml",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "webp": "image/webp",
}

_FORMAT_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
_DC_NS = "http://purl.org/dc/elements/1.1/"


# --------------------------------------------------------------- cleaning


def clean_text(text: str) -> tuple[str, int]:
    """`text` without the characters XML cannot carry, and how many were removed."""
    if _NOT_XML.search(text) is None:
        return text, 0
    cleaned, count = _NOT_XML.subn("", text)
    return cleaned, count


def clean_article(article: Article) -> tuple[Article, tuple[Diagnostic, ...]]:
    """Remove characters not allowed in XML 1.0 from every text field of `article`.

    Returns the article unchanged (the same object) when it is clean; otherwise
    a cleaned copy and one warning naming the article and the fields touched.
    Never raises: a stray control character must cost a warning, not a feed.
    """
    if _is_clean(article):
        return article, ()
    changes: dict[str, object] = {}
    touched: list[str] = []
    removed = 0

    def fix(field: str, value: str | None) -> str | None:
        nonlocal removed
        if value is None:
            return None
        cleaned, count = clean_text(value)
        if count:
            removed += count
            if field not in touched:
                touched.append(field)
        return cleaned

    for field in ("title", "link", "id", "summary", "content", "image", "language"):
        value = getattr(article, field)
        cleaned = fix(field, value)
        if cleaned is not value:
            changes[field] = cleaned
    authors = tuple(
        Author(fix("authors", a.name) or "", fix("authors", a.email), fix("authors", a.uri)) for a in article.authors
    )
    categories = tuple(tuple(fix("categories", n) or "" for n in path) for path in article.categories)
    tags = tuple(fix("tags", t) or "" for t in article.tags)
    if not removed:
        return article, ()
    changes.update(authors=authors, categories=categories, tags=tags)
    warning = Diagnostic(
        article.source,
        f"removed {removed} character(s) not allowed in XML from {', '.join(touched)}",
        severity="warning",
    )
    return dataclasses.replace(article, **changes), (warning,)


def _is_clean(article: Article) -> bool:
    """One scan over every text field (the common case: nothing to remove)."""
    texts = [article.title, article.link, article.id]
    texts += (t for t in (article.summary, article.content, article.image, article.language) if t)
    texts += (t for a in article.authors for t in (a.name, a.email, a.uri) if t)
    texts += (n for path in article.categories for n in path)
    texts += article.tags
    return not _has_not_xml("\n".join(texts))


# What _NOT_XML matches below U+0100 (C0 controls but tab, LF and CR; DEL; the
# C1 controls), as Latin-1 bytes. Above it, it matches the surrogates, U+FFFE
# and U+FFFF only (a test asks the regex about every code point).
_NOT_XML_LATIN1 = bytes(code for code in range(0x100) if _NOT_XML.match(chr(code)))


def _has_not_xml(text: str) -> bool:
    """`_NOT_XML.search(text) is not None`, at about half its cost.

    The regex tests its character class at every position (~4 ns a character
    on a Chinese body). Encoding to Latin-1 (dropping all other characters),
    deleting the bad bytes, `in` and a UTF-32 encoding (which refuses
    surrogates, and only them) are plain C loops.
    """
    latin1 = text.encode("latin-1", "ignore")
    if len(latin1.translate(None, _NOT_XML_LATIN1)) != len(latin1):
        return True
    if len(latin1) == len(text):
        return False  # nothing above U+00FF
    if "\ufffe" in text or "\uffff" in text:
        return True
    try:
        text.encode("utf-32-le")
    except UnicodeEncodeError:
        return True
    return False


# ---------------------------------------------------------------- helpers


def as_uri(url: str) -> str:
    """An IRI as a plain-ASCII URI (UTF-8 percent-encoding); a URI is returned as is.

    The W3C validator rejects raw non-ASCII or spaces in links and ids, and a
    Hexo permalink built from a Chinese title is full of them.
    """
    if _URI_OK.fullmatch(url):
        return url
    authority = _AUTHORITY.match(url)
    if authority is not None and not authority.group(2).isascii():  # a host is spelt in IDNA, not %XX
        url = f"{authority.group(1)}{ascii_netloc(authority.group(2))}{url[authority.end():]}"
    return quote(url, safe=_URI_SAFE)


_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#]*)")


def image_type(url: str) -> str | None:
    """MIME type of an image from its URL's extension, or None when it cannot be told.

    Image proxies put the real URL in the query
    (`https://proxy.example/?http://host/a.png`, `...?url=http%3A...png`),
    so a URL found in the query is looked at too. Each place is read only if
    the ones before it tell nothing: a proxied URL is mostly told by its whole
    query, without splitting the query into pairs.
    """
    parts = urlsplit(url)
    found = _path_type(parts.path)
    query = parts.query
    if found is not None or not ("://" in query or "%3A%2F%2F" in query.upper()):
        return found
    found = _embedded_type(unquote(query))
    if found is None:
        for _, value in parse_qsl(query):
            found = _embedded_type(value)
            if found is not None:
                break
    return found


def _embedded_type(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        return _path_type(urlsplit(value).path)
    except ValueError:  # not a URL after all (`http://[bad`): it tells nothing
        return None


def _path_type(path: str) -> str | None:
    return IMAGE_TYPES.get(posixpath.splitext(path)[1].lower().lstrip("."))


def whole_seconds(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` without fractional seconds; a naive one is read in the site's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.replace(microsecond=0) if moment.microsecond else moment


def feed_title(spec: FeedSpec, config: Config) -> str:
    """'<site>', '<site> — category 新媒体 / 高科技行业门户', '… — author X', '… — tag Y'."""
    site = clean_text(config.title)[0]
    if spec.kind is FeedKind.SITE:
        return site
    return f"{site} — {spec.kind.value} {clean_text(feed_label(spec))[0]}"


def feed_author(config: Config) -> Author:
    """The feed-level author Atom needs: config.author, else the site title as a name."""
    return config.author or Author(config.title)


# ---------------------------------------------------------------- entries


@dataclasses.dataclass(frozen=True, slots=True)
class _EntryParts:
    """Everything both formats need from one article, computed once."""

    article: Article
    link: str
    id: str
    published: datetime
    updated: datetime
    categories: tuple[tuple[str, str, str], ...]  # (term, label, scheme)
    image: str | None
    image_type: str | None


# How entries start and where they end in a feedgen document. '<' in text and
# attribute values is always escaped, so these bytes can only be tags.
_ENTRY_TAG = {"atom": b"<entry>", "rss": b"<item>"}
_END_TAG = {"atom": b"</feed>", "rss": b"</channel>"}


def _line_start(document: bytes, at: int) -> int:
    return document.rfind(b"\n", 0, at) + 1


def _entries_end(document: bytes, fmt: str) -> int:
    """Offset of the line that closes the entries' parent (where feedgen appends entries)."""
    return _line_start(document, document.rindex(_END_TAG[fmt]))


def _entry_starts(document: bytes, fmt: str) -> list[int]:
    """Offsets of the lines where entries start, in document order."""
    tag, starts = _ENTRY_TAG[fmt], []
    found = document.find(tag)
    while found != -1:
        starts.append(_line_start(document, found))
        found = document.find(tag, found + len(tag))
    return starts


class FeedRenderer:
    """Renders the feeds of one run, serialising each article's entry once per format.

    A feed is feedgen's document for the feed without entries, with the
    entries' serialised bytes put where feedgen puts entries: byte for byte
    what feedgen writes for the whole feed (tests check this), without
    building and serialising an article again for each of the ~10 feeds it
    is in. Give `specs` (all feeds of the run) and each entry's bytes are
    dropped after the last feed that uses it, which bounds memory.
    A run splits the work between processes: one renderer hands over the
    entries it serialised (`entries`), and renderers in other processes put
    feeds together from them (`load`), serialising nothing themselves.
    Not thread-safe (its FeedGenerators are reused): one renderer per thread.
    """

    def __init__(self, config: Config, specs: Iterable[FeedSpec] = (),
                 load: Callable[[str], tuple[bytes, bytes]] | None = None) -> None:
        self._config = config
        # source -> (Atom entry, RSS item) serialised by another renderer (see `entries`), if given
        self._load = load
        self._zone = config.zone
        self._category_scheme = config.base_url + "categories/"
        self._tag_scheme = config.base_url + "tags/"
        self._maps = {
            FeedKind.CATEGORY: {nfc(k): v for k, v in config.category_map.items()},
            FeedKind.TAG: {nfc(k): v for k, v in config.tag_map.items()},
        }
        self._segments: dict[tuple[FeedKind, str], str] = {}
        # (categories, tags) -> their (term, label, scheme) triples
        self._categories_of: dict[tuple[object, ...], tuple[tuple[str, str, str], ...]] = {}
        # Per format, one FeedGenerator for the feed shells (the feed-level
        # constants set once, only what differs set per feed) and one to
        # serialise entries in: a new generator per feed cost a third of a shell.
        self._shells = {fmt: self._shell_generator(fmt) for fmt in ("atom", "rss")}
        self._containers = {fmt: _bare_generator(fmt) for fmt in ("atom", "rss")}
        # id(article) -> (article, parts); the article is kept so its id stays unique.
        self._parts_of: dict[int, tuple[Article, _EntryParts]] = {}
        self.warnings: list[Diagnostic] = []
        """One per article whose characters not allowed in XML were removed (see clean_article)."""
        self._chunks: dict[str, dict[int, bytes]] = {"atom": {}, "rss": {}}
        self._uses: dict[str, dict[int, int]] = {"atom": {}, "rss": {}}
        for spec in specs:
            for article in _unique(spec.articles):
                for uses in self._uses.values():
                    uses[id(article)] = uses.get(id(article), 0) + 1

    # -- public

    def atom(self, spec: FeedSpec) -> bytes:
        """The Atom 1.0 document of `spec`."""
        return self._document(spec, "atom")

    def rss(self, spec: FeedSpec) -> bytes:
        """The RSS 2.0 document of `spec`."""
        return self._document(spec, "rss")

    # -- documents

    def entries(self, articles: Iterable[Article]) -> dict[str, tuple[bytes, bytes]]:
        """Hand over each article's serialised Atom entry and RSS item, by source, for another renderer to `load`.

        The work per article of a run, apart from the feeds it is in: one
        process may make the entries that others put into feeds. The
        renderer keeps nothing of these articles afterwards.
        """
        articles = _unique(articles)
        for fmt in ("atom", "rss"):
            self._serialise_entries([a for a in articles if id(a) not in self._chunks[fmt]], fmt)
        atom, rss = self._chunks["atom"], self._chunks["rss"]
        out = {a.source: (atom.pop(id(a)), rss.pop(id(a))) for a in articles}
        for article in articles:
            self._parts_of.pop(id(article), None)
            for uses in self._uses.values():
                uses.pop(id(article), None)
        return out

    def _document(self, spec: FeedSpec, fmt: str) -> bytes:
        articles = _unique(spec.articles)
        chunks = self._chunks[fmt]
        missing = [a for a in articles if id(a) not in chunks]
        if missing:
            if self._load is not None:
                self._take(missing, fmt)
            else:
                self._serialise_entries(missing, fmt)
        shell = self._serialise(self._generator(spec, fmt), fmt)
        cut = _entries_end(shell, fmt)
        document = b"".join((shell[:cut], *(chunks[id(a)] for a in articles), shell[cut:]))
        self._release(articles, fmt)
        return document

    def _take(self, articles: Iterable[Article], fmt: str) -> None:
        """Load entries serialised elsewhere; the other format's too while a feed still needs it."""
        assert self._load is not None
        other = "rss" if fmt == "atom" else "atom"
        for article in articles:
            atom, rss = self._load(article.source)
            self._chunks[fmt][id(article)] = atom if fmt == "atom" else rss
            if id(article) in self._uses[other] and id(article) not in self._chunks[other]:
                self._chunks[other][id(article)] = rss if fmt == "atom" else atom

    def _serialise_entries(self, articles: Sequence[Article], fmt: str) -> None:
        """Serialise entries with feedgen inside a placeholder feed and keep each one's bytes."""
        fg = self._containers[fmt]
        fg.entry([self._feed_entry(a, fmt) for a in articles], replace=True)
        document = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
        starts = _entry_starts(document, fmt)
        if len(starts) != len(articles):
            raise AssertionError("feedgen's output layout changed: entries cannot be told apart")
        bounds = [*starts, _entries_end(document, fmt)]
        chunks = self._chunks[fmt]
        for article, begin, finish in zip(articles, bounds, bounds[1:]):
            chunk = document[begin:finish]
            # RSS spelling per entry: a small chunk is rewritten while it is still in
            # the CPU cache (faster than one pass over the whole batch), and the
            # patterns never span a chunk boundary (chunks are whole lines of tags).
            chunks[id(article)] = _rss_references(chunk) if fmt == "rss" else chunk
        fg.entry([], replace=True)  # the entries' elements are not kept alive

    def _release(self, articles: Iterable[Article], fmt: str) -> None:
        uses, chunks = self._uses[fmt], self._chunks[fmt]
        for article in articles:
            left = uses.get(id(article))
            if left is None:
                continue  # not announced in `specs`: kept for the whole run
            if left <= 1:
                del uses[id(article)]
                del chunks[id(article)]
            else:
                uses[id(article)] = left - 1

    @staticmethod
    def _serialise(fg: FeedGenerator, fmt: str) -> bytes:
        if fmt == "atom":
            return fg.atom_str(pretty=True)
        return _rss_references(fg.rss_str(pretty=True))

    # -- feed level

    def _shell_generator(self, fmt: str) -> FeedGenerator:
        """A FeedGenerator holding the feed-level elements that are the same in every feed of `fmt`."""
        config = self._config
        fg = _bare_generator(fmt)
        author = feed_author(config)
        fg.author(_author_dict(author), replace=True)
        fg.generator(GENERATOR, version=__version__)
        if config.language:
            fg.language(config.language)
        if fmt == "atom":
            if config.icon:
                fg.icon(config.icon)
            if config.logo:
                fg.logo(config.logo)
        else:
            if config.logo or config.icon:
                fg.image(url=config.logo or config.icon)
            if author.email and _EMAIL_OK.fullmatch(author.email):
                fg.managingEditor(f"{author.email} ({clean_text(author.name)[0]})")
        return fg

    def _generator(self, spec: FeedSpec, fmt: str) -> FeedGenerator:
        """The feed's own elements, without entries.

        This is the renderer's one shell generator for `fmt`, changed in place
        (only what differs from feed to feed is set): use it before the next call.
        """
        config = self._config
        fg = self._shells[fmt]
        fg.entry([], replace=True)
        title = feed_title(spec, config)
        fg.title(title)
        # The entries' newest `updated` (cleaning an article never touches its dates).
        fg.updated(max((whole_seconds(a.updated, self._zone) for a in spec.articles), default=EMPTY_FEED_DATE))
        self_link = {"href": feed_url(spec, fmt, config), "rel": "self", "type": _FORMAT_TYPES[fmt]}
        if fmt == "atom":
            fg.id(self_link["href"])
            fg.description(clean_text(config.subtitle)[0] if config.subtitle else "")
            fg.link([self_link, {"href": page_url(spec, config), "rel": "alternate", "type": "text/html"}], replace=True)
        else:
            fg.description(clean_text(config.subtitle)[0] if config.subtitle else title)
            fg.link([self_link, {"href": page_url(spec, config), "rel": "alternate"}], replace=True)  # last = <link>
        return fg

    # -- entry level

    def _parts(self, article: Article) -> _EntryParts:
        cached = self._parts_of.get(id(article))
        if cached is not None:
            return cached[1]
        clean, warnings = clean_article(article)
        self.warnings.extend(warnings)
        image = as_uri(clean.image) if clean.image else None
        if image is not None and not is_http_url(image):
            # Its enclosure would fail validation, and with it every feed the article is in.
            self.warnings.append(Diagnostic(article.source, f"image {clean.image} is left out of the feeds: "
                                            "they need an http(s) URL with a public host name", None, "warning"))
            image = None
        parts = _EntryParts(
            article=clean,
            link=as_uri(clean.link),
            id=as_uri(clean.id),
            published=whole_seconds(clean.published, self._zone),
            updated=whole_seconds(clean.updated, self._zone),
            categories=self._categories(clean),
            image=image,
            image_type=image_type(image) if image else None,
        )
        self._parts_of[id(article)] = (article, parts)
        return parts

    def _segment(self, kind: FeedKind, name: str) -> str:
        key = (kind, name)
        seg = self._segments.get(key)
        if seg is None:
            seg = self._segments[key] = segment(name, self._maps[kind])
        return seg

    def _categories(self, article: Article) -> tuple[tuple[str, str, str], ...]:
        """Every category level (term = segment path, label = names) then every tag.

        Kept per (categories, tags): many articles share them.
        """
        key = (article.categories, article.tags)
        found = self._categories_of.get(key)
        if found is None:
            found = self._categories_of[key] = self._compute_categories(article.categories, article.tags)
        return found

    def _compute_categories(
        self, categories: tuple[tuple[str, ...], ...], tags: tuple[str, ...]
    ) -> tuple[tuple[str, str, str], ...]:
        out: dict[str, tuple[str, str, str]] = {}
        for path in categories:
            names = [nfc(n) for n in path]
            segs = [self._segment(FeedKind.CATEGORY, n) for n in names]
            for depth in range(1, len(names) + 1):
                term = "/".join(segs[:depth])
                out.setdefault(term, (term, " / ".join(names[:depth]), self._category_scheme))
        by_tag: dict[str, tuple[str, str, str]] = {}
        for tag in tags:
            name = nfc(tag)
            seg = self._segment(FeedKind.TAG, name)
            by_tag.setdefault(seg, (seg, name, self._tag_scheme))
        return (*out.values(), *by_tag.values())

    def _feed_entry(self, article: Article, fmt: str) -> FeedEntry:
        parts = self._parts(article)
        return self._atom_entry(parts) if fmt == "atom" else self._rss_entry(parts)

    def _atom_entry(self, parts: _EntryParts) -> FeedEntry:
        article = parts.article
        full = self._config.full_content and article.content
        if article.summary:
            summary = {"summary": article.summary, "type": "html"}
        else:  # Atom wants some text; the title is the honest minimum
            summary = None if full else {"summary": article.title}
        people = [_author_dict(a) for a in article.authors if a.name]
        return _feedgen_entry(
            _media(parts.image),
            atom_id=parts.id,
            atom_title=article.title,
            atom_link=[{"href": parts.link, "rel": "alternate"}],
            atom_published=parts.published,
            atom_updated=parts.updated,
            atom_author=people[:1] or None,
            atom_contributor=people[1:] or None,
            atom_content={"content": article.content, "type": "html"} if full else None,
            atom_summary=summary,
            atom_category=[{"term": t, "label": label, "scheme": s} for t, label, s in parts.categories] or None,
        )

    def _rss_entry(self, parts: _EntryParts) -> FeedEntry:
        article = parts.article
        names = [a.name for a in article.authors if a.name]
        enclosure = None
        if parts.image and parts.image_type:
            # Length 0 is the RSS Profile's "unknown": we never download the image.
            enclosure = {"url": parts.image, "type": parts.image_type, "length": "0"}
        return _feedgen_entry(
            {**_media(parts.image), **_dc_people(names)},
            rss_guid={"guid": parts.id, "permalink": parts.id == parts.link},
            rss_title=article.title,
            rss_link=parts.link,
            rss_pubDate=parts.published,
            rss_description=article.summary or None,
            rss_content={"content": article.content} if self._config.full_content and article.content else None,
            rss_category=[{"value": t, "domain": s} for t, _, s in parts.categories] or None,
            rss_enclosure=enclosure,
        )


# ---------------------------------------------------------- feedgen entries
#
# An article's FeedEntry is built once per format, and feedgen's setters were
# the largest part of that: every list of dicts goes through ensure_format()
# again, the constructor reads the clock, an extension is registered by trial
# and error. The values built above are already exactly what those setters
# store, so an entry's state is written directly; feedgen's own atom_entry()
# and rss_entry() still build every element. tests/test_render.py checks,
# article by article, that such an entry serialises exactly like one built
# with feedgen's public setters.

_ENTRY_FIELD = "_FeedEntry__"  # how Python mangles FeedEntry's private attributes
# A new FeedEntry's state, without the clock. Its mutable defaults ({}) can be
# shared: feedgen only ever replaces them, and the extensions' one is always new.
_BLANK_ENTRY = {**vars(FeedEntry()), _ENTRY_FIELD + "atom_updated": None}


def _feedgen_entry(extensions: dict[str, tuple[BaseEntryExtension, bool, bool]], **fields: object) -> FeedEntry:
    """A FeedEntry with `fields` (FeedEntry's attribute names, without the mangling) and `extensions`.

    `extensions` maps a namespace to (extension, used in Atom, used in RSS),
    registered as FeedEntry.register_extension registers them.
    """
    entry = FeedEntry.__new__(FeedEntry)
    state = entry.__dict__
    state.update(_BLANK_ENTRY)
    for name, value in fields.items():
        key = _ENTRY_FIELD + name
        if key not in state:
            raise AssertionError(f"feedgen's FeedEntry has no field {name!r}: its internals changed")
        state[key] = value
    registry = {}
    for namespace, (extension, atom, rss) in extensions.items():
        registry[namespace] = {"inst": extension, "extension_class_entry": type(extension), "atom": atom, "rss": rss}
        state[namespace] = extension
    state[_ENTRY_FIELD + "extensions"] = registry
    return entry


def _media(image: str | None) -> dict[str, tuple[BaseEntryExtension, bool, bool]]:
    """The media extension of an entry: its image as media:thumbnail (in both formats)."""
    media = MediaEntryExtension()
    if image:
        media._MediaEntryExtension__media_thumbnail = [{"url": image, "group": None}]  # type: ignore[attr-defined]
    return {"media": (media, True, True)}


def _dc_people(names: list[str]) -> dict[str, tuple[BaseEntryExtension, bool, bool]]:
    """The Dublin Core extension of an RSS item: first author dc:creator, the others dc:contributor."""
    dc = _DcPeople()
    dc._dcelem_creator = names[:1] or None
    dc._dcelem_contributor = names[1:] or None
    return {"dc": (dc, False, True)}


class _DcNamespace(DcBaseExtension):
    """feedgen's Dublin Core feed extension, for the `dc` namespace declaration only.

    No channel-level DC element is ever set, yet DcBaseExtension looks all
    fifteen up by name for every document it writes.
    """

    def extend_atom(self, atom_feed: etree._Element) -> etree._Element:
        return atom_feed

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        return rss_feed


class _DcPeople(DcEntryExtension):
    """feedgen's Dublin Core entry extension, for the people of an item.

    An item only ever has dc:contributor and dc:creator, yet DcEntryExtension
    looks all fifteen DC elements up by name for every item (a fifth of the
    time feedgen takes for an item). Same elements, in feedgen's order.
    """

    def _extend_xml(self, xml_element: etree._Element) -> None:
        for name, values in (("contributor", self._dcelem_contributor), ("creator", self._dcelem_creator)):
            for value in values or ():
                xml_elem(f"{{{_DC_NS}}}{name}", xml_element).text = value


def _bare_generator(fmt: str) -> FeedGenerator:
    """A FeedGenerator with the extensions every feed of `fmt` declares."""
    fg = FeedGenerator()
    fg.register_extension("media", MediaExtension, MediaEntryExtension, atom=True, rss=True)
    if fmt == "rss":
        fg.register_extension("dc", _DcNamespace, _DcPeople, atom=False, rss=True)
    fg.title("-")
    fg.id("-")
    fg.link(href="-")
    fg.description("-")
    fg.updated(EMPTY_FEED_DATE)
    return fg


def _rss_references(document: bytes) -> bytes:
    """`document` with '<' and '&' in text as hexadecimal character references.

    The RSS Profile (and the W3C validator) want them so; both spellings parse the same.
    """
    return document.replace(b"&lt;", b"&#x3C;").replace(b"&amp;", b"&#x26;")


def _author_dict(author: Author) -> dict[str, str]:
    out = {"name": author.name}
    if author.email and _EMAIL_OK.fullmatch(author.email):
        out["email"] = author.email
    if author.uri:
        out["uri"] = as_uri(author.uri)
    return out


def _unique(articles: Iterable[Article]) -> list[Article]:
    return list({id(a): a for a in articles}.values())


# ------------------------------------------------------------ simple API


def render_atom(spec: FeedSpec, config: Config) -> bytes:
    """The Atom 1.0 document of one feed (use FeedRenderer for many feeds)."""
    return FeedRenderer(config).atom(spec)


def render_rss(spec: FeedSpec, config: Config) -> bytes:
    """The RSS 2.0 document of one feed (use FeedRenderer for many feeds)."""
    return FeedRenderer(config).rss(spec)


def render_all(specs: Sequence[FeedSpec], config: Config) -> dict[str, bytes]:
    """Atom and RSS for every spec, keyed by their output paths."""
    renderer = FeedRenderer(config, specs)
    out: dict[str, bytes] = {}
    for spec in specs:
        atom_path, rss_path = feed_paths(spec)
        out[atom_path] = renderer.atom(spec)
        out[rss_path] = renderer.rss(spec)
    return out
