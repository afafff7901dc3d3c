"""Write realistic Hexo-style article folders for end-to-end tests.

Shaped like the aggregator output feeds is built for (see the seed article):
leading blank line, single-quoted titles, three-level Chinese category paths,
proxied head images, RFC 2822 and zone-less dates, HTML bodies with inline
styles and lazy images; deterministic for a given count.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "articles"

TOPS = ["新媒体", "财经", "汽车"]
SOURCES = ["高科技行业门户", "未来视界", "交通观察"]
LEAVES = ["新闻", "快讯", "评论"]
AUTHORS = ["高科技行业门户", "黄华", "Alice Chen", "李明"]
WORDS = "华为云 生态 伙伴 芯片 新能源 研发 市场 数字化 platform partners growth launch".split()


def article_text(i: int, *, title: str | None = None, category: tuple[str, ...] | None = None) -> str:
    top, source, leaf = category or (TOPS[i % 3], SOURCES[(i // 3) % 3], LEAVES[(i // 9) % 3])
    author = AUTHORS[i % len(AUTHORS)]
    day = 1 + i % 28
    if i % 2:
        date = f"date: {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][i % 7]}, {day:02d} Jun 2022 06:{i % 60:02d}:00 GMT"
    else:
        date = f"date: 2021-10-{day:02d} 14:{i % 60:02d}:07"
    words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(40))
    image = f"https://cors.example.net/?http://images.example.com/{i}.png"
    body = (
        f'<div>\n<p style="text-indent: 2em;">{words}</p>'
        f'<p style="text-align:center"><img data-original="{image}" src="/lazy.gif" onclick="zoom()"></p>'
        f'<p>第 {i} 篇。<a href="/tags/{i}.html">相关</a></p>\n</div>\n'
    )
    return (
        f"\n---\ntitle: '{title or f'第{i}条：{WORDS[i % len(WORDS)]} news {i}'}'\n"
        f"categories: \n - {top}\n - {source}\n - {leaf}\n"
        f"author: {author}\n{date}\n"
        + (f"headimg: '{image}'\n" if i % 3 else "")
        + (f"tags: [t{i % 4}, 通用]\n" if i % 5 == 0 else "")
        + "---\n\n"
        + body
    )


def write_corpus(folder: Path, count: int, *, with_samples: bool = True) -> Path:
    """`count` generated articles (NNNN.md), plus the bundled sample articles."""
    folder.mkdir(parents=True, exist_ok=True)
    if with_samples:
        for sample in SAMPLES.iterdir():
            shutil.copy(sample, folder / sample.name)
    for i in range(count):
        (folder / f"{i:04d}.md").write_text(article_text(i), encoding="utf-8")
    return folder
