"""Checks of single values: dates, URIs, media types, languages, e-mail, numbers.

Each function is pure: it takes the text of an element or attribute and
returns the W3C code of the first problem (with any detail the message needs)
or None. The rules are those of the specs (RFC 3339, RFC 822/2822, RFC 2396
and 3987, RFC 4151 tag:, RFC 2141 urn:, RFC 2045 media types, ISO 639), as
the W3C Feed Validation Service applies them.
"""

from __future__ import annotations

import re
from time import time_ns as _time_ns
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from email.utils import getaddresses
from collections.abc import Callable
from typing import Final, NamedTuple
from urllib.parse import unquote

from feeds.validate.langcodes import LANGUAGE_CODES

Problem = tuple[str, dict[str, str]]  # (code, message details)

# The checks are pure and `feeds generate` repeats each entry in several
# feeds (site, categories, tags, author), so values repeat: memoise them.
_memo = lru_cache(maxsize=1 << 15)

# ---------------------------------------------------------------- dates

_RFC3339: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|([+-])(\d\d):(\d\d))\Z"
)
_W3CDTF: Final = re.compile(
    r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.\d*)?)?(?:Z|[+-]\d\d:\d\d))?)?)?\Z"
)
_ISO8601: Final = re.compile(
    r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.\d*)?)?(?:Z|[+-]\d\d:\d\d)?)?)?)?\Z"
)
_EARLIEST: Final = datetime(1990, 1, 1, tzinfo=timezone.utc)
_FUTURE_SLACK: Final = timedelta(minutes=10)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND: Final = timedelta(microseconds=1)
_EARLIEST_US: Final = (_EARLIEST - _EPOCH) // _MICROSECOND
_FUTURE_SLACK_US: Final = _FUTURE_SLACK // _MICROSECOND


class _Moment(NamedTuple):
    """A parsed date: the moment (UTC), and the same in microseconds since the epoch."""

    moment: datetime
    us: int


