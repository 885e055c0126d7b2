"""The bibliography (sphinxcontrib-bibtex): where the .bib files are, and list semantics a
screen reader can follow.

conf.py names the .bib files relative to the book's folder; this resolves them there, so
that a copy of the book (``make html BOOKDIR=...``) reads its own references and a small
test book without a .bib has none (a citation in it still fails the build: unknown key).

docutils writes the References list as ``<div role="list">`` holding entries with the
role ``doc-biblioentry``, which ARIA 1.3 deprecates and which is not a list item: axe
reports the list as having no items (critical). Each entry is given ``role="listitem"``.
"""

from pathlib import Path

from sphinx.application import Sphinx

BIBLIOENTRY = 'role="doc-biblioentry"'


def bibfiles_in_book(app: Sphinx, config) -> None:
    paths = [Path(app.srcdir) / name for name in config.bibtex_bibfiles or []]
    config.bibtex_bibfiles = [str(path) for path in paths if path.exists()]


def entries_as_list_items(app: Sphinx, pagename: str, templatename: str, context: dict,
                          doctree) -> None:
    body = context.get("body", "")
    if BIBLIOENTRY in body:
        context["body"] = body.replace(BIBLIOENTRY, 'role="listitem"')


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", bibfiles_in_book)
    app.connect("html-page-context", entries_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
