"""The glossary, cross-referenced both ways and audited by every build.

What it adds to the ``{glossary}`` directive (``book/glossary.md``):

* **A-Z groups.** The sorted glossary is split into one section per initial letter
  (``<section id="letter-a">``, a heading "A", ...), with a row of jump letters above
  it (letters with no term are shown greyed out). The filter box that narrows the list
  is added by ``_static/dlguide-glossary.js``; without JavaScript the page is complete.
* **Other names.** An entry with several names (a second term line, e.g. "LSTM" under
  "long short-term memory") is shown as one term, "long short-term memory (LSTM)", that
  carries every name's anchor and index entry, so a link or a hover tip to any name
  shows the definition, and a search for any name finds the entry.
* **"Used in" back-links.** While each document is read, every ``{term}`` reference is
  recorded with the section it sits in (references inside the glossary's own
  definitions do not count). When the glossary page is written, each entry gets a
  "Used in" list: per chapter, in reading order, a link to every section that references
  the term. Nothing is typed by hand, so the lists cannot drift from the chapters.
* **An audit**, run in every build that reads a document (the glossary is re-read
  with it, see ``reread_glossary``; a build that reads nothing has nothing new to audit,
  and ``dlguide_rewarn`` re-reads whatever warned last time). Each finding is a
  warning that names the file, the line and the term, so ``-W`` fails the build:

  1. a term referenced but not defined. Sphinx reports this when it writes a page; the
     audit repeats it for pages that are not rewritten in an incremental build, so a
     broken reference cannot pass silently the second time;
  2. a glossary entry that no document references (an orphan);
  3. a glossary term that occurs in a chapter's prose but is linked nowhere in that
     chapter. Prose means running text: paragraphs, lists, tables, captions and boxes
     (the "In this chapter you will" box included). Headings, code (inline and cells),
     cell outputs, maths, and the text of links of any kind do not count. Matching is
     on whole words, plural forms included (``-s``, ``-es``, ``y`` -> ``ies``), a hyphen
     and a space are interchangeable ("cross entropy" = "cross-entropy"), and the
     longest term wins ("stochastic gradient descent" is one occurrence of that term,
     not also one of "gradient descent"). A lowercase term matches in any case; a term
     with capitals (ReLU, GAN, Adam) must match them, except for its first letter.
     Linking the term anywhere in the chapter, under any of its names, satisfies it.
     Which documents are chapters: ``dlguide_glossary_chapters`` (glob patterns).
     A word used in another sense can be exempted per chapter with
     ``dlguide_glossary_not_terms = {"week04": ["graph"]}``, with a comment saying why.

Config values: ``dlguide_glossary_chapters`` (default ``["*"]``: every document except
the glossary itself) and ``dlguide_glossary_not_terms`` (default ``{}``).

Incremental and parallel builds: the per-document data lives in the build environment,
is dropped by ``env-purge-doc`` and combined by ``env-merge-info``, so the extension is
``parallel_read_safe``. The "Used in" lists are built in the main process from the
merged environment when the glossary page is resolved (``parallel_write_safe``).
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections import defaultdict

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Text below any of these nodes is not prose (for audit 3).
NOT_PROSE = (
    nodes.title, nodes.subtitle, nodes.rubric,         # headings
    nodes.literal, nodes.literal_block, nodes.doctest_block,  # code
    nodes.math, nodes.math_block, nodes.raw, nodes.comment,
    nodes.reference, addnodes.pending_xref, nodes.target,  # links (of any kind)
    nodes.image, nodes.substitution_definition, addnodes.index, addnodes.toctree,
    addnodes.glossary, nodes.docinfo, nodes.field_list, nodes.system_message,
)


class glossary_letters(nodes.General, nodes.Element):
    """The row of jump letters above the A-Z groups (HTML only)."""


# --- helpers --------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _initial(term: str) -> str:
    first = unicodedata.normalize("NFD", term)[:1].upper()
    return first if first in LETTERS else "#"


def _data(env, name: str) -> dict:
    if not hasattr(env, name):
        setattr(env, name, {})
    return getattr(env, name)


def _entries(env) -> dict[str, dict]:
    """key (first name, lowercased) -> {doc, names, line} for every glossary entry."""
    out = {}
    for docname, entries in sorted(_data(env, "dlguide_glossary").items()):
        for entry in entries:
            out.setdefault(entry["key"], {**entry, "doc": docname})
    return out


def _aliases(env) -> dict[str, str]:
    """Every name of every entry (lowercased) -> the entry's key."""
    return {_norm(name): key for key, entry in _entries(env).items() for name in entry["names"]}


