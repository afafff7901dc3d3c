"""The value checks: dates, URIs, media types, languages and e-mail addresses."""

from __future__ import annotations

import re
from html import unescape
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lxml import etree

from feeds.validate import atom, checks, common, html
from feeds.validate.engine import Walker

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
moments = st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2025, 5, 1),
                       timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)),
                                                  timezone(timedelta(hours=-8))]))


@given(moments)
def test_any_moment_written_as_rfc3339_is_valid(moment: datetime) -> None:
    assert common.check_rfc3339(moment.isoformat(timespec="seconds"), NOW) is None
    assert common.check_rfc3339(moment.isoformat(timespec="microseconds"), NOW) is None


@given(moments)
def test_any_moment_written_as_rfc822_is_valid(moment: datetime) -> None:
    assert common.check_rfc822(format_datetime(moment), NOW) is None


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30)),
                                               timezone(timedelta(hours=-8)), timezone(timedelta(hours=-9, minutes=-30))])))
def test_a_moment_is_read_alike_from_rfc822_and_rfc3339(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    assert common._parse_rfc822(format_datetime(moment)) == common._parse_rfc3339(moment.isoformat())


@given(moments, st.integers(1, 6))
def test_a_wrong_weekday_is_reported(moment: datetime, shift: int) -> None:
    written = format_datetime(moment)
    wrong = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[(moment.weekday() + shift) % 7]
    assert common.check_rfc822(wrong + written[3:], NOW) == ("IncorrectDOW", {"value": wrong})


def _read_field_by_field(value: str) -> object:
    """What the RFC 3339 field reader makes of `value` (the exception it raises, if any)."""
    try:
        return common._rfc3339_fields(common._RFC3339.match(value), value)  # type: ignore[arg-type]
    except OverflowError as exc:
        return repr(exc)


def _read(value: str) -> object:
    try:
        return common._parse_rfc3339.__wrapped__(value)  # type: ignore[attr-defined]  # not the memo
    except OverflowError as exc:
        return repr(exc)


_two_digits = st.integers(0, 99).map("{:02d}".format)
rfc3339_shaped = st.builds(
    "{}-{}-{}T{}:{}:{}{}{}".format,
    st.sampled_from(["0000", "0001", "0002", "1969", "1970", "1990", "2000", "2024", "9998", "9999"]),
    st.sampled_from(["00", "01", "02", "12", "13"]), st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]),
    st.sampled_from(["00", "12", "23", "24"]), st.sampled_from(["00", "59", "60"]), st.sampled_from(["00", "59", "60", "61"]),
    st.sampled_from(["", ".5", ".123456789"]),
    st.one_of(st.just("Z"), st.builds("{}{}:{}".format, st.sampled_from("+-"), _two_digits, _two_digits)),
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(rfc3339_shaped, st.from_regex(common._RFC3339, fullmatch=True)))
@example("2022-09-20T03:41:53+08:00")
@example("0001-01-01T00:00:00+01:00")
@example("9999-12-31T23:59:59-01:00")
@example("2016-12-31T23:59:60Z")
@example("2022-09-20T03:41:53+24:00")
@example("２０２２-09-20T03:41:53Z")
def test_rfc3339_dates_read_in_c_as_read_field_by_field(value: str) -> None:
    assert _read(value) == _read_field_by_field(value)


@pytest.mark.parametrize("value", [
    "2003-12-13", "2003-12-13T18:30Z", "2003-12-13t18:30:02z", "2003-12-13 18:30:02Z", "2003-12-13T18:30:02",
    "2003-12-13T18:30:02+0100", "2003-02-30T18:30:02Z", "2003-12-13T24:30:02Z", "Sat, 13 Dec 2003 18:30:02 GMT",
])
def test_invalid_rfc3339(value: str) -> None:
    assert common.check_rfc3339(value, NOW) == ("InvalidRFC3339Date", {"value": value})


def test_dates_are_judged_by_the_system_clock_when_no_time_is_given() -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for minutes, verdict in ((-60, None), (5, None), (20, "ImplausibleDate")):
        moment = now + timedelta(minutes=minutes)
        written = moment.isoformat().replace("+00:00", "Z")
        assert (common.check_rfc3339(written) or (None,))[0] == verdict
        assert (common.check_rfc822(format_datetime(moment, usegmt=True)) or (None,))[0] == verdict
    assert common.check_rfc3339("1989-12-31T23:59:59Z")[0] == "ImplausibleDate"  # type: ignore[index]
    assert common.check_rfc3339("1990-01-01T00:00:00Z") is None


