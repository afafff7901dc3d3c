"""The plain data that flows through the pipeline.

Everything here is an immutable dataclass with no behaviour beyond small
derived properties, so that every stage is a pure function from one of these
to the next and can be tested without touching the file system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


@dataclass(frozen=True, slots=True)
class Author:
    """A person credited for an article or a feed."""

    name: str
    email: str | None = None
    uri: str | None = None


class BodyFormat(str, Enum):
    """How an article body is written; decides whether Markdown is rendered."""

    HTML = "html"
    MARKDOWN = "markdown"


@dataclass(frozen=True, slots=True)
class Article:
    """One normalised article.

    `source` is the path relative to the articles folder, POSIX separators.
    `categories` holds one tuple per hierarchy (Hexo's list = one path).
    `summary` and `content` are sanitised HTML fragments; `content` is None
    until the body has been rendered (only articles that reach a feed are).
    `image` is an absolute URL or None.
    """

    source: str
    title: str
    link: str
    id: str
    published: datetime
    updated: datetime
    authors: tuple[Author, ...] = ()
    categories: tuple[tuple[str, ...], ...] = ()
    tags: tuple[str, ...] = ()
    summary: str | None = None
    content: str | None = None
    image: str | None = None
    language: str | None = None
    draft: bool = False
    body_format: BodyFormat = BodyFormat.HTML


@dataclass(frozen=True, slots=True)
class Listing:
    """Where an article is listed: what grouping and the index page read of it.

    A run keeps one of these for every article of the site (cheap), and a
    whole Article only for the articles of the feeds it renders. Article has
    the same fields, so grouping takes either.
    """

    source: str
    published: datetime
    updated: datetime
    authors: tuple[Author, ...] = ()
    categories: tuple[tuple[str, ...], ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False


class FeedKind(str, Enum):
    """Which family of feed: decides the output folder and the feed title."""

    SITE = "site"
    CATEGORY = "category"
    AUTHOR = "author"
    TAG = "tag"


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed to publish (rendered once as Atom and once as RSS).

    `names` are the human names along the path (one for authors and tags, one
    per hierarchy level for categories, empty for the site feed); `segments`
    are the matching safe file-name segments. `articles` are the selected
    entries, newest first, already cut to the configured limit: Listings
    straight from grouping, whole Articles once the run fills in the feeds
    it renders.
    """

    kind: FeedKind
    names: tuple[str, ...]
    segments: tuple[str, ...]
    articles: tuple[Article | Listing, ...]

    @property
    def directory(self) -> str:
        """Folder of this feed relative to the output root ('' for the site)."""
        if self.kind is FeedKind.SITE:
            return ""
        top = {FeedKind.CATEGORY: "categories", FeedKind.AUTHOR: "authors", FeedKind.TAG: "tags"}[self.kind]
        return "/".join((top, *self.segments))
