#!/usr/bin/env python3
"""Check that this checkout parses articles exactly as another git revision does.

    python tools/parse_equivalence.py [FOLDER ...] [--ref main] [--sample N]

Speed work on the parser must not change a single output. This script runs
the `feeds/` package of REF (extracted with `git archive` into a temporary
folder, run in a subprocess) and the one of this checkout over every article
file of the given folders (default: /tmp/c10k and articles/), and compares
field by field: the header parse (`parse_article(with_body=False)`: article,
warnings, or the error with its line) of every file, and the full parse with
the rendered body (content, summary, image) of every file, or of an evenly
spread sample of N when --sample is given. Dates are compared as ISO text, so
the same instant with another UTC offset counts as a difference.

Exit status 0 when nothing differs, 1 otherwise. A check, not a test: it needs
git and a corpus, and takes a few seconds per 10,000 articles.
"""

from __future__ import annotations

import argparse
import io
import pickle
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = ("/tmp/c10k", str(REPO / "articles"))
SETTINGS = {"site_url": "https://example.com/", "timezone": "Asia/Shanghai"}


def _plain(article: Any) -> dict[str, Any]:
    """An Article as plain, strictly comparable values (no classes, dates as ISO text)."""
    from dataclasses import fields

    out = {}
    for f in fields(article):
        value = getattr(article, f.name)
        if f.name in ("published", "updated"):
            value = value.isoformat()
        elif f.name == "authors":
            value = tuple((a.name, a.email, a.uri) for a in value)
        elif f.name == "body_format":
            value = value.value
        out[f.name] = value
    return out


def _outcome(parse: Any, source: Any, config: Any, with_body: bool) -> tuple[Any, ...]:
    from feeds.errors import ArticleError

    try:
        parsed = parse(source, config, with_body=with_body)
    except ArticleError as exc:
        return ("error", exc.path, exc.message, exc.line)
    return ("ok", _plain(parsed.article), tuple(str(w) for w in parsed.warnings))


def dump(folders: list[str], sample: int) -> dict[str, Any]:
    """Every file's outcomes with the `feeds` package first on sys.path."""
    from feeds.config import make_config
    from feeds.parse import parse_article
    from feeds.read import list_article_files, read_source

    config = make_config(SETTINGS)
    results: dict[str, Any] = {}
    for folder in folders:
        root = Path(folder)
        files = list_article_files(root)
        step = max(1, len(files) // sample) if sample else 1
        for i, path in enumerate(files):
            source = read_source(root, path)
            key = f"{folder}::{source.path}"
            results[key] = {"header": _outcome(parse_article, source, config, False)}
            if i % step == 0:
                results[key]["full"] = _outcome(parse_article, source, config, True)
    return results


def _run_dump(code: Path, folders: list[str], sample: int, out: Path) -> None:
    subprocess.run(
        [sys.executable, __file__, "--dump", str(out), "--code", str(code), "--sample", str(sample), *folders],
        check=True,
    )


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found = []
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new:
            found.append(f"{key}: only in {'new' if key in new else 'old'}")
            continue
        for kind in sorted(set(old[key]) | set(new[key])):
            a, b = old[key].get(kind), new[key].get(kind)
            if a == b:
                continue
            if a is not None and b is not None and a[0] == b[0] == "ok":
                for name in a[1]:
                    if a[1][name] != b[1][name]:
                        found.append(f"{key} [{kind}] {name}: {a[1][name]!r:.200} != {b[1][name]!r:.200}")
                if a[2] != b[2]:
                    found.append(f"{key} [{kind}] warnings: {a[2]!r:.300} != {b[2]!r:.300}")
            else:
                found.append(f"{key} [{kind}]: {a!r:.300} != {b!r:.300}")
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", default=list(DEFAULT_FOLDERS))
    ap.add_argument("--ref", default="main", help="git revision to compare with (default main)")
    ap.add_argument("--sample", type=int, default=0, help="full parses (with body) of N files per folder; 0 = all")
    ap.add_argument("--dump", help=argparse.SUPPRESS)
    ap.add_argument("--code", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.dump:  # child: parse with the package found under --code
        sys.path.insert(0, args.code)
        import feeds

        assert Path(feeds.__file__).resolve().is_relative_to(Path(args.code).resolve()), feeds.__file__
        Path(args.dump).write_bytes(pickle.dumps(dump(args.folders, args.sample)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        old_code = Path(tmp, "old")
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.ref, "feeds"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old_code, filter="data")
        _run_dump(old_code, args.folders, args.sample, Path(tmp, "old.pickle"))
        _run_dump(REPO, args.folders, args.sample, Path(tmp, "new.pickle"))
        old = pickle.loads(Path(tmp, "old.pickle").read_bytes())
        new = pickle.loads(Path(tmp, "new.pickle").read_bytes())

    headers = sum(1 for v in new.values() if "header" in v)
    fulls = sum(1 for v in new.values() if "full" in v)
    rejected = sum(1 for v in new.values() if v["header"][0] == "error")
    found = _differences(old, new)
    print(f"compared {headers} header parses ({rejected} rejected) and {fulls} full parses with bodies "
          f"against {args.ref}: {len(found)} differences")
    for line in found[:50]:
        print("  " + line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
