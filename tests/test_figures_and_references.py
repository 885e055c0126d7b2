"""Issue 14: diagrams where the exam says "draw", worked examples done by hand and checked
by code, and a bibliography that every chapter cites, on the web and in the PDF."""

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from conftest import BOOK, build, chapter_names, copy_fixture, open_page
from test_pdf import LATEX_TEX, part

FIGURES = BOOK / "figures"
SVG = "{http://www.w3.org/2000/svg}"
# What the issue asks each week to draw, at least.
DIAGRAMS_PER_WEEK = {"week04": 2, "week05": 2, "week06": 2, "week08": 4, "week09": 1,
                     "week10": 3, "week11": 1}


def diagrams(soup):
    return soup.select("figure.dlg-diagram")


# --- diagrams ---------------------------------------------------------------------------

def test_every_diagram_is_an_svg_with_caption_number_alt_text_and_a_mention(page):
    files = Counter()
    for name in chapter_names() + ["exam"]:
        soup = page(name)
        for figure in diagrams(soup):
            where = f"{name}#{figure.get('id')}"
            img = figure.find("img")
            assert img["src"].startswith("_images/") and img["src"].endswith(".svg"), where
            alt = img.get("alt", "")
            assert len(alt.split()) >= 8 and ".svg" not in alt, f"{where}: alt {alt!r}"
            caption = figure.select_one("figcaption .caption-text")
            assert caption and len(caption.get_text(" ", strip=True).split()) >= 6, where
            number = figure.select_one("figcaption .caption-number").get_text(strip=True)
            if name != "exam":   # numbered per chapter: Fig. 8.3 in Week 8
                assert number.startswith(f"Fig. {int(name[4:])}."), f"{where}: {number}"
            # the prose refers to it ({numref}), so a reader is sent to look at it
            assert soup.select(f'a[href="#{figure["id"]}"]'), f"{where}: never referred to"
            files[img["src"].rsplit("/", 1)[1]] += 1
        if name in DIAGRAMS_PER_WEEK:
            assert len(diagrams(soup)) >= DIAGRAMS_PER_WEEK[name], name
    assert len(files) >= 14, sorted(files)
    # every SVG kept in the book is shown somewhere, and only those
    assert set(files) == {p.name for p in FIGURES.glob("*.svg")}


@pytest.mark.parametrize("name", chapter_names())
def test_every_plot_says_what_it_shows(page, name):
    """A plot's alt text describes it in a sentence or more (myst-nb's default is the
    image's file name, a hash), so a screen reader gets what a sighted reader sees."""
    plots = page(name).select("div.cell_output img")
    assert plots, f"{name}: no plots?"
    for img in plots:
        alt = img.get("alt", "")
        assert len(alt.split()) >= 12 and not re.search(r"\.(png|svg|jpe?g)$", alt), (
            f"{name}: {img['src']} has alt {alt!r}")



@pytest.mark.parametrize("svg", sorted(p.name for p in FIGURES.glob("*.svg")))
def test_svg_is_small_self_contained_and_drawn_on_white(svg):
    path = FIGURES / svg
    assert path.stat().st_size < 15_000, f"{svg}: {path.stat().st_size} bytes"
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg" and root.get("viewBox"), svg
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None, svg
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"script", "image", "foreignObject", "style"}, (svg, tags)
    for el in root.iter():
        for key, value in el.attrib.items():
            if key.endswith("href"):
                assert value.startswith("#"), f"{svg}: refers to {value}"
    # a white background over the whole drawing: legible on the dark theme as in print
    background = root.find(f"{SVG}rect")
    _, _, width, height = root.get("viewBox").split()
    assert background is not None and background.get("fill", "").lower() in ("#ffffff", "#fff", "white")
    assert (background.get("width"), background.get("height")) in ((width, height), ("100%", "100%"))


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_diagrams_are_drawn_and_sit_on_white_in_both_themes(browser, server, dark):
    ctx, page, _ = open_page(browser, server, "week08", dark=dark)
    try:
        shown = page.eval_on_selector_all(
            "figure.dlg-diagram img",
            "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, i.clientWidth, "
            "getComputedStyle(i).backgroundColor])")
        assert len(shown) >= 4
        for loaded, width, background in shown:
            assert loaded and width >= 250, shown
            if dark:
                assert background == "rgb(255, 255, 255)", shown
    finally:
        ctx.close()


