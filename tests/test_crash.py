"""SIGKILL at any moment: every feed is the complete old version or the complete new one.

Runs `feeds generate` as a real process on a changed site, kills it at many
random moments, and checks what a web server would serve from dist/ at that
instant: each published file must be byte-for-byte the previous run's or the
next run's, and valid. A run after the kill must then finish the job.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from feeds.validate import validate_bytes
from tests.site_corpus import REPO, article_text, write_corpus

SITE = "https://example.com/"


def published(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*")
            if p.is_file() and ".feeds" not in p.relative_to(dist).parts and not p.name.endswith(".feeds-tmp")}


def command(articles: Path, dist: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "feeds", "generate", "--articles", str(articles), "--out", str(dist),
            "--site-url", SITE, "--quiet", "--wait", "30", *extra]


def run(articles: Path, dist: Path, *extra: str) -> None:
    subprocess.run(command(articles, dist, *extra), check=True, cwd=REPO)


def no_survivors(group: int) -> bool:
    """True once no live process of the killed run's process group is left (workers die with the run).

    Zombies do not count: they run nothing and hold nothing, and whether they
    are reaped at once depends on this machine's init.
    """
    for _ in range(100):
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            state, pgrp = fields[0], int(fields[2])
            if pgrp == group and state != "Z":
                alive.append(entry.name)
        if not alive:
            return True
        time.sleep(0.02)
    return False


def change_site(articles: Path) -> None:
    """A busy day: many titles edited, some articles gone, new ones in new categories."""
    for i in range(0, 150, 3):
        (articles / f"{i:04d}.md").write_text(article_text(i, title=f"修订 {i} revised"), encoding="utf-8")
    for i in range(1, 150, 10):
        (articles / f"{i:04d}.md").unlink()
    for i in range(150, 170):
        (articles / f"{i:04d}.md").write_text(article_text(i, category=("新栏目", f"来源{i % 4}", "快讯")),
                                              encoding="utf-8")


def test_sigkill_at_random_moments_never_leaves_a_torn_or_invalid_feed(tmp_path: Path) -> None:
    old_articles = write_corpus(tmp_path / "old", 150)
    new_articles = tmp_path / "new"
    shutil.copytree(old_articles, new_articles)
    change_site(new_articles)

    old_dist, new_dist = tmp_path / "old-dist", tmp_path / "new-dist"
    run(old_articles, old_dist)
    run(new_articles, new_dist, "--no-cache")
    old, new = published(old_dist), published(new_dist)
    assert old.keys() != new.keys() and any(old[p] != new[p] for p in old.keys() & new.keys())
    for version in (old, new):  # both complete versions are valid, so "old or new" means "valid"
        for path, data in version.items():
            if path.endswith(".xml"):
                assert validate_bytes(data, path, location=SITE + quote(path)) == [], path

    durations = []  # how long the very run we are going to kill takes, from the same starting point
    for k in range(2):
        shutil.copytree(old_dist, tmp_path / f"timing-{k}", symlinks=True)
        start = time.monotonic()
        run(new_articles, tmp_path / f"timing-{k}")
        durations.append(time.monotonic() - start)
    full = min(durations)

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    kills = 0
    for attempt in range(14):
        dist = tmp_path / f"dist-{attempt}"
        shutil.copytree(old_dist, dist, symlinks=True)
        proc = subprocess.Popen(command(new_articles, dist), cwd=REPO, start_new_session=True)
        time.sleep(rng.uniform(0.05, 0.9) * full)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        kills += code == -signal.SIGKILL
        assert no_survivors(proc.pid), f"attempt {attempt}: worker processes outlived the killed run"
        for path, data in published(dist).items():
            assert data in (old.get(path), new.get(path)), f"seed {seed}, attempt {attempt}: {path} is torn"
        run(new_articles, dist)  # the next cron run finishes the job
        assert published(dist) == new, f"seed {seed}, attempt {attempt}: next run did not converge"
    assert kills >= 8, f"seed {seed}: only {kills} of 14 runs were still running when killed (a run takes {full:.2f} s)"
