"""Runs on one output folder are serialised; a killed holder never blocks the next run."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from feeds.lock import LockTimeout, run_lock

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from feeds.lock import run_lock
    with run_lock(Path(sys.argv[1]), wait=0):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_run_gives_up_after_wait_and_names_holder(tmp_path: Path) -> None:
    lock = tmp_path / "state" / "lock"
    holder = hold_lock(lock, 30)
    try:
        with pytest.raises(LockTimeout) as info:
            with run_lock(lock, wait=0.2):
                pass
        assert f"pid {holder.pid}" in str(info.value)
        assert "--wait" in str(info.value)
    finally:
        holder.kill()
        holder.wait()


def test_waiting_run_proceeds_when_holder_finishes(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    holder = hold_lock(lock, 0.3)
    with run_lock(lock, wait=20):
        assert holder.poll() is not None or holder.wait(5) == 0
    holder.wait()


def test_lock_of_killed_run_does_not_block(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    holder = hold_lock(lock, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock.exists()  # the file stays; the kernel dropped the lock
    start = time.monotonic()
    with run_lock(lock, wait=0):
        pass
    assert time.monotonic() - start < 5


def test_lock_is_reentrant_across_sequential_runs(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    for _ in range(3):
        with run_lock(lock, wait=0):
            pass


def test_forked_workers_do_not_keep_the_lock_of_a_killed_run(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    script = textwrap.dedent(
        """
        import os, sys, time
        from pathlib import Path
        from feeds.lock import run_lock
        with run_lock(Path(sys.argv[1]), wait=0):
            worker = os.fork()
            if worker == 0:         # a worker that outlives its run
                time.sleep(30)
                os._exit(0)
            print(worker, flush=True)
            time.sleep(30)
        """
    )
    run = subprocess.Popen([sys.executable, "-c", script, str(lock)], stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    worker = int(run.stdout.readline())
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    try:
        os.kill(worker, 0)  # the orphaned worker is still alive...
        with run_lock(lock, wait=2):  # ...yet the lock is free
            pass
    finally:
        os.kill(worker, signal.SIGKILL)