# --- worked examples --------------------------------------------------------------------

def test_worked_examples_are_followed_by_a_cell_that_asserts_them(page):
    found = []
    for name in chapter_names():
        for box in page(name).select("div.worked-example"):
            title = box.select_one(".admonition-title").get_text(strip=True)
            assert title.startswith("Worked example"), f"{name}: {title}"
            assert box.select(".math"), f"{name}: {title} shows no working"
            cell = box.find_next_sibling("div", class_="cell")
            assert cell is not None, f"{name}: {title} has no checking cell"
            source = cell.select_one(".cell_input").get_text()
            assert "assert" in source, f"{name}: {title}: the cell after it asserts nothing"
            found.append((name, title))
    assert len(found) >= 8, found


# --- references -------------------------------------------------------------------------

def citations(soup):
    """The citation links of a page's text: "He et al. (2016)" -> references.html#id."""
    return soup.select('article a[href^="references.html#"]')


def test_every_chapter_cites_at_least_two_works_that_resolve(page):
    entries = page("references").select("div.citation")
    ids = {entry["id"] for entry in entries}
    assert len(entries) >= 20, len(entries)
    cited = set()
    for name in chapter_names() + ["exam", "glossary"]:
        targets = {a["href"].split("#", 1)[1] for a in citations(page(name))}
        # anchors named after the key, so that a page not rewritten keeps working links
        assert all(re.fullmatch(r"cite-[a-z]+\d{4}[a-z]+", t) for t in targets), targets
        if name in chapter_names():
            assert len(targets) >= 2, f"{name} cites {len(targets)} works"
        assert targets <= ids, f"{name}: citations without an entry {targets - ids}"
        cited |= targets
    assert cited == ids, "an entry of References that no chapter cites"


def test_every_chapter_ends_with_further_reading_that_cites(page):
    for name in chapter_names():
        section = page(name).select_one("section#further-reading")
        assert section is not None, name
        items = section.select("li")
        assert 2 <= len(items) <= 4, f"{name}: {len(items)} items"
        for item in items:
            assert citations(item), f"{name}: {item.get_text(strip=True)[:60]} cites nothing"
        # read after the chapter, before its practice sections
        following = [s.get("id") for s in section.find_next_siblings("section")]
        assert following[:1] == ["check-yourself"], f"{name}: {following}"


def test_an_unknown_citation_fails_the_build_naming_file_and_line(tmp_path):
    src = copy_fixture("citation_bad", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache", execute=False)
    assert result.returncode != 0
    assert re.search(r"citation_bad/index\.md:3: WARNING: could not find bibtex key "
                     r'"nosuchpaper2020"', result.log), result.log[-2000:]
    assert "known2019" not in result.log


# --- the printed book -------------------------------------------------------------------

def test_pdf_has_the_diagrams_as_vector_pdf_and_a_references_chapter(page, text):
    tex = LATEX_TEX.read_text()
    flat = " ".join(text.split())
    for name in chapter_names():
        for figure in diagrams(page(name)):
            stem = figure.find("img")["src"].rsplit("/", 1)[1].removesuffix(".svg")
            assert f"{{{stem}}}.pdf" in tex, f"{stem} is not in the PDF as vector PDF"
            number = figure.select_one(".caption-number").get_text(strip=True)
            assert f"{number}:" in flat, f"{name}: {number} missing from the PDF"
    references = " ".join(part(text, "REFERENCES", "APPENDIX").split())
    numbers = re.findall(r"\[(\d+)\] [A-Z]", references)
    assert len(numbers) >= 20 and numbers == [str(i) for i in range(1, len(numbers) + 1)]
    assert "Deep residual learning for image recognition" in references
    assert "(He et al., 2016)" in flat or "He et al., 2016" in flat
    assert "{cite" not in flat and "??" not in flat