def _moment(moment: datetime) -> _Moment:
    return _Moment(moment, (moment - _EPOCH) // _MICROSECOND)


def _plausible(found: _Moment, now: datetime | None) -> bool:
    """Not before 1990, not more than a few minutes ahead of `now` (by default the system clock).

    The clock is read as datetime.now() reads it (the same clock, rounded
    down to the microsecond), without building a datetime for every date
    checked: the comparison is the same.
    """
    if now is not None:
        return _EARLIEST <= found.moment <= now + _FUTURE_SLACK
    return _EARLIEST_US <= found[1] <= _time_ns() // 1000 + _FUTURE_SLACK_US  # found[1]: .us, without the property


def check_rfc3339(value: str, now: datetime | None = None) -> Problem | None:
    """Atom dates: full date, 'T', full time, 'Z' or a numeric offset (RFC 3339 5.6)."""
    found = _parse_rfc3339(value)
    if isinstance(found, _Moment):
        return None if _plausible(found, now) else ("ImplausibleDate", {"value": value})
    return found


@_memo
def _parse_rfc3339(value: str) -> Problem | _Moment:
    m = _RFC3339.match(value)
    if m is None:
        return "InvalidRFC3339Date", {"value": value}
    # The usual shape (ASCII digits, whole seconds, a year with room for any offset) is read in C;
    # whatever datetime.fromisoformat refuses (a leap second, an offset of a day...) is read below.
    if value.isascii() and "." not in value and "0001" < value[:4] < "9999":
        try:
            moment = datetime.fromisoformat(value).astimezone(timezone.utc)
        except ValueError:
            pass
        else:
            return _Moment(moment, (moment - _EPOCH) // _MICROSECOND)
    return _rfc3339_fields(m, value)


def _rfc3339_fields(m: re.Match[str], value: str) -> Problem | _Moment:
    """A date `_RFC3339` matched, read field by field: any digits, a leap second, any offset."""
    year, month, day, hour, minute, second = map(int, m.group(1, 2, 3, 4, 5, 6))
    try:  # also refuses an hour over 23 or a minute over 59
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=timezone.utc)
    except ValueError:
        return "InvalidRFC3339Date", {"value": value}
    if second > 60:
        return "InvalidRFC3339Date", {"value": value}
    sign, hours, minutes = m.group(7, 8, 9)
    if sign and (hours != "00" or minutes != "00"):
        offset = int(hours) * 3600 + int(minutes) * 60
        moment = _in_utc(moment, -offset if sign == "-" else offset)
    return _moment(moment)


_LATEST: Final = datetime.max.replace(tzinfo=timezone.utc)
_FIRST: Final = datetime.min.replace(tzinfo=timezone.utc)


def _in_utc(local: datetime, offset: int) -> datetime:
    """A moment written with an offset of `offset` seconds east of UTC, in UTC.

    A date at the very end of year 9999 west of UTC (or the start of year 1
    east of it) is after (before) the last (first) moment Python can hold:
    it is taken as that moment, which is as implausible as the real one.
    """
    try:
        return local - timedelta(0, offset)
    except OverflowError:
        return _LATEST if offset < 0 else _FIRST


@_memo
def check_iso8601(value: str) -> Problem | None:
    """Event and aggregation dates: ISO 8601, any precision, time zone optional."""
    return _check_dtf(value, _ISO8601, "InvalidISO8601DateTime")


@_memo
def check_w3cdtf(value: str) -> Problem | None:
    """Dublin Core dates: a W3C-DTF profile of ISO 8601, any precision from a year down."""
    return _check_dtf(value, _W3CDTF, "InvalidW3CDTFDate")


def _check_dtf(value: str, pattern: re.Pattern[str], code: str) -> Problem | None:
    m = pattern.match(value)
    if m is None:
        return code, {"value": value}
    year, month, day, hour, minute, second = m.groups()
    try:
        if day:
            date(int(year), int(month), int(day))
        elif month and not 1 <= int(month) <= 12:
            raise ValueError(month)
    except ValueError:
        return code, {"value": value}
    if (hour and int(hour) > 23) or (minute and int(minute) > 59) or (second and int(second) > 60):
        return code, {"value": value}
    return None


_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS: Final = {name: number for number, name in enumerate(_MONTHS, start=1)}
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZONES: Final = {"UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
                 "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
_RFC822_STRICT: Final = re.compile(
    r"(?:(" + "|".join(_DAYS) + r"), )?(\d\d?) (" + "|".join(_MONTHS) + r") (\d{4}) "
    r"(\d\d):(\d\d)(?::(\d\d))? ([+-]?\d\d[03]0|UT|GMT|[ECMP][SD]T|Z)\Z"
)
_RFC822_LOOSE: Final = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)\s*,\s*)?\d\d?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d\d(?:\d\d)?\s+"
    r"\d\d:\d\d(?::\d\d)?\s+(?:[+-]\d{4}|ut|gmt|[ecmp][sd]t|[a-ik-z])?\Z"
)
_COMMENT: Final = re.compile(r"\([^()]*\)")


def check_rfc822(value: str, now: datetime | None = None) -> Problem | None:
    """RSS dates: RFC 822 with four-digit years (RFC 2822 3.3), weekday must match the date."""
    found = _parse_rfc822(value)
    if isinstance(found, _Moment):
        return None if _plausible(found, now) else ("ImplausibleDate", {"value": value})
    return found


