""""Used in" back-links under every glossary entry (part of ``dlguide_glossary``).

When the glossary page is written, each entry gets a "Used in" list: per document, in
the book's reading order (``dlguide_book``), a link to every section that references the
term under any of its names. The references are the ones ``GlossaryCollector`` recorded
while each document was read, so the lists cannot drift from the chapters. A document
outside the reading order (the root page, an orphan) comes after it, by name.
"""

from __future__ import annotations

from collections import defaultdict

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

import dlguide_book
from dlguide_glossary import glossary_docs, refs
from dlguide_glossary_names import aliases


def uses(env) -> dict[str, list[tuple[str, str, str]]]:
    """entry key -> [(docname, section id, section title)] in reading order, no repeats."""
    names = aliases(env)
    found = refs(env)
    rank: dict[str, int] = {}
    for n, doc in enumerate([env.config.root_doc, *dlguide_book.reading_order(env)]):
        rank.setdefault(doc, n)
    out: dict[str, list] = defaultdict(list)
    for docname in sorted(found, key=lambda doc: (rank.get(doc, len(rank)), doc)):
        for ref in found[docname]:
            key = names.get(ref["target"])
            place = (docname, ref["section"], ref["title"])
            if key is not None and place not in out[key]:
                out[key].append(place)
    return out


def add_used_in(app: Sphinx, doctree: nodes.document, fromdoc: str) -> None:
    """doctree-resolved: append "Used in" to every glossary entry. For HTML this is the
    glossary page; for LaTeX, the one assembled document (``fromdoc`` is its root)."""
    if not glossary_docs(app.env):
        return
    used = None
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            term = item.next_node(nodes.term)
            if term is None or "dlguide_key" not in term:
                continue
            used = uses(app.env) if used is None else used
            places = used.get(term["dlguide_key"], [])
            definition = item.next_node(nodes.definition)
            if not places or definition is None:
                continue
            box = nodes.container(classes=["dlguide-used-in"])
            para = nodes.paragraph()
            para += nodes.strong("Used in: ", "Used in: ")
            by_doc: dict[str, list] = defaultdict(list)
            for docname, section, title in places:
                by_doc[docname].append((section, title))
            for n, (docname, sections) in enumerate(by_doc.items()):
                if n:
                    para += nodes.Text("; ")
                titles = app.env.titles
                doctitle = titles[docname].astext() if docname in titles else docname
                para += nodes.inline(doctitle, doctitle, classes=["dlguide-used-in-doc"])
                para += nodes.Text(": ")
                for m, (section, title) in enumerate(sections):
                    if m:
                        para += nodes.Text(", ")
                    uri = app.builder.get_relative_uri(fromdoc, docname) + "#" + section
                    para += nodes.reference(title, title, internal=True, refuri=uri)
            box += para
            definition += box


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", add_used_in)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
