"""The formula sheet (book/formulas.md, dlguide_formulas): every labelled equation of the
chapters, once, named, linked back to where it is derived, grouped by week; in the PDF
an appendix after the Solutions.

The whole book's sheet is checked on the built HTML against the chapters' own equations;
a fixture book (tests/fixtures/formulas) shows that a new equation reaches the sheet with
no other change and that a name for a missing equation fails the build."""

import re
import subprocess
import sys
import tomllib

from bs4 import BeautifulSoup

from conftest import BOOK, ROOT, build, chapter_names, copy_fixture, strict_options
from test_pdf import LATEX_TOC, part, toc_chapters


def chapter_equations(soup) -> list[tuple[str, str]]:
    """(anchor, number) of every numbered display equation of a page, in order."""
    return [(div["id"], div.select_one(".eqno").get_text(strip=True).rstrip("#"))
            for div in soup.select("article div.math[id^=equation-]")]


def sheet_entries(soup) -> list[dict]:
    """What the sheet shows for each formula: its week, name, link, number and maths."""
    entries = []
    for week in soup.select("article section.dlg-formula-week"):
        for entry in week.select(".dlg-formula"):
            link = entry.select_one("a.dlg-formula-source")
            entries.append({
                "week": week["id"], "heading": week.select_one("h2").get_text(strip=True),
                "name": entry.select_one("strong").get_text(strip=True),
                "href": link["href"] if link else None,
                "number": entry.select_one("div.math .eqno").get_text(strip=True),
                "maths": entry.select_one("div.math").get_text(),
            })
    return entries


# --- the book's sheet --------------------------------------------------------------

def test_sheet_holds_every_labelled_equation_once_linked_back(page):
    entries = sheet_entries(page("formulas"))
    expected = [(f"{name}.html#{anchor}", number) for name in chapter_names()
                for anchor, number in chapter_equations(page(name))]
    assert len(expected) >= 90
    shown = [(e["href"], e["number"]) for e in entries]
    assert len(set(shown)) == len(shown), "a formula shows twice"
    # every equation, once, in reading order, with the number its chapter shows
    assert shown == expected
    for entry in entries:
        assert entry["name"] and entry["maths"].strip(), entry
        assert r"\[" in entry["maths"], entry    # display maths, typeset by MathJax


def test_sheet_is_grouped_by_week_in_reading_order(page):
    weeks = page("formulas").select("article section.dlg-formula-week")
    assert [w["id"] for w in weeks] == [f"formulas-{name}" for name in chapter_names()]
    for week, name in zip(weeks, chapter_names()):
        title = page(name).select_one("article h1").get_text(strip=True).rstrip("#")
        assert week.select_one("h2").get_text(strip=True).rstrip("#") == title
        assert title.startswith(f"Week {int(name.removeprefix('week'))} · ")
        assert all(a["href"].startswith(f"{name}.html#")
                   for a in week.select("a.dlg-formula-source"))


def test_every_formula_has_its_name_from_the_names_file(page):
    names = tomllib.loads((BOOK / "formula-names.toml").read_text(encoding="utf-8"))
    shown = {e["href"].split("#equation-")[1]: e["name"]
             for e in sheet_entries(page("formulas"))}
    assert set(shown) == set(names), "every labelled equation has a name, and no other"
    for label, name in names.items():
        assert shown[label] == name, label
    assert shown["eq-w10-sdpa"] == "Scaled dot-product attention"
    assert shown["eq-w11-gcn"] == "GCN layer, normalised"


def test_formula_sheet_prints_as_the_last_appendix(text):
    chapters = toc_chapters(LATEX_TOC.read_text())
    assert chapters[-3:] == [("A", "Answer key"), ("B", "Solutions"), ("C", "Formula sheet")]
    pages = [int(p) for p in re.findall(
        r"\\contentsline \{chapter\}\{(?:\\numberline \{C\})?(?:Formula sheet|Index)\}\{(\d+)\}",
        LATEX_TOC.read_text())]
    assert len(pages) == 2 and pages[1] - pages[0] <= 10, f"the sheet spans pages {pages}"
    sheet = part(text, "FORMULA SHEET", "INDEX")
    flat = " ".join(sheet.split())
    names = tomllib.loads((BOOK / "formula-names.toml").read_text(encoding="utf-8"))
    for name in ["Adam: bias-corrected moments", "Scaled dot-product attention",
                 "GCN layer, normalised", "Mean squared error (MSE)"]:
        assert name in flat, name
    numbers = re.findall(r"\((\d+\.\d+)\)", sheet)
    assert len(set(numbers)) == len(names), "each formula prints with its number"
    assert "(3.5)" in sheet and "(11.9)" in sheet
    assert re.search(r"Adam, p\. \d+", flat), "where it is derived: section and page"


