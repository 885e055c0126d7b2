"""The glossary's A-Z layout (part of ``dlguide_glossary``, which sets it up).

Each ``{glossary}`` (``book/glossary.md``, ``:sorted:``) is split into one section per
initial letter (``<section id="letter-a">``, a heading "A", ...), with a row of jump
letters above them (letters with no term are shown greyed out). The letters are sections
of the page, so its table of contents lists them. The filter box that narrows the list
is added by ``_static/dlguide-glossary.js``; without JavaScript the page is complete.
The jump letters are HTML only; the PDF keeps the letter headings.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class glossary_letters(nodes.General, nodes.Element):
    """The row of jump letters above the A-Z groups (HTML only)."""


def initial(term: str) -> str:
    """The letter a term is listed under: "Élan" -> "E"; "#" for a digit or a symbol."""
    first = unicodedata.normalize("NFD", term)[:1].upper()
    return first if first in LETTERS else "#"


def anchor(letter: str) -> str:
    return "letter-" + ("other" if letter == "#" else letter.lower())


def split_into_letters(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read, before the table of contents is collected: replace each glossary by
    a row of jump letters and one section per letter."""
    for glossary in list(doctree.findall(addnodes.glossary)):
        dlist = glossary.next_node(nodes.definition_list)
        if dlist is None or glossary.parent is None or not dlist.children:
            continue
        groups: dict[str, list] = defaultdict(list)
        for item in dlist.children:
            term = item.next_node(nodes.term)
            groups[initial(term.astext())].append(item)
        order = sorted(groups, key=lambda k: (k != "#", k))
        sections = []
        for letter in order:
            section = nodes.section(ids=[anchor(letter)], names=[anchor(letter)],
                                    classes=["dlguide-glossary-letter"])
            section += nodes.title(letter, letter)
            group = addnodes.glossary(classes=glossary["classes"])
            sublist = nodes.definition_list(classes=dlist["classes"])
            sublist.extend(groups[letter])
            group += sublist
            section += group
            sections.append(section)
        letters = glossary_letters(present=order)
        parent = glossary.parent
        index = parent.index(glossary)
        parent.replace(glossary, letters)
        # the letter sections go after the body of the glossary's own section
        after = next((i for i, child in enumerate(parent.children)
                      if i > index and isinstance(child, nodes.section)), len(parent.children))
        for offset, section in enumerate(sections):
            parent.insert(after + offset, section)


def visit_letters_html(self, node: glossary_letters) -> None:
    present = set(node["present"])
    parts = ['<nav class="dlguide-glossary-letters" aria-label="Jump to a letter"><ul>']
    for letter in (["#"] if "#" in present else []) + list(LETTERS):
        if letter in present:
            parts.append(f'<li><a href="#{anchor(letter)}">{letter}</a></li>')
        else:
            parts.append(f'<li><span class="dlguide-letter-empty" aria-hidden="true">'
                         f'{letter}</span></li>')
    parts.append("</ul></nav>")
    self.body.append("".join(parts))
    raise nodes.SkipNode


def skip_node(self, node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    app.add_node(glossary_letters,
                 html=(visit_letters_html, None),
                 latex=(skip_node, None), text=(skip_node, None), man=(skip_node, None),
                 texinfo=(skip_node, None))
    app.connect("doctree-read", split_into_letters, priority=400)  # before the TOC
    return {"parallel_read_safe": True, "parallel_write_safe": True}