def test_dates_far_away_are_implausible() -> None:
    assert common.check_rfc3339("1970-01-01T00:00:00Z", NOW)[0] == "ImplausibleDate"  # type: ignore[index]
    assert common.check_rfc3339("2030-01-01T00:00:00Z", NOW)[0] == "ImplausibleDate"  # type: ignore[index]
    assert common.check_rfc822("Tue, 01 Jan 2030 00:00:00 GMT", NOW)[0] == "ImplausibleDate"  # type: ignore[index]


@pytest.mark.parametrize(("value", "code"), [
    ("Sat, 07 Sep 2002 09:42:31 GMT", None),
    ("07 Sep 2002 09:42 +0530", None),
    ("Sat, 07 Sep 02 09:42:31 GMT", "ProblematicalRFC822Date"),
    ("Sat, 07 Sep 2002 09:42:31 +0545", "ProblematicalRFC822Date"),
    ("saturday, 07 Sep 2002 09:42:31 GMT", "InvalidRFC2822Date"),
    ("2002-09-07T09:42:31Z", "InvalidRFC2822Date"),
    ("Sat, 31 Feb 2002 09:42:31 GMT", "InvalidRFC2822Date"),
])
def test_rfc822(value: str, code: str | None) -> None:
    found = common.check_rfc822(value, NOW)
    assert (found[0] if found else None) == code


@pytest.mark.parametrize(("value", "options", "code"), [
    ("http://example.com/a?b=c#d", {}, None),
    ("/relative/path", {}, None),
    ("/relative/path", {"absolute": True}, "InvalidFullLink"),
    ("http://example.com/a b", {}, "InvalidUriChar"),
    ("http://www.詹姆斯.com/", {"iri": True}, None),
    ("http://www.詹姆斯.com/", {}, "InvalidLink"),
    ("http:/example.com/", {}, "InvalidLink"),
    ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", {"absolute": True}, None),
    ("urn:uuid:1225c695-cfb8-4ebb-aaaa", {"absolute": True}, "InvalidUUID"),
    ("urn:a.b:c", {"absolute": True}, "InvalidURN"),
    ("tag:example.com,2005:post-1", {"absolute": True}, None),
    ("tag:example.com,05:post-1", {"absolute": True}, "InvalidTAG"),
    ("foo:bar", {"absolute": True}, "SchemeNotIANARegistered"),
])
def test_uris(value: str, options: dict[str, bool], code: str | None) -> None:
    found = common.check_uri(value, **options)
    assert (found[0] if found else None) == code


_URI_PIECES = ["http", "https", "urn", "uuid", "tag", "foo", ":", "//", "/", "example.com", "例え", "%7e", "%zz", " ", "#",
               "?", "a=b", "[::1]", "1225c695-cfb8-4ebb-aaaa-80da344efa6a", ",2005:", "@", "\\"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_URI_PIECES), max_size=8).map("".join), min_size=1, max_size=6),
       st.booleans(), st.booleans(), st.sampled_from([None, "InvalidFullLink", "InvalidIRI", "InvalidURIAttribute"]))
def test_a_uri_check_with_fixed_options_answers_as_check_uri(values: list[str], absolute: bool, iri: bool,
                                                            error: str | None) -> None:
    check = common.uri_check(absolute=absolute, iri=iri, error=error)
    for value in values + values:  # the second time from its memo
        assert check(value) == common.check_uri(value, absolute=absolute, iri=iri, error=error)


def test_a_uri_check_forgets_its_oldest_values_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "_URI_MEMO_LIMIT", 2)
    check = common.uri_check(absolute=True)
    for value in ("/a", "https://example.com/", "/b", "/a"):
        assert check(value) == common.check_uri(value, absolute=True)


@pytest.mark.parametrize("value", [
    "http://example.com", "https://example.com:8080/a?b=1#c", "https://example.com/path;p?q=a&r=b",
    "http://example.com/%zz", "HTTP://example.com/",
])
@pytest.mark.parametrize("options", [{}, {"absolute": True}, {"iri": True}, {"absolute": True, "iri": True}])
def test_plain_http_urls_pass_every_variant(value: str, options: dict[str, bool]) -> None:
    assert common.check_uri(value, **options) is None


