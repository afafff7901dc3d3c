"""Write a run's output into the output folder so that no reader ever sees a broken file.

The only module that writes into `out/`. Guarantees:
- every file is written to a temporary file in its own folder, flushed and
  fsynced, then renamed over the old one: a reader (or a crash, even
  SIGKILL) sees the complete old or the complete new version;
- bytes equal to what is on disk are not written (the modification time
  stays, so HTTP caches and conditional requests keep working);
- feeds remembers what it wrote in `out/.feeds-manifest.json` and only ever
  removes files listed there: files it did not write are left alone; folders
  it created are removed once empty;
- the manifest lists old ∪ new before any file is touched and only the new
  set once stale files are gone, so a killed run never loses track of a file;
  temporary files a killed run left behind are deleted by the next run;
- nothing is written outside `out/`: paths are checked and a symlink that
  leads out of it is refused.
One run at a time: hold `exclusive(out)` around the whole run.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from feeds.errors import PublishError

MANIFEST = ".feeds-manifest.json"
LOCK = ".feeds-lock"
_TMP_SUFFIX = ".feeds-tmp"
_TMP_NAME = re.compile(r"^\..+\.feeds-tmp$")
_MANIFEST_FORMAT = 1
_WRITERS = 8  # fsync waits on the disk, not the CPU: overlap them


@dataclass(frozen=True)
class PublishReport:
    """What one `publish` did, as sorted relative POSIX paths."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class _Record:
    """What feeds knows about a file it manages. `size` -1: not written yet (never matches a stat)."""

    sha256: str
    size: int = -1
    mtime_ns: int = -1
    ctime_ns: int = -1
    ino: int = -1

    def matches(self, st: os.stat_result) -> bool:
        return (
            stat.S_ISREG(st.st_mode)
            and st.st_size == self.size
            and st.st_mtime_ns == self.mtime_ns
            and st.st_ctime_ns == self.ctime_ns
            and st.st_ino == self.ino
        )

    @staticmethod
    def of(digest: str, st: os.stat_result) -> "_Record":
        return _Record(digest, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass(frozen=True)
class _Manifest:
    files: Mapping[str, _Record]
    dirs: frozenset[str]


# ------------------------------------------------------------------ public


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second run at the same time gets a PublishError."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(str(out), "another feeds run is writing into this folder") from None
        yield
    finally:
        os.close(fd)


def publish(out: Path, files: Mapping[str, bytes], *, keep: Collection[str] = ()) -> PublishReport:
    """Make `out` hold exactly `files` (plus `keep`, untouched), safely.

    `files`: every output of this run, relative POSIX path -> bytes.
    `keep`: paths feeds manages but must leave as they are this run (a feed
    that failed validation keeps its previous version).
    Everything else feeds wrote before and no longer produces is removed.
    """
    wanted = {_check_path(p): data for p, data in files.items()}
    kept = {_check_path(p) for p in keep}
    both = sorted(kept & wanted.keys())
    if both:
        raise PublishError(both[0], "a path cannot be both written and kept")
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = Path(os.path.realpath(out))
        return _publish(root, wanted, kept)
    except OSError as exc:
        raise PublishError(exc.filename or str(out), f"cannot write the output: {exc.strerror or exc}") from None


# ----------------------------------------------------------------- the run


def _publish(root: Path, wanted: Mapping[str, bytes], kept: set[str]) -> PublishReport:
    mode = _new_file_mode()
    manifest_bytes, old = _read_manifest(root)
    kept_records = {p: r for p, r in old.files.items() if p in kept}
    needed_dirs = {d for p in (*wanted, *kept_records) for d in _parents(p)}

    _remove_temp_files(root, {"", *old.dirs, *(d for p in (*old.files, *wanted) for d in _parents(p)[-1:])})

    # 1. Remember old ∪ new before touching anything (no stat yet for new paths).
    to_create = sorted(d for d in needed_dirs if not os.path.lexists(root / d))
    union_files = dict(old.files)
    for path in wanted.keys() - old.files.keys():
        union_files[path] = _Record("")  # not on disk yet: no stat can match, bytes decide
    union = _Manifest(union_files, old.dirs | set(to_create))
    if union.files.keys() != old.files.keys() or union.dirs != old.dirs:
        manifest_bytes = _write_manifest(root, union, manifest_bytes, mode)

    # 2. Folders, checked one component at a time; then the files.
    for d in sorted(needed_dirs, key=lambda d: d.count("/")):
        _ensure_dir(root, d)
    jobs = sorted(wanted.items())
    if len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
            results = list(pool.map(lambda job: _sync_file(root, *job, old.files.get(job[0]), mode), jobs))
    else:
        results = [_sync_file(root, path, data, old.files.get(path), mode) for path, data in jobs]

    # 3. Remove what is no longer produced, then folders feeds made that are now unused.
    removed: list[str] = []
    touched_dirs: set[str] = set()
    for path in sorted(old.files.keys() - wanted.keys() - kept):
        if _remove_file(root, path):
            removed.append(path)
            touched_dirs.add(_parents(path)[-1] if "/" in path else "")
    owned = set(old.dirs) | set(to_create)
    for d in sorted(owned - needed_dirs, key=lambda d: -d.count("/")):
        if _remove_dir(root, d):
            owned.discard(d)
            touched_dirs.add(d.rpartition("/")[0])
    for d in sorted(touched_dirs):
        _fsync_dir(root / d)

    # 4. Remember only what is there now.
    final_files = dict(kept_records)
    final_files.update({path: record for path, _, record in results})
    final = _Manifest(final_files, frozenset(d for d in owned if _is_dir(root, d)))
    _write_manifest(root, final, manifest_bytes, mode)

    written = tuple(path for path, was_written, _ in results if was_written)
    unchanged = tuple(path for path, was_written, _ in results if not was_written)
    return PublishReport(written, unchanged, tuple(removed))


# -------------------------------------------------------------- one file


def _sync_file(
    root: Path, path: str, data: bytes, record: _Record | None, new_mode: int
) -> tuple[str, bool, _Record]:
    """Make `root/path` hold `data`; returns (path, whether it was written, its new record)."""
    target = root / path
    digest = _digest(data)
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode) and st.st_size == len(data):
        if record is not None and record.sha256 == digest and record.matches(st):
            return path, False, record
        if target.read_bytes() == data:
            return path, False, _Record.of(digest, st)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise PublishError(path, "a folder is in the way of this output file")
    mode = stat.S_IMODE(st.st_mode) if st is not None and stat.S_ISREG(st.st_mode) else new_mode
    _atomic_write(target, data, mode)
    return path, True, _Record.of(digest, os.lstat(target))


