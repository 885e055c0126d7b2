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

from sphinx.application import Sphinx

CHAPTER = re.compile(r"^week(\d\d)$")


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


def mark_chapter_pages(app: Sphinx, pagename: str, templatename: str, context: dict,
                       doctree) -> None:
    if is_chapter(pagename):
        context["metatags"] = context.get("metatags", "") + (
            f'\n<meta name="dlguide-chapter" content="{pagename}" '
            f'data-week="{week_of(pagename)}">')


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", mark_chapter_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