@pytest.mark.parametrize(("value", "options", "code"), [
    ("http://example.com/a b", {"iri": True}, "InvalidUriChar"),
    ("http:///x", {"absolute": True}, "InvalidFullLink"),
    ("http://例え.jp/", {"absolute": True}, "InvalidFullLink"),
    ("http://例え.jp/", {"iri": True}, None),
])
def test_http_urls_that_are_not_plain(value: str, options: dict[str, bool], code: str | None) -> None:
    found = common.check_uri(value, **options)
    assert (found[0] if found else None) == code


@pytest.mark.parametrize(("value", "canonical"), [
    ("http://example.com/", "http://example.com/"),
    ("HTTP://Example.COM:80/a/./b/../c", "http://example.com/a/c"),
    ("http://example.com", "http://example.com/"),
    ("http://example.com/%7euser", "http://example.com/~user"),
    ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"),
    ("urn:ISBN:0-395-36341-1", "urn:ISBN:0-395-36341-1"),
    ("URN:x:y", "urn:x:y"),
    ("urn:/a/./b", "urn:/a/b"),
    ("urn://Host/a", "urn://host/a"),
    ("urn:a%7e", "urn:a~"),
])
def test_canonical_uris(value: str, canonical: str) -> None:
    assert common.canonical_uri(value) == canonical


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(["%", "%", "2", "7", "e", "E", "a", "F", "4", "1", "x", "/", "~"]), max_size=12))
def test_escapes_already_normal_are_left_as_they_are(text: str) -> None:
    # The shortcut in _normal_escapes must give what substituting every escape gives.
    assert common._normal_escapes(text) == common._ESCAPE.sub(common._normal_escape, text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(atom.PLAIN_SELF, fullmatch=True))
def test_a_plain_self_link_served_from_where_it_says_is_right(url: str) -> None:
    # _self_link skips the URL parsing for these: the full check must find nothing either.
    w = Walker("f.xml", b"", url, frozenset())
    atom.self_link_checks(w, etree.Element("link"), url, "")
    assert w.messages == []


def test_media_types_languages_and_addresses() -> None:
    assert common.is_media_type("text/html; charset=utf-8")
    assert not common.is_media_type("text")
    assert common.is_language("en-US") and common.is_language("epo") and common.is_language("zh-Hans-CN")
    assert not common.is_language("english") and not common.is_language("en_US")
    assert common.is_addr_spec("jane.doe+feeds@example.co.uk")
    assert not common.is_addr_spec("Jane <jane@example.com>")
    assert common.check_contact_with_name("jane@example.com (Jane Doe)") is None
    assert common.check_contact_with_name("jane@example.com")[0] == "MissingRealName"  # type: ignore[index]
    assert common.check_contact_with_name("Jane Doe")[0] == "InvalidContact"  # type: ignore[index]


def test_html_readers_would_strip() -> None:
    found = html.check_html('<p onclick="x()">a</p><script>x()</script><iframe src="https://e.com"></iframe>'
                            '<span style="position: absolute">b</span><a href="/rel">c</a>',
                            relative_refs=True)
    assert sorted(code for code, _ in found) == ["ContainsRelRef", "DangerousStyleAttr", "SecurityRisk",
                                                 "SecurityRisk", "SecurityRiskAttr"]


def test_safe_html_is_quiet() -> None:
    assert html.check_html('<p style="text-align: left; color: #333">a <a href="https://e.com/x">b</a>'
                           '<img src="https://e.com/i.png" alt="i"></p>', relative_refs=True) == ()


@pytest.mark.parametrize(("value", "found"), [
    ('<p>a</p><?import ns?><a href="/x">b',
     (("SecurityRisk", {"value": "?import"}), ("NotHtml", {"value": "<?"}), ("ContainsRelRef", {"value": "/x"}))),
    ("<p>x < y</p><b>", ()),
    ('<a title="a<b">x</a>', (("NotHtml", {"value": '<a title="a'}),)),
    ('<a title="<?">x</a><script>1</script>', (("NotHtml", {"value": "<?"}), ("SecurityRisk", {"value": "script"}))),
    ("<p>ok</p><a", (("NotHtml", {"value": "<a"}),)),
    ('<img src="ok.png" onload="x()"><IMG SRC="ok.png">',
     (("ContainsRelRef", {"value": "ok.png"}), ("SecurityRiskAttr", {"value": "onload"}),
      ("ContainsRelRef", {"value": "ok.png"}))),
])
def test_html_findings_in_document_order(value: str, found: tuple[object, ...]) -> None:
    assert html.check_html(value, relative_refs=True) == found
    assert html.check_html_utf8(value.encode(), relative_refs=True) == found


