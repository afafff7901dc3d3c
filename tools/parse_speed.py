#!/usr/bin/env python3
"""Time the per-article work of a run on a corpus (default /tmp/c10k).

    python tools/parse_speed.py [CORPUS] [--n N] [--rounds R] [--against OLD_BODY_PY]

What every article pays on a cold run: read_source + parse_article(
with_body=False), and the pipeline's worker around them (_parse_header: read,
digest, parse, encode the cache record). What only articles that reach a feed
pay: body.complete (and, as a render worker does it, with reading the file
and body_of around it), measured on exactly the articles group_feeds selects.
Then the pieces of each.

Each measurement runs R rounds (default 3) over all the articles; the table
shows, per article in microseconds, the median over articles of the fastest
round, and the mean of the fastest round (the machine is shared and noisy:
compare runs made one after the other). A measurement script, not a test.

--against FILE loads FILE (another version of feeds/body.py, say from
`git show main:feeds/body.py > /tmp/body_main.py`) and times its `complete`
against this tree's on the same articles in the same process, the two
interleaved article by article, and checks that they give the same articles.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feeds import pipeline  # noqa: E402
from feeds.body import complete, sanitise, text_summary  # noqa: E402
from feeds.config import make_config  # noqa: E402
from feeds.dates import parse_date  # noqa: E402
from feeds.frontmatter import decode, load, split  # noqa: E402
from feeds.group import group_feeds  # noqa: E402
from feeds.parse import body_of, parse_article  # noqa: E402
from feeds.read import list_article_files, read_relative, read_source  # noqa: E402


def timed(fn: Callable[[Any], object], items: Sequence[Any], rounds: int) -> list[float]:
    """Per-item microseconds, each item's fastest of `rounds` passes over all items."""
    best = [float("inf")] * len(items)
    clock = time.perf_counter
    for _ in range(rounds):
        for i, item in enumerate(items):
            start = clock()
            fn(item)
            best[i] = min(best[i], clock() - start)
    return [b * 1e6 for b in best]


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9)]
    print(f"{name:44s} median {statistics.median(ordered):7.1f}  mean {statistics.fmean(ordered):7.1f}"
          f"  p90 {p90:7.1f} us  (n={len(ordered)})")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="/tmp/c10k")
    ap.add_argument("--n", type=int, default=0, help="only the first N files")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", type=Path, help="another feeds/body.py to compare complete() with")
    args = ap.parse_args()
    root = Path(args.corpus)
    files = list_article_files(root)
    if args.n:
        files = files[: args.n]
    config = make_config({"site_url": "https://example.com/", "timezone": "Asia/Shanghai"})
    sources = [read_source(root, f) for f in files]
    for source in sources[:50]:  # first calls: imports, caches
        parse_article(source, config, with_body=False)
    rounds = args.rounds
    print(f"{len(sources)} articles in {root}; fastest of {rounds} rounds, per article")

    report("read_source + parse_article(with_body=False)",
           timed(lambda f: parse_article(read_source(root, f), config, with_body=False), files, rounds))
    report("  read_source", timed(lambda f: read_source(root, f), files, rounds))
    report("  parse_article(with_body=False)", timed(lambda s: parse_article(s, config, with_body=False), sources, rounds))
    report("    decode + split", timed(lambda s: split(decode(s.data, s.path), s.path), sources, rounds))
    parts = [split(decode(s.data, s.path), s.path) for s in sources]
    report("    front matter load", timed(lambda p: load(p, "x"), parts, rounds))
    zone, aliases = config.zone, config.timezone_aliases
    dates = [m["date"] for m in (load(p, "x") for p in parts) if isinstance(m.get("date"), str)]
    report("    date", timed(lambda d: parse_date(d, zone, aliases), dates, rounds))
    pipeline._root, pipeline._config = root, config
    rels = [s.path for s in sources]
    report("pipeline._parse_header (read, digest, parse, record)",
           timed(lambda rel: pipeline._parse_header(rel, ""), rels, rounds))

    articles = [parse_article(s, config, with_body=False).article for s in sources]
    bodies = {s.path: body_of(s) for s in sources}
    selected: dict[str, Any] = {}
    for spec in group_feeds(articles, config):
        for article in spec.articles:
            selected.setdefault(article.source, article)
    reaching = [(a, bodies[a.source]) for a in selected.values()]
    report("complete (articles that reach a feed)", timed(lambda ab: complete(ab[0], ab[1], config), reaching, rounds))
    lazy = [ab for ab in reaching if "data-original" in ab[1]]
    if lazy:
        report("  of them with lazy images", timed(lambda ab: complete(ab[0], ab[1], config), lazy, rounds))
    report("  sanitise", timed(lambda ab: sanitise(ab[1], ab[0].link), reaching, rounds))
    contents = [sanitise(b, a.link) for a, b in reaching]
    report("  text_summary", timed(lambda c: text_summary(c, config.summary_length), contents, rounds))
    if args.against:
        compare(args.against, reaching, config, rounds)
    report("read_relative + body_of + complete (a render worker's)",
           timed(lambda a: complete(a, body_of(read_relative(root, a.source)), config), [a for a, _ in reaching], rounds))
    return 0


def compare(other_path: Path, reaching: list[tuple[Any, str]], config: Any, rounds: int) -> None:
    """This tree's complete() against the one in `other_path`: same results, time per article.

    Both run on each article in turn (which first alternates), each keeping
    its fastest of `rounds`: load on the machine hits both alike.
    """
    spec = importlib.util.spec_from_file_location("other_body", other_path)
    assert spec is not None and spec.loader is not None
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    differ = sum(complete(a, b, config) != other.complete(a, b, config) for a, b in reaching)
    print(f"complete vs {other_path}: {differ} of {len(reaching)} articles differ")
    clock = time.perf_counter
    this_best = [float("inf")] * len(reaching)
    other_best = [float("inf")] * len(reaching)
    for turn in range(rounds):
        for i, (article, body) in enumerate(reaching):
            for fn, best in ((complete, this_best), (other.complete, other_best))[:: 1 if (turn + i) % 2 else -1]:
                start = clock()
                fn(article, body, config)
                best[i] = min(best[i], clock() - start)
    lazy = [i for i, (_, body) in enumerate(reaching) if "data-original" in body]
    for name, indices in (("all reaching", range(len(reaching))), ("lazy images", lazy)):
        this = [this_best[i] * 1e6 for i in indices]
        that = [other_best[i] * 1e6 for i in indices]
        print(f"  {name:13s} n={len(this):5d}  mean this {statistics.fmean(this):7.1f}  other {statistics.fmean(that):7.1f}"
              f"  median this {statistics.median(this):7.1f}  other {statistics.median(that):7.1f} us"
              f"  (other/this {statistics.fmean(that) / statistics.fmean(this):.2f})")


if __name__ == "__main__":
    sys.exit(main())
