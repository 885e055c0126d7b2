"""The flashcards page and its Anki deck, generated from the glossary and the formulas.

On the built book: one card per glossary entry (and per formula, once the formula
module dlguide_formulas exists: without it the page must have no formula card, and the
count check says which case it is in), each with its stable id, front, back and weeks;
the .apkg the page links holds the same cards. On a fixture book: exact cards, the deck's
GUIDs across two builds and after an incremental one, the LaTeX build without the page.
"""

import importlib.util
import json
import re
import sqlite3
import zipfile
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

import genanki
from bs4 import BeautifulSoup

from conftest import (CONF_STUB, ROOT, build, chapter_names, copy_fixture, sphinx_arguments,
                      strict_options)

# Without the formula module, the page has term cards only (see the module docstring).
HAVE_FORMULAS = importlib.util.find_spec("dlguide_formulas") is not None
ROOT_DECK = "Deep Learning study book"


def cards(soup: BeautifulSoup) -> list:
    return soup.select(".dlg-flashcards[data-flashcards] > .dlg-card")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def term_text(dt) -> str:
    """A glossary term as the reader sees it, without its "#" link."""
    dt = BeautifulSoup(str(dt), "lxml").dt
    for link in dt.select("a.headerlink"):
        link.decompose()
    return text(dt)


def expected_id(dt) -> str:
    """The contract: "term/" and the slug of the entry's first name (before "(ABBR)")."""
    dt = BeautifulSoup(str(dt), "lxml").dt
    for extra in dt.select("a.headerlink, .dlguide-term-alias"):
        extra.decompose()
    return "term/" + re.sub(r"[^a-z0-9]+", "-", text(dt).lower()).strip("-")


def weeks_used_in(dd) -> list[str]:
    """The chapters the "Used in" line of a glossary entry links to, in its order."""
    found = []
    for a in dd.select(".dlguide-used-in a"):
        doc = urlparse(a["href"]).path.removesuffix(".html")
        if re.fullmatch(r"week\d\d", doc) and doc not in found:
            found.append(doc)
    return found


def deck(path: Path) -> dict:
    """What an .apkg holds: {"guids": {guid: (front, back, deck name, tags)}, "decks":
    the deck names}. Read as Anki reads it: a zip holding a SQLite collection."""
    with zipfile.ZipFile(path) as apkg:
        names = [n for n in apkg.namelist() if n in ("collection.anki21", "collection.anki2")]
        assert names, apkg.namelist()
        db = path.parent / f"{path.name}.{names[0]}"
        db.write_bytes(apkg.read(names[0]))
    con = sqlite3.connect(db)
    try:
        decks = {int(k): d["name"] for k, d in
                 json.loads(con.execute("select decks from col").fetchone()[0]).items()}
        notes = {}
        for guid, flds, tags, did in con.execute(
                "select n.guid, n.flds, n.tags, c.did from notes n join cards c "
                "on c.nid = n.id"):
            front, back = flds.split("\x1f")
            assert guid not in notes, f"two cards for note {guid}"
            notes[guid] = (front, back, decks[did], tags.split())
        models = json.loads(con.execute("select models from col").fetchone()[0])
        fields = [[f["name"] for f in m["flds"]] for m in models.values()]
    finally:
        con.close()
        db.unlink()
    return {"notes": notes, "decks": set(decks.values()), "fields": fields}


def deck_of(built: Path, page_soup) -> Path:
    """The .apkg the page links, as a path in the built book."""
    box = page_soup.select_one("[data-flashcards]")
    link = page_soup.select_one("a[download]")
    assert link is not None and link["href"] == box["data-anki"], "no link to the deck"
    assert link["href"].endswith("dlguide.apkg")
    return built / link["href"]


# --- the built book --------------------------------------------------------------------

def test_one_card_per_glossary_entry_and_per_formula(page):
    dts = page("glossary").select("dl.glossary > dt")
    found = cards(page("flashcards"))
    terms = [c for c in found if c["data-kind"] == "term"]
    assert len(dts) >= 200 and len(terms) == len(dts)
    assert [text(c.select_one(".dlg-card-front")) for c in terms] == [term_text(dt) for dt in dts]
    assert [c["data-card"] for c in terms] == [expected_id(dt) for dt in dts]
    formulas = [c for c in found if c["data-kind"] == "formula"]
    if HAVE_FORMULAS:   # one card per labelled equation of a chapter, in reading order
        labels = [div["id"].removeprefix("equation-") for name in chapter_names()
                  for div in page(name).select("article div.math[id^='equation-']")]
        assert labels, "the chapters have no labelled equation"
        assert [c["data-card"] for c in formulas] == [f"formula/{x}" for x in labels]
    else:               # dlguide_formulas is not there yet: term cards only
        assert formulas == []
    assert len(found) == len(terms) + len(formulas)


