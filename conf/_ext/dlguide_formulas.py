"""The formula sheet: every labelled equation of the chapters, gathered, never retyped.

* A collector records, for every chapter (``dlguide_book.is_chapter``), each labelled
  display equation in document order: MyST's ``$$ ... $$ (eq-...)`` (a math_block with a
  ``label``), the ``{math}`` directive with ``:label:``, and an amsmath environment that
  carries a ``\\label{...}``. It keeps the equation's LaTeX source and the section it
  belongs to (the nearest ``##`` or ``###``).
* ``formulas(env)`` lists them in reading order with the number the web shows
  ("3.6", per chapter: ``dlguide_numbering``) and a name. Names live in
  ``book/formula-names.toml`` (``label = "name"``), their one home; an equation without a
  name there is named after its section, so a new equation appears with no other change.
  A name for a label that no chapter has fails the build, naming the file and line.
* ``book/formulas.md`` holds a ``formula-sheet`` directive, replaced once every chapter
  has been read by one section per week: each formula's name, the equation as display
  maths with its number, and a link back to the equation in its chapter.
* In the PDF the sheet is not a chapter: it moves to the end of the book, an appendix
  after the Solutions, each formula with its name, its number and the page it is
  derived on.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging, texescape

import dlguide_book
from dlguide_answer_key import source_docname

logger = logging.getLogger(__name__)

NAMES_FILE = "formula-names.toml"   # in the book's folder, beside the chapters
AMS_LABEL = re.compile(r"\\label\{([^}]*)\}")


# --- the chapters' equations ---------------------------------------------------------

def equation_label(node: nodes.math_block) -> tuple[str, str] | None:
    """(label, HTML anchor) of a labelled display equation, None for an unlabelled one."""
    if not node["ids"]:
        return None
    if "amsmath" in node["classes"]:    # MyST gives it a random label; \label names it
        found = AMS_LABEL.search(node.astext())
        return (found.group(1), node["ids"][0]) if found else None
    return (node["label"], node["ids"][0]) if node.get("label") else None


def nearest_section(node: nodes.Node) -> nodes.section | None:
    """The ## or ### section holding NODE (a #### counts as its ###); the chapter's
    own section for an equation before its first ##."""
    chain = []
    while node is not None:
        if isinstance(node, nodes.section):
            chain.append(node)
        node = node.parent
    chain.reverse()                     # chain[0]: the chapter (# heading)
    return chain[min(len(chain), 3) - 1] if chain else None


def title_parts(title: nodes.title) -> list[tuple[str, str]]:
    """A section title as [("text", ...), ("math", ...)], to show its maths rendered."""
    return [("math" if isinstance(n, nodes.math) else "text", n.astext())
            for n in title.children]