# The start-tag pattern as first written, backtracking: the atomic one in html.py must find the same tags.
_BACKTRACKING_MARKUP = re.compile(rb"""<(?![/!])(?:[A-Za-z][A-Za-z0-9:_\-]*[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>|\?|)""")

_TAG_BYTES = [b"<", b">", b"/", b"!", b"?", b'"', b"'", b"a", b"Z1", b"=", b"-:", b" ", b"\n", "中".encode()]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_TAG_BYTES), max_size=30).map(b"".join))
@example(b"<p><a title='x>y' href=\"a'b>c\">z</a><img src='u'/>")
@example(b'<a title="unclosed><b>x</b> <a b=\'c"d\' e="f\'g">')
@example(b"<?pi?><!-- <x> --></p>< p<a")
def test_start_tags_are_found_as_the_backtracking_pattern_finds_them(text: bytes) -> None:
    assert html._MARKUP.findall(text) == _BACKTRACKING_MARKUP.findall(text)


_BARE_TAG_BYTES = [b"<%s>" % name.encode() for name in html._BARE_SAFE_TAGS] + [b"<P>", b"<pre", b"<a ", b"<b/>"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_TAG_BYTES + _BARE_TAG_BYTES), max_size=30).map(b"".join))
@example(b"<p><pre><a><b/><br><P><a href='x'><strong>")
def test_the_scan_passes_over_bare_safe_tags_only(text: bytes) -> None:
    bare = {b"<%s>" % name.encode() for name in html._BARE_SAFE_TAGS}
    assert html._MARKUP_TO_CHECK.findall(text) == [tag for tag in html._MARKUP.findall(text) if tag not in bare]


@pytest.mark.parametrize("relative_refs", [True, False])
@pytest.mark.parametrize("document", [True, False])
def test_bare_safe_tags_have_nothing_to_report(relative_refs: bool, document: bool) -> None:
    for name in html._BARE_SAFE_TAGS:
        assert name in html.SAFE_TAGS
        assert html._check_tag(name, "", relative_refs, document) == ()


# How _check_tag first read a start tag's attributes (one match object at a time): the reading it does now
# must find the same names and values, and so the same problems.
_ATTRIBUTE_AS_FIRST_WRITTEN = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _check_attributes_as_first_written(tag: str, blob: str, relative_refs: bool) -> list[object]:
    problems: list[object] = []
    for a in _ATTRIBUTE_AS_FIRST_WRITTEN.finditer(blob):
        attr = a.group(1).lower()
        raw = a.group(2) if a.group(2) is not None else a.group(3) if a.group(3) is not None else a.group(4)
        if attr == "style":
            problems.extend(("DangerousStyleAttr", {"value": evil}) for evil in html.check_style(unescape(raw or "")))
        elif attr not in html.SAFE_ATTRIBUTES and not attr.startswith("data-"):
            problems.append(("SecurityRiskAttr", {"value": attr}))
        elif relative_refs and raw is not None and ((tag == "a" and attr == "href") or (tag == "img" and attr == "src")):
            problem = html._relative_ref(unescape(raw).strip())
            if problem:
                problems.append(problem)
    return problems


_ATTRIBUTE_PIECES = [" ", "\n", "=", '"', "'", "/", "href", "HREF", "src", "style", "onclick", "data-x", "title",
                     "http:", "ftp://e", "x.png", "/rel", "&amp;", "&#58;", "color: red", "中", "_:", " \u3000", ">"]


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["a", "img", "p", "A", "IMG"]),
       st.lists(st.sampled_from(_ATTRIBUTE_PIECES), min_size=1, max_size=14).map("".join), st.booleans())
@example("a", ' href="" title="t"', True)
@example("a", " href title=x", True)
@example("img", " src='http&#58;//x' style=\"color:red;position:fixed\"", True)
@example("a", ' href=" https://e.com/"', True)
def test_start_tag_attributes_are_read_as_first_written(name: str, blob: str, relative_refs: bool) -> None:
    found = html._check_tag(name, " " + blob, relative_refs, False)
    assert list(found) == _check_attributes_as_first_written(name.lower(), " " + blob, relative_refs)


