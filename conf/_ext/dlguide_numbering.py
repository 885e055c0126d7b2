"""Figures, tables, equations and exercises numbered per chapter, as in the PDF.

Without a ``:numbered:`` toctree (which would also number the "Week N" titles), Sphinx
counts every numbered thing book-wide ("Fig. 47", "Exercise 23"). In the PDF, LaTeX
counts them per chapter, and Week N is Chapter N. This extension gives the web book the
same numbers: in a chapter ``weekNN`` the k-th figure becomes N.k ("Fig. 8.2"), the k-th
exercise "Exercise 8.3", the k-th numbered equation (8.5); any other page (the exams)
counts its own from 1 ("Fig. 1"). sphinx-exercise takes its printed titles from the same
table, so the PDF's exercises match.

Sphinx's TocTreeCollector assigns the book-wide numbers (``env.toc_fignumbers``) in
``env-get-updated`` and asks for a page to be rewritten when its numbers change. This
extension hands it back the book-wide numbers it assigned last time just before it runs,
and replaces them with per-chapter ones just after, so a page is rewritten only when its
numbers really change.
"""

from sphinx.application import Sphinx

from dlguide_book import week_of


def restore_bookwide(app: Sphinx, env) -> list[str]:
    saved = getattr(env, "dlguide_bookwide_fignumbers", None)
    if saved is not None:
        env.toc_fignumbers = saved
    return []


def per_chapter(app: Sphinx, env) -> list[str]:
    env.dlguide_bookwide_fignumbers = env.toc_fignumbers
    numbers = {}
    for docname, by_type in env.toc_fignumbers.items():
        chapter = week_of(docname)
        prefix = (chapter,) if chapter is not None else ()
        numbers[docname] = {
            figtype: {ident: (*prefix, k) for k, (ident, _) in enumerate(
                sorted(ids.items(), key=lambda pair: pair[1]), start=1)}
            for figtype, ids in by_type.items()
        }
    env.toc_fignumbers = numbers
    return []


def setup(app: Sphinx) -> dict:
    # The TocTreeCollector listens with the default priority, 500.
    app.connect("env-get-updated", restore_bookwide, priority=400)
    app.connect("env-get-updated", per_chapter, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
