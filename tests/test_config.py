"""Settings: every value a run is built on is checked before anything is read or written.

A bad value must be a ConfigError naming the setting (exit 2, nothing
written), never a traceback and never a run whose every feed then fails
validation.
"""

from __future__ import annotations

import pytest

from feeds.config import make_config
from feeds.errors import ConfigError

SITE = {"site_url": "https://example.com/"}


@pytest.mark.parametrize(("values", "message"), [
    ({"site_url": "https://exa mple.com/"}, "site_url is not a URL feeds can be published under"),
    ({"site_url": "http://[::1]:8080/"}, "site_url is not a URL feeds can be published under"),
    ({"site_url": "http://[bad/"}, "site_url is not a URL: 'http://[bad/'"),
    ({"site_url": "ftp://example.com/"}, "site_url must be an absolute http(s) URL"),
    ({"site_url": "https://example.com:99999/"}, "site_url has an invalid port"),
    ({"site_url": "https://example.com/?a=b"}, "site_url must not have a query or a fragment"),
    ({"site_url": "https://example.com/#top"}, "site_url must not have a query or a fragment"),
    ({"site_url": "https://example.com/?"}, "site_url must not have a query or a fragment"),
    ({**SITE, "logo": "http://[bad"}, "logo is not a URL: 'http://[bad'"),
    ({**SITE, "icon": "javascript:alert(1)"}, "icon must be an absolute http(s) URL"),
    ({**SITE, "title": ""}, "title must not be empty"),
    ({**SITE, "title": "  "}, "title must not be empty"),
    ({**SITE, "title": ["a"]}, "title must be text, got a list"),
    ({**SITE, "subtitle": {"a": 1}}, "subtitle must be text, got a mapping"),
    ({**SITE, "language": "x y"}, "language must be a language tag like zh-CN or en, got 'x y'"),
    ({**SITE, "language": "english"}, "language must be a language tag like zh-CN or en, got 'english'"),
])
def test_a_value_feeds_could_not_publish_with_is_a_config_error(values: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config(values)
    assert message in str(caught.value)


def test_a_site_url_with_a_non_ascii_host_or_path_is_published_as_a_uri() -> None:
    """Feed ids and links are URIs: the host in IDNA (punycode), the path %-escaped."""
    config = make_config({"site_url": "https://例子.测试/博客/"})
    assert config.site_url == "https://xn--fsqu00a.xn--0zwm56d/%E5%8D%9A%E5%AE%A2/"


@pytest.mark.parametrize("url", ["https://example.com/", "http://localhost:4000/", "http://127.0.0.1/blog/",
                                 "https://user@example.com/a%20b/"])
def test_ordinary_site_urls_are_kept_as_written(url: str) -> None:
    assert make_config({"site_url": url}).site_url == url


@pytest.mark.parametrize(("written", "kept"), [("zh-CN", "zh-CN"), ("zh_CN", "zh-CN"), ("en", "en")])
def test_language_tags_are_kept_with_hyphens(written: str, kept: str) -> None:
    assert make_config({**SITE, "language": written}).language == kept