def test_every_card_has_a_unique_id_a_front_a_back_and_weeks(page):
    found = cards(page("flashcards"))
    ids = [c["data-card"] for c in found]
    assert len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]
    chapters = set(chapter_names())
    for card in found:
        kind = card["data-kind"]
        assert kind in ("term", "formula") and card["data-card"].startswith(kind + "/")
        assert text(card.select_one(":scope > .dlg-card-front")), card["data-card"]
        assert text(card.select_one(":scope > .dlg-card-back")), card["data-card"]
        weeks = card["data-weeks"].split()
        assert set(weeks) <= chapters, (card["data-card"], weeks)


def test_a_term_card_shows_the_definition_and_the_weeks_that_use_it(page):
    glossary = page("glossary")
    by_id = {c["data-card"]: c for c in cards(page("flashcards"))}
    with_maths = 0
    for dt in glossary.select("dl.glossary > dt"):
        card = by_id[expected_id(dt)]
        dd = BeautifulSoup(str(dt.find_next_sibling("dd")), "lxml").dd
        weeks = weeks_used_in(dd)
        assert weeks, f"{term_text(dt)}: used in no chapter"
        assert card["data-weeks"].split() == weeks, term_text(dt)
        for used_in in dd.select(".dlguide-used-in"):
            used_in.decompose()
        back = card.select_one(".dlg-card-back")
        assert text(back) == text(dd), term_text(dt)
        assert not back.select(".dlguide-used-in")
        with_maths += bool(back.select(".math"))
        for maths in back.select(".math"):
            assert re.fullmatch(r"\\\(.*\\\)|\\\[.*\\\]", maths.get_text(), re.S), maths
    assert with_maths >= 50, "the definitions' formulas are missing from the cards"


def test_the_page_links_the_anki_deck_with_the_same_cards(page, built_book):
    soup = page("flashcards")
    found = cards(soup)
    apkg = deck_of(built_book, soup)
    held = deck(apkg)
    assert held["fields"] == [["Front", "Back"]]
    assert len(held["notes"]) == len(found)
    titles = {name: text(page(name).select_one("article h1")).rstrip("#").strip()
              for name in chapter_names()}
    for card in found:
        front, back, deck_name, tags = held["notes"][genanki.guid_for(card["data-card"])]
        assert text(BeautifulSoup(front, "lxml")) == text(card.select_one(".dlg-card-front"))
        back_html = BeautifulSoup(back, "lxml")
        assert text(back_html) and "<img" not in back
        assert not back_html.select("a"), f"{card['data-card']}: a link in the deck"
        first = card["data-weeks"].split()[0]
        week = re.sub(r"^Week (\d+)", lambda m: f"Week {int(m[1]):02d}", titles[first])
        assert deck_name == f"{ROOT_DECK}::{week}", (card["data-card"], deck_name)
        assert set(card["data-weeks"].split()) <= set(tags)
    weeks = {d for d in held["decks"] if d.startswith(ROOT_DECK + "::")}
    assert len(weeks) == len(chapter_names()), sorted(weeks)   # one subdeck per week
    assert "\\(" in "".join(n[1] for n in held["notes"].values())  # Anki's MathJax syntax


# --- a fixture book ---------------------------------------------------------------------

def built_fixture(tmp_path: Path, name: str = "one") -> tuple[Path, Path]:
    """Build tests/fixtures/flashcards into TMP_PATH/NAME; return (source, html)."""
    (tmp_path / name).mkdir()
    src = copy_fixture("flashcards", tmp_path / name)
    out = tmp_path / name / "html"
    result = build(src, out, tmp_path / name / "cache")
    assert result.returncode == 0, result.log[-3000:]
    return src, out


def fixture_cards(out: Path) -> dict:
    soup = BeautifulSoup((out / "flashcards.html").read_text(), "lxml")
    return {c["data-card"]: c for c in cards(soup)}, soup


def test_fixture_cards(tmp_path):
    _src, out = built_fixture(tmp_path)
    found, soup = fixture_cards(out)
    terms = ["term/gradient", "term/learning-rate", "term/long-short-term-memory"]
    assert [i for i in found if i.startswith("term/")] == terms
    lstm = found["term/long-short-term-memory"]
    assert text(lstm.select_one(".dlg-card-front")) == "long short-term memory (LSTM)"
    back = lstm.select_one(".dlg-card-back")
    assert back.select_one(".math").get_text() == r"\(c_t\)"
    assert back.select_one("a")["href"] == "glossary.html#term-gradient"
    assert found["term/gradient"]["data-weeks"] == "week01 week02"
    assert found["term/gradient"].select_one(".dlg-card-back a")["href"] == \
        "week01.html#week-1-basics"
    assert lstm["data-weeks"] == "week02"
    if HAVE_FORMULAS:
        step = found["formula/eq-w01-step"]
        assert step["data-weeks"] == "week01"
        assert r"\[" in step.select_one(".dlg-card-back .math").get_text()
        link = step.select_one(".dlg-card-back a")
        assert link["href"] == "week01.html#equation-eq-w01-step"
        assert text(link) == "Week 1, equation (1.1)"
    else:
        assert not [i for i in found if i.startswith("formula/")]
    # MathJax is loaded although the maths is in raw HTML
    assert soup.select_one("script[src*='mathjax']")

    held = deck(deck_of(out, soup))
    assert held["decks"] >= {f"{ROOT_DECK}::Week 01 · Basics",
                             f"{ROOT_DECK}::Week 02 · Recurrence"}
    notes = held["notes"]
    assert len(notes) == len(found)
    front, back, deck_name, tags = notes[genanki.guid_for("term/gradient")]
    assert (front, deck_name) == ("gradient", f"{ROOT_DECK}::Week 01 · Basics")
    assert r"\(\nabla_w E\)" in back and "<a " not in back and "first week" in back
    assert {"week01", "week02"} <= set(tags)
    assert notes[genanki.guid_for("term/long-short-term-memory")][2] == \
        f"{ROOT_DECK}::Week 02 · Recurrence"


