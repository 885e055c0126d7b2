"""Exams: each question's points, week and marking scheme, written once.

A question and its rubric, as an exam page writes them::

    ## Question 4

    :::{exam-question}
    :points: 5
    :week: 4

    A layer has 16 filters of size 5 x 5 ... (the question)
    :::

    ::::{dropdown} Model answer
    :class-container: exam-answer

    ...the model answer...

    :::{criterion} 1
    :id: output-size
    :teaches: week04#output-size-formula

    The output is $32 \\times 32$.
    :::
    ::::

``exam-question`` prints "**5 points · Week 4.**" before the question and marks it with
``data-exam-question`` (``exam/4``: the page and the question's number, its place in the
page), ``data-points`` and ``data-week``. Each ``criterion`` is one element an examiner
gives points for: ``data-rubric-item`` (``exam/4/output-size``, stable: the reader's
ticks are saved under it), ``data-points``, and a link to the section that teaches it
(``:teaches: doc#anchor``). Consecutive criteria form the question's "Marking scheme".
``exam-score-panel`` places the page's score panel. ``_static/dlguide-progress.js`` turns
the criteria into ticks, adds them up and lists the sections where most points were lost.

The build stops, naming the file and line, when a question's rubric does not add up to
its points, when an exam's points per week differ from the course's (POINTS_PER_WEEK),
when a criterion teaches a section that does not exist, when a criterion has no question,
an id is missing or repeated, or a question's heading is not "Question N" in page order.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from dlguide_book import week_of

logger = logging.getLogger(__name__)

# The course's final-exam review: the points each week carries. Every exam of the book
# gives the same points per week (98 in all), so that two exams compare week by week.
POINTS_PER_WEEK = {2: 3, 3: 7, 4: 8, 5: 11, 6: 5, 7: 6, 8: 6, 9: 12, 10: 21, 11: 19}
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEACHES = re.compile(r"^([A-Za-z0-9_-]+)(?:#([A-Za-z0-9_-]+))?$")


class exam_question(nodes.General, nodes.Element):
    """A question's text; attributes ``key`` (``exam/4``), ``points``, ``week``."""


class criterion(nodes.General, nodes.Element):
    """One rubric element; attributes ``ident``, ``points``, ``teaches`` (doc#anchor);
    ``key`` (``exam/4/output-size``) once its question is known."""


class exam_rubric(nodes.General, nodes.Element):
    """A question's marking scheme: its consecutive criteria."""


class score_panel(nodes.General, nodes.Element):
    """Where the page's score panel goes (HTML only)."""


class points_table(nodes.General, nodes.Element):
    """Replaced by the table of the page's points per week, once the page is read."""


def points(text: str) -> Fraction:
    """A number of points: a whole number or a half ("1", "0.5", "1.5")."""
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a number of points") from None
    if value <= 0 or (value * 2).denominator != 1:
        raise ValueError(f"{text!r} is not a positive whole or half number of points")
    return value


def show(value: Fraction) -> str:
    return str(int(value)) if value.denominator == 1 else str(float(value))


def unit(value: Fraction) -> str:
    return f"{show(value)} point" + ("" if value == 1 else "s")


class ExamQuestionDirective(SphinxDirective):
    has_content = True
    option_spec = {"points": directives.unchanged_required,
                   "week": directives.nonnegative_int}

    def run(self) -> list[nodes.Node]:
        try:
            value = points(self.options.get("points", ""))
        except ValueError as error:
            raise self.error(f"exam-question: :points: {error}") from None
        if value.denominator != 1:
            raise self.error("exam-question: a question's :points: is a whole number")
        week = self.options.get("week")
        if week not in POINTS_PER_WEEK:
            raise self.error(f"exam-question: :week: must be one of the course's weeks "
                             f"{min(POINTS_PER_WEEK)} to {max(POINTS_PER_WEEK)} (got {week})")
        count = self.env.temp_data.get("dlguide_exam_count", 0) + 1
        self.env.temp_data["dlguide_exam_count"] = count
        self.env.temp_data["dlguide_exam_criteria"] = set()
        node = exam_question(key=f"{self.env.docname}/{count}", number=count,
                             points=int(value), week=week)
        self.set_source_info(node)
        self.state.nested_parse(self.content, self.content_offset, node)
        header = nodes.strong("", f"{unit(value)} \u00b7 Week {week}.")
        first = node.children[0] if node.children else None
        if isinstance(first, nodes.paragraph):
            first.insert(0, nodes.Text(" "))
            first.insert(0, header)
        else:
            node.insert(0, nodes.paragraph("", "", header))
        return [node]


