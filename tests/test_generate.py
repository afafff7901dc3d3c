"""`feeds generate` end to end: the bundled articles in, every feed out, read back by feedparser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from typer.testing import CliRunner

from feeds.cli import app
from feeds.config import load_config
from feeds.parse import parse_article
from feeds.read import list_article_files, read_source
from feeds.validate import find_feed_files, validate_bytes
from tests.site_corpus import REPO, SAMPLES

SEED = "000_54eddf3d95a348cd.md"
SITE = "https://example.com/"


def generate(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd or REPO)
    try:
        result = runner.invoke(app, ["generate", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def site(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the bundled sample site (articles + feeds.yaml) and its output folder."""
    articles = tmp_path / "articles"
    shutil.copytree(SAMPLES, articles)
    shutil.copy(REPO / "feeds.yaml", tmp_path / "feeds.yaml")
    return articles, tmp_path / "dist"


def run_site(site: tuple[Path, Path], *extra: str) -> tuple[int, str, str]:
    articles, dist = site
    return generate("--articles", str(articles), "--out", str(dist), "--jobs", "1", *extra, cwd=articles.parent)


def feeds_in(dist: Path) -> list[Path]:
    return sorted(p for p in dist.rglob("*.xml") if ".feeds" not in p.parts)


def mtimes(dist: Path) -> dict[str, int]:
    return {p.relative_to(dist).as_posix(): p.stat().st_mtime_ns for p in dist.rglob("*")
            if p.is_file() and ".feeds" not in p.parts}


def parsed_articles(articles: Path) -> dict[str, object]:
    config = load_config(REPO / "feeds.yaml", {})
    found = {}
    for file in list_article_files(articles):
        article = parse_article(read_source(articles, file), config).article
        if not article.draft:
            found[article.link] = article
    return found


def test_bundled_site_feeds_parse_and_match_their_articles(site: tuple[Path, Path]) -> None:
    code, out, err = run_site(site)
    assert code == 0, err
    assert "articles read" in out and "files written" in out
    articles = parsed_articles(site[0])
    feeds = feeds_in(site[1])
    assert len(feeds) > 20
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        for entry in feed.entries:
            article = articles[entry.link]
            assert entry.title == article.title
            assert entry.id == article.id
            assert entry.published_parsed[:6] == article.published.utctimetuple()[:6]
            if feed.version.startswith("atom"):  # RSS 2.0 items carry pubDate only
                assert entry.updated_parsed[:6] == article.updated.utctimetuple()[:6]
            names = {a.get("name") for a in entry.get("authors", [])} | {c.get("name") for c in entry.get("contributors", [])}
            names |= {entry.get("author")} if entry.get("author") else set()
            for author in article.authors:
                assert any(author.name in (n or "") for n in names), (path, author, names)
            terms = {t.term for t in entry.get("tags", [])}
            for category in article.categories:
                assert any(category[-1] in t for t in terms), (path, category, terms)


def test_seed_is_in_its_three_category_feeds_and_its_author_feed(site: tuple[Path, Path]) -> None:
    code, _, err = run_site(site)
    assert code == 0, err
    dist = site[1]
    folders = ["categories/新媒体", "categories/新媒体/高科技行业门户", "categories/新媒体/高科技行业门户/新闻",
               "authors/高科技行业门户"]
    for folder in folders:
        for name in ("atom.xml", "rss.xml"):
            feed = feedparser.parse((dist / folder / name).read_bytes())
            assert "华为云陶志强：华为云生态与伙伴的关系就像钻石" in [e.title for e in feed.entries], folder
    feed = feedparser.parse((dist / "categories/新媒体/高科技行业门户/新闻/atom.xml").read_bytes())
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [SITE + quote("categories/新媒体/高科技行业门户/新闻/atom.xml")]


