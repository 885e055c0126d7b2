"""The build itself: it fails loudly on bad input, and never executes a cell twice.

Fixture books build in this process (conftest.build); the book itself is built with
`make html` on a copy (sources, execution cache, output folder), never in place."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dlguide_build.execute import cache_dir, cache_key

from conftest import (BOOK, FIXTURES, REPORT, ROOT, build, cache_records, copy_fixture,
                      executed_notebooks, make)


def test_failing_cell_fails_the_build_and_names_the_file(tmp_path):
    src = copy_fixture("bad_cell", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert "bad_cell/index.md: a cell failed" in result.log   # which chapter
    assert 'raise ValueError("this cell is broken on purpose")' in result.log  # the cell
    assert "ValueError: this cell is broken on purpose" in result.log  # and its traceback
    report = json.loads((tmp_path / REPORT).read_text())
    assert report["failed"][0]["notebook"].endswith("bad_cell/index.md")


def test_failing_cell_fails_sphinx_alone_too(tmp_path):
    """Without the parallel step (e.g. `sphinx-autobuild`), myst-nb stops the build."""
    src = copy_fixture("bad_cell", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache", execute=False)
    assert result.returncode != 0
    assert "bad_cell/index.md: WARNING: Executing notebook failed" in result.log
    assert "this cell is broken on purpose" in result.log


@pytest.mark.parametrize("fixture, warning", [
    # found by the audit
    ("glossary_orphan", "glossary_orphan/index.md:13: WARNING: glossary audit: the entry "
                        "'momentum' is referenced by no chapter"),
    # found while writing
    ("glossary_undefined", "glossary_undefined/week01.md:3: WARNING: term not in glossary: "
                           "'flux capacitor'"),
], ids=["glossary_orphan", "glossary_undefined"])
def test_a_failed_build_fails_again_until_fixed(fixture, warning, tmp_path):
    """A bad glossary fails the build, naming the file and line; Sphinx reads only what
    changed, yet the warning must not vanish on a second, unchanged build (dlguide_rewarn
    re-reads what warned)."""
    src = copy_fixture(fixture, tmp_path)
    out, cache = tmp_path / "html", tmp_path / "cache"
    for attempt in ("first", "unchanged"):
        result = build(src, out, cache)
        assert result.returncode != 0, f"{attempt} build of {fixture} passed:\n{result.log[-3000:]}"
        assert warning in result.log, f"{attempt} build of {fixture} lost its warning"

    # Fix the cause: drop the offending entry or reference; the build passes, and stays so.
    if fixture == "glossary_undefined":
        chapter = src / "week01.md"
        chapter.write_text(chapter.read_text().replace("{term}`flux capacitor`",
                                                       "flux capacitor"))
    else:
        shutil.copytree(FIXTURES / "glossary_clean", src, dirs_exist_ok=True,
                        copy_function=shutil.copy)  # new mtimes: Sphinx sees the edit
    for attempt in ("fixed", "unchanged after the fix"):
        result = build(src, out, cache)
        assert result.returncode == 0, f"{attempt} build failed:\n{result.log[-3000:]}"
    assert not (tmp_path / "doctrees" / "dlguide-warned.json").exists()


# --- the book, built with `make html` on a copy -------------------------------------------

class BookCopy:
    """A copy of book/ and of its execution cache, built by `make html BOOKDIR=...
    BUILDDIR=... CACHEDIR=...` into a folder of its own."""

    def __init__(self, tmp: Path):
        self.src, self.builddir, cache = tmp / "book", tmp / "build", tmp / "cache"
        shutil.copytree(BOOK, self.src)           # copy2: the sources keep their times
        shutil.copytree(cache_dir(), cache / cache_key())
        self.cache = cache / cache_key()
        self.variables = (f"BOOKDIR={self.src}", f"BUILDDIR={self.builddir}",
                          f"CACHEDIR={cache}")
        self.html = self.builddir / "html"

    def make(self) -> tuple[str, list[str]]:
        """`make html` on the copy: (its log, the notebooks it executed)."""
        before = cache_records(self.cache)
        report = self.builddir / REPORT
        report.unlink(missing_ok=True)
        result = make("html", *self.variables)
        return (result.stdout + result.stderr,
                executed_notebooks(report, self.cache, before))


@pytest.fixture(scope="module")
def book_copy(built_book, tmp_path_factory) -> BookCopy:
    """The copy, built once from the filled cache (Sphinx reads every page; nothing runs)."""
    copy = BookCopy(tmp_path_factory.mktemp("book-copy"))
    log, executed = copy.make()
    assert executed == [], executed
    return copy


def search_index(html: Path) -> dict:
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def test_a_rebuild_keeps_the_search_index_whole(book_copy):
    """Index entries (the glossary's terms) survive a build that rewrites no page
    (Sphinx alone drops them, sphinx-doc/sphinx#12599; see dlguide_searchindex)."""
    before = search_index(book_copy.html)
    (book_copy.html / ".dlguide-built").unlink()  # make runs Sphinx, which finds nothing to do
    log, _ = book_copy.make()
    assert "no targets are out of date" in log, log[-2000:]
    after = search_index(book_copy.html)
    glossary = before["docnames"].index("glossary")
    terms = {e for e, places in before["indexentries"].items()
             if any(doc == glossary and anchor.startswith("term-") for doc, anchor, _ in places)}
    assert len(terms) >= 200, f"only {len(terms)} glossary terms in the search index"
    assert after["indexentries"] == before["indexentries"]
    assert after["terms"] == before["terms"]


def test_second_build_does_nothing_until_a_source_changes(book_copy):
    """`make html` with nothing changed neither executes nor starts Sphinx; once a
    source is newer than the last build, Sphinx runs again and reads just that file (and
    rewrites the checklist, glossary and flashcards, which collect from every chapter)."""
    log, _ = book_copy.make()
    assert "sphinx-build" not in log and "dlguide_build.execute" not in log, log
    assert "Book written to" in log
    doctrees = {p.stem: p.stat().st_mtime_ns for p in (book_copy.html / ".doctrees").glob("*.doctree")}
    os.utime(book_copy.src / "week03.md")  # saved again, unchanged
    log, executed = book_copy.make()
    assert "sphinx-build" in log, log[-2000:]
    assert executed == []
    reread = {p.stem for p in (book_copy.html / ".doctrees").glob("*.doctree")
              if p.stat().st_mtime_ns != doctrees.get(p.stem)}
    # week03 read again; besides it, only the pages made from every chapter's contents
    assert "week03" in reread, reread
    assert reread - {"week03"} <= {"checklist", "glossary", "flashcards", "formulas"}, reread
    assert "sphinx-build" not in book_copy.make()[0]  # and the stamp is back


def test_prose_edit_executes_nothing_but_code_edit_reruns_only_that_chapter(book_copy):
    chapter = book_copy.src / "week02.md"
    text = chapter.read_text()
    try:
        # A prose-only edit: the page changes, no cell runs.
        marker = "A sentence added by the prose-edit test."
        chapter.write_text(text.replace("## Softmax\n", f"## Softmax\n\n{marker}\n", 1))
        _, executed = book_copy.make()
        assert executed == []
        assert marker in (book_copy.html / "week02.html").read_text()

        # A code edit: that chapter, and only that chapter, runs again.
        chapter.write_text(text.replace("dlguide.setup(seed=0)",
                                        "dlguide.setup(seed=0)  # edited", 1))
        _, executed = book_copy.make()
        assert executed == ["week02.md"]
    finally:
        chapter.write_text(text)   # the copy as it was, for the other tests of the module
        book_copy.make()


def test_tooling_pins_execute_nothing_but_a_helper_change_reexecutes(tmp_path):
    """The execution cache is keyed on what the kernel runs (the helper package and
    constraints/kernel.txt): bumping a build or test pin executes nothing, editing a
    helper module executes the book again."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "src" / "dlguide", project / "src" / "dlguide",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "constraints", project / "constraints")
    book = FIXTURES / "practice"

    def execute() -> list[str]:
        report = tmp_path / "report.json"
        subprocess.run([sys.executable, "-m", "dlguide_build.execute", "--book", str(book),
                        "--cache", str(cache_dir(project)), "--report", str(report)],
                       cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "DLGUIDE_CACHE": str(tmp_path / "cache")})
        return [Path(e["notebook"]).name for e in json.loads(report.read_text())["executed"]]

    first = execute()
    assert first, "the fixture book has notebooks to execute"
    tooling = project / "constraints" / "tooling.txt"
    for pin in ("pytest==", "playwright==", "sphinx=="):
        tooling.write_text(re.sub(rf"^{pin}\S+", f"{pin}999.0", tooling.read_text(),
                                  flags=re.M))
    assert execute() == []                                  # tooling pins: nothing runs
    helper = project / "src" / "dlguide" / "plot.py"
    helper.write_text(helper.read_text() + "\n# a changed helper\n")
    assert execute() == first                               # a helper: everything runs