def _atomic_write(target: Path, data: bytes, mode: int) -> None:
    """Temp file in the same folder, data fsynced, then renamed over `target`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_TMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _new_file_mode() -> int:
    """rw for everyone the umask allows (mkstemp's 0600 would hide feeds from the web server).

    Reading the umask means setting it: done once per publish, before any writer thread starts.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _remove_file(root: Path, path: str) -> bool:
    target = root / path
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(st.st_mode):
        return False  # someone put a folder there: not ours to delete
    if not _inside(root, target.parent):
        return False
    target.unlink()
    return True


def _remove_dir(root: Path, d: str) -> bool:
    """Remove a folder feeds created if it is empty; True when it is gone."""
    target = root / d
    try:
        if os.path.islink(target) or not _inside(root, target.parent):
            return False
        os.rmdir(target)
        return True
    except FileNotFoundError:
        return True
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
            return False
        raise


def _remove_temp_files(root: Path, dirs: Collection[str]) -> None:
    """Delete temporary files a killed run left in folders feeds writes to."""
    for d in sorted(dirs):
        folder = root / d
        if not _is_dir(root, d):
            continue
        with os.scandir(folder) as entries:
            stale = [e.path for e in entries if _TMP_NAME.match(e.name) and e.is_file(follow_symlinks=False)]
        for p in stale:
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass


# ---------------------------------------------------------------- paths


def _check_path(path: str) -> str:
    """A relative POSIX path that stays inside the output folder, or PublishError."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\x00" in path
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise PublishError(path, "not a safe relative path inside the output folder")
    if parts[0] in (MANIFEST, LOCK) or _TMP_NAME.match(parts[-1]):
        raise PublishError(path, "this name is reserved for feeds' own bookkeeping")
    return path


def _parents(path: str) -> list[str]:
    """'a/b/c.xml' -> ['a', 'a/b'] (shallowest first)."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _inside(root: Path, path: Path) -> bool:
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root) + os.sep)


def _is_dir(root: Path, d: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(root / d).st_mode) if d else True
    except (FileNotFoundError, NotADirectoryError):
        return False


def _ensure_dir(root: Path, d: str) -> None:
    """Create folder `d` (its parent exists); refuse a symlink leading out of `root`."""
    target = root / d
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        os.mkdir(target)
        return
    if stat.S_ISLNK(st.st_mode):
        if not _inside(root, target) or not target.is_dir():
            raise PublishError(d, "is a symbolic link leading outside the output folder")
    elif not stat.S_ISDIR(st.st_mode):
        raise PublishError(d, "a file is in the way of this output folder")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------- manifest


def _read_manifest(root: Path) -> tuple[bytes | None, _Manifest]:
    """The manifest's bytes and content; a missing or unreadable one counts as empty."""
    try:
        raw = (root / MANIFEST).read_bytes()
    except FileNotFoundError:
        return None, _Manifest({}, frozenset())
    try:
        data = json.loads(raw)
        if data.get("format") != _MANIFEST_FORMAT:
            raise ValueError("unknown manifest format")
        files = {}
        for path, rec in data["files"].items():
            files[_check_path(path)] = _Record(
                str(rec["sha256"]), int(rec["size"]), int(rec["mtime_ns"]), int(rec["ctime_ns"]), int(rec["ino"])
            )
        dirs = frozenset(d for d in data["dirs"] if _check_path(d))
    except (ValueError, KeyError, TypeError, AttributeError, PublishError):
        # Not ours or damaged by hand: forget it rather than stop publishing for ever.
        # The files it listed are then left alone, never deleted.
        return raw, _Manifest({}, frozenset())
    return raw, _Manifest(files, dirs)


def _manifest_bytes(manifest: _Manifest) -> bytes:
    data = {
        "format": _MANIFEST_FORMAT,
        "note": "files and folders written by feeds; only these are ever removed by it",
        "files": {
            path: {"sha256": r.sha256, "size": r.size, "mtime_ns": r.mtime_ns, "ctime_ns": r.ctime_ns, "ino": r.ino}
            for path, r in sorted(manifest.files.items())
        },
        "dirs": sorted(manifest.dirs),
    }
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def _write_manifest(root: Path, manifest: _Manifest, current: bytes | None, mode: int) -> bytes:
    """Write the manifest atomically unless it already holds these bytes; returns them."""
    data = _manifest_bytes(manifest)
    if data != current:
        _atomic_write(root / MANIFEST, data, mode)
        _fsync_dir(root)
    return data
