#!/usr/bin/env python3
"""Time FeedRenderer over every feed of a run, and check its bytes against a reference.

    python tools/render_speed.py [--specs /tmp/specs.pkl] [--repeat 7]
    python tools/render_speed.py --save-reference /tmp/render_ref.pkl
    python tools/render_speed.py --check /tmp/render_ref.pkl
    python tools/render_speed.py --profile [--sort tottime]

SPECS is a pickled (specs, digests) tuple: the FeedSpecs of a run with
completed articles (e.g. the 582 feeds of the 10k corpus). One measurement
is a fresh FeedRenderer rendering Atom then RSS for every spec, as a worker
of `feeds generate` does; each one runs in its own process so no cache,
warmed allocator or garbage-collector state carries over from the one
before. Prints wall and CPU seconds of every run and their medians (the
machine is shared and noisy: CPU time is the steadier of the two).
A measurement script, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feeds.config import make_config  # noqa: E402
from feeds.render import FeedRenderer  # noqa: E402


def load_specs(path: str) -> list:
    with open(path, "rb") as f:
        specs, _digests = pickle.load(f)
    return specs


def render_every_feed(specs: list) -> list[bytes]:
    config = make_config({"site_url": "https://example.com/"})
    renderer = FeedRenderer(config, specs)
    out = []
    for spec in specs:
        out.append(renderer.atom(spec))
        out.append(renderer.rss(spec))
    return out


def once(specs_path: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; CPU time is the steadier figure on a busy machine."""
    specs = load_specs(specs_path)
    wall, cpu = time.perf_counter(), time.process_time()
    render_every_feed(specs)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--specs", default="/tmp/specs.pkl")
    ap.add_argument("--repeat", type=int, default=7, help="measurements, each in a fresh process")
    ap.add_argument("--once", action="store_true", help="one measurement in this process, seconds on stdout")
    ap.add_argument("--save-reference", metavar="PATH", help="pickle every document's bytes to PATH")
    ap.add_argument("--check", metavar="PATH", help="compare every document with the bytes pickled in PATH")
    ap.add_argument("--profile", action="store_true", help="cProfile one run")
    ap.add_argument("--sort", default="tottime")
    ap.add_argument("--lines", type=int, default=35)
    args = ap.parse_args()

    if args.once:
        print("%.4f %.4f" % once(args.specs))
        return 0
    if args.save_reference or args.check:
        documents = render_every_feed(load_specs(args.specs))
        if args.save_reference:
            with open(args.save_reference, "wb") as f:
                pickle.dump(documents, f, protocol=pickle.HIGHEST_PROTOCOL)
            print(f"{len(documents)} documents, {sum(map(len, documents)) / 1e6:.1f} MB saved to {args.save_reference}")
            return 0
        with open(args.check, "rb") as f:
            reference = pickle.load(f)
        if len(reference) != len(documents):
            print(f"DIFFERENT: {len(documents)} documents, reference has {len(reference)}")
            return 1
        different = [i for i, (a, b) in enumerate(zip(documents, reference)) if a != b]
        if different:
            print(f"DIFFERENT: {len(different)} of {len(documents)} documents, first at index {different[0]}")
            return 1
        print(f"identical: {len(documents)} documents, {sum(map(len, documents)) / 1e6:.1f} MB")
        return 0
    if args.profile:
        specs = load_specs(args.specs)
        profiler = cProfile.Profile()
        profiler.runcall(render_every_feed, specs)
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
        return 0

    walls, cpus = [], []
    for _ in range(args.repeat):
        run = subprocess.run(
            [sys.executable, __file__, "--once", "--specs", args.specs], capture_output=True, text=True, check=True
        )
        wall, cpu = map(float, run.stdout.split())
        walls.append(wall)
        cpus.append(cpu)
    for name, times in (("wall", walls), ("cpu", cpus)):
        runs = " ".join(f"{t:.3f}" for t in times)
        print(f"{name:4s} median {statistics.median(times):.3f} s  min {min(times):.3f} s  runs: {runs}")
    print(f"({args.repeat} runs, each in a fresh process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