@_memo
def _parse_rfc822(value: str) -> Problem | _Moment:
    m = _RFC822_STRICT.match(value)
    if m is None:
        loose = re.sub(r"\\.", "", value)
        while True:
            stripped = _COMMENT.sub(" ", loose)
            if stripped == loose:
                break
            loose = stripped
        if _RFC822_LOOSE.match(loose.strip().lower()):
            return "ProblematicalRFC822Date", {"value": value}
        return "InvalidRFC2822Date", {"value": value}
    weekday, day, month, year, hour, minute, second, zone = m.groups()
    seconds = int(second or 0)
    try:  # also refuses an hour over 23 or a minute over 59
        moment = datetime(int(year), _MONTH_NUMBERS[month], int(day), int(hour), int(minute), min(seconds, 59),
                          0, timezone.utc)
    except ValueError:
        return "InvalidRFC2822Date", {"value": value}
    if seconds > 60:
        return "InvalidRFC2822Date", {"value": value}
    if weekday and _DAYS[moment.weekday()] != weekday:
        return "IncorrectDOW", {"value": weekday}
    if zone in _ZONES:
        offset = _ZONES[zone] * 3600
    else:
        digits = zone.lstrip("+-")
        offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
        if zone[0] == "-":
            offset = -offset
    return _moment(_in_utc(moment, offset) if offset else moment)


# ---------------------------------------------------------------- URIs

