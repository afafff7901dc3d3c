"""Spreading a run's work over the cores: forked worker pools and balanced parts.

Workers are forked, so they inherit the run's state (configuration, feeds)
instead of having it pickled, and they never outlive a run that was killed.
"""

from __future__ import annotations

import functools
import os
import pickle
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
            yield from pool.imap_unordered(functools.partial(_reported, func), items, chunksize=chunk)
        finally:
            pool.terminate()
            pool.join()
            gc.unfreeze()

    return results()


class WorkerFailed(RuntimeError):
    """An exception in a worker that could not be sent back as it was (it would not unpickle)."""


def _reported(func: Callable[[T], R], item: T) -> R:
    """func(item) in a worker, its exception made one the run can receive.

    An exception the run cannot unpickle does not fail the run: it leaves
    multiprocessing waiting for a result forever (a cron job that never ends).
    """
    try:
        return func(item)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise WorkerFailed(f"{type(exc).__name__}: {exc}") from None
        raise


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


# CPU cost in milliseconds, fitted on the benchmark corpus at 10,000 and
# 50,000 articles: making one article's entries (its body rendered, an entry
# serialised and checked per format), and putting feeds together from made
# entries, per feed (two shells, two skeleton checks, two files staged) and
# per entry it shows (a lookup in the validator's memo, a read).
_COST_ARTICLE = 0.65
_COST_FEED, _COST_ENTRY = 1.0, 0.04

# Below this much work, one process does it all: forking workers that must
# each import the renderer and the validator costs more than it saves.
_PARALLEL_FROM_MS = 400.0


def entry_batches(sources: list[str], jobs: int) -> list[list[str]]:
    """The articles whose entries a run makes, in batches for the processes to take in turn.

    Small enough that all processes finish together (and that a batch's
    entries are never many megabytes), big enough to share the cost of the
    document each batch is checked in; one batch (no fork) when the work is
    small.
    """
    if len(sources) * _COST_ARTICLE < _PARALLEL_FROM_MS:
        return [sources] if sources else []
    size = max(8, min(64, len(sources) // (max(jobs, 1) * 8)))
    return [sources[i:i + size] for i in range(0, len(sources), size)]


def split_feeds(indices: list[int], specs: list[FeedSpec], jobs: int) -> list[list[int]]:
    """The feeds to put together from made entries, in one run of about equal cost per process.

    One part per process, so that each flushes its files once when it is
    done; contiguous, so neighbours (which share entries) read them once.
    A small run (a few feeds changed) is one part: not worth a fork.
    """
    if not indices:
        return []
    costs = [_COST_FEED + _COST_ENTRY * len(specs[i].articles) for i in indices]
    total = sum(costs)
    count = max(1, min(jobs, len(indices)))
    if count == 1 or total < _PARALLEL_FROM_MS:
        return [list(indices)]
    parts: list[list[int]] = [[]]
    done = 0.0
    for i, cost in zip(indices, costs):
        if parts[-1] and done + cost / 2 > total * len(parts) / count and len(parts) < count:
            parts.append([])
        parts[-1].append(i)
        done += cost
    return parts