def test_deck_guids_are_the_same_across_builds_and_follow_the_glossary(tmp_path):
    """Two builds from scratch give the same GUIDs; an incremental build after a new
    entry rewrites the deck, keeping the other notes' GUIDs (Anki then updates them)."""
    _src, first = built_fixture(tmp_path, "one")
    src, second = built_fixture(tmp_path, "two")
    guids = set(deck(first / "_downloads/anki/dlguide.apkg")["notes"])
    assert guids == set(deck(second / "_downloads/anki/dlguide.apkg")["notes"])
    assert len(guids) == len(fixture_cards(first)[0])

    glossary = src / "glossary.md"
    glossary.write_text(glossary.read_text().replace(
        "\nlearning rate\n",
        "\nbatch\n  A set of examples processed together.\n\nlearning rate\n"))
    chapter = src / "week02.md"
    chapter.write_text(chapter.read_text() + "\nEach {term}`batch` is a step.\n")
    result = build(src, second, tmp_path / "two" / "cache")
    assert result.returncode == 0, result.log[-3000:]
    found, _soup = fixture_cards(second)
    assert list(found)[:2] == ["term/batch", "term/gradient"]   # ids do not move
    notes = deck(second / "_downloads/anki/dlguide.apkg")["notes"]
    assert set(notes) == guids | {genanki.guid_for("term/batch")}
    assert notes[genanki.guid_for("term/batch")][2] == f"{ROOT_DECK}::Week 02 · Recurrence"

    # A chapter alone changes: the deck follows (the term's weeks are its tags).
    rate = genanki.guid_for("term/learning-rate")
    assert "week02" not in notes[rate][3]
    chapter.write_text(chapter.read_text() + "\nThe {term}`learning rate` too.\n")
    result = build(src, second, tmp_path / "two" / "cache")
    assert result.returncode == 0, result.log[-3000:]
    assert fixture_cards(second)[0]["term/learning-rate"]["data-weeks"] == "week01 week02"
    assert "week02" in deck(second / "_downloads/anki/dlguide.apkg")["notes"][rate][3]


def test_two_entries_with_the_same_card_id_fail_the_build(tmp_path):
    (tmp_path / "one").mkdir()
    src = copy_fixture("flashcards", tmp_path / "one")
    glossary = src / "glossary.md"
    glossary.write_text(glossary.read_text().replace(
        "\nlearning rate\n", "\nlearning-rate\n  The same, hyphenated.\n\nlearning rate\n"))
    chapter = src / "week01.md"
    chapter.write_text(chapter.read_text() + "\nThe {term}`learning-rate` again.\n")
    result = build(src, tmp_path / "one" / "html", tmp_path / "one" / "cache")
    assert result.returncode != 0
    line = glossary.read_text().splitlines().index("learning-rate") + 1
    assert (f"flashcards/glossary.md:{line}: WARNING: flashcards: two cards would have the "
            "id 'term/learning-rate'") in result.log, result.log[-3000:]


def test_the_pdf_leaves_the_page_out(tmp_path):
    """The LaTeX build (`-t pdf`, the book's configuration and strict options) has no
    warning and no flashcards; the glossary is there."""
    from sphinx.testing.util import SphinxTestApp

    src = copy_fixture("flashcards", tmp_path)
    (src / "conf.py").write_text(CONF_STUB.format(conf=str(ROOT / "conf" / "conf.py")))
    warnings = StringIO()
    app = SphinxTestApp("latex", srcdir=src, builddir=tmp_path / "out", tags=["pdf"],
                        warning=warnings, **sphinx_arguments(src, tmp_path / "latex",
                                                             strict_options()))
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.statuscode == 0 and "WARNING" not in warnings.getvalue(), warnings.getvalue()
    tex = (app.outdir / "dlguide.tex").read_text()
    assert "learning rate" in tex and "(LSTM)" in tex
    assert "Flashcards" not in tex and "dlguide.apkg" not in tex


def test_the_printed_book_has_no_flashcards_chapter(pdf_build):
    toc = (ROOT / "_build" / "latex" / "dlguide.toc").read_text()
    assert "Glossary" in toc and "Flashcards" not in toc
