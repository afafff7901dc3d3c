#!/usr/bin/env python3
"""Benchmark feeds on a synthetic corpus: cold, warm (nothing changed) and one article changed.

    python3 bench/selfbench.py --n 10000 [--runs 3] [--jobs N] [--peers hugo]

Speed is measured here, never in unit tests: the machine is shared and noisy, so
read the ratios within one run (warm/cold, changed/cold, feeds/Hugo), not the
absolute seconds. The corpus comes from ../shared/bench/corpus.py (the same
generator the peer benchmark uses) and is made once per size in
$SELFBENCH_WORK (default /tmp/feeds-selfbench).

Each measured run is `python -m feeds generate --quiet` in a child process;
wall time is taken around it and peak RSS from wait4() (the child and every
process it waited for). A warm run must write no file: the script checks the
output folder's file modification times before and after.

The package is byte-compiled first, as an installed one is.

`--peers hugo` (or any of the peer names) also runs ../shared/bench/run.sh on
the same N with our tool included, so that the cold figures can be compared
with the peers measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench"
SITE_URL = "https://example.com/"
STATE_DIR = ".feeds"


@dataclass
class Run:
    kind: str
    wall: float
    peak_mb: float
    returncode: int
    written: int


def make_corpus(n: int, work: Path, seed: int) -> Path:
    corpus = work / str(n) / "corpus"
    stamp = corpus / ".complete"
    if stamp.exists():
        return corpus
    generator = SHARED_BENCH / "corpus.py"
    if not generator.exists():
        sys.exit(f"selfbench: {generator} not found; it needs ../shared beside the project")
    shutil.rmtree(corpus, ignore_errors=True)
    subprocess.run([sys.executable, str(generator), "--n", str(n), "--out", str(corpus), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)
    stamp.touch()
    return corpus


def snapshot(out: Path) -> dict[str, int]:
    """mtime_ns of every published file (the state folder is ours, not published)."""
    found: dict[str, int] = {}
    if not out.exists():
        return found
    for dirpath, dirnames, filenames in os.walk(out):
        dirnames[:] = [d for d in dirnames if d != STATE_DIR]
        for name in filenames:
            path = os.path.join(dirpath, name)
            found[path] = os.stat(path).st_mtime_ns
    return found


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"  run exited {code}: {err.strip()[-500:]}", file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, code


def newest_article(out: Path) -> str:
    """File stem of the site feed's newest entry: the article most feeds show (the costly case)."""
    text = (out / "atom.xml").read_text(encoding="utf-8")
    entry = text[text.index("<entry>"):]
    href = re.search(r'<link href="([^"]+)"', entry)
    assert href is not None, "no entry link in the site feed"
    return href.group(1).rstrip("/").rsplit("/", 1)[1]


def change_one(corpus: Path, out: Path, round_no: int) -> None:
    """Edit the newest article's title in place, as an author fixing a typo would."""
    target = corpus / f"{newest_article(out)}.md"
    lines = target.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("title:"):
            original = line.split("'", 1)[1].split(" [edit ", 1)[0].rstrip("'")
            lines[i] = f"title: '{original} [edit {round_no}]'"
            break
    target.write_text("\n".join(lines), encoding="utf-8")


def bench(n: int, runs: int, jobs: int | None, work: Path, seed: int) -> list[Run]:
    corpus = make_corpus(n, work, seed)
    out = work / str(n) / "out"
    cmd = [sys.executable, "-m", "feeds", "generate", "--articles", str(corpus), "--out", str(out),
           "--site-url", SITE_URL, "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # Byte-compile the package first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    # (common in containers) every run would otherwise compile every module again.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "feeds")], check=True,
                   stdout=subprocess.DEVNULL)
    results: list[Run] = []
    for r in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        wall, mb, code = timed(cmd, env)
        results.append(Run("cold", wall, mb, code, len(snapshot(out))))
        before = snapshot(out)
        wall, mb, code = timed(cmd, env)
        after = snapshot(out)
        changed = sum(1 for p, m in after.items() if before.get(p) != m) + len(set(before) - set(after))
        results.append(Run("warm", wall, mb, code, changed))
        change_one(corpus, out, r)
        before = after
        wall, mb, code = timed(cmd, env)
        after = snapshot(out)
        changed = sum(1 for p, m in after.items() if before.get(p) != m) + len(set(before) - set(after))
        results.append(Run("one-changed", wall, mb, code, changed))
        print(f"round {r + 1}: " + ", ".join(f"{x.kind} {x.wall:.2f}s {x.peak_mb:.0f}MB" for x in results[-3:]),
              file=sys.stderr)
    return results


def report(n: int, results: list[Run]) -> str:
    def med(kind: str) -> float:
        return statistics.median(r.wall for r in results if r.kind == kind)

    cold = med("cold")
    lines = [
        f"feeds on {n:,} articles, {os.cpu_count()} CPUs, median of {sum(r.kind == 'cold' for r in results)} rounds",
        "",
        "| run | median s | runs (s) | peak RSS MB | files written | ratio to cold |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for kind in ("cold", "warm", "one-changed"):
        rows = [r for r in results if r.kind == kind]
        lines.append(
            f"| {kind} | {med(kind):.2f} | {', '.join(f'{r.wall:.2f}' for r in rows)} | "
            f"{max(r.peak_mb for r in rows):.0f} | {max(r.written for r in rows)} | {med(kind) / cold:.3f} |"
        )
    bad = [r for r in results if r.returncode != 0]
    if bad:
        lines.append(f"\n{len(bad)} run(s) exited non-zero: the figures are not valid")
    return "\n".join(lines)


def peers(n: int, names: str, runs: int, seed: int) -> None:
    """Run the shared peer benchmark with our tool included, same N, same machine, same run."""
    env = dict(os.environ, FEEDS_CMD=f"{sys.executable} -m feeds",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run(["bash", str(SHARED_BENCH / "run.sh"), str(n), "--runs", str(runs), "--only", f"feeds,{names}",
                    "--seed", str(seed)], env=env, check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="articles in the corpus")
    ap.add_argument("--runs", type=int, default=3, help="rounds of cold/warm/one-changed")
    ap.add_argument("--jobs", type=int, default=None, help="passed to feeds --jobs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--peers", default="", help="also run ../shared/bench with these peers, e.g. hugo")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("SELFBENCH_WORK", "/tmp/feeds-selfbench")))
    a = ap.parse_args()
    results = bench(a.n, a.runs, a.jobs, a.work, a.seed)
    text = report(a.n, results)
    print(text)
    (a.work / str(a.n) / "selfbench.md").write_text(text + "\n")
    (a.work / str(a.n) / "selfbench.json").write_text(json.dumps([r.__dict__ for r in results], indent=1))
    if a.peers:
        peers(a.n, a.peers, a.runs, a.seed)


if __name__ == "__main__":
    main()
