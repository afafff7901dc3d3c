"""The file-system edge of parsing: find article files and read their bytes.

Everything after this module works on `Source` values, so parsing can be tested
(and fuzzed) without files, and the pipeline decides when to touch the disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from feeds import STATE_DIR
from feeds.errors import ArticleError

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm"})

# A file bigger than this is certainly not a hand-written article; refusing it
# keeps a stray dump or disk image from exhausting memory in a cron job.
MAX_ARTICLE_BYTES = 32 * 1024 * 1024

# Names that editors, sync tools and Hexo itself use for files that are not
# (yet) articles: hidden files, Hexo's `_`-prefixed drafts and partials, Emacs
# `#autosave#` and `.#lock` files, Office/LibreOffice `~$lock` files.
_SKIPPED_PREFIXES = (".", "_", "#", "~")


@dataclass(frozen=True, slots=True)
class Source:
    """One article file's raw bytes plus what the parser needs from its stat.

    `path` is relative to the articles folder with POSIX separators: it names
    the file in messages and is the stable part of the derived id and link.
    """

    path: str
    data: bytes
    mtime: float
    size: int
    stat: tuple[int, int] | None = None  # (st_size, st_mtime_ns) when it was opened: what the cache compares


def _article_name(name: str) -> bool:
    """Whether a listed name (not skipped, so not starting with a dot) has an article suffix.

    The suffix as os.path.splitext gives it for such names, without its cost:
    this runs for every file of the folder on every run.
    """
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in ARTICLE_SUFFIXES


_by_path = itemgetter(0)  # of a (relative path, entry) pair


def _walk(root: Path) -> list[tuple[str, os.DirEntry[str]]]:
    """(relative POSIX path, directory entry) of every article file, in path order.

    Sorting by the relative POSIX path makes runs deterministic regardless of
    the order the file system lists entries. Symbolic links to folders are not
    followed (no loops); symbolic links to files are read like files. A
    subfolder holding `.feeds` is a feeds output folder (`--out` inside the
    articles): its index.html is not an article.
    """
    found: list[tuple[str, os.DirEntry[str]]] = []
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            if folder == str(root):
                raise
            continue  # an unreadable subfolder is not an article; skip it
        if prefix and any(entry.name == STATE_DIR for entry in entries):
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(_SKIPPED_PREFIXES):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{name}/"))
                    continue
                if not _article_name(name) or not entry.is_file():
                    continue
            except OSError:
                continue
            found.append((prefix + name, entry))
    found.sort(key=_by_path)
    return found


def list_article_files(root: Path) -> list[Path]:
    """Every article file under `root` (subfolders included), in path order."""
    return [Path(entry.path) for _, entry in _walk(root)]


def article_names(root: Path) -> list[str]:
    """The relative POSIX path of every article file, in path order, without a stat of each.

    For a run with nothing cached: it must read every file anyway, and takes
    their size and mtime from the open files instead.
    """
    return [rel for rel, _ in _walk(root)]


def stat_article_files(root: Path) -> list[tuple[str, int, int]]:
    """(relative POSIX path, size, mtime_ns) of every article file, in path order.

    What an incremental run compares with its cache: one stat per file from
    the directory scan, no Path objects (at 50,000 files they cost more than
    the stats themselves). A file that vanishes between listing and stat is
    simply not there.
    """
    if os.stat not in os.supports_dir_fd:
        return _stat_each(_walk(root))
    # os.stat(name, dir_fd=...) rather than entry.stat(): a quarter cheaper
    # (no full path to build and encode), and warm runs stat every file.
    found = []
    folders: dict[str, int] = {}  # folder path -> an open descriptor of it (-1: could not open)
    stat = os.stat
    try:
        for rel, entry in _walk(root):
            name = entry.name
            folder = entry.path[: -len(name) - 1]
            fd = folders.get(folder)
            if fd is None:
                try:
                    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                except OSError:
                    fd = -1
                folders[folder] = fd
            try:
                st = stat(name, dir_fd=fd) if fd >= 0 else entry.stat()
            except OSError:
                continue
            found.append((rel, st.st_size, st.st_mtime_ns))
    finally:
        for fd in folders.values():
            if fd >= 0:
                os.close(fd)
    return found


def _stat_each(walked: list[tuple[str, os.DirEntry[str]]]) -> list[tuple[str, int, int]]:
    found = []
    for rel, entry in walked:
        try:
            st = entry.stat()
        except OSError:
            continue
        found.append((rel, st.st_size, st.st_mtime_ns))
    return found


def relative_name(root: Path, file: Path) -> str:
    """The file's path relative to `root`, POSIX separators (as in messages)."""
    # Paths print normalised, so a plain prefix test is relative_to's answer
    # when it matches, at a fraction of its cost; anything else goes the long way.
    folder, name = str(root), str(file)
    if name.startswith(folder) and name[len(folder) : len(folder) + 1] == os.sep and folder != os.sep:
        rel = name[len(folder) + 1 :]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def read_source(root: Path, file: Path) -> Source:
    """Read one article file; any OS problem becomes an ArticleError for it."""
    return _read(os.fspath(file), relative_name(root, file))


def read_relative(root: Path | str, rel: str) -> Source:
    """Read the file `rel` (relative to `root`, POSIX separators, as a scan lists it)."""
    return _read(os.path.join(root, rel), rel)


def _read(file: str, path: str) -> Source:
    # os.open/os.read rather than a file object: no buffer objects, and a read
    # sized by fstat instead of a MAX_ARTICLE_BYTES-sized one.
    try:
        fd = os.open(file, os.O_RDONLY)
        try:
            stat = os.fstat(fd)
            if stat.st_size > MAX_ARTICLE_BYTES:
                raise ArticleError(
                    path,
                    f"file is {stat.st_size} bytes, more than the {MAX_ARTICLE_BYTES} an article may have; "
                    "move it out of the articles folder",
                )
            data = _read_all(fd, stat.st_size + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ArticleError(path, f"cannot read the file: {reason}") from None
    if len(data) > MAX_ARTICLE_BYTES:  # grew while we were reading it
        raise ArticleError(path, f"file is more than {MAX_ARTICLE_BYTES} bytes; move it out of the articles folder")
    return Source(path=path, data=data, mtime=stat.st_mtime, size=len(data), stat=(stat.st_size, stat.st_mtime_ns))


def _read_all(fd: int, expected: int) -> bytes:
    """Everything up to end of file, but never more than MAX_ARTICLE_BYTES + 1 bytes."""
    data = os.read(fd, min(expected, MAX_ARTICLE_BYTES + 1))
    if not data:
        return data
    chunks = [data]
    total = len(data)
    while total <= MAX_ARTICLE_BYTES:  # a short read is not proof of the end: ask until it says so
        chunk = os.read(fd, min(max(expected - total, 65536), MAX_ARTICLE_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return data if len(chunks) == 1 else b"".join(chunks)