def test_every_written_feed_validates_without_errors_or_warnings(site: tuple[Path, Path]) -> None:
    code, _, err = run_site(site)
    assert code == 0, err
    dist = site[1]
    files = find_feed_files([dist])
    assert len(files) == len(feeds_in(dist))
    for path in files:
        rel = path.relative_to(dist).as_posix()
        messages = validate_bytes(path.read_bytes(), rel, location=SITE + quote(rel))
        assert messages == [], (rel, messages[:3])


def test_second_run_writes_nothing(site: tuple[Path, Path]) -> None:
    assert run_site(site)[0] == 0
    before = mtimes(site[1])
    code, out, _ = run_site(site)
    assert code == 0
    assert " 0 files written" in out and "0 removed" in out
    assert mtimes(site[1]) == before


def test_second_run_without_cache_writes_nothing_either(site: tuple[Path, Path]) -> None:
    assert run_site(site)[0] == 0
    before = mtimes(site[1])
    code, out, _ = run_site(site, "--no-cache")
    assert code == 0 and " 0 files written" in out
    assert mtimes(site[1]) == before


def test_removing_an_article_removes_its_now_empty_feeds(site: tuple[Path, Path]) -> None:
    articles, dist = site
    assert run_site(site)[0] == 0
    year_in_review = dist / "categories/年度回顾"
    assert (year_in_review / "atom.xml").exists()
    assert "年度回顾" in (dist / "index.html").read_text(encoding="utf-8")
    for path in articles.iterdir():
        if "年度回顾" in path.read_text(encoding="utf-8"):
            path.unlink()
    code, out, _ = run_site(site)
    assert code == 0
    assert not year_in_review.exists()
    assert "年度回顾" not in (dist / "index.html").read_text(encoding="utf-8")
    assert "年度回顾" not in (dist / "feeds.opml").read_text(encoding="utf-8")
    assert "removed" in out and " 0 removed" not in out
    assert (dist / "atom.xml").exists()


def test_files_not_written_by_feeds_are_left_alone(site: tuple[Path, Path]) -> None:
    articles, dist = site
    dist.mkdir()
    (dist / "robots.txt").write_text("User-agent: *\n")
    (dist / "categories").mkdir()
    (dist / "categories" / "notes.txt").write_text("mine\n")
    assert run_site(site)[0] == 0
    for path in articles.iterdir():
        path.unlink()
    assert run_site(site)[0] == 0
    assert (dist / "robots.txt").read_text() == "User-agent: *\n"
    assert (dist / "categories" / "notes.txt").read_text() == "mine\n"


def test_same_input_gives_byte_identical_output_whatever_the_job_count(site: tuple[Path, Path], tmp_path: Path) -> None:
    articles, dist = site
    other = tmp_path / "other"
    assert generate("--articles", str(articles), "--out", str(dist), "--jobs", "1", cwd=articles.parent)[0] == 0
    assert generate("--articles", str(articles), "--out", str(other), "--jobs", "2", "--no-cache",
                    cwd=articles.parent)[0] == 0
    ours = {p.relative_to(dist).as_posix(): p.read_bytes() for p in feeds_in(dist)}
    theirs = {p.relative_to(other).as_posix(): p.read_bytes() for p in feeds_in(other)}
    assert ours == theirs


