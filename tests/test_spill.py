"""The run's entry spill: entries written by forked processes are read back whole by others."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from feeds.spill import EntrySpill, Place

spill: EntrySpill | None = None


def made_by_a_worker(n: int) -> dict[str, Place]:
    assert spill is not None
    return spill.put({f"{n}-{k}.md": (f"<entry>{n}/{k} 华为</entry>".encode() * (k + 1), f"<item>{n}/{k}</item>".encode())
                      for k in range(20)})


@pytest.fixture(params=["memfd", "temporary file"])
def kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of keeping the spill: anonymous memory (Linux), a nameless file in the state folder."""
    if request.param == "temporary file":
        monkeypatch.delattr(os, "memfd_create", raising=False)
    elif not hasattr(os, "memfd_create"):
        pytest.skip("no memfd_create here")
    return str(request.param)


def test_entries_put_by_several_processes_come_back_whole_and_leave_no_file(tmp_path: Path, kind: str) -> None:
    global spill
    spill = EntrySpill(tmp_path)
    try:
        with multiprocessing.get_context("fork").Pool(3) as pool:
            places: dict[str, Place] = {}
            for made in pool.imap_unordered(made_by_a_worker, range(12)):
                places.update(made)
        assert len(places) == 12 * 20
        for source, place in places.items():
            n, k = map(int, source.removesuffix(".md").split("-"))
            assert spill.get(place) == (f"<entry>{n}/{k} 华为</entry>".encode() * (k + 1), f"<item>{n}/{k}</item>".encode())
        assert os.listdir(tmp_path) == []  # nameless: nothing to clean up after a killed run
    finally:
        spill.close()
        spill = None


def test_an_empty_pair_and_an_empty_batch_are_fine(tmp_path: Path, kind: str) -> None:
    store = EntrySpill(tmp_path)
    try:
        assert store.put({}) == {}
        (place,) = store.put({"a.md": (b"", b"<item/>")}).values()
        assert store.get(place) == (b"", b"<item/>")
    finally:
        store.close()
