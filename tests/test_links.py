"""Which links count as absolute http(s) URLs: the only ones feeds publishes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.links import is_absolute_http


def _absolute_http_by_urlsplit(url: str) -> bool:
    """The plain definition is_absolute_http must agree with (its shortcut skips urlsplit)."""
    if re.match(r"https?://[^/?#\s@]*[^/?#\s@:]", url, re.IGNORECASE) is None:
        return False
    try:
        urlsplit(url).port
    except ValueError:
        return False
    return True


@given(st.text(st.sampled_from(list("htps:/aA.b1@[]?#9 é%-_~")), max_size=30).map(lambda t: "http://" + t)
       | st.text(max_size=40))
def test_is_absolute_http_agrees_with_urlsplit(url: str) -> None:
    assert is_absolute_http(url) == _absolute_http_by_urlsplit(url)


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a", True), ("http://a@b:99999/", False), ("http://a:99999/", False),
    ("http://a@b/", True), ("http://[::1]/", True), ("http://[::1/", False), ("http://host:/x", True),
])
def test_is_absolute_http_ports_userinfo_and_brackets(url: str, expected: bool) -> None:
    assert is_absolute_http(url) is expected