# Pieces of HTML as feeds carry it, good and bad, to build documents from.
HTML_PIECES = [
    "<p>", "</p>", "<br/>", "<span>", "</span>", '<a href="https://e.com/x?a=1&amp;b=2" title="中文">', "</a>",
    '<img src="/rel.png" alt="x">', '<p onclick="x()">', '<div style="position: absolute">', "<script>", "<?import x?>",
    "<?xml?>", "<!-- c -->", "< ", "<a", '<a title="a<b">', "<blink>", "<HTML>", "<x:y>", "华为云", "text & more",
    "\u3000", " ", "\n", "'", '"', ">", "&lt;",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=12), st.booleans(), st.booleans())
def test_html_as_utf8_gets_the_findings_of_html_as_text(pieces: list[str], relative_refs: bool,
                                                         document: bool) -> None:
    value = "".join(pieces)
    expected = html.check_html(value, relative_refs=relative_refs, document=document)
    for _ in range(2):  # the second time from the memo and the known tags
        assert html.check_html_utf8(value.encode(), relative_refs=relative_refs, document=document) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(HTML_PIECES), max_size=8).map("".join), min_size=1, max_size=8))
def test_the_known_tags_forgotten_at_any_time_change_no_finding(documents: list[str]) -> None:
    expected = [html._scan_html(d.encode(), True, False) for d in documents]
    saved = html._CACHE_LIMIT
    try:
        html._CACHE_LIMIT = 2  # type: ignore[misc]  # the caches are cleared every other new tag
        for _ in range(2):
            assert [html._scan_html(d.encode(), True, False) for d in documents] == expected
    finally:
        html._CACHE_LIMIT = saved  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(["a", "中", "é", " ", "\n", "\u3000", "\xa0", "\x1c", "\x85", "\u2028", "😀"]),
               min_size=1, max_size=6))
def test_unicode_spaces_at_the_ends_of_utf8_text_are_seen(text: str) -> None:
    stripped = text.encode().strip()  # what html_text has when it asks
    assert checks._unicode_space_at_ends(stripped) == (stripped.decode().strip() != stripped.decode())


def test_only_unicode_spaces_are_below_u3001() -> None:
    beyond = [c for c in map(chr, range(0x3001, 0x110000)) if c.isspace()]
    assert beyond == []
    assert "\u3000" in checks.UNICODE_ONLY_SPACES and " " not in checks.UNICODE_ONLY_SPACES


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "中", "…", "é", " ", "\n", "\u3000", "\xa0", "\x85", "\u2028", "\u205f", "😀",
                                 "<p>", "&"]), max_size=8).map("".join))
def test_escaped_html_is_stripped_as_str_strip_does(text: str) -> None:
    el = etree.fromstring(b"<description>%s</description>" % text.replace("&", "&amp;").replace("<", "&lt;").encode())
    w = Walker("<t>", b"", None, frozenset())
    assert checks.html_text(w, el, "description", relative_refs=True, strip=True) == text.strip().encode()


def test_markup_left_in_plain_text() -> None:
    assert html.markup_in_text("Tom &amp; Jerry") == "&amp;"
    assert html.markup_in_text("a <b>bold</b> claim") == "</b>"
    assert html.markup_in_text("Tom & Jerry, x < y") is None


@pytest.mark.parametrize("value", [
    "9999-12-31T23:59:59-01:00",  # year 10000 in UTC: after the last moment Python can hold
    "0001-01-01T00:00:00+01:00",  # year 0 in UTC: before the first
])
def test_dates_beyond_what_a_datetime_holds_are_implausible_not_a_crash(value: str) -> None:
    assert common.check_rfc3339(value, NOW) == ("ImplausibleDate", {"value": value})
    assert common.check_rfc3339(value) == ("ImplausibleDate", {"value": value})


def test_rfc822_dates_beyond_what_a_datetime_holds_are_implausible_not_a_crash() -> None:
    for value in ("Fri, 31 Dec 9999 23:59:59 -0100", "31 Dec 9999 23:00:00 EST", "01 Jan 0001 00:00:00 +0100"):
        assert common.check_rfc822(value, NOW) == ("ImplausibleDate", {"value": value})


def test_a_feed_dated_at_the_end_of_time_gets_a_warning_not_an_internal_error() -> None:
    from feeds.validate import validate_bytes

    feed = (b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            b"<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id><title>T</title>\n"
            b"<updated>9999-12-31T23:59:59-01:00</updated><author><name>A</name></author>\n"
            b'<link rel="self" href="https://example.com/atom.xml"/>\n</feed>\n')
    found = {m.code for m in validate_bytes(feed, "atom.xml")}
    assert "ImplausibleDate" in found and "InternalError" not in found
