"""The glossary, cross-referenced both ways and audited by every build.

This is the extension ``conf.py`` loads; it collects what the glossary's four jobs share
and sets each of them up. One module per job:

* ``dlguide_glossary_letters``: the **A-Z layout** (one section per initial letter, a
  row of jump letters above them);
* ``dlguide_glossary_names``: **other names** of a term (an abbreviation on a second
  term line, "LSTM" under "long short-term memory"): shown as one term that carries
  every name's anchor, index entry and search result;
* ``dlguide_glossary_used_in``: the **"Used in"** back-links under every entry;
* ``dlguide_glossary_audit``: the **audit**, run in every build, whose warnings name the
  file, the line and the term (undefined terms, orphan entries, terms in a chapter's
  prose that the chapter never links).

What this module collects, per document, while it is read (``GlossaryCollector``):
the glossary's entries (their names and the line each starts on) and every ``{term}``
reference with the heading section it sits in (references inside the glossary's own
definitions do not count). Which documents are chapters, and the reading order, come
from ``dlguide_book``.

Incremental and parallel builds: the per-document data lives in the build environment;
Sphinx's ``EnvironmentCollector`` drops it when a document is re-read or removed and
merges it from parallel readers, so the extension is ``parallel_read_safe``. The glossary
is re-read whenever another document is read or removed (its "Used in" lists and the
audit depend on every document), see ``GlossaryCollector.get_outdated_docs``. The
"Used in" lists are built in the main process from the merged environment when the
glossary page is resolved (``parallel_write_safe``).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector

JOBS = ("dlguide_glossary_letters", "dlguide_glossary_names", "dlguide_glossary_used_in",
        "dlguide_glossary_audit")


def norm(text: str) -> str:
    """A term's key: its text lowercased, runs of white space as one space."""
    return re.sub(r"\s+", " ", text).strip().lower()


def data(env, name: str) -> dict:
    """The per-document dict ``env.<name>`` (docname -> what was collected)."""
    if not hasattr(env, name):
        setattr(env, name, {})
    return getattr(env, name)


def glossary_docs(env) -> dict[str, list[dict]]:
    """docname -> its glossary entries ({key, names, line}), for documents with any."""
    return data(env, "dlguide_glossary")


def entries(env) -> dict[str, dict]:
    """key (first name, lowercased) -> {doc, names, line} for every glossary entry."""
    out = {}
    for docname, found in sorted(glossary_docs(env).items()):
        for entry in found:
            out.setdefault(entry["key"], {**entry, "doc": docname})
    return out


def refs(env) -> dict[str, list[dict]]:
    """docname -> its term references ({target, section, title, line})."""
    return data(env, "dlguide_refs")


# --- where a node is ------------------------------------------------------------------

def section_of(node) -> nodes.section | None:
    """The heading section a node is in: untitled sections (sphinx-exercise wraps every
    exercise's and solution's body in one) are not places a reader can be sent to."""
    while node is not None and not (isinstance(node, nodes.section)
                                    and isinstance(node.next_node(), nodes.title)):
        node = node.parent
    return node


def inside(node, types) -> bool:
    """Whether a node is below one of ``types``, or in a code cell or its output."""
    while node is not None:
        if isinstance(node, types):
            return True
        if isinstance(node, nodes.container) and (
            "cell" in node["classes"] or "cell_output" in node["classes"]
            or "cell_input" in node["classes"]
        ):
            return True                     # a code cell or its output (myst-nb)
        node = node.parent
    return False


def line_of(node) -> int | None:
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return None


def glossary_items(doctree: nodes.Node):
    """(item, its term nodes) for every entry of every glossary in a doctree."""
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t for t in item.children if isinstance(t, nodes.term)]
            if terms:
                yield item, terms


# --- collecting -----------------------------------------------------------------------

class PerDocument(EnvironmentCollector):
    """A collector whose data are dicts ``env.<name>[docname]``, one per name in
    ``names``: dropped with their document, merged from parallel readers."""

    names: tuple[str, ...] = ()

    def clear_doc(self, app: Sphinx, env, docname: str) -> None:
        for name in self.names:
            data(env, name).pop(docname, None)

    def merge_other(self, app: Sphinx, env, docnames, other) -> None:
        for name in self.names:
            mine, theirs = data(env, name), data(other, name)
            for docname in docnames:
                if docname in theirs:
                    mine[docname] = theirs[docname]


class GlossaryCollector(PerDocument):
    """The glossary's entries and every term reference, per document."""

    names = ("dlguide_glossary", "dlguide_refs")

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """doctree-read: after the A-Z layout (which the table of contents shows) and
        before the other names are merged into one term (every term line is still
        there)."""
        env, docname = app.env, app.env.docname
        found = []
        try:                        # the line of each term, for the audit's messages
            source = env.doc2path(docname).read_text(encoding="utf-8").splitlines()
        except OSError:
            source = []
        for _item, terms in glossary_items(doctree):
            names = [t.astext() for t in terms]
            line = next((n + 1 for n, text in enumerate(source)
                         if text.strip() == names[0] and not text[:1].isspace()),
                        line_of(terms[0]))
            found.append({"key": norm(names[0]), "names": names, "line": line})
            terms[0]["dlguide_key"] = norm(names[0])
        if found:
            glossary_docs(env)[docname] = found

        here = []
        for ref in doctree.findall(addnodes.pending_xref):
            if ref.get("refdomain") != "std" or ref.get("reftype") != "term":
                continue
            if inside(ref.parent, addnodes.glossary):
                continue                        # cross-links between definitions
            section = section_of(ref)
            if section is None or not section["ids"]:
                continue
            title = section[0].astext() if isinstance(section[0], nodes.title) else docname
            top = section_of(section.parent) is None
            here.append({"target": norm(ref["reftarget"]), "section": section["ids"][0],
                         "title": "Introduction" if top else title, "line": line_of(ref)})
        refs(env)[docname] = here

    def get_outdated_docs(self, app: Sphinx, env, added, changed, removed) -> list[str]:
        """Re-read the glossary whenever another document is read or removed: its "Used
        in" lists depend on every chapter. A build that reads nothing leaves it alone;
        the audit then has nothing new to say, and a build that failed the audit is
        repeated by dlguide_rewarn."""
        if added or changed or removed:
            return list(glossary_docs(env))
        return []


def setup(app: Sphinx) -> dict:
    app.setup_extension("dlguide_book")
    app.add_env_collector(GlossaryCollector)
    for job in JOBS:
        app.setup_extension(job)
    return {"version": "1.1", "env_version": 3,
            "parallel_read_safe": True, "parallel_write_safe": True}
