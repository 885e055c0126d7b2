"""Other names of a glossary term (part of ``dlguide_glossary``, which sets it up).

An entry with several names (a second term line, e.g. "LSTM" under "long short-term
memory") is one entry: a reference to any of its names counts for it ("Used in", the
audit), and it is shown as one term, "long short-term memory (LSTM)", that carries every
name's anchor and index entry, so a link or a hover tip to any name shows the
definition, and a search for any name finds the entry.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from dlguide_glossary import entries, glossary_docs, glossary_items, norm


def aliases(env) -> dict[str, str]:
    """Every name of every entry (lowercased) -> the entry's key."""
    return {norm(name): key for key, entry in entries(env).items() for name in entry["names"]}


def merge_names(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read, after GlossaryCollector has recorded every name: show an entry with
    several names as one term that carries every name's anchor and index entry. Each
    anchor then opens on the definition, and a hover tip on a link to any of the names
    shows it (a tip shows a term's <dd> only when its <dt> is next to it)."""
    for item, terms in list(glossary_items(doctree)):
        if len(terms) < 2:
            continue
        first = terms[0]
        names = []
        for alias in terms[1:]:
            first["ids"].extend(alias["ids"])
            names.append(alias.astext())
            first.extend(list(alias.findall(addnodes.index)))
            item.remove(alias)
        label = " (" + ", ".join(names) + ")"
        first.insert(1, nodes.inline(label, label, classes=["dlguide-term-alias"]))


ALIAS_ANCHORS = re.compile(
    r'(<dt id="term-[^"]*">)((?:<span id="term-[^"]*"></span>)+)(.*?)(<a class="headerlink")')


def wrap_alias_anchors(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree) -> None:
    """html-page-context: docutils writes a term's extra anchors (its other names) as
    empty ``<span id>``s. The search page shows the text of the anchored element under
    each result, so a search for "LSTM" would show nothing: wrap the term's text in those
    spans instead, so it shows "long short-term memory (LSTM)"."""
    if pagename not in glossary_docs(app.env) or "body" not in context:
        return

    def wrap(match: re.Match) -> str:
        spans = re.findall(r'<span id="[^"]*">', match.group(2))
        return match.group(1) + "".join(spans) + match.group(3) + "</span>" * len(spans) \
            + match.group(4)

    context["body"] = ALIAS_ANCHORS.sub(wrap, context["body"])


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", merge_names, priority=600)  # after GlossaryCollector
    app.connect("html-page-context", wrap_alias_anchors, priority=600)  # after sphinx-tippy
    return {"parallel_read_safe": True, "parallel_write_safe": True}