def test_a_broken_article_is_reported_and_the_rest_published(site: tuple[Path, Path]) -> None:
    articles, dist = site
    (articles / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    (articles / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    code, out, err = run_site(site)
    assert code == 1
    assert "broken.md:3: error: the front matter is not valid YAML" in err
    assert "latin1.md" in err and "UTF-8" in err
    assert "2 rejected" in out
    assert "Traceback" not in err
    feed = feedparser.parse((dist / "atom.xml").read_bytes())
    assert len(feed.entries) == 9


def test_hostile_names_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    hostile = ["../../etc", "a/b", "CON", "x" * 300, "..", ".hidden", "a\\b", "nul.txt"]
    for i, name in enumerate(hostile):
        (articles / f"h{i}.md").write_text(
            f"---\ntitle: hostile {i}\ndate: 2022-01-0{1 + i % 9}\ncategories: [{name!r}]\n"
            f"author: {name!r}\ntags: [{name!r}]\n---\n<p>x</p>\n", encoding="utf-8")
    dist = tmp_path / "site" / "dist"
    code, _, err = generate("--articles", str(articles), "--out", str(dist), "--site-url", SITE, "--jobs", "1",
                            cwd=tmp_path)
    assert code == 0, err
    outside = {p for p in tmp_path.rglob("*") if dist not in p.parents and p != dist}
    assert outside == {articles, *articles.iterdir(), tmp_path / "site"}
    for path in dist.rglob("*"):
        assert len(path.name.encode()) <= 255
        assert path.resolve().is_relative_to(dist.resolve())
    assert len(list((dist / "categories").iterdir())) == len(hostile)


def test_missing_site_url_is_a_configuration_error(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SAMPLES, articles)
    code, _, err = generate("--articles", str(articles), "--out", str(tmp_path / "dist"), cwd=tmp_path)
    assert code == 2
    assert "site_url" in err and "--site-url" in err
    assert not (tmp_path / "dist" / "atom.xml").exists()


def test_missing_articles_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = generate("--articles", str(tmp_path / "nope"), "--out", str(tmp_path / "dist"),
                            "--site-url", SITE, cwd=tmp_path)
    assert code == 2
    assert "articles folder not found" in err


def test_quiet_prints_nothing_when_all_is_well(site: tuple[Path, Path]) -> None:
    code, out, err = run_site(site, "--quiet")
    assert code == 0
    assert out == "" and err == ""


def test_quiet_still_reports_errors(site: tuple[Path, Path]) -> None:
    (site[0] / "broken.md").write_text("no front matter here\n", encoding="utf-8")
    code, out, err = run_site(site, "--quiet")
    assert code == 1
    assert out == ""
    assert "broken.md" in err


def test_a_feed_that_fails_validation_is_not_published(site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_site(site)[0] == 0
    dist = site[1]
    target = dist / "authors" / "Alice Chen" / "atom.xml"
    before = target.read_bytes()
    stamp = target.stat().st_mtime_ns
    articles = site[0]
    for path in articles.iterdir():  # change what Alice's feed would contain
        text = path.read_text(encoding="utf-8")
        if "Alice Chen" in text:
            path.write_text(text + "\n\nUpdated at the desk.\n", encoding="utf-8")

    import feeds.validate as validate_module
    from feeds.validate import Message

    real = validate_module.validate_bytes

    def strict(data: bytes, path: str = "<feed>", *, location: str | None = None) -> list[Message]:
        found = real(data, path, location=location)
        if path == "authors/Alice Chen/atom.xml":
            found.append(Message(path, 1, 1, "error", "InvalidTest", "rejected by the test"))
        return found

    monkeypatch.setattr(validate_module, "validate_bytes", strict)
    code, out, err = run_site(site)
    assert code == 1
    assert "authors/Alice Chen/atom.xml:1: error: InvalidTest" in err
    assert "1 feeds failed validation" in out
    assert target.read_bytes() == before and target.stat().st_mtime_ns == stamp
    assert b"Updated" in (dist / "authors" / "Alice Chen" / "rss.xml").read_bytes()
    monkeypatch.setattr(validate_module, "validate_bytes", real)
    code, _, _ = run_site(site)  # fixed: the held-back feed is published on the next run
    assert code == 0
    assert b"Updated" in target.read_bytes()


def test_a_run_waits_for_the_lock_then_gives_up_with_exit_3(site: tuple[Path, Path]) -> None:
    import subprocess
    import sys
    import textwrap

    dist = site[1]
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from pathlib import Path
        from feeds.lock import run_lock
        with run_lock(Path({str(dist / '.feeds' / 'lock')!r}), wait=0):
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, out, err = run_site(site, "--wait", "0.3")
        assert code == 3
        assert "another feeds run" in err and f"pid {holder.pid}" in err
        assert not (dist / "atom.xml").exists()
    finally:
        holder.kill()
        holder.wait()
    assert run_site(site, "--wait", "5")[0] == 0


def test_an_output_folder_that_cannot_be_made_is_exit_4_with_its_name(site: tuple[Path, Path]) -> None:
    articles, dist = site
    dist.write_text("a file where the output folder should be\n")
    code, out, err = run_site(site)
    assert code == 4
    assert str(dist) in err and "Traceback" not in err
    assert dist.read_text() == "a file where the output folder should be\n"


def test_a_site_url_with_an_impossible_port_is_a_configuration_error(site: tuple[Path, Path]) -> None:
    code, _, err = run_site(site, "--site-url", "https://example.com:99999/")
    assert code == 2
    assert "site_url has an invalid port" in err


def test_an_article_link_with_an_impossible_port_falls_back_to_the_pattern(site: tuple[Path, Path]) -> None:
    articles, dist = site
    (articles / "port.md").write_text(
        "---\ntitle: bad port\ndate: 2022-01-01\npermalink: https://example.com:99999/x/\n---\n"
        '<p><a href="/rel">relative</a></p>\n', encoding="utf-8")
    code, _, err = run_site(site)
    assert code == 0, err
    assert "port.md:4: warning:" in err and "not a valid http(s) link" in err
    site_feed = (dist / "atom.xml").read_text(encoding="utf-8")
    assert "https://example.com/2022/01/01/port/" in site_feed
    assert "https://example.com/rel" in site_feed


def test_an_image_proxy_url_whose_query_is_not_a_url_is_published_without_a_type(site: tuple[Path, Path]) -> None:
    """`?v=http://[bad` looks like a proxied URL but does not parse: it says nothing about the type, the run goes on."""
    articles, dist = site
    image = "https://img.example.com/a?v=http://[bad"
    (articles / "proxy.md").write_text(
        f"---\ntitle: odd proxy\ndate: 2022-01-01\nheadimg: '{image}'\n---\n<p>text</p>\n", encoding="utf-8")
    code, _, err = run_site(site)
    assert code == 0 and "Traceback" not in err, err
    rss = feedparser.parse((dist / "rss.xml").read_bytes())
    item = next(e for e in rss.entries if e.title == "odd proxy")
    assert not item.get("enclosures")  # no type, so no enclosure (RSS requires one)
    assert 'thumbnail url="https://img.example.com/a?v=http://%5Bbad"' in (dist / "atom.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_article_whose_entry_would_be_invalid_is_left_out_and_every_feed_published(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    """One article must not hold back the site feed: its entry is checked on its own first, and left out."""
    import feeds.parallel

    monkeypatch.setattr(feeds.parallel, "_PARALLEL_FROM_MS", 0.0)  # with 2 jobs, in forked workers
    articles, dist = site
    (articles / "bad-id.md").write_text(  # an id that is not a valid urn:uuid
        "---\ntitle: bad id\ndate: 2022-12-30 10:00:00\nid: 'urn:uuid:zzz'\n---\n<p>x</p>\n", encoding="utf-8")
    (articles / "odd-author.md").write_text(  # an author link that is no URL: dropped, the article stays
        "---\ntitle: odd author\ndate: 2022-12-30 11:00:00\nauthor: {name: Ann, uri: 'http://[u'}\n---\n<p>y</p>\n",
        encoding="utf-8")
    code, out, err = run_site(site, "--jobs", jobs)
    assert code == 1 and "Traceback" not in err
    assert ("bad-id.md: error: left out of every feed: the entry made from it is invalid (InvalidUUID:" in err)
    assert "failed validation" not in out and "1 rejected" in out
    for feed in feeds_in(dist):
        assert not [m for m in validate_bytes(feed.read_bytes(), str(feed)) if m.severity == "error"], feed
    titles = [e.title for e in feedparser.parse((dist / "atom.xml").read_bytes()).entries]
    assert "bad id" not in titles and "odd author" in titles and len(titles) > 2
    assert "http://[u" not in (dist / "atom.xml").read_text(encoding="utf-8")
    code, out, err = run_site(site, "--jobs", jobs)  # tried again, and said again, while the file is as it is
    assert code == 1 and "bad-id.md: error: left out of every feed" in err


def test_two_names_on_one_folder_hold_back_those_feeds_only_until_told_apart(site: tuple[Path, Path]) -> None:
    """A new article spelling a category another way must not stop the site's feeds (cron keeps running)."""
    articles, dist = site
    (articles / "ai-1.md").write_text(
        "---\ntitle: first AI\ndate: 2023-01-01 10:00:00\ncategories: [[AI, ML]]\n---\n<p>x</p>\n", encoding="utf-8")
    assert run_site(site)[0] == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (dist / "categories" / "AI").rglob("*.xml")}
    assert len(before) == 4  # AI and AI/ML, Atom and RSS
    (articles / "ai-2.md").write_text(
        "---\ntitle: second ai\ndate: 2023-01-02 10:00:00\ncategories: [ai]\n---\n<p>y</p>\n", encoding="utf-8")
    for _ in range(2):  # the run that meets the clash, and one with nothing changed since
        code, out, err = run_site(site)
        assert code == 1 and "Traceback" not in err
        assert ("ai-2.md: error: category names 'AI' and 'ai' (in ai-1.md and ai-2.md) would share the folder "
                "'ai'; give one of them its own segment with category_map") in err
        assert "2 feed folders held back" in out
        assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (dist / "categories" / "AI").rglob("*.xml")} == before
        assert not (dist / "categories" / "ai").exists()
        titles = [e.title for e in feedparser.parse((dist / "atom.xml").read_bytes()).entries]
        assert titles[:2] == ["second ai", "first AI"]  # the site feed goes on
    config = articles.parent / "feeds.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\ncategory_map:\n  ai: ai-2\n", encoding="utf-8")
    code, out, err = run_site(site)
    assert code == 0, err
    assert [e.title for e in feedparser.parse((dist / "categories" / "ai-2" / "atom.xml").read_bytes()).entries] == [
        "second ai"]
    assert "first AI" in (dist / "categories" / "AI" / "ML" / "atom.xml").read_text(encoding="utf-8")


def test_an_article_with_another_one_s_id_is_left_out_with_both_named(site: tuple[Path, Path]) -> None:
    """Readers tell entries apart by id, and a feed holding two alike fails validation: the later file goes."""
    articles, dist = site
    same = "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    for name, title, day in (("b-first.md", "first", "01"), ("c-second.md", "second", "02")):
        (articles / name).write_text(f"---\ntitle: {title}\ndate: 2023-01-{day} 10:00:00\nid: '{same}'\n---\n<p>x</p>\n",
                                     encoding="utf-8")
    code, out, err = run_site(site)
    assert code == 1 and "1 rejected" in out and "failed validation" not in out
    assert (f"c-second.md: error: left out of every feed: it has the same id as b-first.md ({same}); "
            "give one of them its own `id:`") in err
    for feed in feeds_in(dist):
        assert not [m for m in validate_bytes(feed.read_bytes(), str(feed)) if m.severity == "error"], feed
    titles = [e.title for e in feedparser.parse((dist / "rss.xml").read_bytes()).entries]
    assert "first" in titles and "second" not in titles


def test_the_index_page_follows_a_feed_s_newest_date(site: tuple[Path, Path]) -> None:
    articles, dist = site
    assert run_site(site)[0] == 0
    assert "updated 2023-03-04" not in (dist / "index.html").read_text(encoding="utf-8")
    seed = articles / SEED
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("comments: false\n", "comments: false\nupdated: 2023-03-04T05:06:07Z\n"),
                    encoding="utf-8")
    assert run_site(site)[0] == 0
    index = (dist / "index.html").read_text(encoding="utf-8")
    assert "updated 2023-03-04" in index


