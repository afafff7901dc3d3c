#!/usr/bin/env python3
"""Time the parser per article on a corpus (default /tmp/c10k).

    python tools/parse_speed.py [CORPUS] [--n N]

Reads every file first (so disk time is not counted), then times, per
article: parse_article(with_body=False) (the path every article takes),
body_of + complete (what only articles that reach a feed pay), and the
pieces of the first (decode+split, YAML load, date). Prints medians and
means in microseconds. A measurement script, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feeds.body import complete  # noqa: E402
from feeds.config import make_config  # noqa: E402
from feeds.dates import parse_date  # noqa: E402
from feeds.frontmatter import decode, load, split  # noqa: E402
from feeds.parse import body_of, parse_article  # noqa: E402
from feeds.read import list_article_files, read_source  # noqa: E402


def timed(fn, items):
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1e6)
    return out


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p90 = samples[int(len(samples) * 0.9)]
    print(f"{name:38s} median {statistics.median(samples):7.1f} us  mean {statistics.fmean(samples):7.1f} us  p90 {p90:7.1f} us")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="/tmp/c10k")
    ap.add_argument("--n", type=int, default=0, help="only the first N files")
    args = ap.parse_args()
    root = Path(args.corpus)
    files = list_article_files(root)
    if args.n:
        files = files[: args.n]
    config = make_config({"site_url": "https://example.com/", "timezone": "Asia/Shanghai"})
    t0 = time.perf_counter()
    sources = [read_source(root, f) for f in files]
    print(f"{len(sources)} files read in {time.perf_counter() - t0:.2f} s")

    # warm-up (imports, caches, first-call costs)
    for source in sources[:50]:
        parse_article(source, config, with_body=False)

    t0 = time.perf_counter()
    parsed = [parse_article(s, config, with_body=False).article for s in sources]
    total = time.perf_counter() - t0
    print(f"parse_article(with_body=False) all: {total:.2f} s = {total / len(sources) * 1e6:.1f} us/article")
    report("parse_article(with_body=False)", timed(lambda s: parse_article(s, config, with_body=False), sources))
    report("  decode+split", timed(lambda s: split(decode(s.data, s.path), s.path), sources))
    parts = [split(decode(s.data, s.path), s.path) for s in sources]
    report("  front matter load (YAML)", timed(lambda p: load(p, "x"), parts))
    metas = [load(p, "x") for p in parts]
    zone, aliases = config.zone, config.timezone_aliases
    report("  date", timed(lambda m: parse_date(m["date"], zone, aliases), metas))
    report("body_of", timed(body_of, sources))
    pairs = list(zip(parsed, (body_of(s) for s in sources)))
    report("complete (all bodies)", timed(lambda ab: complete(ab[0], ab[1], config), pairs))
    sizes = [len(b.encode()) for _, b in pairs]
    mid = [ab for ab, n in zip(pairs, sizes) if 4500 <= n <= 5500]
    if mid:
        report(f"complete (4.5-5.5 KB bodies, {len(mid)})", timed(lambda ab: complete(ab[0], ab[1], config), mid))
    lazy = [ab for ab in pairs if "data-original" in ab[1]]
    if lazy:
        report(f"complete (bodies with lazy images, {len(lazy)})", timed(lambda ab: complete(ab[0], ab[1], config), lazy))
    t0 = time.perf_counter()
    for source in sources:
        parse_article(source, config, with_body=True)
    total = time.perf_counter() - t0
    print(f"parse_article(with_body=True) all: {total:.2f} s = {total / len(sources) * 1e6:.1f} us/article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