# --- a fixture book ------------------------------------------------------------------

def built_sheet(src, tmp_path, again=False) -> tuple[BeautifulSoup, BeautifulSoup]:
    """Build the fixture book; AGAIN: rebuild it incrementally as `make html` does
    (sphinx-build on the same doctrees), so that only what changed is read."""
    if again:
        result = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", *strict_options(),
             "-d", str(tmp_path / "doctrees"),
             "-D", f"nb_execution_cache_path={tmp_path / 'cache'}",
             str(src), str(tmp_path / "html")], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    else:
        result = build(src, tmp_path / "html", tmp_path / "cache")
        assert result.returncode == 0, result.log[-3000:]
    read = lambda name: BeautifulSoup(  # noqa: E731
        (tmp_path / "html" / f"{name}.html").read_text(encoding="utf-8"), "lxml")
    return read("formulas"), read("week03")


def test_fixture_sheet_and_a_new_equation_appears_with_no_other_change(tmp_path):
    src = copy_fixture("formulas", tmp_path)
    sheet, chapter = built_sheet(src, tmp_path)
    entries = sheet_entries(sheet)
    assert [(e["name"], e["number"], e["href"]) for e in entries] == [
        ("Momentum", "(3.1)", "week03.html#equation-eq-w03-momentum"),   # its section
        ("Adam: bias-corrected moment", "(3.2)", "week03.html#equation-eq-w03-adam-bias"),
    ]
    assert [e["heading"].rstrip("#") for e in entries] == ["Week 3 · Formula fixture"] * 2
    assert [(f"week03.html#{a}", n) for a, n in chapter_equations(chapter)] == [
        (e["href"], e["number"]) for e in entries]

    # Append an equation to the chapter, rebuild: it is on the sheet, named after its
    # section, with nothing else edited.
    with (src / "week03.md").open("a", encoding="utf-8") as f:
        f.write("\n## Weight decay\n\n$$\nE_2 = E + \\lambda \\lVert w \\rVert^2\n"
                "$$ (eq-w03-l2)\n")
    sheet, chapter = built_sheet(src, tmp_path, again=True)
    entries = sheet_entries(sheet)
    assert [(e["name"], e["number"], e["href"]) for e in entries][-1] == (
        "Weight decay", "(3.3)", "week03.html#equation-eq-w03-l2")
    assert len(entries) == 3
    assert r"\lambda \lVert w \rVert^2" in entries[-1]["maths"]
    assert chapter.select_one("div.math#equation-eq-w03-l2"), "the link's anchor"


def test_a_name_for_no_equation_fails_naming_file_and_line(tmp_path):
    src = copy_fixture("formulas", tmp_path)
    names = src / "formula-names.toml"
    lines = names.read_text(encoding="utf-8").splitlines()
    names.write_text("\n".join(lines + ['eq-w03-nowhere = "Nothing"', ""]), encoding="utf-8")
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert re.search(rf"{re.escape(str(names))}:{len(lines) + 1}: WARNING: .*"
                     r"'eq-w03-nowhere'.*no chapter has", result.log), result.log[-3000:]


def test_a_name_that_is_not_a_string_fails_naming_file_and_line(tmp_path):
    src = copy_fixture("formulas", tmp_path)
    names = src / "formula-names.toml"
    names.write_text('# names\n\neq-w03-momentum = 3\n', encoding="utf-8")
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert re.search(rf"{re.escape(str(names))}:3: WARNING: .*'eq-w03-momentum'.*"
                     r"non-empty string", result.log), result.log[-3000:]
