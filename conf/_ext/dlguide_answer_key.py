"""The printed exam: model answers gathered into an "Answer key" appendix.

Online, each model answer of ``book/exam.md`` is a collapsed dropdown under its question
(``:class-container: exam-answer``), followed by the collapsed cells that check it. On
paper a collapsed answer cannot be hidden, so for the LaTeX builder this extension moves
every answer, with its marking scheme and checking cells, out of the question and into an
appendix chapter "Answer key" at the end of the book: one section per exam, one
subsection per question. Each question keeps a line pointing to its answer. The HTML
build is untouched.
"""

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

ANSWER_CLASS = "exam-answer"


def is_answer(node: nodes.Node) -> bool:
    """A sphinx-design dropdown (before its HTML transform) marked as a model answer."""
    return (isinstance(node, nodes.Element) and node.get("design_component") == "dropdown"
            and ANSWER_CLASS in node.get("container_classes", []))


def is_check_cell(node: nodes.Node) -> bool:
    classes = node.get("classes", []) if isinstance(node, nodes.Element) else []
    return "cell" in classes and "tag_hide-cell" in classes


def gather_answers(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "latex":
        return
    answers = [node for node in doctree.findall(is_answer)]
    if not answers:
        return
    by_exam: dict[str, list[nodes.Element]] = {}
    for answer in answers:
        by_exam.setdefault(source_docname(app, answer), []).append(answer)
    appendix = nodes.section(ids=["answer-key"], names=["answer key"])
    appendix += nodes.title("", "Answer key")
    appendix += nodes.paragraph(
        "", "The model answers to the exams, question by question, each with its marking "
        "scheme and the code that checks the computed ones.")
    for doc, exam_answers in by_exam.items():
        exam_title = app.env.titles[doc].astext()
        part = nodes.section(ids=[f"answer-key-{doc}"], names=[f"answer key {doc}"])
        part += nodes.title("", exam_title)
        for answer in exam_answers:
            question = answer.parent
            in_section = isinstance(question, nodes.section)
            title = question.next_node(nodes.title).astext() if in_section else ""
            anchor = f"answer-key-{doc}-{len(part.children)}"
            section = nodes.section(ids=[anchor], names=[f"answer to {doc} {title.lower()}"])
            section += nodes.title("", f"Answer to {title}" if title else "Answer")
            body = [child for child in answer.children if not isinstance(child, nodes.rubric)]
            checks = [n for n in question.children if is_check_cell(n)] if title else []
            for child in body + checks:
                child.parent.remove(child)
                section += child
            pointer = nodes.paragraph()
            pointer += nodes.emphasis("", "Model answer: ")
            pointer += nodes.reference("", f"Answer key, {exam_title}, {title}", refid=anchor,
                                       internal=True)
            answer.replace_self(pointer)
            part += section
        # In the exam's file context, so the links above resolve to these sections.
        wrapper = addnodes.start_of_file(docname=doc)
        wrapper += part
        appendix += wrapper
    doctree += nodes.raw("", r"\appendix", format="latex")
    doctree += appendix


def source_docname(app: Sphinx, node: nodes.Node) -> str:
    """The document a node of the assembled book came from: the LaTeX builder marks every
    section with the document it was read from."""
    while node is not None:
        if isinstance(node, nodes.section) and node.get("docname"):
            return node["docname"]
        node = node.parent
    return app.config.root_doc


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", gather_answers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
