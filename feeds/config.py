"""Site configuration: defaults < feeds.yaml < command-line options.

`load_config` is the only function here that touches the file system; the
rest validates plain mappings into one immutable `Config`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from feeds.errors import ConfigError
from feeds.model import Author

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting of a run. Documented key by key in README.md."""

    site_url: str | None = None
    title: str = "feeds"
    subtitle: str | None = None
    language: str | None = None
    author: Author | None = None
    timezone: str = "UTC"
    timezone_aliases: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    permalink: str = ":year/:month/:day/:title/"
    limit: int = 20
    full_content: bool = True
    future: bool = False
    summary_length: int = 200
    category_map: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    author_map: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    tag_map: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    icon: str | None = None
    logo: str | None = None
    id_namespace: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_url(self) -> str:
        """The site URL with exactly one trailing slash."""
        if not self.site_url:
            raise ConfigError("site_url is not set: pass --site-url URL or set site_url in feeds.yaml")
        return self.site_url.rstrip("/") + "/"


KEYS = tuple(f.name for f in fields(Config))


def _check_url(value: str, key: str) -> str:
    """An absolute http(s) URL as feeds publish it: a non-ASCII host in IDNA, the path %-escaped.

    Every feed's id and links are made from site_url: one a feed reader (or
    the validator) cannot take would hold back every feed of the site.
    """
    from feeds.links import to_uri
    from feeds.validate.common import is_full_uri

    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced "[" in the host
        raise ConfigError(f"{key} is not a URL: {value!r}") from None
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{key} has an invalid port: {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{key} must be an absolute http(s) URL, got {value!r}")
    if key == "site_url" and (parts.query or parts.fragment or value.endswith(("?", "#"))):
        raise ConfigError(f"site_url must not have a query or a fragment: every feed's URL is built under its "
                          f"path (https://example.com/blog/ + atom.xml), got {value!r}")
    uri = to_uri(value)
    if not is_full_uri(uri) or not parts.hostname:
        raise ConfigError(f"{key} is not a URL feeds can be published under (a host name with a space or "
                          f"another character hosts cannot have, an IPv6 address...): {value!r}")
    return uri


def _text(value: Any, key: str) -> str:
    if isinstance(value, (list, dict)):
        raise ConfigError(f"{key} must be text, got a {'list' if isinstance(value, list) else 'mapping'}")
    text = str(value)
    if key == "title" and not text.strip():
        raise ConfigError("title must not be empty: it is every feed's title")
    if key == "language":
        from feeds.validate.common import is_language

        tag = text.replace("_", "-")
        if not LANGUAGE_TAG.fullmatch(tag) or not is_language(tag):  # the validator's own test
            raise ConfigError(f"language must be a language tag like zh-CN or en, got {text!r}")
        return tag
    return text


LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
"""The shape of a language tag (BCP 47 subtags), for feeds.yaml and front matter alike."""


def _str_map(value: Any, key: str) -> Mapping[str, str]:
    if value is None:
        return _EMPTY
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be a mapping of name: segment, got {type(value).__name__}")
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


def _author(value: Any) -> Author | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return Author(value)
    if isinstance(value, Mapping) and value.get("name"):
        email = value.get("email")
        uri = value.get("url") or value.get("uri")
        return Author(str(value["name"]), str(email) if email else None, str(uri) if uri else None)
    raise ConfigError("author must be a name or a mapping with name, email and url")


def make_config(values: Mapping[str, Any]) -> Config:
    """Validate a mapping of settings (file and options merged) into a Config."""
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(KEYS)}")
    cfg = Config()
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if key in ("site_url", "icon", "logo"):
            out[key] = _check_url(str(value), key)
        elif key in ("category_map", "author_map", "tag_map", "timezone_aliases"):
            out[key] = _str_map(value, key)
        elif key == "author":
            out[key] = _author(value)
        elif key in ("limit", "summary_length"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{key} must be a whole number >= 0, got {value!r}")
            out[key] = value
        elif key in ("full_content", "future"):
            if not isinstance(value, bool):
                raise ConfigError(f"{key} must be true or false, got {value!r}")
            out[key] = value
        else:
            out[key] = _text(value, key)
    cfg = replace(cfg, **out)
    try:
        cfg.zone
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {cfg.timezone!r}: use an IANA name such as Asia/Shanghai") from None
    for abbr, target in cfg.timezone_aliases.items():
        _check_alias(abbr, target)
    return cfg


def _check_alias(abbr: str, target: str) -> None:
    """An alias maps a zone abbreviation to an IANA zone or a +HH:MM offset."""
    if re.fullmatch(r"[+-]\d{2}:?\d{2}", target):
        return
    try:
        ZoneInfo(target)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone_aliases: {abbr} -> {target!r} is neither an IANA zone nor an offset like +08:00"
        ) from None


def read_config_file(path: Path) -> dict[str, Any]:
    """Read feeds.yaml into a mapping; every problem is a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", str(path)) from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", str(path), line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("the config file must be a mapping of setting: value", str(path))
    return data


def load_config(path: Path | None, overrides: Mapping[str, Any]) -> Config:
    """Defaults, then the file (if any), then non-None command-line overrides."""
    values: dict[str, Any] = read_config_file(path) if path is not None else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return make_config(values)
    except ConfigError as exc:
        if exc.path is None and path is not None:
            raise ConfigError(exc.message, str(path)) from None
        raise
