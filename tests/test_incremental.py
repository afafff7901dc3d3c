"""Incremental runs: what the cache saves, and that a bad cache never costs more than a full run."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import feedparser
import pytest

import feeds.body
import feeds.parse
from feeds.config import make_config
from feeds.pipeline import CACHE_FILE, STATE_DIR, RunOptions, generate
from tests.site_corpus import article_text, write_corpus

CONFIG = make_config({"site_url": "https://example.com/", "timezone": "Asia/Shanghai", "limit": 5})


class Counter:
    """Counts calls to a function while passing them through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
        self.calls: list[str] = []
        real = getattr(module, name)

        def counting(article_or_source, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls.append(getattr(article_or_source, "source", None) or article_or_source.path)
            return real(article_or_source, *args, **kwargs)

        monkeypatch.setattr(module, name, counting)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "articles", 60, with_samples=False)


def run(corpus: Path, **options: object) -> object:
    opts = RunOptions(articles=corpus, out=corpus.parent / "dist", jobs=1, **options)  # type: ignore[arg-type]
    return generate(CONFIG, opts)


def published(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*")
            if p.is_file() and STATE_DIR not in p.parts}


def test_unchanged_files_are_not_parsed_again(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(corpus)
    parses = Counter(monkeypatch, feeds.parse, "parse_article")
    bodies = Counter(monkeypatch, feeds.body, "complete")
    report = run(corpus)
    assert parses.calls == [] and bodies.calls == []
    assert report.written == 0 and report.read == 60


def test_only_the_changed_article_is_parsed_and_only_its_feeds_rewritten(corpus: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    run(corpus)
    dist = corpus.parent / "dist"
    before = published(dist)
    newest = feedparser.parse(before["atom.xml"]).entries[0].link.rstrip("/").rsplit("/", 1)[1]
    parses = Counter(monkeypatch, feeds.parse, "parse_article")
    (corpus / f"{newest}.md").write_text(article_text(int(newest), title="改过的标题 edited"), encoding="utf-8")
    report = run(corpus)
    assert parses.calls == [f"{newest}.md"]
    after = published(dist)
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed and all(b"edited" in after[p] for p in changed if p.endswith(".xml"))
    assert report.written == len(changed)
    # the site feed, its three category levels and its author, in both formats, plus nothing unrelated
    assert {"atom.xml", "rss.xml"} <= changed
    assert len(changed) <= 2 * 6 + 2


def test_a_touched_but_identical_file_is_read_but_not_parsed(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(corpus)
    target = corpus / "0007.md"
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    parses = Counter(monkeypatch, feeds.parse, "parse_article")
    report = run(corpus)
    assert parses.calls == []
    assert report.written == 0


def test_only_articles_that_reach_a_feed_have_their_body_rendered(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for i in range(60):  # one category: with limit 5, most articles reach no feed
        (corpus / f"{i:04d}.md").write_text(article_text(i, category=("新媒体", "高科技行业门户", "新闻")),
                                            encoding="utf-8")
    bodies = Counter(monkeypatch, feeds.body, "complete")
    report = run(corpus)
    assert report.read == 60
    assert len(set(bodies.calls)) == len(bodies.calls)
    everything = b"".join(published(corpus.parent / "dist").values())
    shown = {f"{i:04d}.md" for i in range(60) if f"/{i:04d}/".encode() in everything}
    assert set(bodies.calls) == shown
    assert len(shown) < 60


@pytest.mark.parametrize("damage", [b"", b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_corrupt_cache_is_rebuilt_not_a_crash(corpus: Path, damage: bytes) -> None:
    run(corpus)
    dist = corpus.parent / "dist"
    expected = published(dist)
    cache = dist / STATE_DIR / CACHE_FILE
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    cache.write_bytes(damage)
    (corpus / "0001.md").write_text(article_text(1, title="after the damage"), encoding="utf-8")
    report = run(corpus)
    assert report.rejected == 0
    assert b"after the damage" in (dist / "atom.xml").read_bytes() or b"after the damage" in b"".join(
        published(dist).values())
    assert set(published(dist)) == set(expected)
    run(corpus)  # and the rebuilt cache works
    assert report.read == 60


def test_a_cache_from_another_configuration_is_not_used(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(corpus)
    other = make_config({"site_url": "https://elsewhere.example.org/", "timezone": "Asia/Shanghai", "limit": 5})
    parses = Counter(monkeypatch, feeds.parse, "parse_article")
    generate(other, RunOptions(articles=corpus, out=corpus.parent / "dist", jobs=1))
    assert len(parses.calls) == 60
    assert b"elsewhere.example.org" in (corpus.parent / "dist" / "atom.xml").read_bytes()


def test_no_cache_parses_everything_and_gives_the_same_bytes(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(corpus)
    dist = corpus.parent / "dist"
    expected = published(dist)
    parses = Counter(monkeypatch, feeds.parse, "parse_article")
    report = run(corpus, use_cache=False)
    assert len(parses.calls) == 60
    assert published(dist) == expected
    assert report.written == 0


def test_a_feed_edited_by_hand_is_written_again(corpus: Path) -> None:
    run(corpus)
    dist = corpus.parent / "dist"
    expected = (dist / "rss.xml").read_bytes()
    (dist / "rss.xml").write_bytes(b"<rss>vandalised</rss>")
    report = run(corpus)
    assert report.written == 1
    assert (dist / "rss.xml").read_bytes() == expected


def test_a_deleted_article_leaves_every_feed(corpus: Path) -> None:
    run(corpus)
    dist = corpus.parent / "dist"
    newest = (dist / "atom.xml").read_bytes()
    victims = [p for p in sorted(corpus.iterdir()) if p.read_text(encoding="utf-8").count("Jun 2022")]
    for p in victims:
        p.unlink()
    run(corpus)
    for data in published(dist).values():
        for p in victims:
            assert f"/{p.stem}/".encode() not in data
    assert (dist / "atom.xml").read_bytes() != newest


def test_a_rerun_with_nothing_changed_reports_the_same_problems(corpus: Path) -> None:
    (corpus / "broken.md").write_text("---\ntitle: broken\ndate: someday\n---\n", encoding="utf-8")
    first = run(corpus)
    second = run(corpus)
    assert "nothing changed since the last run" in second.log
    assert (second.read, second.rejected, second.written) == (first.read, first.rejected, 0)
    assert [str(d) for d in second.errors] == [str(d) for d in first.errors]
    assert "broken.md" in str(second.errors[0])


def test_a_scheduled_article_is_published_by_the_first_run_after_its_date(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    corpus = write_corpus(tmp_path / "articles", 5, with_samples=False)
    (corpus / "later.md").write_text(
        "---\ntitle: 定时发布 scheduled\ndate: 2030-01-01T08:00:00Z\ncategories: [新栏目]\n---\n<p>x</p>\n",
        encoding="utf-8")
    dist = tmp_path / "dist"

    def at(moment: datetime) -> object:
        return generate(CONFIG, RunOptions(articles=corpus, out=dist, jobs=1, now=moment))

    before = at(datetime(2029, 12, 31, 23, 0, tzinfo=UTC))
    assert before.scheduled == 1 and "1 scheduled" in before.summary()
    assert b"scheduled" not in (dist / "atom.xml").read_bytes()
    assert not (dist / "categories" / "新栏目").exists()
    again = at(datetime(2030, 1, 1, 7, 59, tzinfo=UTC))
    assert again.written == 0 and again.scheduled == 1
    due = at(datetime(2030, 1, 1, 8, 0, 1, tzinfo=UTC))
    assert due.scheduled == 0 and due.written > 0
    assert b"scheduled" in (dist / "atom.xml").read_bytes()
    assert (dist / "categories" / "新栏目" / "atom.xml").exists()


def test_future_true_publishes_future_articles_at_once(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    corpus = write_corpus(tmp_path / "articles", 3, with_samples=False)
    (corpus / "later.md").write_text("---\ntitle: early bird\ndate: 2030-01-01\n---\n<p>x</p>\n", encoding="utf-8")
    config = make_config({"site_url": "https://example.com/", "future": True})
    report = generate(config, RunOptions(articles=corpus, out=tmp_path / "dist", jobs=1,
                                         now=datetime(2029, 1, 1, tzinfo=UTC)))
    assert report.scheduled == 0
    assert b"early bird" in (tmp_path / "dist" / "atom.xml").read_bytes()


def test_grouping_is_reused_until_an_article_moves(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feeds.group

    run(corpus)
    dist = corpus.parent / "dist"
    groupings = SimpleNamespace(calls=[])
    real = feeds.group.group_feeds
    monkeypatch.setattr(feeds.group, "group_feeds", lambda *a, **k: groupings.calls.append(1) or real(*a, **k))
    newest = feedparser.parse((dist / "atom.xml").read_bytes()).entries[0].link.rstrip("/").rsplit("/", 1)[1]
    i = int(newest)
    (corpus / f"{newest}.md").write_text(article_text(i, title="只改标题 title only"), encoding="utf-8")
    run(corpus)
    assert groupings.calls == []  # nothing moved: the last grouping stands
    assert b"title only" in (dist / "atom.xml").read_bytes()
    (corpus / f"{newest}.md").write_text(article_text(i, title="换了栏目", category=("新栏目", "来源", "快讯")),
                                         encoding="utf-8")
    run(corpus)
    assert len(groupings.calls) == 1
    assert (dist / "categories" / "新栏目" / "来源" / "快讯" / "atom.xml").exists()


def test_headers_the_cache_lost_are_read_again(corpus: Path) -> None:
    import sqlite3

    run(corpus)
    dist = corpus.parent / "dist"
    expected = published(dist)
    with sqlite3.connect(dist / STATE_DIR / CACHE_FILE) as db:  # lose every whole header, keep the rest
        db.execute("UPDATE articles SET record = ''")
    for p in dist.rglob("atom.xml"):
        p.unlink()
    report = run(corpus)
    assert report.errors == []
    assert published(dist) == expected


def test_a_file_that_cannot_be_read_in_a_cold_run_is_reported_every_run(tmp_path: Path) -> None:
    """A cold run takes each file's size and mtime from its read; one refused before reading gets a stat of its own."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "ok.md").write_text("---\ntitle: Fine\ndate: 2022-06-17 10:00:00\n---\n<p>Body.</p>\n")
    with open(articles / "huge.md", "wb") as fh:  # sparse: no disk used
        fh.truncate(33 * 1024 * 1024)
    for _ in range(2):
        report = generate(make_config({"site_url": "https://example.com/"}),
                          RunOptions(articles, tmp_path / "dist", jobs=1))
        assert (report.read, report.rejected) == (1, 1)
        assert any(d.path == "huge.md" and "more than" in d.message for d in report.errors)
    os.truncate(articles / "huge.md", 0)
    (articles / "huge.md").write_text("---\ntitle: Now small\ndate: 2022-06-18 10:00:00\n---\n<p>Hi.</p>\n")
    report = generate(make_config({"site_url": "https://example.com/"}), RunOptions(articles, tmp_path / "dist", jobs=1))
    assert (report.read, report.rejected) == (2, 0)
