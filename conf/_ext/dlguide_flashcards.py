"""Flashcards and an Anki deck, generated from the glossary and the chapters' formulas.

``book/flashcards.md`` holds one directive::

    ```{flashcards}
    ```

When the page is written (HTML), it becomes one card per glossary entry and one per
labelled formula (``dlguide_formulas``, when that module is there):

    <div class="dlg-flashcards" data-flashcards data-anki="_downloads/anki/dlguide.apkg">
      <div class="dlg-card" data-card="term/long-short-term-memory" data-kind="term"
           data-weeks="week08">
        <div class="dlg-card-front">long short-term memory (LSTM)</div>
        <div class="dlg-card-back"><p>A recurrent cell ... \\(c_t\\) ...</p></div>
      </div>
      <div class="dlg-card" data-card="formula/eq-w03-adam-update" data-kind="formula"
           data-weeks="week03"> ...its name... / ...the formula, "Week 3, equation (3.6)"... </div>
    </div>

* A term's card: the front is the term as the glossary shows it, abbreviation included;
  the back is its definition, rendered from the resolved glossary by the HTML builder
  (maths as ``\\( \\)`` and ``\\[ \\]``), its links made relative to this page. Its weeks
  are the chapters that use the term (the glossary's "Used in" data).
* A formula's card: the front is its name, the back the formula as display maths with
  "Week 3, equation (3.6)" linking back to it. Its week is its chapter's.
* Card ids: ``term/<slug of the entry's first name>`` and ``formula/<label>``: they do
  not depend on the order of the cards, so a reader's review record survives new cards.

The same cards make an Anki deck, ``dlguide.apkg`` (genanki: it writes the SQLite
collection Anki imports, with note GUIDs we choose; nothing is fetched). One subdeck per
week; a card used in several weeks goes in the first. Note GUIDs come from the card id,
so importing a newer deck updates the notes instead of duplicating them. In the deck the
links are dropped (a card in Anki has no book to link to). The deck is written when the
build finishes, into ``_downloads/anki/`` of the output; the page is rebuilt whenever any
document is read (a changed glossary entry or chapter), and the deck with it.

The PDF leaves the page out: it has the glossary and the formulas already.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import tempfile
import unicodedata
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

import dlguide_book
from dlguide_glossary import entries, glossary_docs, glossary_items
from dlguide_glossary_used_in import uses

try:        # the formulas (helper module dlguide_formulas); term cards only without it
    from dlguide_formulas import formulas
except ImportError:
    formulas = None

logger = logging.getLogger(__name__)

# The deck, where the HTML build writes it (relative to the output folder).
APKG_DIR = "_downloads/anki"
APKG_NAME = "dlguide.apkg"
# Anki identifies a note type and a deck by these ids: fixed, so that a newer deck lands
# in the decks a reader already has. Week N's subdeck is DECK_ID + N.
MODEL_ID = 1_630_514_327
DECK_ID = 1_977_053_100
DECK_NAME = "Deep Learning study book"
CARD_CSS = """.card { font-family: sans-serif; font-size: 20px; line-height: 1.4;
  text-align: left; max-width: 40em; margin: 0 auto; }
