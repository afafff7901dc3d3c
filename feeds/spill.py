"""A run's serialised entries, kept in a nameless file its forked processes share.

The processes that serialise entries are not the ones that put them into
feeds (see workers.py). Handed through the run's own memory, every entry of
the run would sit in it at once (76 MB at 10,000 articles, 117 MB at
50,000); in a shared file each process reads back only the entries it uses,
when it uses them. On Linux the file is anonymous memory (memfd_create): it
is never written to disk, so flushing the output folder before the renames
(syncfs) does not write it too. Elsewhere it is a temporary file in the
output's state folder. Either way it has no name, so it goes with the run,
even one that is killed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

Place = tuple[int, int, int]
"""Where one article's entries are: (offset, length of the Atom entry, length of the RSS item)."""


class EntrySpill:
    """Append-only store of (Atom entry, RSS item) pairs, shared by the processes forked after it is made."""

    def __init__(self, folder: Path) -> None:
        import multiprocessing

        if hasattr(os, "memfd_create"):
            self._fd = os.memfd_create("feeds-entries", os.MFD_CLOEXEC)
            self._file: Any = None
        else:
            self._file = tempfile.TemporaryFile(dir=folder)  # O_TMPFILE where the file system has it
            self._fd = self._file.fileno()
        # Appends take turns: each one writes at the end it finds.
        self._appending: Any = multiprocessing.get_context("fork").Lock()

    def put(self, entries: dict[str, tuple[bytes, bytes]]) -> dict[str, Place]:
        """Append a batch of entries in one write; where each one is."""
        blob = b"".join(part for pair in entries.values() for part in pair)
        with self._appending:
            start = os.fstat(self._fd).st_size
            _write_all(self._fd, blob, start)
        places = {}
        at = start
        for source, (atom, rss) in entries.items():
            places[source] = (at, len(atom), len(rss))
            at += len(atom) + len(rss)
        return places

    def get(self, place: Place) -> tuple[bytes, bytes]:
        """The entries stored at `place`."""
        offset, atom_length, rss_length = place
        data = os.pread(self._fd, atom_length + rss_length, offset)
        if len(data) != atom_length + rss_length:
            raise OSError(f"the run's entry file is shorter than written ({len(data)} bytes at {offset})")
        return data[:atom_length], data[atom_length:]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        else:
            os.close(self._fd)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written