def _reading_order(env) -> list[str]:
    order, seen = [], set()

    def walk(doc):
        for child in env.toctree_includes.get(doc, []):
            if child not in seen:
                seen.add(child)
                order.append(child)
                walk(child)

    seen.add(env.config.root_doc)
    order.append(env.config.root_doc)
    walk(env.config.root_doc)
    return order + sorted(set(env.all_docs) - seen)


def _is_chapter(env, docname: str) -> bool:
    if docname in _data(env, "dlguide_glossary"):
        return False
    return any(fnmatch.fnmatchcase(docname, pattern)
               for pattern in env.config.dlguide_glossary_chapters)


# --- reading: collect entries, references and prose --------------------------------

def _section_of(node) -> nodes.section | None:
    """The heading section a node is in: untitled sections (sphinx-exercise wraps every
    exercise's and solution's body in one) are not places a reader can be sent to."""
    while node is not None and not (isinstance(node, nodes.section)
                                    and isinstance(node.next_node(), nodes.title)):
        node = node.parent
    return node


def _inside(node, types) -> bool:
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


def _line(node) -> int | None:
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return None


def collect(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: record this document's glossary entries, references and prose."""
    env, docname = app.env, app.env.docname

    entries = []
    try:                            # the line of each term, for the audit's messages
        source = env.doc2path(docname).read_text(encoding="utf-8").splitlines()
    except OSError:
        source = []
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t for t in item.children if isinstance(t, nodes.term)]
            if terms:
                names = [t.astext() for t in terms]
                line = next((n + 1 for n, text in enumerate(source)
                             if text.strip() == names[0] and not text[:1].isspace()),
                            _line(terms[0]))
                entries.append({"key": _norm(names[0]), "names": names, "line": line})
                terms[0]["dlguide_key"] = _norm(names[0])
    if entries:
        _data(env, "dlguide_glossary")[docname] = entries
        merge_aliases(doctree)
        split_into_letters(doctree)

    refs = []
    for ref in doctree.findall(addnodes.pending_xref):
        if ref.get("refdomain") != "std" or ref.get("reftype") != "term":
            continue
        if _inside(ref.parent, addnodes.glossary):
            continue                        # cross-links between definitions
        section = _section_of(ref)
        if section is None or not section["ids"]:
            continue
        title = section[0].astext() if isinstance(section[0], nodes.title) else docname
        top = _section_of(section.parent) is None
        refs.append({"target": _norm(ref["reftarget"]), "section": section["ids"][0],
                     "title": "Introduction" if top else title, "line": _line(ref)})
    _data(env, "dlguide_refs")[docname] = refs

    # (text, line of its first character): a block's Text nodes come in document order,
    # so counting the newlines before each one gives its line within the block
    prose, newlines = [], defaultdict(int)
    for text in doctree.findall(nodes.Text):
        block = text.parent
        while block is not None and not getattr(block, "line", None):
            block = block.parent
        line = block.line + newlines[id(block)] if block is not None else None
        if block is not None:
            newlines[id(block)] += text.astext().count("\n")
        if text.parent is None or _inside(text.parent, NOT_PROSE):
            continue
        if text.astext().strip():
            prose.append((str(text.astext()), line))
    _data(env, "dlguide_prose")[docname] = prose