.dlg-card-source { font-size: 0.8em; color: #555; }
.nightMode .dlg-card-source { color: #bbb; }"""


class flashcards_placeholder(nodes.General, nodes.Element):
    """Replaced by the cards when the page is written."""


class Flashcards(dlguide_book.PagePlaceholder):
    node_class = flashcards_placeholder
    flag = "flashcards"


def slug(name: str) -> str:
    """"Long short-term memory" -> "long-short-term-memory", "Jensen–Shannon" ->
    "jensen-shannon", "Élan" -> "elan": accents dropped, any run of other characters
    than letters and digits one hyphen."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", name)
                      if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", letters.lower()).strip("-")


# --- the cards -----------------------------------------------------------------------

def relink(app: Sphinx, node: nodes.Element, fromdoc: str, todoc: str | None) -> None:
    """Make the links of NODE (resolved in FROMDOC) relative to TODOC; with TODOC None,
    drop them (their text stays)."""
    builder = app.builder
    base = builder.get_target_uri(fromdoc)
    for ref in list(node.findall(nodes.reference)):
        if todoc is None:
            ref.replace_self(nodes.inline("", "", *ref.children))
            continue
        if "refid" in ref:                      # an anchor of FROMDOC itself
            ref["refuri"] = builder.get_relative_uri(todoc, fromdoc) + "#" + ref["refid"]
            del ref["refid"]
        elif "refuri" in ref and ref.get("internal"):
            path, hash_, fragment = ref["refuri"].partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(base), path)) \
                if path else base
            ref["refuri"] = relative_uri(builder.get_target_uri(todoc), target) + hash_ \
                + fragment


def render(app: Sphinx, children) -> str:
    """HTML of a list of nodes, written by the builder (maths as \\( \\) and \\[ \\])."""
    return "".join(app.builder.render_partial(child.deepcopy())["fragment"]
                   for child in children).strip()


def term_cards(app: Sphinx, fromdoc: str) -> list[dict]:
    """One card per glossary entry, in the glossary's order."""
    env = app.env
    used, known = uses(env), entries(env)
    cards = []
    for glossary_doc in sorted(glossary_docs(env)):
        doctree = env.get_and_resolve_doctree(glossary_doc, app.builder, tags=app.tags)
        for item, terms in glossary_items(doctree):
            term = terms[0]
            key = term.get("dlguide_key")
            definition = item.next_node(nodes.definition)
            if key not in known or definition is None:
                continue
            for box in list(definition.findall(nodes.container)):
                if "dlguide-used-in" in box["classes"]:
                    box.parent.remove(box)
            front = term.astext().strip()       # with its other names: "... (LSTM)"
            weeks = [doc for doc in dict.fromkeys(doc for doc, _s, _t in used.get(key, []))
                     if dlguide_book.is_chapter(doc)]
            on_page, in_deck = definition.deepcopy(), definition.deepcopy()
            relink(app, on_page, glossary_doc, fromdoc)
            relink(app, in_deck, glossary_doc, None)
            cards.append({
                "id": "term/" + slug(known[key]["names"][0]), "kind": "term", "weeks": weeks,
                "front": html.escape(front),
                "back": render(app, on_page.children), "anki_back": render(app, in_deck.children),
                "where": (glossary_doc, known[key]["line"]),
            })
    return cards


def formula_cards(app: Sphinx, fromdoc: str) -> list[dict]:
    """One card per labelled formula of a chapter (dlguide_formulas), in reading order."""
    if formulas is None:
        return []
    cards = []
    for formula in formulas(app.env):
        maths = nodes.math_block(formula["latex"], formula["latex"], nowrap=False,
                                 number=None, label=None)
        where = f"Week {formula['week']}, equation ({formula['number']})"
        url = app.builder.get_relative_uri(fromdoc, formula["doc"]) \
            + "#equation-" + formula["label"]          # Sphinx's anchor of a labelled equation
        equation = render(app, [maths])
        cards.append({
            "id": "formula/" + formula["label"], "kind": "formula",
            "weeks": [formula["doc"]], "front": html.escape(formula["name"]),
            "back": equation + f'<p class="dlg-card-source"><a href="{html.escape(url)}">'
                               f'{html.escape(where)}</a></p>',
            "anki_back": equation + f'<p class="dlg-card-source">{html.escape(where)}</p>',
            "where": (formula["doc"], None),
        })
    return cards


def cards_of(app: Sphinx, fromdoc: str) -> list[dict]:
    cards, seen = [], {}
    for card in term_cards(app, fromdoc) + formula_cards(app, fromdoc):
        if card["id"] in seen:      # two entries whose names give the same id
            doc, line = card["where"]
            logger.warning("flashcards: two cards would have the id %r; rename one of the "
                           "entries", card["id"], location=(doc, line) if line else doc,
                           type="dlguide", subtype="flashcards")
            continue
        seen[card["id"]] = card
        cards.append(card)
    return cards


# --- the page ------------------------------------------------------------------------

def deck_url(app: Sphinx, fromdoc: str) -> str:
    return relative_uri(app.builder.get_target_uri(fromdoc), f"{APKG_DIR}/{APKG_NAME}")


def page_html(app: Sphinx, fromdoc: str, cards: list[dict]) -> str:
    esc = html.escape
    url = esc(deck_url(app, fromdoc))
    parts = [
        f'<p class="dlg-anki"><a href="{url}" download>Download the Anki deck '
        f'({APKG_NAME}: {len(cards)} cards, one subdeck per week)</a></p>',
        f'<div class="dlg-flashcards" data-flashcards data-anki="{url}">',
    ]
    for card in cards:
        parts.append(
            f'<div class="dlg-card" data-card="{esc(card["id"])}" data-kind="{card["kind"]}" '
            f'data-weeks="{esc(" ".join(card["weeks"]))}">'
            f'<div class="dlg-card-front">{card["front"]}</div>'
            f'<div class="dlg-card-back">{card["back"]}</div></div>')
    parts.append("</div>")
    return "".join(parts)


def fill_flashcards(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(flashcards_placeholder))
    if app.builder.format == "latex":
        leave_out_of_pdf(app, doctree)
        return
    if not placeholders:
        return
    if app.builder.format != "html":
        for placeholder in placeholders:
            placeholder.parent.remove(placeholder)
        return
    cards = cards_of(app, docname)
    if not cards:
        logger.warning("flashcards: the book has no glossary entry and no formula to make "
                       "cards of", location=placeholders[0], type="dlguide",
                       subtype="flashcards")
    app.dlguide_flashcards = cards      # the deck is written when the build finishes
    node = nodes.raw("", page_html(app, docname, cards), format="html")
    for placeholder in placeholders:
        placeholder.replace_self(node.deepcopy())


def leave_out_of_pdf(app: Sphinx, doctree: nodes.document) -> None:
    """LaTeX: the assembled book holds each document in a start_of_file node; the
    flashcards page's goes (the PDF has the glossary and the formulas already)."""
    pages = {doc for doc, meta in app.env.metadata.items() if meta.get("flashcards")}
    for part in list(doctree.findall(addnodes.start_of_file)):
        if part["docname"] in pages:
            part.parent.remove(part)


def load_mathjax(app: Sphinx, pagename: str, templatename: str, context: dict,
                 doctree) -> None:
    """html-page-context, before sphinx.ext.mathjax: the cards' maths are raw HTML, which
    the builder does not count as maths, so say that the page has some."""
    if app.env.metadata.get(pagename, {}).get("flashcards"):
        context["has_maths_elements"] = True


def flashcards_are_outdated(app, env, added, changed, removed) -> list[str]:
    """Rebuild the page (and so the deck) whenever a document is read: a glossary entry,
    or a chapter's use of a term or its formulas, may have changed."""
    if not (added | changed | removed):
        return []
    return [doc for doc, meta in env.metadata.items() if meta.get("flashcards")]


# --- the Anki deck -------------------------------------------------------------------

def week_deck_name(app: Sphinx, doc: str) -> str:
    """"Deep Learning study book::Week 02 · Foundations of Training": zero-padded, so that
    Anki, which sorts decks by name, lists Week 10 after Week 9."""
    week = dlguide_book.week_of(doc)
    title = app.env.titles[doc].astext() if doc in app.env.titles else doc
    title = re.sub(r"^Week\s+\d+\b", f"Week {week:02d}", title)
    if not title.startswith("Week "):
        title = f"Week {week:02d} · {title}"
    return f"{DECK_NAME}::{title}"


def write_deck(app: Sphinx, cards: list[dict], path: Path) -> None:
    import genanki   # pinned 0.13.1: writes Anki's collection format with chosen GUIDs

    model = genanki.Model(
        MODEL_ID, "dlguide card",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card", "qfmt": "{{Front}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=CARD_CSS)
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        doc = card["weeks"][0] if card["weeks"] else None
        name = week_deck_name(app, doc) if doc else DECK_NAME
        if name not in decks:
            deck_id = DECK_ID + (dlguide_book.week_of(doc) if doc else 0)
            decks[name] = genanki.Deck(deck_id, name)
        decks[name].add_note(genanki.Note(
            model=model, fields=[card["front"], card["anki_back"]],
            guid=genanki.guid_for(card["id"]),
            tags=["dlguide", card["kind"], *card["weeks"]]))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".apkg")
    os.close(handle)
    try:
        genanki.Package(sorted(decks.values(), key=lambda d: d.deck_id)).write_to_file(temp)
        os.chmod(temp, 0o644)           # mkstemp's file is private; the book's are not
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def write_deck_when_done(app: Sphinx, exception) -> None:
    cards = getattr(app, "dlguide_flashcards", None)
    if exception is not None or cards is None or app.builder.format != "html":
        return
    write_deck(app, cards, Path(app.outdir) / APKG_DIR / APKG_NAME)
    app.dlguide_flashcards = None


def skip_node(self, node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    app.setup_extension("dlguide_glossary")
    if formulas is not None:
        app.setup_extension("dlguide_formulas")
    app.add_node(flashcards_placeholder, html=(skip_node, None), latex=(skip_node, None),
                 text=(skip_node, None))
    app.add_directive("flashcards", Flashcards)
    app.connect("doctree-resolved", fill_flashcards)
    app.connect("html-page-context", load_mathjax, priority=400)
    app.connect("env-get-outdated", flashcards_are_outdated)
    app.connect("build-finished", write_deck_when_done)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
