"""The printed practice: questions in their chapter, answers in a "Solutions" appendix.

Online, a quiz item answers itself and an exercise's worked solution is a collapsed
dropdown under it. On paper neither can be hidden, so for the LaTeX builder this
extension leaves each chapter's quiz questions (stem, snippet, lettered options) and
exercise statements where they are, and moves every answer into an appendix chapter,
"Solutions", after the exam's answer key: one section per week, with the quiz answers
(right options with every option's reason, numbers with their tolerance, what each
snippet prints, the explanation) and the exercises' worked solutions with their checked
code and outputs. Each question and exercise keeps a line pointing to its answer; the
numbers match ("Question 4.3", "Solution to Exercise 4.3"). The HTML build is untouched.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

from dlguide_answer_key import source_docname
from dlguide_book import week_of
from dlguide_quiz import (format_number, kind_hint, quiz_explanation,
                          quiz_item, quiz_option, quiz_option_text, quiz_reason, quiz_stem)

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def pointer(label: str, text: str, anchor: str) -> nodes.paragraph:
    para = nodes.paragraph()
    para += nodes.emphasis("", f"{label}: ")
    para += nodes.reference("", f"{text}, in the Solutions appendix", refid=anchor,
                            internal=True)
    return para


def question_and_answer(item: quiz_item) -> tuple[list[nodes.Node], list[nodes.Node]]:
    """The printed question (for the chapter) and its answer (for the appendix)."""
    number = item["number"]
    anchor = "solution-quiz-" + item["ident"].replace("/", "-")
    head = nodes.paragraph()
    head += nodes.strong("", f"Question {number}")
    head += nodes.Text(f" ({kind_hint(item)})")
    question: list[nodes.Node] = [head]
    answer_head = nodes.paragraph()
    answer_head += nodes.strong("", f"Question {number}. ")
    answer: list[nodes.Node] = [nodes.target("", "", ids=[anchor]), answer_head]

    options = [child for child in item.children if isinstance(child, quiz_option)]
    for child in item.children:
        if isinstance(child, quiz_stem):
            question += child.children
        elif isinstance(child, nodes.container):  # a predict item's code cell
            question.append(child)
    if options:
        listing = nodes.enumerated_list(enumtype="loweralpha", prefix="(", suffix=")")
        for option in options:
            text = option.next_node(quiz_option_text)
            listing += nodes.list_item("", nodes.paragraph("", "", *text.children))
        question.append(listing)
        right = [f"({LETTERS[o['index']]})" for o in options if o["correct"]]
        answer_head += nodes.Text(("Right: " if len(right) == 1 else "Right, all of: ")
                                  + ", ".join(right) + ".")
        reasons = nodes.bullet_list()
        for option in options:
            para = nodes.paragraph()
            verdict = "right" if option["correct"] else "wrong"
            para += nodes.strong("", f"({LETTERS[option['index']]}) {verdict}: ")
            reason = option.next_node(quiz_reason)
            body = list(reason.children)
            if body and isinstance(body[0], nodes.paragraph):
                para += body[0].children
                body = body[1:]
            reasons += nodes.list_item("", para, *body)
        answer.append(reasons)
    elif item["kind"] == "numeric":
        tolerance = item["tolerance"]
        answer_head += nodes.Text(f"Answer: {item['answer']}"
                                  + (f" (within ±{format_number(tolerance)})."
                                     if tolerance else "."))
    else:
        answer_head += nodes.Text("The cell prints:")
        answer.append(nodes.literal_block(item["answer"], item["answer"]))
    explanation = item.next_node(quiz_explanation)
    if explanation is not None:
        answer += explanation.children
    question.append(pointer("Answer", f"Question {number}", anchor))
    return question, answer


def gather(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "latex":
        return
    by_chapter: dict[str, dict[str, list[nodes.Node]]] = {}

    for item in list(doctree.findall(quiz_item)):
        doc = source_docname(app, item)
        question, answer = question_and_answer(item)
        by_chapter.setdefault(doc, {"quiz": [], "exercises": []})["quiz"] += answer
        item.replace_self(question)
    for solution in list(doctree.findall(solution_node)):
        doc = source_docname(app, solution)
        anchor = "solution-" + solution["label"]
        title = solution.next_node(nodes.title)
        text = title.astext() if title is not None else "Solution"
        solution.replace_self(pointer("Solution", text, anchor))
        by_chapter.setdefault(doc, {"quiz": [], "exercises": []})["exercises"] += [
            nodes.target("", "", ids=[anchor]), solution]
    if not by_chapter:
        return
    # A solution's title links to its exercise, by the exercise's id; sphinx-exercise
    # labels the exercise only as "exercise:<label>" in LaTeX, so give it its id too.
    # (A target node would not do: LaTeX skips targets before a numbered element.)
    for exercise in list(doctree.findall(exercise_enumerable_node)):
        doc = source_docname(app, exercise)
        label = rf"\phantomsection\label{{\detokenize{{{doc}:{exercise['label']}}}}}"
        exercise.parent.insert(exercise.parent.index(exercise),
                               nodes.raw("", label, format="latex"))

    if not any(isinstance(n, nodes.raw) and n.astext() == r"\appendix" for n in doctree.children):
        doctree += nodes.raw("", r"\appendix", format="latex")
    appendix = nodes.section(ids=["solutions"], names=["solutions"])
    appendix += nodes.title("", "Solutions")
    appendix += nodes.paragraph(
        "", "The answers to each chapter's quiz (Check yourself) and the worked solutions "
        "to its exercises, with the code that checks them.")
    doctree += appendix
    for doc in sorted(by_chapter, key=lambda d: (week_of(d) is None, d)):
        parts = by_chapter[doc]
        week = week_of(doc)
        section = nodes.section(ids=[f"solutions-{doc}"], names=[f"solutions {doc}"])
        section += nodes.title("", f"Week {week}" if week else doc)
        for heading, key in (("Check yourself", "quiz"), ("Exercises", "exercises")):
            if parts[key]:
                sub = nodes.section(ids=[f"solutions-{doc}-{key}"],
                                    names=[f"solutions {doc} {key}"])
                sub += nodes.title("", heading)
                sub += parts[key]
                section += sub
        # In the chapter's file context, so the pointers above resolve to these answers.
        wrapper = addnodes.start_of_file(docname=doc)
        wrapper += section
        appendix += wrapper


def setup(app: Sphinx) -> dict:
    app.setup_extension("dlguide_quiz")
    app.setup_extension("dlguide_answer_key")
    # After the exam's answer key (priority 500), which opens the appendices.
    app.connect("doctree-resolved", gather, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
