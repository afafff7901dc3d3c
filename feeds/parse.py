"""One article file's bytes to a normalised `Article` (or an ArticleError).

The front matter arrives as plain text values (see feeds.frontmatter), so
every interpretation happens here, once, with the file and line at hand:
booleans, dates, the shapes Hexo allows for categories/tags/authors, links
and ids. Problems with the essentials (title, date, draft flag, front matter
itself) reject the article; a malformed optional value is dropped with a
warning so one odd `tags:` does not take an article out of the feeds.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterator
from uuid import UUID

from feeds.body import complete, detect_format, plain_summary
from feeds.config import LANGUAGE_TAG, Config
from feeds.dates import DateError, from_timestamp, parse_date
from feeds.errors import ArticleError, Diagnostic
from feeds.frontmatter import Split, decode, key_line, load, split
from feeds.links import (
    article_id,
    is_absolute_http,
    is_absolute_iri,
    namespace,
    permalink,
    resolve,
    site_link,
    slugize,
)
from feeds.model import Article, Author, BodyFormat
from feeds.read import Source

TRUE_WORDS = frozenset({"true", "yes", "on", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "n", "0"})
IMAGE_KEYS = ("headimg", "thumbnail", "cover", "image", "banner")
SUMMARY_KEYS = ("description", "excerpt", "summary")
LINK_KEYS = ("permalink", "link", "url")
UPDATED_KEYS = ("updated", "modified", "lastmod")
# Each category level, tag and author is a feed (two files, a folder): one
# article must not be able to make tens of thousands, nor folders nested past
# what file systems take (a category path is a folder path; 8 levels of the
# longest names fit in PATH_MAX). Hexo sites use one to three levels.
MAX_CATEGORY_LEVELS = 8
MAX_NAMES = 100  # tags, category paths, authors: each, per article
_FORMATS = {"html": BodyFormat.HTML, "htm": BodyFormat.HTML, "markdown": BodyFormat.MARKDOWN, "md": BodyFormat.MARKDOWN}
# npm's "person" string: `Name <email> (url)`, email and url optional.
_PERSON = re.compile(r"(?P<name>[^<>()]*?)\s*(?:<(?P<email>[^<>\s]+@[^<>\s]+)>)?\s*(?:\((?P<uri>[^()\s]+)\))?")


@dataclass(frozen=True, slots=True)
class Parsed:
    """An article plus the warnings met while reading it."""

    article: Article
    warnings: tuple[Diagnostic, ...]


@lru_cache(maxsize=16)
def _namespace(id_namespace: str | None) -> UUID:
    return namespace(id_namespace)


def body_of(source: Source) -> str:
    """The body text again, without loading the front matter (the cheap re-read)."""
    return split(decode(source.data, source.path), source.path).body


def parse_article(source: Source, config: Config, *, with_body: bool = True) -> Parsed:
    """Read one source; `with_body=False` skips rendering the body (see body.complete).

    Raises ArticleError for an article that cannot be used. Drafts are not
    errors: they come back with `draft=True`, leniently filled in.
    """
    part = split(decode(source.data, source.path), source.path)
    meta = load(part, source.path)
    reader = _Reader(source, part, meta, config)
    draft = reader.draft()
    try:
        article = reader.article(draft)
    except ArticleError:
        if not draft:
            raise
        article = reader.draft_article()
    if with_body and not article.draft:
        article = complete(article, part.body, config)
    return Parsed(article, tuple(reader.warnings) if not article.draft else ())


class _Reader:
    """Interprets one front matter mapping; collects warnings as it goes."""

    def __init__(self, source: Source, part: Split, meta: dict[Any, Any], config: Config) -> None:
        self.source = source
        self.part = part
        self.meta = meta
        self.config = config
        self.warnings: list[Diagnostic] = []
        self.stem = posixpath.splitext(source.path)[0]

    # -------------------------------------------------------------- messages

    def error(self, key: str | None, message: str) -> ArticleError:
        line = key_line(self.part, key) if key else None
        return ArticleError(self.source.path, message, line or self.part.open_line)

    def warn(self, key: str | None, message: str) -> None:
        line = key_line(self.part, key) if key else None
        self.warnings.append(Diagnostic(self.source.path, message, line or self.part.open_line, "warning"))

    # -------------------------------------------------------------- values

    def text(self, key: str) -> str | None:
        """A text value, stripped; a list or mapping is dropped with a warning."""
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        self.warn(key, f"`{key}` should be text, not {_kind(value)}; ignored")
        return None

    def first_text(self, keys: tuple[str, ...]) -> tuple[str, str] | tuple[None, None]:
        meta = self.meta
        for key in keys:
            if meta.get(key) is None:  # absent: most keys of most articles, skipped without a call
                continue
            value = self.text(key)
            if value is not None:
                return key, value
        return None, None

    def flag(self, key: str) -> bool | None:
        value = self.meta.get(key)
        if value is None or value == "":
            return None
        word = value.strip().lower() if isinstance(value, str) else None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise self.error(key, f"`{key}` must be true or false, got {_show(value)}")

    def date(self, key: str) -> datetime | None:
        value = self.meta.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(key, f"`{key}` must be a date, not {_kind(value)}")
        try:
            return parse_date(value, self.config.zone, self.config.timezone_aliases)
        except DateError as exc:
            raise self.error(key, f"`{key}`: {exc}") from None

    # -------------------------------------------------------------- fields

    def draft(self) -> bool:
        return self.flag("draft") is True or self.flag("published") is False

    def title(self) -> str:
        value = self.meta.get("title")
        if isinstance(value, str) and value.strip():
            return _squeeze(value)
        if value is None or isinstance(value, str):
            raise self.error("title" if "title" in self.meta else None, "the article has no title: add `title: ...` to the front matter")
        raise self.error("title", f"`title` must be text, not {_kind(value)}")

    def published(self) -> datetime:
        published = self.date("date")
        if published is None:
            published = from_timestamp(self.source.mtime)
            self.warn(
                None,
                f"no `date`: using the file's modification time {published.isoformat()}; "
                "add `date:` so the date survives copying the file",
            )
        return published

    def updated(self, published: datetime) -> datetime:
        for key in UPDATED_KEYS:
            updated = self.date(key)
            if updated is not None:
                if updated < published:
                    self.warn(key, f"`{key}` is before `date`; using `date`")
                    return published
                return updated
        return published

    def authors(self) -> tuple[Author, ...]:
        key = "author" if self.meta.get("author") is not None else "authors"
        value = self.meta.get(key)
        items = value if isinstance(value, list) else [value]
        found: dict[str, Author] = {}
        for item in items:
            author = _author(item)
            if author is None:
                if item is not None and item != "":
                    self.warn(key, f"`{key}` entries must be a name or a mapping with `name`; {_show(item)} ignored")
                continue
            found.setdefault(author.name, author)
        return tuple(self.at_most(key, "authors", list(found.values())))

    def categories(self) -> tuple[tuple[str, ...], ...]:
        key = "categories" if self.meta.get("categories") is not None else "category"
        value = self.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            hierarchies: list[Any] = [[value]]
        elif isinstance(value, list):
            # Hexo: a list is one path; if any item is a list, every item is a path.
            hierarchies = [value]
            for item in value:  # (a loop, not any() over a generator: ~0.4 us less per article)
                if isinstance(item, list):
                    hierarchies = value
                    break
        else:
            self.warn(key, f"`{key}` should be a name, a list or a list of lists, not {_kind(value)}; ignored")
            return ()
        paths: dict[tuple[str, ...], None] = {}
        for hierarchy in hierarchies:
            levels = hierarchy if isinstance(hierarchy, list) else [hierarchy]
            path = []
            for level in levels:
                if not isinstance(level, str):
                    if level is not None:
                        self.warn(key, f"`{key}`: {_show(level)} is not a category name; ignored")
                    continue
                name = _squeeze(level)
                if name:
                    path.append(name)
            if len(path) > MAX_CATEGORY_LEVELS:
                self.warn(key, f"`{key}`: {len(path)} levels, more than the {MAX_CATEGORY_LEVELS} feeds makes folders "
                          f"for; those after {path[MAX_CATEGORY_LEVELS - 1]!r} are ignored")
                del path[MAX_CATEGORY_LEVELS:]
            if path:
                paths[tuple(path)] = None
        return tuple(self.at_most(key, "category paths", list(paths)))

    def at_most(self, key: str, what: str, names: list[Any]) -> list[Any]:
        """The first MAX_NAMES of `names`, with a warning if there were more."""
        if len(names) > MAX_NAMES:
            self.warn(key, f"`{key}`: {len(names)} {what}, more than the {MAX_NAMES} an article may have a feed for; "
                      f"those after the {MAX_NAMES}th are ignored")
            return names[:MAX_NAMES]
        return names

    def tags(self) -> tuple[str, ...]:
        value = self.meta.get("tags")
        items = value if isinstance(value, list) else [value]
        found: dict[str, None] = {}
        for item in items:
            if isinstance(item, str):
                name = _squeeze(item)
                if name:
                    found[name] = None
            elif item is not None:
                self.warn("tags", f"`tags`: {_show(item)} is not a tag name; ignored")
        return tuple(self.at_most("tags", "tags", list(found)))

    def language(self) -> str | None:
        key, value = self.first_text(("lang", "language"))
        if value is None:
            return None
        tag = value.replace("_", "-")
        if not LANGUAGE_TAG.fullmatch(tag):
            self.warn(key, f"`{key}: {value}` is not a language tag like zh-CN or en; ignored")
            return None
        return tag

    def body_format(self) -> BodyFormat:
        declared = None
        value = self.text("format")
        if value is not None:
            declared = _FORMATS.get(value.lower())
            if declared is None:
                self.warn("format", f"`format: {value}` is neither html nor markdown; ignored")
        return detect_format(self.source.path, self.part.body, declared)

    def link(self, published: datetime, title: str, ident: str, declared_id: str | None, categories: tuple[tuple[str, ...], ...]) -> str:
        base = self.config.base_url
        key, value = self.first_text(LINK_KEYS)
        if value is not None:
            link = site_link(base, value)
            if is_absolute_http(link):
                return link
            self.warn(key, f"`{key}: {value}` is not a valid http(s) link; using the permalink pattern")
        token = slugize(declared_id) if declared_id else ident.rsplit(":", 1)[-1]
        return permalink(
            self.config.permalink,
            base,
            stem=self.text("slug") or self.stem,
            published=published.astimezone(self.config.zone),
            title=title,
            article_id=token,
            categories=categories,
        )

    def image(self, link: str) -> str | None:
        for key in IMAGE_KEYS:
            value = self.meta.get(key)
            if isinstance(value, list):  # some themes allow a list of covers
                value = next((item for item in value if isinstance(item, str) and item.strip()), None)
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                self.warn(key, f"`{key}` should be an image URL, not {_kind(value)}; ignored")
                continue
            url = resolve(link, value)
            if is_absolute_http(url):
                return url
            self.warn(key, f"`{key}: {value}` is not an http(s) image URL; ignored")
        return None

    def summary(self) -> str | None:
        _, value = self.first_text(SUMMARY_KEYS)
        return plain_summary(value) if value is not None else None

    # -------------------------------------------------------------- whole

    def article(self, draft: bool) -> Article:
        title = self.title()
        published = self.published()
        updated = self.updated(published)
        categories = self.categories()
        _, declared_id = self.first_text(("id", "guid"))
        ident = article_id(_namespace(self.config.id_namespace), self.stem, declared_id)
        link = self.link(published, title, ident, declared_id, categories)
        return Article(
            source=self.source.path,
            title=title,
            link=link,
            id=ident,
            published=published,
            updated=updated,
            authors=self.authors(),
            categories=categories,
            tags=self.tags(),
            summary=self.summary(),
            content=None,
            image=self.image(link),
            language=self.language(),
            draft=draft,
            body_format=self.body_format(),
        )

    def draft_article(self) -> Article:
        """A draft too unfinished to parse: only what counting and skipping need."""
        published = from_timestamp(self.source.mtime)
        title = self.meta.get("title")
        return Article(
            source=self.source.path,
            title=title.strip() if isinstance(title, str) and title.strip() else self.stem,
            link="",
            id=article_id(_namespace(self.config.id_namespace), self.stem, None),
            published=published,
            updated=published,
            draft=True,
        )


def _author(value: Any) -> Author | None:
    if isinstance(value, str):
        text = _squeeze(value)
        # Without "<" or "(" there is no email or url to find: a plain name (most are).
        match = _PERSON.fullmatch(text) if "<" in text or "(" in text else None
        if match and match.group("name") and (match.group("email") or match.group("uri")):
            uri = match.group("uri")
            if uri is None or is_absolute_http(uri):
                return Author(match.group("name"), match.group("email"), uri)
        return Author(text) if text else None
    if isinstance(value, dict):
        name = value.get("name") or value.get("nick")
        if not isinstance(name, str) or not name.strip():
            return None
        email = value.get("email") or value.get("mail")
        uri = value.get("url") or value.get("uri") or value.get("link") or value.get("website")
        return Author(
            _squeeze(name),
            email.strip() if isinstance(email, str) and "@" in email else None,
            uri.strip() if isinstance(uri, str) and is_absolute_http(uri.strip()) else None,
        )
    return None


def _squeeze(text: str) -> str:
    """Runs of whitespace as one space, none at the ends (str.split's whitespace is regex \\s)."""
    return " ".join(text.split())


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else "text"


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else _repr_head(value, 60)
    return repr(text[:60] + "…" if len(text) > 60 else text)


def _repr_head(value: Any, limit: int) -> str:
    """repr(value) when it has at most `limit` characters, else a longer prefix of it.

    YAML aliases can nest one list in another a billion times over in a few
    lines of front matter; the whole repr of that would never finish.
    """
    pieces: list[str] = []
    size = 0
    for piece in _repr_pieces(value):
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    return "".join(pieces)


def _repr_pieces(value: Any) -> Iterator[str]:
    """repr() of front matter values (str, list, dict, None), a piece at a time."""
    if isinstance(value, list):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _repr_pieces(item)
        yield "]"
    elif isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            if i:
                yield ", "
            yield from _repr_pieces(key)
            yield ": "
            yield from _repr_pieces(item)
        yield "}"
    else:
        yield repr(value)
