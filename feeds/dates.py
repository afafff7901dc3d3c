"""Front matter dates to timezone-aware datetimes, to the second.

Accepted forms, tried fastest first (the corpus is mostly the first two):
- ISO 8601 / RFC 3339 and `YYYY-MM-DD[ HH:MM[:SS]]` via `datetime.fromisoformat`;
- RFC 2822 (`Fri, 17 Jun 2022 06:50:00 GMT`, numeric offsets, weekday missing
  or wrong) via `email.utils`;
- epoch seconds (9 to 11 digits, optional fraction) and `YYYYMMDD`;
- anything else dateutil understands (`2013/7/13 20:46:25`, YAML's
  `2001-12-14 21:59:43.10 -5`), as a fallback because it is ~20x slower.

A date without a zone is wall-clock time in the configured zone. Zone names are
only trusted when they mean one thing: UT/UTC/GMT/Z and the North American
RFC 822 names (EST, EDT, MST, MDT, PST, PDT). Anything else (CST is China,
Cuba and US Central; IST is India, Israel and Ireland) must be mapped in
`timezone_aliases`, or it is an error: guessing would silently shift articles
by hours. Results use fixed UTC offsets and drop microseconds, because feeds
write dates to the second.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Mapping
from zoneinfo import ZoneInfo

from dateutil import parser as _dateutil

ACCEPTED_FORMS = (
    "RFC 2822 (Fri, 17 Jun 2022 06:50:00 GMT), ISO 8601 (2022-06-17T06:50:00+08:00), "
    "2022-06-17, 2022-06-17 14:50[:00] (in the configured timezone) or epoch seconds (1655448600)"
)

UTC_NAMES = frozenset({"UT", "UTC", "GMT", "Z", "UCT", "ZULU"})
# RFC 822 zones that name one offset only; CST/CDT are left out on purpose.
KNOWN_NAMES: Mapping[str, int] = {
    "EST": -5, "EDT": -4, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}
_OFFSET_ALIAS = re.compile(r"([+-])(\d{2}):?(\d{2})")
_RFC2822 = re.compile(
    r"(?:[A-Za-z]{3,9},?\s*)?\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*(?P<offset>[+-]\d{4})|\s+(?P<name>[A-Za-z]{1,5}))?\s*"
)
_EPOCH = re.compile(r"\d{9,11}(?:\.\d+)?")
_BASIC_DATE = re.compile(r"\d{8}")


class DateError(ValueError):
    """A date value that cannot be read; the message says what to write instead."""


_FIXED: dict[timedelta, timezone] = {timedelta(0): timezone.utc}


def _fixed(offset: timedelta) -> timezone:
    zone = _FIXED.get(offset)
    if zone is None:
        zone = _FIXED[offset] = timezone(offset)
    return zone


def normalise(moment: datetime, zone: tzinfo) -> datetime:
    """Aware, fixed-offset, whole seconds; naive values are wall time in `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    offset = moment.utcoffset()
    if offset is None:  # a tzinfo that does not know its offset
        raise DateError("the time zone of this date has no offset")
    result = moment.replace(microsecond=0, tzinfo=_fixed(offset), fold=0)
    if result.year in (1, 9999):  # offsets are under a day: only these years can overflow in UTC
        try:
            result.astimezone(timezone.utc)
        except OverflowError:
            raise DateError("the date is out of range") from None
    return result


def from_timestamp(seconds: float) -> datetime:
    """An epoch time (e.g. a file's mtime) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(seconds), timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise DateError(f"{seconds} seconds since 1970 is out of range") from None


def zone_for(name: str, aliases: Mapping[str, str]) -> tzinfo | None:
    """The zone a name stands for, or None if it is unknown or ambiguous."""
    target = aliases.get(name) or aliases.get(name.upper())
    if target is None:
        upper = name.upper()
        if upper in UTC_NAMES:
            return timezone.utc
        hours = KNOWN_NAMES.get(upper)
        return _fixed(timedelta(hours=hours)) if hours is not None else None
    match = _OFFSET_ALIAS.fullmatch(target)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        return _fixed(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    return ZoneInfo(target)


def _unknown_zone(name: str) -> DateError:
    return DateError(
        f"the time zone {name!r} is ambiguous or unknown; write a numeric offset (+08:00) "
        f"or add `timezone_aliases: {{{name}: Asia/Shanghai}}` (the zone you mean) to feeds.yaml"
    )


def parse_date(value: str, zone: tzinfo, aliases: Mapping[str, str]) -> datetime:
    """One front matter date value as an aware datetime; DateError if unreadable."""
    text = value.strip()
    if not text:
        raise DateError("the date is empty")
    if text[0].isdigit():
        if text.isdigit() or ("." in text and _EPOCH.fullmatch(text)):  # (_EPOCH: digits, maybe a fraction)
            return _parse_number(text, zone)
        try:
            return normalise(datetime.fromisoformat(text), zone)
        except ValueError:
            pass
    common = _COMMON_RFC2822.fullmatch(text)
    moment = _common_rfc2822(common, aliases) if common is not None else None
    if moment is None:
        moment = _parse_rfc2822(text, aliases)
    if moment is not None:
        return normalise(moment, zone)
    return normalise(_parse_generic(text, aliases), zone)


def _parse_number(text: str, zone: tzinfo) -> datetime:
    if _BASIC_DATE.fullmatch(text):
        try:
            return normalise(datetime.combine(date.fromisoformat(text), datetime.min.time()), zone)
        except ValueError:
            raise DateError(f"{text!r} is not a date: expected {ACCEPTED_FORMS}") from None
    if _EPOCH.fullmatch(text):
        return normalise(from_timestamp(float(text)), zone)
    raise DateError(f"{text!r} is not a date: expected {ACCEPTED_FORMS}")


# The RFC 2822 form feeds and aggregators write (`Fri, 17 Jun 2022 06:50:00 GMT`,
# or a numeric offset), read directly: email.utils costs ~4 us per date. Any
# other form, or a value datetime refuses, goes through _parse_rfc2822, so
# the result is always the one email.utils gives.
_COMMON_RFC2822 = re.compile(
    r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]\d{3}) "
    r"(\d{2}):(\d{2}):(\d{2}) (GMT|UTC|[+-]\d{4})",
    re.ASCII,  # other digits are for email.utils to judge ("-000\u09e6" is not "-0000" to it)
)
_MONTHS = {name: number for number, name in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _common_rfc2822(match: re.Match[str], aliases: Mapping[str, str]) -> datetime | None:
    """The datetime of a _COMMON_RFC2822 match, or None to let email.utils decide."""
    day, month, year, hour, minute, second, zone_text = match.groups()
    if zone_text[0] in "+-":
        hours, minutes = int(zone_text[1:3]), int(zone_text[3:])
        if hours > 23 or minutes > 59 or zone_text == "-0000":
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        zone = _fixed(-offset if zone_text[0] == "-" else offset)
    else:
        zone = zone_for(zone_text, aliases)  # type: ignore[assignment]
        if zone is None:
            return None
    try:
        return datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except ValueError:
        return None


def _parse_rfc2822(text: str, aliases: Mapping[str, str]) -> datetime | None:
    """RFC 2822 through email.utils, zone names checked first; None = not RFC 2822."""
    shape = _RFC2822.fullmatch(text)
    if shape is None:
        return None
    name = shape.group("name")
    if name is not None and name.lower() in ("am", "pm"):
        return None  # RFC 2822 has no 12-hour clock: email.utils would drop it
    zone: tzinfo | None = None
    if name is not None:
        zone = zone_for(name, aliases)
        if zone is None:
            raise _unknown_zone(name)
        text = text[: shape.start("name")]
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if zone is not None:
        return moment.replace(tzinfo=zone)
    if moment.tzinfo is None and shape.group("offset") == "-0000":
        return moment.replace(tzinfo=timezone.utc)  # RFC 2822: -0000 is UTC, source zone unknown
    return moment


def _parse_generic(text: str, aliases: Mapping[str, str]) -> datetime:
    def zone_of(name: str | None, offset: int | None) -> tzinfo | None:
        if name:
            found = zone_for(name, aliases)
            if found is None:
                raise _unknown_zone(name)
            return found
        if offset is not None:
            return _fixed(timedelta(seconds=offset))
        return None

    try:
        moment = _dateutil.parse(text, default=_DEFAULTS[0], tzinfos=zone_of)
        # dateutil fills what the text lacks from the default: read again with
        # another one, and a part that changed was never written ("Monday",
        # "June", "10:00" would be dates in 2000, without a word).
        other = _dateutil.parse(text, default=_DEFAULTS[1], tzinfos=zone_of)
    except DateError:
        raise
    except (ValueError, OverflowError, TypeError, LookupError):
        raise DateError(f"{text!r} is not a date: expected {ACCEPTED_FORMS}") from None
    missing = [part for part in ("year", "month", "day") if getattr(moment, part) != getattr(other, part)]
    if missing:
        parts = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
        raise DateError(f"{text!r} has no {parts}: expected {ACCEPTED_FORMS}")
    return moment


# Two defaults that differ in year, month and day (and whose days exist in
# every month: a text giving only a month must not fail on the 31st).
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
