"""How long validate_bytes takes on feeds shaped like the ones `feeds generate` writes.

Builds Atom and RSS feeds with feedgen from the bodies of a corpus (default
/tmp/c10k, see /work/shared/bench/corpus.py), 20 entries each with the
elements our renderer emits, then times validate_bytes over them: first pass
(cold HTML cache, as for the first feed an article appears in) and second
pass (warm, as for the category, tag and author feeds that repeat it).

    python bench/validate_speed.py [CORPUS] [--feeds N]

With --site, it times what `feeds generate` validates instead: every feed of
a site, in the order generate writes them, cold (a fresh process per run, so
no memo is warm), and prints the median CPU seconds of --runs runs. The site
is either a pickled list of (path, bytes, location) or a dist/ folder written
by `feeds generate` (locations from --site-url):

    python bench/validate_speed.py --site /tmp/docs.pkl --runs 5
    python bench/validate_speed.py --site /tmp/d10 --site-url https://example.com/

With --site and --in-process, it times all the feeds in this one process
instead, best of --runs rounds (the machine is shared: the fastest round is
the least disturbed): every feed with the entry memo empty, every feed again
with it full (what a feed costs besides its new entries), and the check of
each distinct entry on its own (what a new entry costs). Each round validates
fresh copies of the documents, as generate hands over new bytes objects.

    python bench/validate_speed.py --site /tmp/d10 --in-process --runs 5 [--against /work/main]

With --against, another checkout's validator is timed the same way, its
rounds in turn with this one's (A/B in one process, under the same load).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from urllib.parse import quote
from uuid import NAMESPACE_URL, uuid5

import nh3
from feedgen.feed import FeedGenerator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from feeds.validate import _validate_whole, fastpath, html, validate_bytes  # noqa: E402

SITE = "https://blog.example.com"


def bodies(corpus: Path, count: int) -> list[str]:
    """Article bodies (after the front matter), sanitised the way the renderer does."""
    found = []
    for path in sorted(corpus.glob("*.md"))[:count]:
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 2)[-1]
        found.append(nh3.clean(body))
    return found


def build(contents: list[str], number: int) -> tuple[bytes, bytes]:
    """One Atom and one RSS feed of len(contents) entries."""
    numbered = list(enumerate(contents, start=number * 1000))
    return build_one(numbered, number, "atom"), build_one(numbered, number, "rss")


def build_one(contents: list[tuple[int, str]], number: int, kind: str) -> bytes:
    """A feed as our renderer shapes it (feedgen 1.0 drops the attributes of Atom entry
    links, so the Atom entries carry no enclosure link: only one alternate)."""
    fg = FeedGenerator()
    fg.load_extension("media")
    fg.load_extension("dc")
    fg.id(f"{SITE}/feeds/{number}/")
    fg.title(f"Example blog: feed {number}")
    fg.subtitle("Articles about everything")
    fg.link(href=f"{SITE}/", rel="alternate")
    fg.language("en")
    fg.author({"name": "Jane Doe", "email": "jane@example.com"})
    fg.generator("feeds", version="0.1.0", uri="https://example.com/feeds")
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for i, content in contents:
        when = start + timedelta(hours=i)
        url = f"{SITE}/posts/{i}.html"
        fe = fg.add_entry(order="append")
        fe.id(f"urn:uuid:{uuid5(NAMESPACE_URL, url)}")
        fe.guid(f"urn:uuid:{uuid5(NAMESPACE_URL, url)}", permalink=False)
        fe.title(f"Post {i} & friends")
        fe.link(href=url, rel="alternate")
        fe.published(when)
        fe.updated(when)
        fe.author({"name": "Jane Doe", "email": "jane@example.com"})
        fe.category(term="news", label="News", scheme=f"{SITE}/categories/")
        fe.summary(nh3.clean(content[:300]) + "…", type="html")
        fe.content(content, type="html")
        fe.media.thumbnail({"url": f"{SITE}/img/{i}.png", "width": "320", "height": "200"}, group=None)
        if kind == "rss":
            fe.enclosure(f"{SITE}/img/{i}.png", "12345", "image/png")
    fg.link(href=f"{SITE}/feeds/{number}/{kind}.xml", rel="self")
    return fg.atom_str(pretty=False) if kind == "atom" else fg.rss_str(pretty=False)


def site_documents(site: Path, site_url: str) -> list[tuple[str, bytes, str]]:
    """(path, bytes, location) of every feed of a site: a pickled list, or the feeds of a dist/ folder."""
    if site.is_file():
        with site.open("rb") as handle:
            return pickle.load(handle)  # a list the user made: trusted input
    documents = []
    for path in sorted(site.rglob("*.xml")):
        relative = path.relative_to(site).as_posix()
        documents.append((relative, path.read_bytes(), site_url + quote(relative)))
    return documents


def time_site(site: Path, site_url: str) -> float:
    """CPU seconds validate_bytes takes over every feed of the site, in this (fresh) process."""
    documents = site_documents(site, site_url)
    began = time.process_time()
    problems = sum(len(validate_bytes(data, path, location=location)) for path, data, location in documents)
    elapsed = time.process_time() - began
    print(f"{len(documents)} feeds, {sum(len(d) for _, d, _ in documents) / 1e6:.0f} MB, "
          f"{elapsed:.3f} s CPU, {problems} messages", file=sys.stderr)
    return elapsed


def baseline_package(root: Path) -> ModuleType:
    """Another checkout's validator (`root`/feeds/validate), importable beside this one, for A/B timing.

    The package is copied to a temporary folder under another name, its
    imports of itself renamed (it imports nothing else of feeds).
    """
    folder = Path(tempfile.mkdtemp(prefix="validate-baseline-"))
    copy = folder / "baseline_validate"
    shutil.copytree(root / "feeds" / "validate", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for module in copy.glob("*.py"):
        module.write_text(module.read_text(encoding="utf-8").replace("feeds.validate", "baseline_validate"),
                          encoding="utf-8")
    sys.path.insert(0, str(folder))
    return importlib.import_module("baseline_validate")


def time_site_in_process(site: Path, site_url: str, rounds: int, against: Path | None) -> None:
    """Best-of-`rounds` seconds for the site's feeds with the memo empty and full, and per distinct entry.

    With `against`, that checkout's validator is timed too, round by round in turn with this one.
    """
    documents = site_documents(site, site_url)
    versions = {"this": sys.modules["feeds.validate"]}
    if against is not None:
        versions["baseline"] = baseline_package(against)
    best: dict[str, list[float]] = {name: [float("inf")] * 3 for name in versions}
    checks: dict[str, list[tuple[object, ...]]] = {name: [] for name in versions}
    for round_number in range(rounds):
        for name, package in versions.items():
            memo = importlib.import_module(package.__name__ + ".fastpath")
            values = importlib.import_module(package.__name__ + ".html")
            check_entry = memo._check_entry

            def recording(*args: object, _into: list[tuple[object, ...]] = checks[name],
                          _check: Callable[..., object] = check_entry) -> object:
                _into.append(args)
                return _check(*args)

            memo._memo.clear()
            values._cache.clear()
            values._utf8_cache.clear()
            memo._check_entry = recording if round_number == 0 else check_entry
            for column in (0, 1):  # memo empty, then full
                fresh = [(path, bytes(bytearray(data)), location) for path, data, location in documents]
                gc.collect()
                began = time.perf_counter()
                for path, data, location in fresh:
                    package.validate_bytes(data, path, location=location)
                best[name][column] = min(best[name][column], time.perf_counter() - began)
                memo._check_entry = check_entry
            values._cache.clear()
            values._utf8_cache.clear()
            gc.collect()
            began = time.perf_counter()
            for args in checks[name]:
                check_entry(*args)
            best[name][2] = min(best[name][2], (time.perf_counter() - began) / max(1, len(checks[name])))
    print(f"{len(documents)} feeds, {sum(len(d) for _, d, _ in documents) / 1e6:.0f} MB, best of {rounds} rounds:")
    for name, (cold, warm, per_entry) in best.items():
        print(f"  {name:8}  memo empty {cold:.3f} s, memo full {warm:.3f} s; "
              f"{len(checks[name])} distinct entries, {per_entry * 1e6:.1f} us each checked on its own")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="/tmp/c10k", type=Path)
    parser.add_argument("--feeds", type=int, default=60, help="feeds of each format to build")
    parser.add_argument("--repeat", type=int, default=6, help="feeds each article appears in")
    parser.add_argument("--site", type=Path, help="time a whole site's feeds instead (see above)")
    parser.add_argument("--site-url", default="https://example.com/", help="the site's URL, for a dist/ folder")
    parser.add_argument("--runs", type=int, default=5, help="cold runs of --site, each in a fresh process")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)  # one run, in this process
    parser.add_argument("--in-process", action="store_true", help="time --site in this process (see above)")
    parser.add_argument("--against", type=Path, help="with --in-process: also time this checkout's validator")
    args = parser.parse_args()
    if args.site is not None and args.in_process:
        time_site_in_process(args.site, args.site_url, args.runs, args.against)
        return
    if args.site is not None:
        if args.once:
            print(f"{time_site(args.site, args.site_url):.6f}")
            return
        command = [sys.executable, __file__, "--site", str(args.site), "--site-url", args.site_url, "--once"]
        seconds = [float(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
                   for _ in range(args.runs)]
        print(f"validate_bytes over the site, cold: median {statistics.median(seconds):.3f} s CPU "
              f"(runs: {', '.join(f'{s:.3f}' for s in seconds)})")
        return
    step = max(1, 20 // args.repeat)
    texts = list(enumerate(bodies(args.corpus, args.feeds * step + 20)))
    # Feed k holds articles k*step .. k*step+19: each article is in ~`repeat` feeds,
    # as an article is in the site, category, tag and author feeds of a real site.
    feeds = [build_one(texts[k * step:k * step + 20], k, kind) for k in range(args.feeds) for kind in ("atom", "rss")]
    size = sum(map(len, feeds)) / len(feeds)
    for label in ("as in generate (entries repeat across feeds)", "all entries seen before"):
        began = time.perf_counter()
        problems = sum(len(validate_bytes(doc, "bench")) for doc in feeds)
        elapsed = time.perf_counter() - began
        per_feed = elapsed / len(feeds) * 1000
        print(f"{label}: {len(feeds)} feeds, mean {size / 1024:.0f} KB, {per_feed:.2f} ms/feed, "
              f"{per_feed * 125 * 1024 / size:.2f} ms per 125 KB, {problems} messages")
    html._cache.clear()
    html._utf8_cache.clear()
    fastpath._memo.clear()
    began = time.perf_counter()
    for doc in feeds:
        _validate_whole(doc, "bench", None, None)
    elapsed = time.perf_counter() - began
    per_feed = elapsed / len(feeds) * 1000
    print(f"whole-document path only (no entry memo), cold: {per_feed:.2f} ms/feed, "
          f"{per_feed * 125 * 1024 / size:.2f} ms per 125 KB")


if __name__ == "__main__":
    main()