class CriterionDirective(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec = {"id": directives.unchanged_required,
                   "teaches": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        count = self.env.temp_data.get("dlguide_exam_count")
        if not count:
            raise self.error("criterion: a rubric element must follow the exam-question it "
                             "marks")
        try:
            value = points(self.arguments[0])
        except ValueError as error:
            raise self.error(f"criterion: {error}") from None
        ident = self.options.get("id", "")
        if not ID.match(ident):
            raise self.error("criterion: every element needs an :id: of lowercase letters, "
                             f"digits and hyphens (got {ident!r})")
        seen = self.env.temp_data["dlguide_exam_criteria"]
        if ident in seen:
            raise self.error(f"criterion: the id {ident!r} is used twice in Question {count}")
        seen.add(ident)
        teaches = self.options.get("teaches", "")
        if not TEACHES.match(teaches):
            raise self.error("criterion: :teaches: names the section that teaches it, as "
                             f"doc#anchor, e.g. week04#output-size-formula (got {teaches!r})")
        if not self.content:
            raise self.error(f"criterion {ident!r}: say what earns the points")
        node = criterion(ident=ident, key=f"{self.env.docname}/{count}/{ident}",
                         points=show(value), teaches=teaches)
        self.set_source_info(node)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class ScorePanelDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        node = score_panel(exam=self.env.docname)
        self.set_source_info(node)
        return [node]


class PointsTableDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        node = points_table()
        self.set_source_info(node)
        return [node]


# --- what each exam holds ------------------------------------------------------------------

def exams(env) -> dict[str, list[dict]]:
    """{doc: [question, ...]} for every page with exam questions; each question is
    {number, key, points, week, title, line, criteria: [{ident, key, points, teaches,
    line}]} in page order."""
    if not hasattr(env, "dlguide_exams"):
        env.dlguide_exams = {}
    return env.dlguide_exams


class ExamCollector(EnvironmentCollector):
    def clear_doc(self, app, env, docname):
        exams(env).pop(docname, None)

    def merge_other(self, app, env, docnames, other):
        exams(env).update({doc: exams(other)[doc] for doc in docnames if doc in exams(other)})

    def process_doc(self, app, doctree):
        questions = []
        for node in doctree.findall(lambda n: isinstance(n, (exam_question, criterion))):
            if isinstance(node, exam_question):
                section = node.parent
                title = section.next_node(nodes.title).astext() \
                    if isinstance(section, nodes.section) else ""
                questions.append({"number": node["number"], "key": node["key"],
                                  "points": node["points"], "week": node["week"],
                                  "title": title, "line": node.line, "criteria": []})
            elif questions:
                questions[-1]["criteria"].append(
                    {"ident": node["ident"], "key": node["key"],
                     "points": node["points"], "teaches": node["teaches"],
                     "line": node.line})
        if questions:
            exams(app.env)[app.env.docname] = questions


def section_title(env, doc: str, anchor: str | None) -> str | None:
    """The title of DOC's section ANCHOR (or of DOC itself), from the table of contents;
    None if there is no such section."""
    toc = env.tocs.get(doc)
    if toc is None:
        return None
    for ref in toc.findall(nodes.reference):
        if ref.get("anchorname", "") == (f"#{anchor}" if anchor else ""):
            return ref.astext()
    return None


def section_title_nodes(env, doc: str, anchor: str) -> list[nodes.Node]:
    """The section's title as the table of contents holds it, maths included."""
    for ref in env.tocs[doc].findall(nodes.reference):
        if ref.get("anchorname", "") == f"#{anchor}":
            return [child.deepcopy() for child in ref.children]
    return []


def teaches_label(env, teaches: str) -> list[nodes.Node]:
    """"Week 4 · Output size formula": where a rubric element is taught."""
    doc, anchor = TEACHES.match(teaches).groups()
    week = week_of(doc)
    place = f"Week {week}" if week else env.titles[doc].astext()
    if not anchor:
        return [nodes.Text(place)]
    return [nodes.Text(f"{place} \u00b7 "), *section_title_nodes(env, doc, anchor)]


def check_exams(app: Sphinx, env) -> None:
    for doc, questions in sorted(exams(env).items()):
        by_week: dict[int, int] = {}
        for q in questions:
            where = (doc, q["line"])
            if q["title"] != f"Question {q['number']}":
                logger.error(f"exam: question {q['number']} of this page is headed "
                             f"{q['title']!r}, not 'Question {q['number']}'",
                             location=where, type="dlguide", subtype="exam")
            total = sum(Fraction(c["points"]) for c in q["criteria"])
            if total != q["points"]:
                logger.error(f"exam: Question {q['number']} is worth {q['points']} points but "
                             f"its rubric adds up to {show(total)}",
                             location=where, type="dlguide", subtype="exam")
            by_week[q["week"]] = by_week.get(q["week"], 0) + q["points"]
            for c in q["criteria"]:
                target, anchor = TEACHES.match(c["teaches"]).groups()
                if target not in env.found_docs or (
                        section_title(env, target, anchor) is None):
                    logger.error(f"exam: criterion {c['ident']!r} teaches "
                                 f"{c['teaches']!r}, a section that does not exist",
                                 location=(doc, c["line"]), type="dlguide", subtype="exam")
        if by_week != POINTS_PER_WEEK:
            wrong = [f"Week {w}: {by_week.get(w, 0)} instead of {POINTS_PER_WEEK.get(w, 0)}"
                     for w in sorted(set(by_week) | set(POINTS_PER_WEEK))
                     if by_week.get(w, 0) != POINTS_PER_WEEK.get(w, 0)]
            logger.error(f"exam: the points per week differ from the course's "
                         f"({'; '.join(wrong)})", location=(doc, questions[0]["line"]),
                         type="dlguide", subtype="exam")


# --- rendering ----------------------------------------------------------------------------

def group_criteria(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Consecutive criteria become one "Marking scheme"; each gets its points in front and
    a link to the section that teaches it after (for every builder)."""
    env = app.env
    for node in list(doctree.findall(criterion)):
        parent = node.parent
        at = parent.index(node)
        if at and isinstance(parent[at - 1], exam_rubric):
            parent[at - 1] += parent.pop(at)
            continue
        group = exam_rubric()
        group += parent.pop(at)
        parent.insert(at, group)
    for group in doctree.findall(exam_rubric):
        total = sum(Fraction(c["points"]) for c in group.children)
        group.insert(0, nodes.paragraph("", "", nodes.strong(
            "", f"Marking scheme ({unit(total)})")))
        for node in group.findall(criterion):
            first = node.children[0] if node.children else None
            if not isinstance(first, nodes.paragraph):
                first = nodes.paragraph()
                node.insert(0, first)
            first.insert(0, nodes.Text(" "))
            first.insert(0, nodes.strong("", f"[{unit(Fraction(node['points']))}]",
                                         classes=["dlg-criterion-points"]))
            doc, anchor = TEACHES.match(node["teaches"]).groups()
            if doc not in env.found_docs:
                continue                           # reported by check_exams
            if app.builder.format == "html":
                uri = app.builder.get_relative_uri(docname, doc) + (f"#{anchor}" if anchor else "")
            else:                                  # LaTeX: an internal reference
                uri = f"%{doc}#{anchor or ''}"
            link = nodes.reference("", "", *teaches_label(env, node["teaches"]), refuri=uri,
                                   internal=True, classes=["dlg-criterion-teaches"])
            node += nodes.paragraph("", "", nodes.Text("Taught in "), link,
                                    classes=["dlg-criterion-where"])


def fill_points_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The points per week and in all, from the questions themselves."""
    for node in list(doctree.findall(points_table)):
        source = node.get("source", "")
        doc = next((d for d in exams(app.env) if source and str(app.env.doc2path(d)) == source),
                   docname)
        questions = exams(app.env).get(doc, [])
        weeks = sorted({q["week"] for q in questions})
        rows = [["Week"] + [str(w) for w in weeks] + ["Total"],
                ["Questions"] + [str(sum(q["week"] == w for q in questions)) for w in weeks]
                + [str(len(questions))],
                ["Points"] + [str(sum(q["points"] for q in questions if q["week"] == w))
                              for w in weeks] + [str(sum(q["points"] for q in questions))]]
        table = nodes.table(classes=["dlg-points-table"])
        group = nodes.tgroup(cols=len(rows[0]))
        table += group
        group += [nodes.colspec(colwidth=1) for _ in rows[0]]
        body = nodes.tbody()
        for cells in rows:
            row = nodes.row()
            for i, text in enumerate(cells):
                entry = nodes.entry()
                entry += nodes.paragraph("", "", nodes.strong("", text) if i == 0 else
                                         nodes.Text(text))
                row += entry
            body += row
        group += body
        node.replace_self(table)


def visit_exam_question_html(self, node):
    self.body.append(self.starttag(
        node, "div", "", CLASS="dlg-exam-question", **{
            "data-exam-question": node["key"], "data-points": str(node["points"]),
            "data-week": str(node["week"])}))


def visit_rubric_html(self, node):
    self.body.append(self.starttag(node, "div", "", CLASS="dlg-rubric"))


def visit_criterion_html(self, node):
    self.body.append(self.starttag(
        node, "div", "", CLASS="dlg-criterion", **{
            "data-rubric-item": node["key"], "data-points": node["points"],
            "data-teaches": node["teaches"]}))


def depart_div(self, node):
    self.body.append("</div>\n")


def visit_score_panel_html(self, node):
    exam = html.escape(node["exam"])
    self.body.append(
        f'<div class="dlg-score-panel" data-exam-score="{exam}" aria-live="polite">'
        "<noscript>Self-grading needs JavaScript; the questions and answers do not."
        "</noscript></div>\n")
    raise nodes.SkipNode


def visit_pass(self, node):
    pass


def depart_pass(self, node):
    pass


def skip(self, node):
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict:
    app.add_node(exam_question, html=(visit_exam_question_html, depart_div),
                 latex=(visit_pass, depart_pass))
    app.add_node(exam_rubric, html=(visit_rubric_html, depart_div), latex=(visit_pass, depart_pass))
    app.add_node(criterion, html=(visit_criterion_html, depart_div),
                 latex=(visit_pass, depart_pass))
    app.add_node(score_panel, html=(visit_score_panel_html, None), latex=(skip, None))
    app.add_directive("exam-question", ExamQuestionDirective)
    app.add_directive("criterion", CriterionDirective)
    app.add_directive("exam-score-panel", ScorePanelDirective)
    app.add_directive("exam-points", PointsTableDirective)
    app.add_env_collector(ExamCollector)
    app.connect("env-check-consistency", check_exams)
    app.connect("doctree-resolved", group_criteria, priority=400)
    app.connect("doctree-resolved", fill_points_tables, priority=400)
    return {"version": "1", "env_version": 1, "parallel_read_safe": True,
            "parallel_write_safe": True}
