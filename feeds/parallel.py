"""Spreading a run's work over the cores: forked worker pools and balanced parts.

Workers are forked, so they inherit the run's state (configuration, feeds)
instead of having it pickled, and they never outlive a run that was killed.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence, TypeVar

from feeds.model import FeedSpec

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], items: Sequence[T], jobs: int, chunk: int) -> Iterator[R]:
    """func over items on `jobs` forked processes; in-process when the work is small or jobs is 1."""
    if jobs <= 1 or len(items) < 2 * chunk:
        return map(func, items)
    import gc
    import multiprocessing

    # The workers inherit the run's objects (every article's listing...): frozen,
    # the collector of a worker never walks them, which would also copy every
    # page they sit on into the worker (copy-on-write).
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(min(jobs, (len(items) + chunk - 1) // chunk),
                                                    initializer=_die_with_run, initargs=(os.getpid(),))

    def results() -> Iterator[R]:
        try:
            yield from pool.imap_unordered(func, items, chunksize=chunk)
        finally:
            pool.terminate()
            pool.join()
            gc.unfreeze()

    return results()


def _die_with_run(run_pid: int) -> None:
    """Pool initializer: a worker must not outlive a run that was killed (Linux: PR_SET_PDEATHSIG).

    Otherwise a worker in the middle of a long task would go on after the
    run died, burning CPU that the next cron run needs.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != run_pid:  # the run died before we asked
        os._exit(1)


# CPU cost of a render part, in milliseconds, fitted on the benchmark corpus
# at 10,000 and 50,000 articles: per feed (two shells, two skeleton checks,
# two files staged) and per distinct article in the part (its body rendered,
# two entries built and validated once); an entry repeated in another feed
# of the same part costs next to nothing.
_COST_FEED, _COST_ARTICLE = 1.3, 0.95

# Below this much work, one process renders everything: forking workers that
# must each import the renderer and the validator costs more than it saves.
_PARALLEL_FROM_MS = 400.0


def split_feeds(indices: list[int], specs: list[FeedSpec], jobs: int) -> list[list[int]]:
    """One contiguous run of feeds per process, of about equal cost.

    Contiguous, because neighbours share articles (a category, its children,
    its parent), and each process renders a body, serialises and validates
    an entry once for all the feeds of its run; one run per process, because
    every extra boundary means that work done twice. The cost counts each
    article once per part, which is what a part really pays. Two parts (the
    usual case, two cores) are cut at the best place; more are cut greedily.
    A small run (a few feeds changed) is one part: not worth a fork.
    """
    if not indices:
        return []
    count = max(1, min(jobs, len(indices)))
    if count == 1:
        return [list(indices)]

    def costs(order: list[int]) -> list[float]:
        """Cost of order[:k] for every k."""
        seen: set[str] = set()
        out = [0.0]
        for n, i in enumerate(order, 1):
            seen.update(a.source for a in specs[i].articles)
            out.append(_COST_FEED * n + _COST_ARTICLE * len(seen))
        return out

    left = costs(indices)
    if left[-1] < _PARALLEL_FROM_MS:
        return [list(indices)]
    if count == 2:
        right = costs(indices[::-1])[::-1]
        cut = min(range(1, len(indices)), key=lambda k: max(left[k], right[k]))
        return [indices[:cut], indices[cut:]]
    share = left[-1] / count
    parts: list[list[int]] = [[]]
    in_part: set[str] = set()
    for i in indices:
        if parts[-1] and _COST_FEED * len(parts[-1]) + _COST_ARTICLE * len(in_part) >= share and len(parts) < count:
            parts.append([])
            in_part = set()
        in_part.update(a.source for a in specs[i].articles)
        parts[-1].append(i)
    return parts
