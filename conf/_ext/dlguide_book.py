"""What the book is made of: the one place that says which documents are chapters and
in what order they are read.

* A chapter is a document named ``weekNN``; its number is the week's, and the PDF
  numbers it the same (Week 4 is Chapter 4).
* The reading order is the root document's toctree, walked depth first (``_toc.md``
  writes it, once); ``chapters(env)`` is that order restricted to chapters.

The other extensions (checklist, glossary, quiz, numbering, solutions) ask this module.
On every chapter page the HTML carries
``<meta name="dlguide-chapter" content="weekNN" data-week="N">``
so that the browser scripts know a chapter page without guessing from its URL.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

CHAPTER = re.compile(r"^week(\d\d)$")
logger = logging.getLogger(__name__)


def week_of(docname: str) -> int | None:
    """4 for ``week04`` (or ``sub/week04``), None for a document that is no chapter."""
    match = CHAPTER.match(docname.rsplit("/", 1)[-1])
    return int(match.group(1)) if match else None


def is_chapter(docname: str) -> bool:
    return week_of(docname) is not None


def reading_order(env) -> list[str]:
    """Every document of the book in reading order (the root's toctree, depth first)."""
    seen: set[str] = set()
    order: list[str] = []

    def walk(doc: str) -> None:
        for child in env.toctree_includes.get(doc, []):
            if child not in seen:
                seen.add(child)
                order.append(child)
                walk(child)

    walk(env.config.root_doc)
    return order


def chapters(env) -> list[str]:
    return [doc for doc in reading_order(env) if is_chapter(doc)]


# --- pages made from the whole book ----------------------------------------------------
# The study checklist, the formula sheet and the flashcards are written from every
# chapter, so their directive leaves a placeholder node, filled when the page is written.

class PagePlaceholder(SphinxDirective):
    """``{study-checklist}`` and the like: flags its page in the metadata (``flag``) and
    leaves a ``node_class`` node, which carries the directive's file and line."""

    has_content = False
    node_class: type[nodes.Element]
    flag: str

    def run(self) -> list[nodes.Node]:
        self.env.metadata[self.env.docname][self.flag] = True
        node = self.node_class()
        self.set_source_info(node)          # for a warning that names file and line
        return [node]


def drop_placeholders(placeholders: list[nodes.Node], message: str, subtype: str) -> None:
    """There is nothing to fill the placeholders with: warn at each (file and line) and
    take it out of the page."""
    for placeholder in placeholders:
        logger.warning(message, location=placeholder, type="dlguide", subtype=subtype)
        placeholder.parent.remove(placeholder)


def mark_chapter_pages(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree) -> None:
    if is_chapter(pagename):
        context["metatags"] = context.get("metatags", "") + (
            f'\n<meta name="dlguide-chapter" content="{pagename}" '
            f'data-week="{week_of(pagename)}">')


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", mark_chapter_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