def test_characters_xml_cannot_carry_are_removed_with_a_warning_naming_the_article(site: tuple[Path, Path]) -> None:
    articles, dist = site
    (articles / "controls.md").write_text(
        '---\ntitle: "Bell\\x07 and next-line\\x85 in the title"\ndate: 2022-06-17 10:00:00\n'
        "categories: [Controls]\n---\n<p>A delete\x7f and an escape\x1b in the body.</p>\n",
        encoding="utf-8",
    )
    code, out, err = run_site(site)
    assert code == 0
    assert "controls.md" in err and "not allowed in XML" in err
    feed = (dist / "categories" / "Controls" / "atom.xml").read_bytes()
    parsed = feedparser.parse(feed)
    assert not parsed.bozo
    (entry,) = parsed.entries
    assert entry.title == "Bell and next-line in the title"
    assert "A delete and an escape in the body." in entry.content[0].value
    assert not validate_bytes(feed, "atom.xml")


def test_a_run_leaves_the_garbage_collector_as_it_found_it(site: tuple[Path, Path], tmp_path: Path) -> None:
    """A run turns the collector off in its own process (speed only); a program calling it gets it back as it was."""
    import gc

    from feeds.pipeline import RunOptions, SourceMissing, generate as run

    articles, dist = site
    config = load_config(articles.parent / "feeds.yaml", {"site_url": SITE})
    threshold = gc.get_threshold()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            report = run(config, RunOptions(articles, dist, jobs=2, use_cache=False))
            assert report.written or report.unchanged
            assert gc.isenabled() is enabled and gc.get_threshold() == threshold
            with pytest.raises(SourceMissing):  # a run that fails restores it too
                run(config, RunOptions(tmp_path / "missing", dist))
            assert gc.isenabled() is enabled and gc.get_threshold() == threshold
        finally:
            gc.enable()


