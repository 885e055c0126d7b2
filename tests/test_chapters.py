"""Each chapter as a reader sees it: executed output in every section, figures, math,
checks that ran, glossary links, nothing left as raw markup."""

import copy
import json
import re

import pytest

from conftest import BOOK, chapter_names

CHAPTERS = chapter_names()
RAW_MARKUP = re.compile(r"\{(term|eq|ref|numref|glue:text|code-cell)\}`|^:::|^```|\$\$", re.M)


def article(page, name):
    return page(name).select_one("article.bd-article")


def test_navigation_lists_the_ten_weeks_in_reading_order(page):
    """The book's navigation opens with the chapters, Week 2 to Week 11 in order, each
    titled with its week; every chapter file of book/ is one of them."""
    nav = page("index").select_one("nav.bd-links")
    entries = [(a["href"], a.get_text(" ", strip=True)) for a in nav.select(
        "ul.bd-sidenav:not(.bd-sidenav__home-link) > li.toctree-l1 > a")]
    weeks = [(href, title) for href, title in entries if title.startswith("Week ")]
    numbers = [re.match(r"Week (\d+) · \S", title) for _, title in weeks]
    assert all(numbers), weeks
    assert [int(n.group(1)) for n in numbers] == list(range(2, 12)), weeks
    assert [href for href, _ in weeks] == [f"week{n:02d}.html" for n in range(2, 12)]
    assert entries[:len(weeks)] == weeks, "the chapters come first, with nothing between"
    sources = {f"{name}.html" for name in CHAPTERS}   # the book's chapter files
    assert sources <= {href for href, _ in weeks}, sources - {href for href, _ in weeks}


@pytest.mark.parametrize("name", CHAPTERS)
def test_title_shows_its_week(page, name):
    week = int(name.removeprefix("week"))
    h1 = article(page, name).find("h1").get_text(" ", strip=True)
    assert h1.startswith(f"Week {week} ·"), h1


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_section_shows_executed_output(page, name):
    # The closing practice sections (quiz, exercises, exam checklist) are checked in
    # test_practice.py, Further reading in test_figures_and_references.py.
    sections = article(page, name).select("section:not(.dlg-unlisted) > h2")
    assert len(sections) >= 6, "a chapter has at least six sections"
    for h2 in sections:
        section = h2.parent
        outputs = section.select("div.cell_output")
        title = h2.get_text(strip=True)
        assert outputs, f"{name}: section {title!r} has no executed output"
        assert any(o.get_text(strip=True) or o.find("img") for o in outputs), title


@pytest.mark.parametrize("name", CHAPTERS)
def test_checks_ran(page, name):
    """Checked claims are visible to the reader, and no cell ended in an error."""
    body = article(page, name)
    code = "\n".join(pre.get_text() for pre in body.select("div.cell_input pre"))
    checks = len(re.findall(r"\bassert\b|assert_close", code))
    assert checks >= 8, f"{name}: only {checks} checks"
    assert not body.select("div.output.traceback, div.output.error"), f"{name}: a cell failed"


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_are_executed_images_with_captions(page, built_book, name):
    figures = article(page, name).select("figure")
    with_images = [f for f in figures if f.find("img") and f.find("figcaption")]
    assert len(with_images) >= 2, f"{name}: {len(with_images)} captioned figures"
    for fig in with_images:
        src = fig.find("img")["src"]
        # a plot is a real image; a diagram a small SVG (test_figures_and_references.py)
        least = 1_000 if "dlg-diagram" in fig.get("class", []) else 5_000
        assert (built_book / src).stat().st_size > least, f"{src} is missing or empty"
        assert re.match(r"Fig\. \d+", fig.figcaption.get_text(strip=True)), "figures are numbered"


@pytest.mark.parametrize("name", CHAPTERS)
def test_math_is_left_for_mathjax_and_no_raw_markup_leaks(page, name):
    body = copy.copy(article(page, name))   # the parsed pages are shared: work on a copy
    assert len(body.select("div.math")) >= 1, "display formulas"
    for pre in body.select("pre, script, style, .math, code"):
        pre.decompose()
    text = body.get_text("\n")
    leaks = RAW_MARKUP.findall(text)
    assert not leaks, f"{name}: raw markup in the page: {leaks[:5]}"
    # A dollar left in the prose is maths that did not parse (e.g. a line of inline maths
    # starting with "+ " or "- " becomes a list item and splits the formula in two).
    dollars = [line.strip()[:60] for line in text.splitlines() if "$" in line]
    assert not dollars, f"{name}: maths left as text: {dollars[:3]}"


@pytest.mark.parametrize("name", CHAPTERS + ["exam", "exam-b"])
def test_code_fits_the_page(name):
    """Code lines of at most 79 characters: no horizontal scrolling, nothing past the PDF margin."""
    source = (BOOK / f"{name}.md").read_text()
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)\n```", source, flags=re.S)
    code = [line for cell in cells for line in cell.splitlines()
            if not line.startswith(":")]  # not the cell's options (tags, figure caption)
    long = [line for line in code if len(line) > 79]
    assert not long, f"{name}: {len(long)} code lines over 79 characters, e.g. {long[0]!r}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_download_buttons(page, name):
    """Readers can download each chapter as a notebook and as its source."""
    links = [a.get("href", "") for a in page(name).select(".dropdown-download-buttons a")]
    assert any(h.endswith(f"{name}.ipynb") for h in links), links
    assert any(h.endswith(f"{name}.md") for h in links), links


@pytest.mark.parametrize("name", [*CHAPTERS, "exam"])
def test_downloaded_notebook_has_the_outputs_of_the_page(page, built_book, name):
    """The .ipynb a reader downloads is the executed chapter: every output on the page
    is in it (myst-nb alone would save it without outputs; see dlguide_downloads)."""
    notebook = json.loads((built_book / "_sources" / f"{name}.ipynb").read_text())
    with_output = [c for c in notebook["cells"] if c["cell_type"] == "code" and c["outputs"]]
    shown = len(page(name).select("div.cell_output"))
    assert shown > 0 and len(with_output) >= shown, (
        f"{name}.ipynb: {len(with_output)} cells with output, the page shows {shown}")


def test_landing_page_shows_the_ten_weeks(page):
    index = page("index")
    cards = index.select("div.sd-card")
    titles = [c.select_one(".sd-card-title").get_text(strip=True) for c in cards]
    assert [t.split(" ·")[0] for t in titles] == [f"Week {n}" for n in range(2, 12)]
    for name in CHAPTERS:
        week = int(name.removeprefix("week"))
        card = cards[week - 2]
        link = card.find("a", class_="sd-stretched-link") or card.find_parent("a")
        assert link is not None and link["href"].startswith(f"{name}.html"), f"card for {name}"
    assert "exam" in index.get_text().lower()
