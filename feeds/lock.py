"""One run at a time per output folder, with a lock the kernel drops for us.

The lock is an `flock` on a file inside the output's state folder. Because the
kernel releases it when the holding process dies (even by SIGKILL), a lock
left behind by a killed run never blocks the next one: there is no stale-lock
clean-up to get wrong. The file itself is left in place on purpose (removing
it would let two runs lock two different inodes).
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from feeds.errors import FeedsError


class LockTimeout(FeedsError):
    """Another run still held the lock when our wait ran out."""

    def __init__(self, path: Path, waited: float, holder: str | None) -> None:
        who = f" (held by {holder})" if holder else ""
        super().__init__(
            f"another feeds run is still working on this output{who}; gave up after waiting "
            f"{waited:g} s (lock file {path}). Try again later or raise --wait."
        )
        self.path = path
        self.holder = holder


def _holder(fd: int) -> str | None:
    """What the holder wrote into the lock file (pid and start time), for the message."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 200).decode("utf-8", "replace").strip()
    except OSError:
        return None
    return text or None


@contextmanager
def run_lock(path: Path, wait: float, poll: float = 0.05) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the duration of the block.

    Waits up to `wait` seconds for a concurrent run to finish, then raises
    LockTimeout. `wait=0` means try once.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    _held.add(fd)
    try:
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockTimeout(path, wait, _holder(fd)) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        _held.discard(fd)
        os.close(fd)


# A forked worker shares the lock's open file description: were the run
# killed, the lock would live on until its last orphaned worker exits. So
# children drop their copy at once; the lock stays with the run itself.
_held: set[int] = set()


def _drop_in_child() -> None:
    for fd in _held:
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_drop_in_child)
