"""Article links and ids: absolute URIs and ids that never change.

Links are written as URIs (non-ASCII percent-encoded as UTF-8, IDN hosts in
punycode) because RSS 2.0 requires URLs and many readers mishandle raw IRIs.
Derived ids are `urn:uuid:` + uuid5 of a namespace and the article's path
without extension, so they survive re-runs, edits and a move of the site to
another URL; renaming the file changes them (set `id:` to the old path
without extension to keep the old one).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

# The fixed namespace of ids derived by feeds (uuid5 of the URL namespace and
# "https://feeds.invalid/id"); config.id_namespace replaces it per site.
FEEDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://feeds.invalid/id")

_URI_SAFE = "!#$&'()*+,/:;=?@~%"
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_IN_IRI = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
_ABSOLUTE_HTTP = re.compile(r"https?://[^/?#\s@]*[^/?#\s@:]", re.IGNORECASE)
_TOKEN = re.compile(r":(\w+)")
# hexo-util's slugize: whitespace, controls and ASCII punctuation become one "-".
_SLUG_SEPARATORS = re.compile(r"""[\s\x00-\x1f\x7f~`!@#$%^&*()\-_+=\[\]{}|\\;:"'<>,.?/]+""")


def to_uri(iri: str) -> str:
    """An IRI (or sloppy URL) as an ASCII URI; existing %XX escapes are kept."""
    if iri.isascii() and not _NOT_IN_IRI.search(iri) and "%" not in iri and "[" not in iri:
        return iri
    try:
        parts = urlsplit(iri)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return _quote(iri)
    netloc = parts.netloc
    if netloc and not netloc.isascii():
        netloc = ascii_netloc(netloc)
    path = _quote(parts.path)
    query = _quote(parts.query)
    fragment = _quote(parts.fragment)
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def _quote(part: str) -> str:
    return quote(_LONE_PERCENT.sub("%25", part), safe=_URI_SAFE)


def ascii_netloc(netloc: str) -> str:
    """A URL's authority with its host in IDNA (punycode): `例子.测试` -> `xn--fsqu00a.xn--0zwm56d`."""
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = quote(host, safe="")
    return f"{quote(userinfo, safe=':%') + at if at else ''}{host}{colon}{port}"


def is_absolute_http(url: str) -> bool:
    """True for an http(s) URL with a host and a valid port: the only links feeds publish.

    The port matters: an article's link is the base its relative URLs are
    resolved against, and a URL library refuses a base with port 99999.
    """
    match = _ABSOLUTE_HTTP.match(url)
    if match is None:
        return False
    found = match.group()
    authority = found[found.index("//") + 2 :]
    end = match.end()
    if ((end == len(url) or url[end] in "/?#") and authority.isascii()
            and ":" not in authority and "[" not in authority and "]" not in authority):
        return True  # the whole authority, with no port or IPv6 brackets: nothing urlsplit could refuse
    try:
        urlsplit(url).port
    except ValueError:
        return False
    return True


def resolve(base: str, reference: str) -> str:
    """`reference` made absolute against `base`, as a URI."""
    reference = reference.strip()
    if _ABSOLUTE_HTTP.match(reference):
        return to_uri(reference)
    try:
        return to_uri(urljoin(base, reference))
    except ValueError:
        return to_uri(reference)


def site_link(base_url: str, value: str) -> str:
    """A front matter link: kept if absolute, else a path under the site root.

    Hexo reads `permalink: 2022/06/post/` and `/2022/06/post/` both as paths
    from the site root, so the leading slash does not escape a site that
    lives in a sub-folder (https://example.com/blog/).
    """
    value = value.strip()
    if _SCHEME.match(value) or value.startswith("//"):
        return resolve(base_url, value)
    return to_uri(base_url + value.lstrip("/"))


def slugize(text: str, lower: bool = False) -> str:
    """Hexo's slug: runs of spaces and ASCII punctuation become one dash."""
    slug = _SLUG_SEPARATORS.sub("-", text).strip("-")
    return slug.lower() if lower else slug


def permalink(
    pattern: str,
    base_url: str,
    *,
    stem: str,
    published: datetime,
    title: str,
    article_id: str,
    categories: tuple[tuple[str, ...], ...],
) -> str:
    """Hexo's permalink pattern filled in for one article, under the site URL.

    `stem` is the source path without extension (or the `slug` front matter);
    `published` must already be in the configured zone.
    """
    literals, tokens = _pattern_pieces(pattern)
    parts = [literals[0]]
    for token, literal in zip(tokens, literals[1:]):
        parts.append(_token_value(token, stem, published, title, article_id, categories) or ":" + token)
        parts.append(literal)
    return to_uri(base_url + "".join(parts).lstrip("/"))


@lru_cache(maxsize=16)
def _pattern_pieces(pattern: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The literal texts around the `:tokens` and the token names (split once per pattern)."""
    pieces = _TOKEN.split(pattern)
    return tuple(pieces[0::2]), tuple(pieces[1::2])


def _token_value(
    token: str, stem: str, published: datetime, title: str, article_id: str, categories: tuple[tuple[str, ...], ...]
) -> str | None:
    if token == "year":
        return f"{published.year:04d}"
    if token == "month":
        return f"{published.month:02d}"
    if token == "day":
        return f"{published.day:02d}"
    if token == "title":
        return stem
    if token == "i_month":
        return str(published.month)
    if token == "i_day":
        return str(published.day)
    if token == "hour":
        return f"{published.hour:02d}"
    if token == "minute":
        return f"{published.minute:02d}"
    if token == "second":
        return f"{published.second:02d}"
    if token == "name":
        return stem.rsplit("/", 1)[-1]
    if token == "post_title":
        return slugize(title, lower=True)
    if token == "id":
        return article_id
    if token == "category":
        return "/".join(slugize(name) for name in categories[0]) if categories else "uncategorized"
    return None  # not a token: left as written, as Hexo does


def is_absolute_iri(value: str) -> bool:
    """True for `urn:uuid:...`, `tag:...`, `https://...`: usable as an Atom id as is."""
    match = _SCHEME.match(value)
    return match is not None and len(value) > match.end() and not _NOT_IN_IRI.search(value)


def namespace(id_namespace: str | None) -> uuid.UUID:
    """The site's id namespace: a UUID as given, any other text hashed to one."""
    if not id_namespace:
        return FEEDS_NAMESPACE
    try:
        return uuid.UUID(id_namespace)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, id_namespace)


def derived_id(space: uuid.UUID, key: str) -> str:
    """`urn:uuid:` + uuid5(space, key): the same key always gives the same id."""
    # uuid.uuid5 written out (RFC 4122 4.3: SHA-1 of namespace and name, then
    # the version and variant bits): building the UUID object costs more than
    # the hash, and this runs for every article.
    digest = bytearray(hashlib.sha1(space.bytes + key.encode("utf-8")).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x50
    digest[8] = digest[8] & 0x3F | 0x80
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def article_id(space: uuid.UUID, stem: str, declared: str | None) -> str:
    """The front matter id if it is an absolute IRI, else one derived from it or from the path."""
    if declared:
        declared = declared.strip()
        if is_absolute_iri(declared):
            return declared
        return derived_id(space, declared)
    return derived_id(space, stem)