@pytest.mark.parametrize("where", ["feeds.publish._write_temp", "feeds.spill._write_all"])
def test_a_full_disk_in_a_worker_process_is_exit_4_and_the_last_feeds_stay(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Worker processes write the staged feeds and the run's entries; their I/O errors reach the CLI whole."""
    import errno
    import importlib

    import feeds.parallel

    articles, dist = site
    assert run_site(site)[0] == 0
    before = {p: p.read_bytes() for p in feeds_in(dist)}
    for path in articles.glob("*.md"):  # every feed must be written again
        path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: 新", 1), encoding="utf-8")
    monkeypatch.setattr(feeds.parallel, "_PARALLEL_FROM_MS", 0.0)  # fork workers even for this small site

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/full/disk")

    module, name = where.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, full)  # inherited by the forked workers
    code, out, err = run_site(site, "--jobs", "2")
    assert code == 4, err
    assert "No space left on device" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in feeds_in(dist)} == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_article_whose_body_cannot_be_read_is_left_out_reported_and_tried_again_next_run(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    """A body that cannot be read again (a read error, a file changed under the run) costs that article only."""
    import feeds.parallel
    import feeds.parse
    from feeds.errors import ArticleError

    articles, dist = site
    monkeypatch.setattr(feeds.parallel, "_PARALLEL_FROM_MS", 0.0)  # with 2 jobs, in forked workers
    body_of = feeds.parse.body_of

    def failing(source):  # type: ignore[no-untyped-def]
        if source.path == SEED:
            raise ArticleError(SEED, "cannot read the file: Input/output error")
        return body_of(source)

    monkeypatch.setattr(feeds.parse, "body_of", failing)
    code, out, err = run_site(site, "--jobs", jobs)
    assert code == 1 and "Traceback" not in err
    assert f"{SEED}: error: cannot read the file: Input/output error" in err
    assert "1 rejected" in out
    site_feed = feedparser.parse((dist / "atom.xml").read_bytes())
    assert len(site_feed.entries) == 8 and not any("华为云陶志强" in e.title for e in site_feed.entries)
    for path in feeds_in(dist):  # every feed it was in is still published, valid, without it
        assert not [m for m in validate_bytes(path.read_bytes(), str(path)) if m.severity == "error"]

    monkeypatch.setattr(feeds.parse, "body_of", body_of)  # the trouble is gone; the file did not change
    code, out, err = run_site(site, "--jobs", jobs)
    assert code == 0, err
    site_feed = feedparser.parse((dist / "atom.xml").read_bytes())
    assert len(site_feed.entries) == 9 and any("华为云陶志强" in e.title for e in site_feed.entries)


def test_a_file_that_could_not_be_read_is_read_again_though_its_stat_did_not_change(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """`chmod` keeps a file's size and mtime: "nothing changed" must not replay the old read error."""
    import feeds.workers
    from feeds.errors import ArticleError

    articles, dist = site
    read_relative = feeds.workers.read_relative

    def failing(root, rel):  # type: ignore[no-untyped-def]
        if rel == SEED:
            raise ArticleError(SEED, "cannot read the file: Permission denied")
        return read_relative(root, rel)

    monkeypatch.setattr(feeds.workers, "read_relative", failing)
    code, out, err = run_site(site)
    assert code == 1 and f"{SEED}: error: cannot read the file: Permission denied" in err and "1 rejected" in out
    monkeypatch.setattr(feeds.workers, "read_relative", read_relative)  # made readable; size and mtime as before
    code, out, err = run_site(site, "--verbose")
    assert code == 0 and "Permission denied" not in err and "0 rejected" in out, err
    assert "nothing changed since the last run" not in out + err
    assert any("华为云陶志强" in e.title for e in feedparser.parse((dist / "atom.xml").read_bytes()).entries)


def test_an_article_that_would_fail_the_same_way_is_not_tried_again_while_nothing_changed(
        site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Under cron, one bad file must not cost every run a render: its error is said again, nothing redone."""
    import feeds.body
    from feeds.errors import ArticleError

    articles, dist = site
    complete = feeds.body.complete
    calls: list[str] = []

    def unsafe(article, body, config):  # type: ignore[no-untyped-def]
        calls.append(article.source)
        if article.source == SEED:
            raise ArticleError(SEED, "the body cannot be made safe for feed readers (test)")
        return complete(article, body, config)

    monkeypatch.setattr(feeds.body, "complete", unsafe)
    code, out, err = run_site(site)
    assert code == 1 and f"{SEED}: error: the body cannot be made safe" in err and "1 rejected" in out
    assert SEED in calls
    before = mtimes(dist)
    calls.clear()
    code, out, err = run_site(site, "--verbose")
    assert code == 1 and f"{SEED}: error: the body cannot be made safe" in err and "1 rejected" in out
    assert "nothing changed since the last run" in out + err and calls == [] and mtimes(dist) == before
    (articles / SEED).write_bytes((articles / SEED).read_bytes() + b"\n")  # edited: tried again
    code, out, err = run_site(site)
    assert code == 1 and SEED in calls

def test_a_body_nested_so_deep_it_would_take_hours_is_left_out_and_the_rest_published(
        site: tuple[Path, Path]) -> None:
    """From an aggregator, one broken item of 100,000 unclosed <div>s must not stall every cron run."""
    articles, dist = site
    (articles / "abyss.html").write_text(
        "---\ntitle: abyss\ndate: 2023-01-01 10:00:00\n---\n" + "<div>" * 100_000 + "deep\n", encoding="utf-8")
    code, out, err = run_site(site)
    assert code == 1 and "Traceback" not in err and "1 rejected" in out
    assert "abyss.html: error: the body nests HTML elements more than 1000 deep" in err
    titles = [e.title for e in feedparser.parse((dist / "atom.xml").read_bytes()).entries]
    assert "abyss" not in titles and len(titles) == 9


def test_categories_nested_deeper_than_any_folder_can_go_do_not_stop_the_run(site: tuple[Path, Path]) -> None:
    """2,000 levels would be a folder path no file system takes: it failed every feed with exit 4."""
    articles, dist = site
    levels = ", ".join(f"level{i}" for i in range(2000))
    (articles / "deep.md").write_text(f"---\ntitle: deep\ndate: 2023-01-01 10:00:00\ncategories: [{levels}]\n---\nx\n",
                                      encoding="utf-8")
    code, out, err = run_site(site)
    assert code == 0 and "Traceback" not in err, err
    assert "deep.md:4: warning: `categories`: 2000 levels, more than the 8 feeds makes folders for" in err
    deepest = dist / "categories" / "/".join(f"level{i}" for i in range(8)) / "atom.xml"
    assert [e.title for e in feedparser.parse(deepest.read_bytes()).entries] == ["deep"]
    assert not (deepest.parent / "level8").exists()


def test_a_file_whose_name_is_not_utf8_is_rejected_and_the_rest_published(site: tuple[Path, Path]) -> None:
    """A Latin-1 name copied from an old disk crashed every run (its name could not become an id or a key)."""
    articles, dist = site
    (articles / os.fsdecode(b"caf\xe9.md")).write_text("---\ntitle: cafe\ndate: 2023-01-01 10:00:00\n---\nx\n",
                                                      encoding="utf-8")
    for _ in range(2):  # the run that meets it, and one with nothing changed since
        code, out, err = run_site(site)
        assert code == 1 and "Traceback" not in err and "1 rejected" in out
        assert "caf\\xe9.md: error: the file name is not UTF-8 (ids, links and messages are made from it); " \
               "rename it" in err
        assert len(feedparser.parse((dist / "atom.xml").read_bytes()).entries) == 9
    (articles / os.fsdecode(b"caf\xe9.md")).rename(articles / "café.md")
    code, out, err = run_site(site)
    assert code == 0, err
    assert "cafe" in [e.title for e in feedparser.parse((dist / "atom.xml").read_bytes()).entries]


def test_a_site_url_with_a_non_ascii_host_gives_valid_feeds(site: tuple[Path, Path]) -> None:
    """`https://例子.测试/` held back every feed: their ids and links were not URIs."""
    articles, dist = site
    code, out, err = run_site(site, "--site-url", "https://例子.测试/blog/")
    assert code == 0 and "failed validation" not in out, err
    for feed in feeds_in(dist):
        assert not [m for m in validate_bytes(feed.read_bytes(), str(feed)) if m.severity == "error"], feed
    assert feedparser.parse((dist / "atom.xml").read_bytes()).feed.link == "https://xn--fsqu00a.xn--0zwm56d/blog/"


def test_an_output_folder_inside_the_articles_folder_is_not_read_as_articles(site: tuple[Path, Path]) -> None:
    """`--articles . --out dist`: from the second run on, dist/index.html was an article with no front matter."""
    articles, _ = site
    inside = (articles, articles / "dist")
    for _ in range(2):
        code, out, err = run_site(inside)
        assert code == 0 and "index.html" not in err, err
    assert "10 articles read, 1 skipped, 0 rejected" in out


def test_the_articles_folder_itself_as_output_is_a_usage_error_and_nothing_is_written(
        site: tuple[Path, Path]) -> None:
    articles, _ = site
    before = sorted(p.name for p in articles.iterdir())
    code, out, err = run_site((articles, articles))
    assert code == 2 and "the output folder is the articles folder" in err
    assert sorted(p.name for p in articles.iterdir()) == before  # not even the lock's folder