# RFC 2396 characters: unreserved, reserved, '%' escapes and the '#' of a fragment.
_URI_CHARS: Final = r"[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,#]"
_URI_CHAR: Final = re.compile(_URI_CHARS)
_SCHEME: Final = r"[A-Za-z][0-9A-Za-z+.\-]*:"
_URI_REFERENCE: Final = re.compile(rf"(?:{_SCHEME})?/{{0,2}}(?:\[[0-9A-Fa-f:.]+\])?{_URI_CHARS}*\Z")
_ABSOLUTE_URI: Final = re.compile(rf"{_SCHEME}(?://)?{_URI_CHARS}+\Z")
_TAG_URI: Final = re.compile(
    r"tag:(?:[a-z0-9\-._]+@)?[a-z0-9.\-]+,\d{4}(?:-\d\d(?:-\d\d)?)?:"
    r"[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,]*(?:#[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,]*)?\Z"
)
_URN: Final = re.compile(
    r"[Uu][Rr][Nn]:[A-Za-z0-9][A-Za-z0-9\-]{1,31}:(?:[A-Za-z0-9()+,.:=@;$_!*'/\-]|%[0-9A-Fa-f]{2})+\Z"
)
_UUID_URN: Final = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
_HIER_START: Final = re.compile(r"\w+://[^/]")
_SCHEME_START: Final = re.compile(_SCHEME)
# An http(s) URL with a host and only plain URI characters: it passes every variant of check_uri.
_PLAIN_HTTP: Final = re.compile(rf"https?://[0-9A-Za-z\-.]+(?::[0-9]+)?(?:[/?#]{_URI_CHARS}*)?\Z")
_URI_PARTS: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(//([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?\Z", re.S)
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")

# Schemes registered with IANA when the W3C service compiled its list, plus
# a few common since; an unregistered scheme is a warning only.
IANA_SCHEMES: Final = frozenset(
    "aaa aaas acap cap cid crid data dav dict dns fax file ftp geo go gopher h323 http https iax icap im imap "
    "info ipp iris iris.beep iris.lwz iris.xpc iris.xpcs ldap magnet mailto mid modem msrp msrps mtqp mupdate "
    "news nfs nntp opaquelocktoken pop pres prospero rtsp service shttp sip sips snmp soap.beep soap.beeps tag "
    "tel telnet tftp thismessage tip tv urn vemmi wais xmlrpc.beep xmlrpc.beeps xmpp z39.50r z39.50s".split()
)


def check_uri(value: str, *, absolute: bool = False, iri: bool = False,
              error: str | None = None) -> Problem | None:
    """A URI (or IRI) reference; `absolute` demands a scheme, `error` names the failure.

    tag: and urn: URIs are checked against their own grammars. A bad ASCII
    character is reported as InvalidUriChar; other failures as `error`
    (by default InvalidFullLink, InvalidIRI or InvalidLink, as the W3C names them).
    """
    return _check_uri(value, absolute, iri, error)


_UNKNOWN: Final = object()
_URI_MEMO_LIMIT: Final = 1 << 13  # values per way of checking; a site's URIs recur within a few documents


def uri_check(*, absolute: bool = False, iri: bool = False, error: str | None = None) -> Callable[[str], Problem | None]:
    """`check_uri` with its options fixed, memoised by the value alone: for a rule that checks many values one way.

    A plain dict lookup per value instead of a call with keywords and a four-part memo key.
    """
    memo: dict[str, Problem | None] = {}

    def check(value: str) -> Problem | None:
        found = memo.get(value, _UNKNOWN)
        if found is _UNKNOWN:
            found = _check_uri_once(value, absolute, iri, error)  # not through the shared LRU: one memo is enough
            if len(memo) >= _URI_MEMO_LIMIT:
                del memo[next(iter(memo))]  # the oldest: dicts keep insertion order
            memo[value] = found
        return found  # type: ignore[return-value]

    return check


def _check_uri_once(value: str, absolute: bool, iri: bool, error: str | None) -> Problem | None:
    """`check_uri` itself, on positional arguments."""
    if _PLAIN_HTTP.match(value):
        return None  # the common case, valid whatever is asked
    error = error or ("InvalidFullLink" if absolute else "InvalidIRI" if iri else "InvalidLink")
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme == "tag":
        return None if _TAG_URI.match(value) else ("InvalidTAG", {"value": value})
    if scheme == "urn":
        if value[:9].lower() == "urn:uuid:":
            return None if _UUID_URN.match(value) else ("InvalidUUID", {"value": value})
        return None if _URN.match(value) else ("InvalidURN", {"value": value})
    subject = _NON_ASCII.sub("x", value) if iri and not value.isascii() else value
    pattern = _ABSOLUTE_URI if absolute else _URI_REFERENCE
    if not pattern.match(subject):
        for char in subject:
            if char < "\x80" and not _URI_CHAR.match(char):
                return "InvalidUriChar", {"value": value, "char": repr(char)}
        return error, {"value": value}
    if scheme in ("http", "https", "ftp") and not _HIER_START.match(value):
        return error, {"value": value}
    if scheme and scheme.isalpha() and scheme not in IANA_SCHEMES:
        return "SchemeNotIANARegistered", {"value": scheme}
    return None


# check_uri's memo, on positional arguments (a key with keywords costs twice as much).
_check_uri: Final = _memo(_check_uri_once)


def is_full_uri(value: str) -> bool:
    """A scheme followed only by URI characters (no IRI characters, no IPv6 literal)."""
    return bool(_ABSOLUTE_URI.match(value))


_HTTP_URL: Final = re.compile(
    r"https?://(?:(?:[0-9]{1,3}\.){3}|(?:[A-Z0-9\-]+\.)+)[A-Z0-9][A-Z0-9\-]*(?::\d+)?(?:/|\Z)", re.I
)


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL whose host is a dotted name or an IPv4 address: what an RSS enclosure needs.

    No user name, no IPv6 literal, no host without a dot (`localhost`): the
    W3C service refuses an enclosure URL otherwise.
    """
    return bool(_HTTP_URL.match(value)) and is_full_uri(value)


def is_absolute_uri(value: str) -> bool:
    """True when `value` has a scheme (what readers need to follow it without a base)."""
    return bool(_SCHEME_START.match(value))


@_memo
def canonical_uri(value: str) -> str | None:
    """The RFC 3986 normal form readers compare ids in, or None when it cannot be built.

    Lower-case scheme and host, no default port, no dot segments, upper-case
    percent-escapes, and unreserved characters not escaped.
    """
    if value.startswith("urn:") and not value.startswith("/", 4) and "%" not in value:
        return value  # no authority, path, host or escapes to normalise
    m = _URI_PARTS.match(value)
    if m is None:
        return None
    scheme, _, authority, path, query, fragment = m.groups()
    scheme = scheme.lower()
    result = scheme + ":"
    if authority is not None:
        userinfo, _, hostport = authority.rpartition("@")
        host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
        if port and {"http": "80", "https": "443", "ftp": "21"}.get(scheme) == port:
            port = ""
        result += "//" + (userinfo + "@" if userinfo else "") + host.lower() + (":" + port if port else "")
        if path == "":
            path = "/"
    if (authority is not None or path.startswith("/")) and "." in path:
        path = _remove_dot_segments(path)
    return result + _normal_escapes(path) + _normal_escapes(query or "") + _normal_escapes(fragment or "")


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment == ".":
            if i == len(segments) - 1:
                out.append("")
            continue
        if segment == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
            continue
        out.append(segment)
    return "/".join(out)


_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


_ESCAPE: Final = re.compile(r"%([0-9A-Fa-f]{2})")
# An escape _normal_escape changes: lower-case hex, or an unreserved character (0-9, A-Z, a-z, '-', '.', '_', '~').
_ODD_ESCAPE: Final = re.compile(r"%(?:[a-f][0-9A-Fa-f]|[0-9A-F][a-f]|3[0-9]|4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]|2[DE]|5F|7E)")


def _normal_escapes(text: str) -> str:
    # Escapes never overlap (one starts with '%', which is no hex digit): when none is odd, nothing changes.
    return _ESCAPE.sub(_normal_escape, text) if "%" in text and _ODD_ESCAPE.search(text) else text


def _normal_escape(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else "%" + m.group(1).upper()


# ---------------------------------------------------------------- media types

_TOKEN: Final = r"[^\s()<>@,;:\\\"/\[\]?=]+"
_MEDIA_TYPE: Final = re.compile(
    rf"{_TOKEN}/{_TOKEN}(?:\s*;\s*{_TOKEN}=(?:\"(?:\\.|[^\"\\])*\"|{_TOKEN}))*\Z"
)


@_memo
def is_media_type(value: str) -> bool:
    """RFC 2045 type/subtype with optional parameters."""
    return bool(_MEDIA_TYPE.match(value))


# ---------------------------------------------------------------- languages

@_memo
def is_language(value: str) -> bool:
    """An RFC 3066 tag whose primary subtag is an ISO 639 code (e.g. en, en-US, epo)."""
    return value.split("-", 1)[0].lower() in LANGUAGE_CODES


# ---------------------------------------------------------------- e-mail

_ADDR_SPEC: Final = re.compile(
    r"[A-Z0-9_\-+.']+@(?:(?:[0-9]{1,3}\.){3}|(?:[A-Z0-9\-]+\.)+)[A-Z0-9][A-Z0-9\-]*\Z", re.I
)
_SIMPLE_ADDR: Final = re.compile(r"[\w.%+\-]+@[A-Za-z][\w.\-]+\Z")


def is_addr_spec(value: str) -> bool:
    """A bare e-mail address: local part, '@', a domain name or dotted IPv4 address."""
    return bool(_ADDR_SPEC.match(value) or _SIMPLE_ADDR.match(value))


_ADDRESS_WITH_COMMENT: Final = re.compile(r"([^\s@()<>,\"]+@[^\s@()<>,\"]+)\s*\([^()]*\)\Z")


@_memo
def check_contact(value: str) -> Problem | None:
    """RSS people: an address, optionally with a display name: 'jane@example.com (Jane Doe)'."""
    simple = _ADDRESS_WITH_COMMENT.match(value)
    if simple:
        address = simple.group(1)
    else:
        addresses = getaddresses([value])
        address = addresses[0][1] if len(addresses) == 1 else value
    return None if is_addr_spec(address) else ("InvalidContact", {"value": value})


def check_contact_with_name(value: str) -> Problem | None:
    """The RSS 2.0 profile's form for managingEditor, webMaster and author."""
    if value.startswith("mailto:"):
        value = unquote(value.split(":", 1)[1])
    if value.find("@") > 0 and not value.endswith(")"):
        return ("EmailFormat", {"value": value}) if " " in value else ("MissingRealName", {"value": value})
    return check_contact(value)


# ---------------------------------------------------------------- numbers

_INTEGER: Final = re.compile(r"[+-]?\d+\Z")


def as_integer(value: str) -> int | None:
    """The integer `value` spells (surrounding whitespace allowed), else None."""
    value = value.strip()
    return int(value) if _INTEGER.match(value) else None
