"""The build itself: it fails loudly on bad input, and never executes a cell twice."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dlguide_build.execute import cache_dir

from conftest import BOOK, ROOT, SPHINX_BUILD, build, executed_notebooks, make

FIXTURES = ROOT / "tests" / "fixtures"


def test_failing_cell_fails_the_build_and_names_the_file(tmp_path):
    result = build(FIXTURES / "bad_cell", tmp_path / "html", tmp_path / "cache")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "bad_cell/index.md: a cell failed" in log   # which chapter
    assert 'raise ValueError("this cell is broken on purpose")' in log  # the cell
    assert "ValueError: this cell is broken on purpose" in log  # and its traceback
    report = json.loads((tmp_path / "execution-report.json").read_text())
    assert report["failed"][0]["notebook"].endswith("bad_cell/index.md")


def test_failing_cell_fails_sphinx_alone_too(tmp_path):
    """Without the parallel step (e.g. `sphinx-autobuild`), myst-nb stops the build."""
    cmd = [*SPHINX_BUILD, "-b", "html", "-c", str(ROOT / "conf"), "-W", "-n",
           "-D", f"nb_execution_cache_path={tmp_path / 'cache'}",
           str(FIXTURES / "bad_cell"), str(tmp_path / "html")]
    result = subprocess.run(cmd, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "bad_cell/index.md: WARNING: Executing notebook failed" in log
    assert "this cell is broken on purpose" in log


def test_unknown_glossary_term_fails_the_build_and_names_the_file(tmp_path):
    result = build(FIXTURES / "bad_term", tmp_path / "html", tmp_path / "cache")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "bad_term/index.md:3: WARNING: term not in glossary: 'flux capacitor'" in log


@pytest.mark.parametrize("fixture, warning", [
    ("glossary_orphan", "is referenced by no chapter"),            # found by the audit
    ("bad_term", "WARNING: term not in glossary: 'flux capacitor'"),  # found while writing
])
def test_a_failed_build_fails_again_until_fixed(fixture, warning, tmp_path):
    """Sphinx reads only what changed; a warning must not vanish on a second, unchanged
    build (dlguide_rewarn re-reads what warned)."""
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / fixture, src)
    out, cache = tmp_path / "html", tmp_path / "cache"
    for attempt in ("first", "unchanged"):
        result = build(src, out, cache)
        log = result.stdout + result.stderr
        assert result.returncode != 0, f"{attempt} build of {fixture} passed:\n{log[-3000:]}"
        assert warning in log, f"{attempt} build of {fixture} lost its warning"

    # Fix the cause: drop the offending entry or reference; the build passes, and stays so.
    index = src / "index.md"
    if fixture == "bad_term":
        index.write_text(index.read_text().replace("{term}`flux capacitor`", "flux capacitor"))
    else:
        shutil.copytree(FIXTURES / "glossary_clean", src, dirs_exist_ok=True,
                        copy_function=shutil.copy)  # new mtimes: Sphinx sees the edit
    for attempt in ("fixed", "unchanged after the fix"):
        result = build(src, out, cache)
        assert result.returncode == 0, f"{attempt} build failed:\n{result.stderr[-3000:]}"
    assert not (out / ".doctrees" / "dlguide-warned.json").exists()


def search_index(html: Path) -> dict:
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def test_a_rebuild_keeps_the_search_index_whole(built_book):
    """Index entries (the glossary's terms) survive a build that rewrites no page
    (Sphinx alone drops them, sphinx-doc/sphinx#12599; see dlguide_searchindex)."""
    before = search_index(built_book)
    (built_book / ".dlguide-built").unlink()  # make runs Sphinx, which finds nothing to do
    log = make("html").stdout
    assert "no targets are out of date" in log, log[-2000:]
    after = search_index(built_book)
    glossary = before["docnames"].index("glossary")
    terms = {e for e, places in before["indexentries"].items()
             if any(doc == glossary and anchor.startswith("term-") for doc, anchor, _ in places)}
    assert len(terms) >= 200, f"only {len(terms)} glossary terms in the search index"
    assert after["indexentries"] == before["indexentries"]
    assert after["terms"] == before["terms"]


def test_second_build_does_nothing_until_a_source_changes(built_book):
    """`make html` with nothing changed neither executes nor starts Sphinx; once a
    source is newer than the last build, Sphinx runs again and reads just that file."""
    log = make("html").stdout
    assert "sphinx-build" not in log and "dlguide_build.execute" not in log, log
    assert "Book written to" in log
    chapter = BOOK / "week03.md"
    os.utime(chapter)  # saved again, unchanged
    result = make("html")
    log = result.stdout + result.stderr
    assert "sphinx-build" in log, log[-2000:]
    assert executed_notebooks(log) == []
    assert re.search(r"reading sources\.\.\. \[[ 0-9]+%\] week03", log), log[-3000:]
    assert "sphinx-build" not in make("html").stdout  # and the stamp is back


@pytest.fixture
def book_copy(built_book, tmp_path):
    """A copy of the book's sources and of its filled execution cache."""
    src, cache = tmp_path / "book", tmp_path / "cache"
    shutil.copytree(BOOK, src)
    shutil.copytree(cache_dir(), cache)
    return src, cache


def test_prose_edit_executes_nothing_but_code_edit_reruns_only_that_chapter(book_copy, tmp_path):
    src, cache = book_copy
    chapter = src / "week02.md"
    text = chapter.read_text()

    # A prose-only edit: the page changes, no cell runs.
    marker = "A sentence added by the prose-edit test."
    chapter.write_text(text.replace("## Softmax\n", f"## Softmax\n\n{marker}\n", 1))
    result = build(src, tmp_path / "html", cache)
    assert result.returncode == 0, result.stderr[-4000:]
    assert executed_notebooks(result.stdout + result.stderr) == []
    assert marker in (tmp_path / "html" / "week02.html").read_text()

    # A code edit: that chapter, and only that chapter, runs again.
    chapter.write_text(text.replace("dlguide.setup(seed=0)", "dlguide.setup(seed=0)  # edited", 1))
    result = build(src, tmp_path / "html", cache)
    assert result.returncode == 0, result.stderr[-4000:]
    executed = executed_notebooks(result.stdout + result.stderr)
    assert executed == ["week02.md"]


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
