"""The study checklist, generated from the chapters' own headings.

``book/checklist.md`` holds one directive::

    ```{study-checklist}
    ```

At build time it becomes one entry per chapter (``weekNN`` documents, in reading order),
linked to the chapter, with the chapter's ``##`` sections as sub-items. Because the list
is read from the built table of contents, it cannot drift from the book.

* HTML: labelled checkboxes that ``_static/dlguide-progress.js`` keeps in the browser's
  storage (item ids are ``weekNN#section-anchor``, the same ids the chapter pages use),
  and for each week the ids of its quiz items, so the list can show the quiz score.

A chapter's practice sections (its quiz, exercises and exam checklist) and its Further
reading are not topics to tick: they are left out of the list and marked
``dlg-unlisted`` on the chapter page, so that "Mark Week N done" leaves them out too.
* LaTeX: a printable list with empty boxes.
"""

import html
import json

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import texescape

import dlguide_book
from dlguide_exam import exams
from dlguide_quiz import quiz_ids

# The anchors of a chapter's closing practice sections: "## Check yourself", ...
PRACTICE_SECTIONS = ("check-yourself", "exercises", "exam-checklist")
# ...and the sections that are not read for the exam, which the checklist leaves out too.
NOT_LISTED = PRACTICE_SECTIONS + ("further-reading",)


class checklist_placeholder(nodes.General, nodes.Element):
    """Replaced by the generated checklist once every chapter has been read."""


class StudyChecklist(dlguide_book.PagePlaceholder):
    node_class = checklist_placeholder
    flag = "study_checklist"


def chapters(env) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(docname, title, [(anchor, section title), ...]) for each chapter, in order."""
    result = []
    for doc in dlguide_book.chapters(env):
        toc = env.tocs[doc]
        top = toc.next_node(nodes.list_item)
        title = top.next_node(nodes.reference).astext()
        sections = []
        sub = top.next_node(nodes.bullet_list)
        if sub is not None:
            for item in sub.children:
                ref = item.next_node(nodes.reference)
                anchor = ref["anchorname"].lstrip("#")
                if anchor not in NOT_LISTED:
                    sections.append((anchor, ref.astext()))
        result.append((doc, title, sections))
    return result


def _html(app, fromdoc: str, items) -> str:
    esc = html.escape
    quiz = quiz_ids(app.env)
    parts = ['<div class="dlg-checklist" data-dlg-checklist>']
    for doc, title, sections in items:
        week = dlguide_book.week_of(doc)
        url = app.builder.get_relative_uri(fromdoc, doc)
        ids = " ".join(quiz.get(doc, []))
        parts.append(
            f'<section class="dlg-week" data-week="{esc(doc)}" data-quiz-ids="{esc(ids)}" '
            f'aria-labelledby="dlg-{esc(doc)}">'
            f'<h2 id="dlg-{esc(doc)}"><a href="{esc(url)}">{esc(title)}</a></h2>'
            f'<p class="dlg-week-controls"><label><input type="checkbox" class="dlg-week-done" '
            f'data-week="{esc(doc)}"> Mark Week {week} done</label>'
            f' <span class="dlg-week-progress" data-week="{esc(doc)}"></span>'
            + (f' <a class="dlg-week-quiz" data-week="{esc(doc)}" '
               f'href="{esc(url)}#check-yourself">Quiz: {len(quiz[doc])} questions</a>'
               if quiz.get(doc) else "")
            + '</p><ul>'
        )
        for anchor, section in sections:
            item = f"{doc}#{anchor}"
            box = f"chk-{doc}-{anchor}"
            parts.append(
                f'<li><input type="checkbox" class="dlg-item" id="{esc(box)}" '
                f'data-item="{esc(item)}"> <label for="{esc(box)}">{esc(section)}</label> '
                f'<a class="dlg-goto" href="{esc(url)}#{esc(anchor)}" '
                f'aria-label="Read: {esc(section)}">read</a></li>'
            )
        parts.append("</ul></section>")
    parts.append("</div>")
    parts.append(_exam_data(app, fromdoc))
    return "".join(parts)


def _exam_data(app, fromdoc: str) -> str:
    """The exams' questions, for the checklist's score per week and exam: what each
    question is worth and what each element of its rubric is worth (dlguide_exam)."""
    data = []
    for doc, questions in sorted(exams(app.env).items(), key=lambda kv: kv[0]):
        data.append({
            "exam": doc, "title": app.env.titles[doc].astext(),
            "url": app.builder.get_relative_uri(fromdoc, doc),
            "questions": [{"key": q["key"], "week": f"week{q['week']:02d}",
                           "points": q["points"],
                           "criteria": {c["ident"]: float(c["points"]) for c in q["criteria"]}}
                          for q in questions]})
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="dlg-exam-data">{text}</script>'



def _latex(app, items) -> str:
    def tex(text: str) -> str:
        return texescape.escape(text, app.config.latex_engine)

    lines = [r"\begin{itemize}"]
    for _doc, title, sections in items:
        lines.append(rf"\item[$\square$] \textbf{{{tex(title)}}}")
        lines.append(r"\begin{itemize}")
        lines += [rf"\item[$\square$] {tex(section)}" for _anchor, section in sections]
        lines.append(r"\end{itemize}")
    lines.append(r"\end{itemize}")
    return "\n".join(lines)


def fill_checklist(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(checklist_placeholder))
    if not placeholders:
        return
    items = chapters(app.env)
    if not items:
        dlguide_book.drop_placeholders(
            placeholders, "study-checklist: the book has no chapter to list (a document "
            "named weekNN in the table of contents)", "checklist")
        return
    if app.builder.format == "html":
        node = nodes.raw("", _html(app, docname, items), format="html")
    else:
        node = nodes.raw("", _latex(app, items), format="latex")
    for placeholder in placeholders:
        placeholder.replace_self(node.deepcopy())


def mark_unlisted_sections(app: Sphinx, doctree: nodes.document) -> None:
    if not dlguide_book.is_chapter(app.env.docname):
        return
    for section in doctree.findall(nodes.section):
        if set(section["ids"]) & set(NOT_LISTED):
            section["classes"].append("dlg-unlisted")


def checklist_is_outdated(app, env, added, changed, removed) -> list[str]:
    """Rebuild the checklist page whenever a chapter (its headings) may have changed."""
    if not (added | changed | removed):
        return []
    return [doc for doc, meta in env.metadata.items() if meta.get("study_checklist")]


def setup(app: Sphinx) -> dict:
    app.setup_extension("dlguide_book")
    app.setup_extension("dlguide_quiz")
    app.add_node(checklist_placeholder)
    app.add_directive("study-checklist", StudyChecklist)
    app.connect("doctree-resolved", fill_checklist)
    app.connect("doctree-read", mark_unlisted_sections)
    app.connect("env-get-outdated", checklist_is_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
