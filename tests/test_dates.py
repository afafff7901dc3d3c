"""Every date form the issue lists, the zone rules, and round trips through formatting."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feeds.dates import _EPOCH, DateError, parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def read(value: str, zone=SHANGHAI, aliases=None) -> str:
    return parse_date(value, zone, aliases or {}).isoformat()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 2822: GMT/UT/UTC, numeric offsets, weekday missing or wrong, 2-digit year
        ("Fri, 17 Jun 2022 06:50:00 GMT", "2022-06-17T06:50:00+00:00"),
        ("Fri, 17 Jun 2022 06:50:00 UT", "2022-06-17T06:50:00+00:00"),
        ("Fri, 17 Jun 2022 06:50:00 UTC", "2022-06-17T06:50:00+00:00"),
        ("Fri, 17 Jun 2022 06:50:00 Z", "2022-06-17T06:50:00+00:00"),
        ("Fri, 17 Jun 2022 14:50:00 +0800", "2022-06-17T14:50:00+08:00"),
        ("Fri, 17 Jun 2022 02:50:00 -0400", "2022-06-17T02:50:00-04:00"),
        ("Fri, 17 Jun 2022 06:50:00 -0000", "2022-06-17T06:50:00+00:00"),
        ("17 Jun 2022 06:50:00 GMT", "2022-06-17T06:50:00+00:00"),
        ("Mon, 17 Jun 2022 06:50:00 GMT", "2022-06-17T06:50:00+00:00"),
        ("Fri, 17 Jun 22 06:50 GMT", "2022-06-17T06:50:00+00:00"),
        ("Fri, 17 Jun 2022 02:50:00 EDT", "2022-06-17T02:50:00-04:00"),
        ("Fri, 17 Jun 2022 06:50:00", "2022-06-17T06:50:00+08:00"),
        # ISO 8601 / RFC 3339
        ("2022-06-17T06:50:00Z", "2022-06-17T06:50:00+00:00"),
        ("2022-06-17T14:50:00+08:00", "2022-06-17T14:50:00+08:00"),
        ("2022-06-17T14:50:00.987654+08:00", "2022-06-17T14:50:00+08:00"),
        ("2022-06-17t06:50:00z", "2022-06-17T06:50:00+00:00"),
        ("20220617T065000Z", "2022-06-17T06:50:00+00:00"),
        # dates and local times, in the configured zone
        ("2022-06-17", "2022-06-17T00:00:00+08:00"),
        ("20220617", "2022-06-17T00:00:00+08:00"),
        ("2021-10-28 14:08:07", "2021-10-28T14:08:07+08:00"),
        ("2021-10-28 14:08", "2021-10-28T14:08:00+08:00"),
        ("2021-10-28T14:08:07", "2021-10-28T14:08:07+08:00"),
        # YAML timestamps as the YAML spec writes them
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43-05:00"),
        ("2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43-05:00"),
        # epoch seconds
        ("1655448600", "2022-06-17T06:50:00+00:00"),
        ("1655448600.75", "2022-06-17T06:50:00+00:00"),
        # Hexo/moment style, read by the fallback
        ("2013/7/13 20:46:25", "2013-07-13T20:46:25+08:00"),
        ("June 17, 2022 2:50 pm", "2022-06-17T14:50:00+08:00"),
        ("  2022-06-17  ", "2022-06-17T00:00:00+08:00"),
    ],
)
def test_every_accepted_form(value: str, expected: str) -> None:
    assert read(value) == expected


def test_local_times_follow_the_zone_rules_of_their_date() -> None:
    assert read("2022-01-15 12:00", NEW_YORK) == "2022-01-15T12:00:00-05:00"
    assert read("2022-07-15 12:00", NEW_YORK) == "2022-07-15T12:00:00-04:00"


def test_results_are_aware_fixed_offset_and_whole_seconds() -> None:
    moment = parse_date("2022-07-15 12:00:00.5", NEW_YORK, {})
    assert moment.tzinfo == timezone(timedelta(hours=-4))
    assert moment.microsecond == 0


@pytest.mark.parametrize("value", ["Fri, 17 Jun 2022 14:50:00 CST", "2022-06-17 14:50:00 IST", "Fri, 17 Jun 2022 06:50:00 BST", "Fri, 17 Jun 2022 06:50:00 cst"])
def test_ambiguous_zone_names_are_errors_that_say_what_to_do(value: str) -> None:
    with pytest.raises(DateError) as caught:
        read(value)
    assert "ambiguous" in str(caught.value) and "timezone_aliases" in str(caught.value)


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ({"CST": "Asia/Shanghai"}, "2022-06-17T14:50:00+08:00"),
        ({"CST": "America/Chicago"}, "2022-06-17T14:50:00-05:00"),
        ({"CST": "+08:00"}, "2022-06-17T14:50:00+08:00"),
        ({"CST": "-0600"}, "2022-06-17T14:50:00-06:00"),
    ],
)
def test_timezone_aliases_resolve_names(aliases: dict, expected: str) -> None:
    assert read("Fri, 17 Jun 2022 14:50:00 CST", aliases=aliases) == expected
    assert read("2022-06-17 14:50:00 CST", aliases=aliases) == expected


@pytest.mark.parametrize(
    "value",
    ["", "   ", "2022", "yesterday", "not a date", "2022-13-01", "Fri, 32 Jun 2022 06:50:00 GMT", "123", "12345678901234", "0001-01-01T00:00:00+01:00"],
)
def test_unreadable_values_are_date_errors(value: str) -> None:
    with pytest.raises(DateError):
        read(value)


@pytest.mark.parametrize(("value", "missing"), [
    ("Monday", "year, month or day"), ("Fri", "year, month or day"), ("10:00", "year, month or day"),
    ("June", "year or day"), ("3rd", "year or month"), ("17 June", "year"), ("Mon, 1 2", "year"),
    ("June 2022", "day"),
])
def test_a_date_missing_its_year_month_or_day_is_an_error_not_a_day_in_2000(value: str, missing: str) -> None:
    """The fallback reader fills what a text lacks: `date: Monday` was published as 3 January 2000."""
    with pytest.raises(DateError) as caught:
        read(value)
    assert str(caught.value).startswith(f"{value!r} has no {missing}: expected RFC 2822")


def test_error_message_lists_the_accepted_forms() -> None:
    with pytest.raises(DateError) as caught:
        read("next tuesday-ish")
    message = str(caught.value)
    assert "'next tuesday-ish'" in message
    assert "RFC 2822" in message and "ISO 8601" in message and "epoch seconds" in message


# ---------------------------------------------------------------- round trips

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=offsets
).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=300, deadline=None)
@given(moments)
def test_iso_8601_round_trip(moment: datetime) -> None:
    parsed = parse_date(moment.isoformat(), SHANGHAI, {})
    assert parsed == moment and parsed.utcoffset() == moment.utcoffset()


@settings(max_examples=300, deadline=None)
@given(moments)
def test_rfc_2822_round_trip(moment: datetime) -> None:
    parsed = parse_date(format_datetime(moment), SHANGHAI, {})
    assert parsed == moment and parsed.utcoffset() == moment.utcoffset()


@settings(max_examples=300, deadline=None)
@given(moments)
def test_rfc_2822_gmt_round_trip(moment: datetime) -> None:
    parsed = parse_date(format_datetime(moment.astimezone(timezone.utc), usegmt=True), SHANGHAI, {})
    assert parsed == moment


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=100_000_000, max_value=99_999_999_999))
def test_epoch_round_trip(seconds: int) -> None:
    assert parse_date(str(seconds), SHANGHAI, {}).timestamp() == seconds


@settings(max_examples=300, deadline=None)
@example(datetime(1999, 3, 28, 1, 0, fold=1), "Europe/London")
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)), st.sampled_from(["Asia/Shanghai", "America/New_York", "Europe/London", "UTC"]))
def test_naive_local_time_round_trip(naive: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    naive = naive.replace(microsecond=0, fold=0)  # the text cannot say which of a repeated hour
    parsed = parse_date(naive.strftime("%Y-%m-%d %H:%M:%S"), zone, {})
    assert parsed.replace(tzinfo=None) == naive
    # a repeated hour is taken the first time, a skipped one with the offset before the change
    assert parsed.utcoffset() == naive.replace(tzinfo=zone).utcoffset()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_date_or_a_date_error(text: str) -> None:
    try:
        moment = parse_date(text, SHANGHAI, {"CST": "Asia/Shanghai"})
    except DateError:
        return
    assert moment.tzinfo is not None and moment.microsecond == 0


# The common RFC 2822 form is read without email.utils; it must agree with it
# on every value of that form, including the ones datetime refuses.
common_rfc_2822 = st.builds(
    "{}{} {} {} {}:{}:{} {}".format,
    st.sampled_from(["", "Fri, ", "Mon, ", "Xyz, "]),
    st.integers(0, 39),
    st.sampled_from("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()),
    st.integers(1000, 9999),
    st.sampled_from(["00", "09", "23", "24", "99"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "59", "60", "61"]),
    st.one_of(st.sampled_from(["GMT", "UTC", "+0000", "-0000", "+2400", "+2359", "-1260", "+0860"]),
              st.from_regex(r"[+-]\d{4}", fullmatch=True)),
)


@settings(max_examples=500, deadline=None)
@given(common_rfc_2822, st.sampled_from([{}, {"GMT": "Europe/London"}, {"UTC": "+08:00"}]))
def test_common_rfc_2822_form_agrees_with_email_utils(value: str, aliases: dict) -> None:
    from feeds import dates

    common = dates._COMMON_RFC2822.fullmatch(value)
    if common is None:  # only non-ASCII digits ("-000\u09e6"): email.utils reads those its own way
        assert not value.isascii()
        return
    fast = dates._common_rfc2822(common, aliases)
    if fast is not None:
        slow = dates._parse_rfc2822(value, aliases)
        assert slow is not None
        assert dates.normalise(fast, SHANGHAI).isoformat() == dates.normalise(slow, SHANGHAI).isoformat()


def test_dates_at_the_ends_of_time_are_still_checked() -> None:
    assert read("0001-01-01 00:00:00", zone=timezone.utc) == "0001-01-01T00:00:00+00:00"
    with pytest.raises(DateError, match="out of range"):
        read("0001-01-01 00:00:00")  # Shanghai is ahead of UTC: the instant is before year 1
    with pytest.raises(DateError, match="out of range"):
        read("9999-12-31 23:59:59-05:00")


@given(st.text(alphabet="0123456789٣.-: T+Z", min_size=1, max_size=14))
def test_epoch_seconds_are_looked_for_only_where_they_can_be(text: str) -> None:
    # parse_date tries _EPOCH only on text with a "." (or all digits): nothing else can match it.
    if _EPOCH.fullmatch(text):
        assert text.isdigit() or "." in text
