"""How a run's work is split between processes (feeds.parallel).

Entries are made in batches that the processes take in turn; feeds are then
put together in one contiguous part per process, of about equal cost. Small
amounts of work stay in one process: forking is not free.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, strategies as st

import feeds.parallel

from feeds.model import FeedKind, FeedSpec, Listing
from feeds.parallel import _COST_ARTICLE, _COST_ENTRY, _COST_FEED, entry_batches, split_feeds

WHEN = datetime(2022, 6, 17, tzinfo=UTC)


def feed(name: str, sources: list[str]) -> FeedSpec:
    return FeedSpec(FeedKind.CATEGORY, (name,), (name,), tuple(Listing(s, WHEN, WHEN) for s in sources))


def cost(part: list[int], specs: list[FeedSpec]) -> float:
    return sum(_COST_FEED + _COST_ENTRY * len(specs[i].articles) for i in part)


@pytest.fixture()
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split even small examples (a real run keeps little work in one process)."""
    monkeypatch.setattr(feeds.parallel, "_PARALLEL_FROM_MS", 0.0)


@pytest.mark.usefixtures("any_size")
@given(sizes=st.lists(st.integers(0, 60), min_size=1, max_size=80), jobs=st.integers(2, 6))
def test_parts_are_contiguous_cover_every_feed_once_and_differ_by_at_most_one_feed(sizes: list[int], jobs: int) -> None:
    specs = [feed(f"f{i}", [f"a{i}-{k}" for k in range(n)]) for i, n in enumerate(sizes)]
    indices = list(range(len(specs)))
    parts = split_feeds(indices, specs, jobs)
    assert [i for p in parts for i in p] == indices
    assert all(parts) and len(parts) <= jobs
    heaviest = max(cost([i], specs) for i in indices)
    loads = [cost(p, specs) for p in parts]
    if len(parts) == min(jobs, len(indices)):
        assert max(loads) - min(loads) <= 2 * heaviest
    share = cost(indices, specs) / min(jobs, len(indices))
    assert max(loads) <= share + heaviest


def test_one_job_one_feed_or_little_work_is_one_part_and_no_feed_is_no_part() -> None:
    specs = [feed(f"c{i}", [f"z{i}-{k}" for k in range(20)]) for i in range(40)]
    assert split_feeds(list(range(40)), specs, 1) == [list(range(40))]
    assert split_feeds([2], specs, 2) == [[2]]
    assert split_feeds([], specs, 2) == []
    assert split_feeds([0, 1, 2, 3], specs, 2) == [[0, 1, 2, 3]]  # ~7 ms of work: not worth a fork


def test_entries_of_a_big_run_come_in_batches_every_article_once_in_order() -> None:
    sources = [f"{i:06d}.md" for i in range(5000)]
    for jobs in (1, 2, 8):
        batches = entry_batches(sources, jobs)
        assert [s for b in batches for s in b] == sources
        assert len(batches) >= 8 * jobs  # enough for the processes to finish together
        assert max(len(b) for b in batches) <= 64  # and each batch's document stays small


def test_a_few_articles_are_one_batch_made_in_the_run_itself() -> None:
    few = [f"{i}.md" for i in range(int(feeds.parallel._PARALLEL_FROM_MS / _COST_ARTICLE) - 1)]
    assert entry_batches(few, 2) == [few]
    assert entry_batches(few, 1) == [few]
    assert entry_batches([], 2) == []


class _NeedsTwoArguments(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")  # pickles as one argument: cannot be unpickled


def _fails_oddly(item: int) -> int:
    if item == 3:
        raise _NeedsTwoArguments("a.md", "broken")
    return item


def _fails_plainly(item: int) -> int:
    if item == 3:
        raise OSError(28, "No space left on device", "/full")
    return item


def test_a_worker_exception_always_reaches_the_run_instead_of_hanging_it() -> None:
    import signal

    from feeds.parallel import WorkerFailed, parallel_map

    signal.alarm(60)  # before the fix, multiprocessing waited forever for the result it could not unpickle
    try:
        with pytest.raises(WorkerFailed, match="_NeedsTwoArguments: a.md: broken"):
            list(parallel_map(_fails_oddly, list(range(8)), 2, 1))
        with pytest.raises(OSError, match="No space left") as caught:  # a picklable one arrives as it was
            list(parallel_map(_fails_plainly, list(range(8)), 2, 1))
        assert caught.value.filename == "/full"
        assert sorted(parallel_map(_fails_oddly, [0, 1, 2], 2, 1)) == [0, 1, 2]
    finally:
        signal.alarm(0)


def test_every_feeds_error_travels_between_processes_whole() -> None:
    import pickle

    from feeds.errors import ArticleError, ConfigError, PublishError, SegmentClashError

    errors = [ArticleError("a.md", "bad date", 4), ConfigError("bad limit", "feeds.yaml", 2),
              PublishError("dist/x", "No space left on device"),
              SegmentClashError("category", "AI", "ai", "ai", "a.md", "b.md"),
              SegmentClashError("category", "AI", "ai", "ai", "a.md", "b.md", folders=("categories/AI", "categories/ai"))]
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error) and vars(again) == vars(error)