def merge_aliases(doctree: nodes.document) -> None:
    """Show an entry with several names ("long short-term memory" and "LSTM") as one
    term, "long short-term memory (LSTM)", that carries every name's anchor and index
    entry. Each anchor then opens on the definition, and a hover tip on a link to any of
    the names shows it (a tip shows a term's <dd> only when its <dt> is next to it)."""
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t for t in item.children if isinstance(t, nodes.term)]
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
    if pagename not in _data(app.env, "dlguide_glossary") or "body" not in context:
        return

    def wrap(match: re.Match) -> str:
        spans = re.findall(r'<span id="[^"]*">', match.group(2))
        return match.group(1) + "".join(spans) + match.group(3) + "</span>" * len(spans) \
            + match.group(4)

    context["body"] = ALIAS_ANCHORS.sub(wrap, context["body"])


def split_into_letters(doctree: nodes.document) -> None:
    """Replace each sorted glossary by a row of jump letters and one section per letter."""
    for glossary in list(doctree.findall(addnodes.glossary)):
        dlist = glossary.next_node(nodes.definition_list)
        if dlist is None or glossary.parent is None:
            continue
        groups: dict[str, list] = defaultdict(list)
        for item in dlist.children:
            term = item.next_node(nodes.term)
            groups[_initial(term.astext())].append(item)
        order = sorted(groups, key=lambda k: (k != "#", k))
        sections = []
        for letter in order:
            ident = "letter-" + ("other" if letter == "#" else letter.lower())
            section = nodes.section(ids=[ident], names=[ident],
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
        ident = "letter-" + ("other" if letter == "#" else letter.lower())
        if letter in present:
            parts.append(f'<li><a href="#{ident}">{letter}</a></li>')
        else:
            parts.append(f'<li><span class="dlguide-letter-empty" aria-hidden="true">'
                         f'{letter}</span></li>')
    parts.append("</ul></nav>")
    self.body.append("".join(parts))
    raise nodes.SkipNode


def skip_node(self, node) -> None:
    raise nodes.SkipNode


def purge(app: Sphinx, env, docname: str) -> None:
    for name in ("dlguide_glossary", "dlguide_refs", "dlguide_prose"):
        _data(env, name).pop(docname, None)


def merge(app: Sphinx, env, docnames, other) -> None:
    for name in ("dlguide_glossary", "dlguide_refs", "dlguide_prose"):
        mine, theirs = _data(env, name), _data(other, name)
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]