class FormulaCollector(EnvironmentCollector):
    """env.dlguide_formulas: {chapter: [{label, anchor, latex, section, section_title}]}."""

    def clear_doc(self, app: Sphinx, env, docname: str) -> None:
        getattr(env, "dlguide_formulas", {}).pop(docname, None)

    def merge_other(self, app: Sphinx, env, docnames: set[str], other) -> None:
        mine = _store(env)
        for docname in docnames:
            if docname in getattr(other, "dlguide_formulas", {}):
                mine[docname] = other.dlguide_formulas[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        docname = app.env.docname
        if not dlguide_book.is_chapter(docname):
            return
        entries = []
        for node in doctree.findall(nodes.math_block):
            found = equation_label(node)
            if found is None:
                continue
            label, anchor = found
            section = nearest_section(node)
            title = section.next_node(nodes.title) if section is not None else None
            entries.append({
                "label": label, "anchor": anchor,
                "latex": AMS_LABEL.sub("", node.astext()).strip(),
                "nowrap": bool(node.get("nowrap")),
                "section": section["ids"][0] if section is not None else "",
                "section_title": title.astext() if title is not None else "",
                "title_parts": title_parts(title) if title is not None else [],
            })
        _store(app.env)[docname] = entries


def _store(env) -> dict:
    if not hasattr(env, "dlguide_formulas"):
        env.dlguide_formulas = {}
    return env.dlguide_formulas


# --- their names -----------------------------------------------------------------------

def names_path(env) -> Path:
    return Path(env.srcdir) / NAMES_FILE


class NamesError(ValueError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


def read_names(path: Path) -> dict[str, tuple[str, int]]:
    """{label: (name, line)} from the names file; {} when there is none. Raises NamesError
    (with the line) for a file that is not TOML or a value that is not a non-empty string."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        raise NamesError(int(found.group(1)) if found else 1, str(error)) from None
    lines = text.splitlines()

    def line_of(key: str) -> int:
        pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
        return next((i for i, line in enumerate(lines, 1) if pattern.match(line)), 1)

    names = {}
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise NamesError(line_of(key), f"the name of {key!r} must be a non-empty string "
                             f'(label = "name"), not {value!r}')
        names[key] = (" ".join(value.split()), line_of(key))
    return names


def names(env) -> dict[str, str]:
    """{label: name}; an unreadable names file counts as empty (check_names reports it)."""
    try:
        return {label: name for label, (name, _) in read_names(names_path(env)).items()}
    except NamesError:
        return {}


def check_names(app: Sphinx, env) -> None:
    """env-check-consistency: the names file reads, and names only existing equations."""
    path = names_path(env)
    try:
        named = read_names(path)
    except NamesError as error:
        logger.warning("%s", error.problem, location=f"{path}:{error.line}",
                       type="dlguide", subtype="formulas")
        return
    labels = {entry["label"] for doc in dlguide_book.chapters(env)
              for entry in _store(env).get(doc, [])}
    for label, (_, line) in named.items():
        if label not in labels:
            logger.warning("formula name for %r, an equation label that no chapter has "
                           "(rename or remove it)", label, location=f"{path}:{line}",
                           type="dlguide", subtype="formulas")


# --- the contract ------------------------------------------------------------------

def formulas(env) -> list[dict]:
    """Every labelled display equation of the chapters, in reading order:
    {"doc", "week", "label", "number" (as the web shows it: "3.6"), "name", "latex",
    "section", "section_title"}, plus "anchor" (the equation's id in its page), "nowrap"
    (an amsmath environment, typeset as written) and "title_parts" (the section title
    as [("text" | "math", source)], to show its maths rendered)."""
    named = names(env)
    result = []
    for doc in dlguide_book.chapters(env):
        numbers = env.toc_fignumbers.get(doc, {}).get("displaymath", {})
        for entry in _store(env).get(doc, []):
            number = ".".join(map(str, numbers.get(entry["anchor"], ())))
            number = env.config.math_numsep.join(number.rsplit(".", 1))
            result.append({
                "doc": doc, "week": dlguide_book.week_of(doc), "label": entry["label"],
                "number": number,
                "name": named.get(entry["label"]) or entry["section_title"],
                "latex": entry["latex"], "section": entry["section"],
                "section_title": entry["section_title"],
                "anchor": entry["anchor"], "nowrap": entry["nowrap"],
                "title_parts": entry["title_parts"],
            })
    return result


# --- the sheet ------------------------------------------------------------------------

class formula_sheet(nodes.General, nodes.Element):
    """Replaced by the sheet once every chapter has been read."""


class formula_math(nodes.General, nodes.Element):
    """One equation of the sheet: display maths with the number it has in its chapter."""


class FormulaSheet(dlguide_book.PagePlaceholder):
    node_class = formula_sheet
    flag = "formula_sheet"

    def run(self):
        self.env.note_dependency(str(names_path(self.env)))
        return super().run()


def visit_formula_math_html(self, node: formula_math) -> None:
    self._has_maths_elements = True          # so that the page loads MathJax
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["nowrap"]:
        self.body.append(self.encode(node["latex"]))
    else:
        self.body.append(f'<span class="eqno">({self.encode(node["number"])})</span>')
        self.body.append(self.builder.config.mathjax_display[0])
        parts = [part for part in node["latex"].split("\n\n") if part.strip()]
        if len(parts) > 1:
            self.body.append(r" \begin{align}\begin{aligned}")
        self.body.append(r"\\".join(
            rf"\begin{{split}}{self.encode(p)}\end{{split}}" if r"\\" in p else self.encode(p)
            for p in parts))
        if len(parts) > 1:
            self.body.append(r"\end{aligned}\end{align} ")
        self.body.append(self.builder.config.mathjax_display[1])
    self.body.append("</div>\n")
    raise nodes.SkipNode


def latex_equation(latex: str, number: str, nowrap: bool) -> str:
    """The equation as LaTeX, numbered with its chapter's number (an amsmath
    environment is typeset as written, with its own numbers)."""
    if nowrap:
        return "\n" + latex + "\n"
    parts = [part.strip() for part in latex.split("\n\n") if part.strip()]
    body = (r"\begin{split}" + parts[0] + r"\end{split}" if len(parts) == 1 else
            r"\begin{aligned}" + "\\\\\n".join(parts) + r"\end{aligned}")
    return "\n\\begin{equation*}\n" + body + f"\n\\tag{{{number}}}\n\\end{{equation*}}\n"


def visit_formula_math_latex(self, node: formula_math) -> None:
    self.body.append(latex_equation(node["latex"], node["number"], node["nowrap"]))
    raise nodes.SkipNode


def week_heading(env, doc: str) -> str:
    title = env.titles[doc].astext()
    week = dlguide_book.week_of(doc)
    return title if title.startswith(f"Week {week} ") else f"Week {week} · {title}"


def sheet_html(app: Sphinx, fromdoc: str, items: list[dict]) -> list[nodes.Node]:
    sections = []
    for doc in dict.fromkeys(item["doc"] for item in items):
        section = nodes.section(ids=[f"formulas-{doc}"], names=[f"formulas {doc}"],
                                classes=["dlg-formula-week"])
        section += nodes.title("", week_heading(app.env, doc))
        url = app.builder.get_relative_uri(fromdoc, doc)
        for item in (i for i in items if i["doc"] == doc):
            entry = nodes.container(classes=["dlg-formula"], ids=[f"formula-{item['label']}"])
            head = nodes.paragraph(classes=["dlg-formula-name"])
            head += nodes.strong("", item["name"])
            head += nodes.Text(" · ")
            link = nodes.reference("", "", internal=True, refuri=f"{url}#{item['anchor']}",
                                   classes=["dlg-formula-source"])
            link += nodes.Text(f"({item['number']}) in ")
            link += [nodes.math(text, text) if kind == "math" else nodes.Text(text)
                     for kind, text in item["title_parts"]]
            head += link
            entry += head
            entry += formula_math(latex=item["latex"], number=item["number"],
                                  nowrap=item["nowrap"])
            section += entry
        sections.append(section)
    return sections


# The sheet's type: small, with tight space around each equation. \small resets the
# display skips, so they are set after it.
LATEX_BEGIN = r"""\begingroup\small
\setlength{\abovedisplayskip}{2pt plus 1pt}\setlength{\belowdisplayskip}{5pt plus 2pt}
\setlength{\abovedisplayshortskip}{2pt plus 1pt}\setlength{\belowdisplayshortskip}{5pt plus 2pt}"""
LATEX_END = r"\endgroup"


def sheet_latex(app: Sphinx, items: list[dict]) -> list[nodes.Node]:
    """One section per week; each formula a line with its name and where it is derived
    (section and page, a link), then the equation with its number, on the same page."""
    def tex(text: str) -> str:
        return texescape.escape(text, app.config.latex_engine)

    result: list[nodes.Node] = [nodes.raw("", LATEX_BEGIN, format="latex")]
    for doc in dict.fromkeys(item["doc"] for item in items):
        section = nodes.section(ids=[f"formulas-{doc}"], names=[f"formulas {doc}"])
        section += nodes.title("", week_heading(app.env, doc))
        for item in (i for i in items if i["doc"] == doc):
            target = f"equation:{doc}:{item['label']}"
            where = "".join(rf"\({text}\)" if kind == "math" else tex(text)
                            for kind, text in item["title_parts"])
            entry = (r"\par\pagebreak[2]\noindent\textbf{" + tex(item["name"])
                     + r"}\hfill{\footnotesize\hyperref[" + target + "]{" + where
                     + rf", p.\,\pageref*{{{target}}}" + "}}%"
                     + latex_equation(item["latex"], item["number"], item["nowrap"]))
            section += nodes.raw("", entry, format="latex")
        result.append(section)
    result.append(nodes.raw("", LATEX_END, format="latex"))
    return result


def fill_sheet(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(formula_sheet))
    if not placeholders:
        return
    items = formulas(app.env)
    if not items:
        dlguide_book.drop_placeholders(
            placeholders, "formula-sheet: no chapter has a labelled equation "
            "($$ ... $$ (eq-label))", "formulas")
        return
    for placeholder in placeholders:
        if app.builder.format == "latex":
            placeholder.replace_self(sheet_latex(app, items))
            as_appendix(app, doctree, placeholder)
        else:
            placeholder.replace_self(sheet_html(app, docname, items))


def as_appendix(app: Sphinx, doctree: nodes.document, placeholder: nodes.Node) -> None:
    """Move the sheet's document to the end of the printed book, after the appendices
    that dlguide_answer_key and dlguide_solutions append (this runs after them)."""
    doc = source_docname(app, placeholder)
    for wrapper in doctree.findall(addnodes.start_of_file):
        if wrapper["docname"] == doc:
            break
    else:
        return
    wrapper.parent.remove(wrapper)
    if not any(isinstance(n, nodes.raw) and n.astext() == r"\appendix"
               for n in doctree.children):
        doctree += nodes.raw("", r"\appendix", format="latex")
    doctree += wrapper


def sheet_is_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Rebuild the sheet whenever a chapter (its equations, their numbers) may change."""
    if not (added | changed | removed):
        return []
    return [doc for doc, meta in env.metadata.items() if meta.get("formula_sheet")]


def setup(app: Sphinx) -> dict:
    app.setup_extension("dlguide_book")
    app.setup_extension("dlguide_answer_key")
    app.add_env_collector(FormulaCollector)
    app.add_node(formula_sheet)
    app.add_node(formula_math, html=(visit_formula_math_html, None),
                 latex=(visit_formula_math_latex, None))
    app.add_directive("formula-sheet", FormulaSheet)
    # After the answer key (500) and the Solutions (600): the sheet is the last appendix.
    app.connect("doctree-resolved", fill_sheet, priority=700)
    app.connect("env-get-outdated", sheet_is_outdated)
    app.connect("env-check-consistency", check_names)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
