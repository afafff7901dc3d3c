"""Realistic Article objects for the group/render/pages/publish tests.

They are built directly (parsing is tested elsewhere) but look like what the
parser hands over for real sites: the seed article with its three-level
Chinese category, its proxied head image and its real HTML body, plus a few
neighbours with several authors, tags, English names and awkward titles.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from feeds.config import Config, make_config
from feeds.model import Article, Author

SEED_PATH = Path(__file__).resolve().parents[1] / "articles" / "000_54eddf3d95a348cd.md"
SEED_IMAGE = (
    "https://cors.zfour.workers.dev/?http://images.ofweek.com/Upload/News/2022-6/17/surong/"
    "20220617145123_1655448683131463987.png"
)
SEED_CATEGORY = ("新媒体", "高科技行业门户", "新闻")
SHANGHAI = timezone(timedelta(hours=8))


def seed_body() -> str:
    """The HTML body of the seed article, exactly as in the repository."""
    text = SEED_PATH.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1].strip()


def site_config(**overrides: Any) -> Config:
    values: dict[str, Any] = {
        "site_url": "https://example.com/",
        "title": "示例新闻 Example News",
        "subtitle": "Sample articles rendered by feeds",
        "language": "zh-CN",
        "timezone": "Asia/Shanghai",
        "author": {"name": "Example Newsroom", "email": "newsroom@example.com"},
    }
    values.update(overrides)
    return make_config(values)


def seed_article() -> Article:
    published = datetime(2022, 6, 17, 6, 50, tzinfo=timezone.utc)
    return Article(
        source="000_54eddf3d95a348cd.md",
        title="华为云陶志强：华为云生态与伙伴的关系就像钻石",
        link="https://example.com/2022/06/17/000_54eddf3d95a348cd/",
        id="https://example.com/2022/06/17/000_54eddf3d95a348cd/",
        published=published,
        updated=published,
        authors=(Author("高科技行业门户"),),
        categories=(SEED_CATEGORY,),
        summary="<p>6月16日，华为云生态特别节目《ONE—华为云和TA的朋友们2022》正式“开播”。</p>",
        content=seed_body(),
        image=SEED_IMAGE,
    )


def neighbours() -> list[Article]:
    """Articles around the seed: shared categories, several authors, tags, an English leaf under two parents."""
    body = "<p>据介绍，华为云2022年在全国范围内组建了强大专业的PSA团队。</p><p>AT&amp;T &lt;and&gt; Verizon.</p>"
    return [
        Article(
            source="2022/cloud-partners.md",
            title="云计算：伙伴体系升级，业内人士这样说",
            link="https://example.com/2022/06/18/cloud-partners/",
            id="urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            published=datetime(2022, 6, 18, 9, 30, 15, 250000, tzinfo=SHANGHAI),
            updated=datetime(2022, 6, 19, 8, 0, tzinfo=SHANGHAI),
            authors=(
                Author("王伟", "wang.wei@example.com", "https://example.com/about/wang"),
                Author("Alice Chen", "alice@example.org"),
            ),
            categories=(("新媒体", "高科技行业门户", "评论"), ("科技", "Tech News")),
            tags=("AI", "云计算", "开源"),
            summary="<p>据介绍，华为云2022年组建了PSA团队。</p>",
            content=body,
            image="https://images.example.com/2022/06/cloud.jpg?w=640",
        ),
        Article(
            source="2022/why-rust.md",
            title="Why Rust <and> Go matter",
            link="https://example.com/2022/06/18/why-rust/",
            id="https://example.com/2022/06/18/why-rust/",
            published=datetime(2022, 6, 18, 1, 30, 15, tzinfo=timezone.utc),
            updated=datetime(2022, 6, 18, 1, 30, 15, tzinfo=timezone.utc),
            authors=(Author("Bob O'Neil"),),
            categories=(("Open Source", "Tech News"),),
            tags=("Rust", "AI"),
            summary="<p>Open-source tools such as Kubernetes &amp; Prometheus are widely used.</p>",
            content="<p>Open-source tools such as Kubernetes &amp; Prometheus are widely used.</p>",
        ),
        Article(
            source="2021/older.md",
            title="季度营收同比增长 12%",
            link="https://example.com/2021/10/28/older/",
            id="https://example.com/2021/10/28/older/",
            published=datetime(2021, 10, 28, 14, 8, 7, tzinfo=SHANGHAI),
            updated=datetime(2021, 10, 28, 14, 8, 7, tzinfo=SHANGHAI),
            authors=(Author("高科技行业门户"),),
            categories=(("新媒体", "高科技行业门户", "新闻"),),
            summary="<p>营收同比增长。</p>",
            content="<p>营收同比增长 12%。</p>",
            image="https://cors.zfour.workers.dev/?http://images.ofweek.com/Upload/News/2021-10/28/older.gif",
        ),
        Article(
            source="drafts/unfinished.md",
            title="草稿：尚未发布",
            link="https://example.com/drafts/unfinished/",
            id="https://example.com/drafts/unfinished/",
            published=datetime(2022, 7, 1, tzinfo=timezone.utc),
            updated=datetime(2022, 7, 1, tzinfo=timezone.utc),
            authors=(Author("Draft Writer"),),
            categories=(("草稿箱",),),
            tags=("draft-only",),
            summary="<p>未完成。</p>",
            content="<p>未完成。</p>",
            draft=True,
        ),
    ]


def site_articles() -> list[Article]:
    return [seed_article(), *neighbours()]