def reread_glossary(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Re-read the glossary whenever another document is read or removed: its "Used in"
    lists depend on every chapter. A build that reads nothing leaves it alone; the audit
    then has nothing new to say, and a build that failed the audit is repeated by
    dlguide_rewarn."""
    if added or changed or removed:
        return list(_data(env, "dlguide_glossary"))
    return []


def note_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    env.dlguide_read_now = set(docnames)


# --- the "Used in" lists --------------------------------------------------------------

def uses(env) -> dict[str, list[tuple[str, str, str]]]:
    """entry key -> [(docname, section id, section title)] in reading order, no repeats."""
    aliases = _aliases(env)
    refs = _data(env, "dlguide_refs")
    out: dict[str, list] = defaultdict(list)
    for docname in _reading_order(env):
        for ref in refs.get(docname, []):
            key = aliases.get(ref["target"])
            place = (docname, ref["section"], ref["title"])
            if key is not None and place not in out[key]:
                out[key].append(place)
    return out


def add_used_in(app: Sphinx, doctree: nodes.document, fromdoc: str) -> None:
    """doctree-resolved: append "Used in" to every glossary entry. For HTML this is the
    glossary page; for LaTeX, the one assembled document (``fromdoc`` is its root)."""
    if not _data(app.env, "dlguide_glossary"):
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
                doctitle = app.env.titles[docname].astext() if docname in app.env.titles else docname
                para += nodes.inline(doctitle, doctitle, classes=["dlguide-used-in-doc"])
                para += nodes.Text(": ")
                for m, (section, title) in enumerate(sections):
                    if m:
                        para += nodes.Text(", ")
                    uri = app.builder.get_relative_uri(fromdoc, docname) + "#" + section
                    ref = nodes.reference(title, title, internal=True, refuri=uri)
                    para += ref
            box += para
            definition += box


# --- the audit ------------------------------------------------------------------------

def _pattern(name: str) -> str:
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


def _matcher(env):
    alts, keys = [], []
    entries = _entries(env)
    pairs = sorted(((name, key) for key, e in entries.items() for name in e["names"]),
                   key=lambda p: -len(p[0]))
    for name, key in pairs:
        alts.append(f"(?P<t{len(keys)}>{_pattern(name)})")
        keys.append(key)
    if not alts:
        return None, []
    regex = re.compile(r"(?<![\w\-])(?:" + "|".join(alts) + r")(?![\w\-])")
    return regex, keys


def audit(app: Sphinx, env) -> None:
    """env-check-consistency: every build, after every document has been read."""
    if not _data(env, "dlguide_glossary"):
        return
    entries = _entries(env)
    aliases = _aliases(env)
    refs = _data(env, "dlguide_refs")
    read_now = getattr(env, "dlguide_read_now", set())

    # 1. referenced but undefined (Sphinx reports it for the pages it writes now)
    for docname in sorted(refs):
        if docname in read_now:
            continue
        for ref in refs[docname]:
            if ref["target"] not in aliases:
                logger.warning("glossary audit: term not in glossary: %r", ref["target"],
                               location=(docname, ref["line"]), type="dlguide",
                               subtype="glossary")

    # 2. orphans
    referenced = {aliases[r["target"]] for rs in refs.values() for r in rs
                  if r["target"] in aliases}
    for key, entry in sorted(entries.items()):
        if key not in referenced:
            logger.warning("glossary audit: the entry %r is referenced by no chapter "
                           "(link it where it is used, or remove it)", entry["names"][0],
                           location=(entry["doc"], entry["line"]), type="dlguide",
                           subtype="glossary")

    # 3. terms in a chapter's prose that the chapter never links
    regex, keys = _matcher(env)
    if regex is None:
        return
    not_terms = env.config.dlguide_glossary_not_terms
    for docname, prose in sorted(_data(env, "dlguide_prose").items()):
        if not _is_chapter(env, docname):
            continue
        linked = {aliases[r["target"]] for r in refs.get(docname, []) if r["target"] in aliases}
        exempt = {aliases.get(_norm(t), _norm(t)) for t in not_terms.get(docname, [])}
        first: dict[str, tuple[str, int | None]] = {}
        for text, line in prose:
            for match in regex.finditer(text):
                key = keys[int(match.lastgroup[1:])]
                if key not in linked and key not in exempt and key not in first:
                    at = line + text.count("\n", 0, match.start()) if line else line
                    first[key] = (match.group(0), at)
        for key, (found, line) in sorted(first.items(), key=lambda kv: (kv[1][1] or 0, kv[0])):
            name = entries[key]["names"][0]
            logger.warning("glossary audit: the glossary term %r occurs in the prose (%r) "
                           "but is never linked in this chapter; link its first use with "
                           "{term}`%s`", name, found, name,
                           location=(docname, line), type="dlguide", subtype="glossary")


def setup(app: Sphinx) -> dict:
    app.add_config_value("dlguide_glossary_chapters", ["*"], "env", [list])
    app.add_config_value("dlguide_glossary_not_terms", {}, "env", [dict])
    app.add_node(glossary_letters,
                 html=(visit_letters_html, None),
                 latex=(skip_node, None), text=(skip_node, None), man=(skip_node, None),
                 texinfo=(skip_node, None))
    app.connect("doctree-read", collect, priority=400)   # before the TOC is collected
    app.connect("doctree-resolved", add_used_in)
    app.connect("html-page-context", wrap_alias_anchors, priority=600)  # after sphinx-tippy
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-outdated", reread_glossary)
    app.connect("env-before-read-docs", note_read_docs)
    app.connect("env-check-consistency", audit)
    return {"version": "1.0", "env_version": 2,
            "parallel_read_safe": True, "parallel_write_safe": True}
