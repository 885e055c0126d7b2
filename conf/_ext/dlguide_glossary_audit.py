"""The glossary audit (part of ``dlguide_glossary``, which sets it up).

Run in every build that reads a document (the glossary is re-read with it, see
``GlossaryCollector.get_outdated_docs``; a build that reads nothing has nothing new to
audit, and ``dlguide_rewarn`` re-reads whatever warned last time). Each finding is a
warning that names the file, the line and the term, so ``-W`` fails the build:

1. a term referenced but not defined. Sphinx reports this when it writes a page; the
   audit repeats it for pages that are not rewritten in an incremental build, so a
   broken reference cannot pass silently the second time;
2. a glossary entry that no document references (an orphan);
3. a glossary term that occurs in a chapter's prose but is linked nowhere in that
   chapter. Chapters are the documents ``dlguide_book.is_chapter`` names (``weekNN``):
   the practice exam is left out on purpose, its questions must not put a definition one
   hover away (its model answers link terms where they help, and those links still count
   for "Used in" and against orphans). Prose means running text: paragraphs, lists,
   tables, captions and boxes (the "In this chapter you will" box included). Headings,
   code (inline and cells), cell outputs, maths, and the text of links of any kind do
   not count. The matching rules are ``term_pattern`` and ``term_matcher``: whole words,
   plural forms included (``-s``, ``-es``, ``y`` -> ``ies``), a hyphen and a space are
   interchangeable ("cross entropy" = "cross-entropy"), and the longest term wins
   ("stochastic gradient descent" is one occurrence of that term, not also one of
   "gradient descent"). A lowercase term matches in any case; a term with capitals
   (ReLU, GAN, Adam) must match them, except for its first letter. Linking the term
   anywhere in the chapter, under any of its names, satisfies it. A word used in another
   sense can be exempted per chapter with ``dlguide_glossary_not_terms = {"week04":
   ["graph"]}`` in ``conf.py``, with a comment saying why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

import dlguide_book
from dlguide_glossary import PerDocument, data, entries, inside, norm, refs
from dlguide_glossary_names import aliases

logger = logging.getLogger(__name__)

# Text below any of these nodes is not prose (for audit 3).
NOT_PROSE = (
    nodes.title, nodes.subtitle, nodes.rubric,         # headings
    nodes.literal, nodes.literal_block, nodes.doctest_block,  # code
    nodes.math, nodes.math_block, nodes.raw, nodes.comment,
    nodes.reference, addnodes.pending_xref, nodes.target,  # links (of any kind)
    nodes.image, nodes.substitution_definition, addnodes.index, addnodes.toctree,
    addnodes.glossary, nodes.docinfo, nodes.field_list, nodes.system_message,
)


# --- the matching rules -----------------------------------------------------------------

def term_pattern(name: str) -> str:
    """A regular expression for one name of a term, in running text: its last word in
    the plural too, a hyphen or white space between words, case as the rules say."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", name.strip())]
    last = words[-1]
    if last.endswith("y") and len(last) > 2:
        words[-1] = last[:-1] + "(?:y|ies)"
    else:
        words[-1] = last + "(?:s|es)?"
    body = r"[\s\-]+".join(words)
    if name == name.lower():
        return f"(?i:{body})"
    first = name[0]
    if first.isalpha():
        body = f"[{first.lower()}{first.upper()}]" + body[len(re.escape(first)):]
    return body


def term_matcher(names: Iterable[tuple[str, str]]
                 ) -> Callable[[str], list[tuple[str, str, int]]]:
    """For (name, key) pairs, a function text -> [(key, the text found, its offset)]
    that finds every name as a whole word (not part of a hyphenated compound), the
    longest name first where names overlap."""
    pairs = sorted(names, key=lambda pair: -len(pair[0]))
    if not pairs:
        return lambda text: []
    regex = re.compile(r"(?<![\w\-])(?:" + "|".join(
        f"(?P<t{n}>{term_pattern(name)})" for n, (name, _key) in enumerate(pairs))
        + r")(?![\w\-])")
    keys = [key for _name, key in pairs]

    def find(text: str) -> list[tuple[str, str, int]]:
        return [(keys[int(match.lastgroup[1:])], match.group(0), match.start())
                for match in regex.finditer(text)]

    return find


# --- reading: each document's prose -------------------------------------------------------

class ProseCollector(PerDocument):
    """Each document's prose: [(text, line of its first character)]."""

    names = ("dlguide_prose",)

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        # a block's Text nodes come in document order, so counting the newlines before
        # each one gives its line within the block
        prose, newlines = [], defaultdict(int)
        for text in doctree.findall(nodes.Text):
            block = text.parent
            while block is not None and not getattr(block, "line", None):
                block = block.parent
            line = block.line + newlines[id(block)] if block is not None else None
            if block is not None:
                newlines[id(block)] += text.astext().count("\n")
            if text.parent is None or inside(text.parent, NOT_PROSE):
                continue
            if text.astext().strip():
                prose.append((str(text.astext()), line))
        data(app.env, "dlguide_prose")[app.env.docname] = prose


def note_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    env.dlguide_read_now = set(docnames)


# --- the audit ------------------------------------------------------------------------------

def audit(app: Sphinx, env) -> None:
    """env-check-consistency: every build, after every document has been read."""
    known = entries(env)
    if not known:
        return
    names = aliases(env)
    found = refs(env)
    read_now = getattr(env, "dlguide_read_now", set())

    # 1. referenced but undefined (Sphinx reports it for the pages it writes now)
    for docname in sorted(found):
        if docname in read_now:
            continue
        for ref in found[docname]:
            if ref["target"] not in names:
                logger.warning("glossary audit: term not in glossary: %r", ref["target"],
                               location=(docname, ref["line"]), type="dlguide",
                               subtype="glossary")

    # 2. orphans
    referenced = {names[r["target"]] for rs in found.values() for r in rs
                  if r["target"] in names}
    for key, entry in sorted(known.items()):
        if key not in referenced:
            logger.warning("glossary audit: the entry %r is referenced by no chapter "
                           "(link it where it is used, or remove it)", entry["names"][0],
                           location=(entry["doc"], entry["line"]), type="dlguide",
                           subtype="glossary")

    # 3. terms in a chapter's prose that the chapter never links
    find = term_matcher((name, key) for key, entry in known.items()
                        for name in entry["names"])
    not_terms = env.config.dlguide_glossary_not_terms
    for docname, prose in sorted(data(env, "dlguide_prose").items()):
        if not dlguide_book.is_chapter(docname):
            continue
        linked = {names[r["target"]] for r in found.get(docname, []) if r["target"] in names}
        exempt = {names.get(norm(t), norm(t)) for t in not_terms.get(docname, [])}
        first: dict[str, tuple[str, int | None]] = {}
        for text, line in prose:
            for key, match, start in find(text):
                if key not in linked and key not in exempt and key not in first:
                    at = line + text.count("\n", 0, start) if line else line
                    first[key] = (match, at)
        for key, (match, line) in sorted(first.items(),
                                         key=lambda kv: (kv[1][1] or 0, kv[0])):
            name = known[key]["names"][0]
            logger.warning("glossary audit: the glossary term %r occurs in the prose (%r) "
                           "but is never linked in this chapter; link its first use with "
                           "{term}`%s`", name, match, name,
                           location=(docname, line), type="dlguide", subtype="glossary")


def setup(app: Sphinx) -> dict:
    app.add_config_value("dlguide_glossary_not_terms", {}, "env", [dict])
    app.add_env_collector(ProseCollector)
    app.connect("env-before-read-docs", note_read_docs)
    app.connect("env-check-consistency", audit)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
