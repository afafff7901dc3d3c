"""How the feeds of a run are split between processes (parallel.split_feeds): contiguous, complete, balanced by real cost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import feeds.parallel

from feeds.model import FeedKind, FeedSpec, Listing
from feeds.parallel import _COST_ARTICLE, _COST_FEED, split_feeds

WHEN = datetime(2022, 6, 17, tzinfo=UTC)


def feed(name: str, sources: list[str]) -> FeedSpec:
    return FeedSpec(FeedKind.CATEGORY, (name,), (name,), tuple(Listing(s, WHEN, WHEN) for s in sources))


def cost(part: list[int], specs: list[FeedSpec]) -> float:
    return _COST_FEED * len(part) + _COST_ARTICLE * len({a.source for i in part for a in specs[i].articles})


@pytest.fixture()
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split even small examples (a real run keeps little work in one process)."""
    monkeypatch.setattr(feeds.parallel, "_PARALLEL_FROM_MS", 0.0)


@pytest.mark.usefixtures("any_size")
def test_two_parts_are_contiguous_cover_every_feed_and_are_cut_at_the_best_place() -> None:
    # a heavy family of feeds sharing the same 20 articles, then many light ones with their own
    specs = [feed(f"a{i}", [f"x{k}" for k in range(20)]) for i in range(10)]
    specs += [feed(f"b{i}", [f"y{i}-{k}" for k in range(3)]) for i in range(20)]
    indices = list(range(len(specs)))
    left, right = split_feeds(indices, specs, 2)
    assert left + right == indices
    best = min(max(cost(indices[:k], specs), cost(indices[k:], specs)) for k in range(1, len(indices)))
    assert max(cost(left, specs), cost(right, specs)) == best


def test_one_job_one_feed_or_little_work_is_one_part_and_no_feed_is_no_part() -> None:
    specs = [feed(f"c{i}", [f"z{i}-{k}" for k in range(20)]) for i in range(40)]
    assert split_feeds(list(range(40)), specs, 1) == [list(range(40))]
    assert split_feeds([2], specs, 2) == [[2]]
    assert split_feeds([], specs, 2) == []
    assert split_feeds([0, 1, 2, 3], specs, 2) == [[0, 1, 2, 3]]  # ~80 ms of work: not worth a fork


@pytest.mark.usefixtures("any_size")
def test_more_processes_get_contiguous_parts_of_similar_cost() -> None:
    specs = [feed(f"d{i}", [f"w{i}-{k}" for k in range(5)]) for i in range(40)]
    parts = split_feeds(list(range(40)), specs, 4)
    assert [i for p in parts for i in p] == list(range(40))
    assert len(parts) == 4
    loads = [cost(p, specs) for p in parts]
    assert max(loads) - min(loads) <= _COST_FEED + 5 * _COST_ARTICLE
