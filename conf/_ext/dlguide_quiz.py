"""Self-check quizzes: the ``quiz`` directive, one directive per item.

Three kinds of item (see the README, "Practice in a chapter", for the full syntax)::

    :::{quiz} choice            one bullet list of options, each "[x] right" or
    :id: softmax-shift          "[ ] wrong", each followed by its reason; two or more
    Stem...                     right options make it "select all that apply"
    - [x] Option.

      Why it is right.
    :::

    :::{quiz} numeric           :answer: a number, or glue:NAME for a value a cell
    :id: conv-params            computed and glued; :tolerance: (absolute) is required
    :answer: glue:w04-q-params  unless the answer is an integer
    Stem...
    +++
    Explanation.
    :::

    :::{quiz} predict           the code cell right after the directive is shown as
    :id: matmul-shape           the snippet; what it printed when the build ran it is
    Stem...                     the right answer (its output is not shown)
    +++
    Explanation.
    :::

Each item's root element carries ``data-quiz-item`` (``weekNN/id``, stable: saved
answers are keyed on it) and ``data-quiz-kind``; ``_static/dlguide-progress.js`` makes it
answerable, gives the feedback and keeps the answer in the reader's progress record.
Items are numbered per chapter ("Question 4.3").

Bad input stops the build with the file and line: an unknown kind, a missing or repeated
id, a choice item without a right option or an option without a reason, a numeric answer
or tolerance that does not parse, a predict item without a code cell that printed.

On paper (LaTeX) an item prints as its question; ``dlguide_solutions`` gathers the
answers into the "Solutions" appendix.
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from dlguide_book import week_of

logger = logging.getLogger(__name__)

KINDS = ("choice", "numeric", "predict")
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MARK = re.compile(r"^\[([ xX])\]\s*")
# A printed number, possibly wrapped as numpy or torch print it: np.float64(0.5), tensor(3)
NUMBER = re.compile(r"^(?:[A-Za-z_][\w.]*\()?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\)?$")


class quiz_item(nodes.General, nodes.Element):
    """One question: attributes ``ident``, ``kind``, ``number``, ``answer``,
    ``tolerance``, ``multiple`` (choice with several right options)."""


class quiz_stem(nodes.General, nodes.Element):
    """The question's text."""


class quiz_option(nodes.General, nodes.Element):
    """A choice option: attributes ``correct`` and ``index``; children: the option's
    text (``quiz_option_text``) and its reason (``quiz_reason``)."""


class quiz_option_text(nodes.General, nodes.TextElement):
    """An option's text (inline content only, so it can sit in a label)."""


class quiz_reason(nodes.General, nodes.Element):
    """Why an option is right or wrong, shown once the reader has answered."""


class quiz_explanation(nodes.General, nodes.Element):
    """How to get the answer, shown once the reader has answered."""


def parse_number(text: str) -> float | None:
    match = NUMBER.match(text.strip())
    return float(match.group(1)) if match else None


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class QuizDirective(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec = {
        "id": directives.unchanged_required,
        "answer": directives.unchanged_required,
        "tolerance": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0].strip()
        if kind not in KINDS:
            raise self.error(f"quiz: unknown kind {kind!r} (use one of {', '.join(KINDS)})")
        ident = self.options.get("id", "")
        if not ID.match(ident):
            raise self.error("quiz: every item needs an :id: of lowercase letters, digits "
                             f"and hyphens (got {ident!r})")
        seen = self.env.temp_data.setdefault("dlguide_quiz_ids", set())
        if ident in seen:
            raise self.error(f"quiz: the id {ident!r} is used twice in this document")
        seen.add(ident)
        count = self.env.temp_data.get("dlguide_quiz_count", 0) + 1
        self.env.temp_data["dlguide_quiz_count"] = count
        chapter = week_of(self.env.docname)

        item = quiz_item(ident=f"{self.env.docname}/{ident}", kind=kind,
                         number=f"{chapter}.{count}" if chapter else str(count),
                         answer="", tolerance=0.0, multiple=False)
        self.set_source_info(item)
        item["ids"] = [f"quiz-{ident}"]

        split = [i for i, line in enumerate(self.content) if line.strip() == "+++"]
        end = split[0] if split else len(self.content)
        body = nodes.container()
        self.state.nested_parse(self.content[:end], self.content_offset, body)
        explanation = quiz_explanation()
        if split:
            self.state.nested_parse(self.content[end + 1:],
                                    self.content_offset + end + 1, explanation)

        if kind == "choice":
            self.choice(item, body)
        else:
            stem = quiz_stem()
            stem += body.children
            item += stem
            if not explanation.children:
                raise self.error(f"quiz {ident!r}: a {kind} item needs an explanation after "
                                 "a '+++' line (how to get the answer)")
            if kind == "numeric":
                self.numeric(item)
            elif "tolerance" in self.options:
                item["tolerance"] = self.tolerance()
        if explanation.children:
            item += explanation
        return [item]

    def choice(self, item: quiz_item, body: nodes.container) -> None:
        lists = [i for i, child in enumerate(body.children)
                 if isinstance(child, nodes.bullet_list)]
        if not lists:
            raise self.error(f"quiz {item['ident']!r}: a choice item needs a bullet list of "
                             "options, each starting with [x] (right) or [ ] (wrong)")
        at = lists[-1]
        if at != len(body.children) - 1:
            raise self.error(f"quiz {item['ident']!r}: nothing may follow the options; put an "
                             "explanation after a '+++' line")
        stem = quiz_stem()
        stem += body.children[:at]
        item += stem
        options = body.children[at].children
        right = 0
        for index, list_item in enumerate(options):
            first = list_item.children[0] if list_item.children else None
            text = first.astext() if isinstance(first, nodes.paragraph) else ""
            mark = MARK.match(text)
            if not mark:
                raise self.error(f"quiz {item['ident']!r}: option {index + 1} must start with "
                                 f"[x] or [ ] (got {text[:40]!r})")
            self.strip_mark(first)
            if len(list_item.children) < 2:
                raise self.error(f"quiz {item['ident']!r}: option {index + 1} has no reason "
                                 "(an indented paragraph after the option saying why it is "
                                 "right or wrong)")
            correct = mark.group(1) != " "
            right += correct
            option = quiz_option(correct=correct, index=index)
            option += quiz_option_text("", "", *first.children)
            reason = quiz_reason()
            reason += list_item.children[1:]
            option += reason
            item += option
        if len(options) < 2:
            raise self.error(f"quiz {item['ident']!r}: a choice item needs at least two options")
        if not right:
            raise self.error(f"quiz {item['ident']!r}: no option is marked right "
                             "(start the right ones with [x])")
        item["multiple"] = right > 1

    @staticmethod
    def strip_mark(paragraph: nodes.paragraph) -> None:
        text = paragraph.children[0]
        rest = MARK.sub("", text.astext(), count=1)
        if rest:
            paragraph.replace(text, nodes.Text(rest))
        else:
            paragraph.remove(text)

    def numeric(self, item: quiz_item) -> None:
        raw = self.options.get("answer", "").strip()
        if not raw:
            raise self.error(f"quiz {item['ident']!r}: a numeric item needs an :answer: "
                             "(a number, or glue:NAME for a computed value)")
        text = raw
        if raw.startswith("glue:"):
            from myst_nb.core.variables import RetrievalError
            from myst_nb.ext.glue.utils import retrieve_glue_data
            try:
                text = retrieve_glue_data(self.state.document, raw[5:]).data.get(
                    "text/plain", "")
            except RetrievalError as error:
                raise self.error(f"quiz {item['ident']!r}: {error}") from None
        value = parse_number(text)
        if value is None:
            raise self.error(f"quiz {item['ident']!r}: the numeric answer {text!r} does not "
                             "parse as a number")
        item["answer"] = format_number(value)
        if "tolerance" in self.options:
            item["tolerance"] = self.tolerance()
        elif not value.is_integer():
            raise self.error(f"quiz {item['ident']!r}: the answer {text!r} is not an integer, "
                             "so the item needs a :tolerance:")

    def tolerance(self) -> float:
        value = parse_number(self.options["tolerance"])
        if value is None or value < 0:
            raise self.error(f"quiz: :tolerance: {self.options['tolerance']!r} is not a "
                             "number of zero or more")
        return value


def is_code_cell(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


class PairPredictCells(SphinxTransform):
    """A predict item takes the code cell that follows it: the cell's source becomes the
    snippet and what it printed (when the build ran it) the right answer."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for item in list(self.document.findall(quiz_item)):
            if item["kind"] != "predict":
                continue
            parent = item.parent
            following = parent.children[parent.index(item) + 1:]
            cell = next((n for n in following if not isinstance(n, nodes.comment)), None)
            if not is_code_cell(cell):
                logger.warning(f"quiz {item['ident']!r}: a predict item must be followed "
                               "directly by the code cell whose output is the answer",
                               location=item, type="dlguide", subtype="quiz")
                continue
            outputs = [n for n in cell.children if n.get("nb_element") == "cell_code_output"]
            printed = "\n".join(o.astext() for o in outputs).strip()
            if not printed:
                logger.warning(f"quiz {item['ident']!r}: the predict item's code cell printed "
                               "nothing, so its computed answer is missing (was the cell "
                               "executed, and does it print?)",
                               location=item, type="dlguide", subtype="quiz")
                continue
            value = parse_number(printed)
            if value is not None and not value.is_integer() and not item["tolerance"]:
                logger.warning(f"quiz {item['ident']!r}: the cell prints {printed!r}, not an "
                               "integer, so the item needs a :tolerance:",
                               location=item, type="dlguide", subtype="quiz")
            for output in outputs:
                cell.remove(output)
            parent.remove(cell)
            cell["classes"].append("dlg-quiz-snippet")
            item.insert(1, cell)  # after the stem
            item["answer"] = printed


def quiz_ids(env) -> dict[str, list[str]]:
    """Per document, the ids of its quiz items in page order (the study checklist's)."""
    if not hasattr(env, "dlguide_quiz"):
        env.dlguide_quiz = {}
    return env.dlguide_quiz


class QuizCollector(EnvironmentCollector):
    """Keeps quiz_ids(env) up to date as documents are read, removed or merged."""

    def clear_doc(self, app, env, docname):
        quiz_ids(env).pop(docname, None)

    def merge_other(self, app, env, docnames, other):
        ours, theirs = quiz_ids(env), quiz_ids(other)
        ours.update({doc: theirs[doc] for doc in docnames if doc in theirs})

    def process_doc(self, app, doctree):
        ids = [item["ident"] for item in doctree.findall(quiz_item)]
        if ids:
            quiz_ids(app.env)[app.env.docname] = ids


# --- HTML ---------------------------------------------------------------------------------

def kind_hint(node: quiz_item) -> str:
    if node["kind"] == "choice":
        return "select all that apply" if node["multiple"] else "choose one"
    if node["kind"] == "predict":
        return "predict what the code prints"
    return "give a number"


def visit_quiz_item_html(self, node: quiz_item) -> None:
    esc = html.escape
    ident, kind = node["ident"], node["kind"]
    slug = "dlg-quiz-" + re.sub(r"[^a-z0-9-]", "-", ident.lower())
    attrs = {
        "data-quiz-item": ident,
        "data-quiz-kind": kind,
        "data-quiz-number": node["number"],
        "aria-labelledby": f"{slug}-label",
    }
    if kind != "choice":
        attrs["data-answer"] = node["answer"]
        attrs["data-tolerance"] = format_number(node["tolerance"])
    self.body.append(self.starttag(node, "form", "", CLASS="dlg-quiz-item", **attrs))
    self.body.append(
        f'<p class="dlg-quiz-label" id="{slug}-label"><span class="dlg-quiz-number">'
        f'Question {esc(node["number"])}</span> <span class="dlg-quiz-hint">'
        f'({esc(kind_hint(node))})</span></p>')
    self.dlg_quiz_slug = slug
    self.dlg_quiz_controls_written = False


def write_controls(self, node: quiz_item) -> None:
    """The answer field (numeric, predict), the buttons and the feedback region: after
    the options or snippet, before the (hidden) explanation."""
    slug = self.dlg_quiz_slug
    if node["kind"] != "choice":
        tolerance = node["tolerance"]
        note = (f' <span class="dlg-quiz-tolerance">(within ±{format_number(tolerance)})'
                '</span>' if tolerance else "")
        label = "Your prediction" if node["kind"] == "predict" else "Your answer"
        mode = ' inputmode="decimal"' if node["kind"] == "numeric" else ""
        self.body.append(
            f'<p class="dlg-quiz-entry"><label for="{slug}-input">{label}</label>{note} '
            f'<input type="text" id="{slug}-input" class="dlg-quiz-input" autocomplete="off" '
            f'spellcheck="false"{mode}></p>')
    self.body.append(
        '<p class="dlg-quiz-controls">'
        '<button type="submit" class="btn btn-sm btn-primary dlg-quiz-check">Check</button> '
        '<button type="button" class="btn btn-sm btn-outline-primary dlg-quiz-retry" '
        'hidden>Try again</button></p>'
        f'<div class="dlg-quiz-feedback" id="{slug}-feedback" role="status" '
        'aria-live="polite"></div>')
    self.dlg_quiz_controls_written = True


def depart_quiz_item_html(self, node: quiz_item) -> None:
    if not self.dlg_quiz_controls_written:
        write_controls(self, node)
    self.body.append("</form>\n")


def visit_quiz_stem_html(self, node) -> None:
    self.body.append(f'<div class="dlg-quiz-stem" id="{self.dlg_quiz_slug}-stem">')


def visit_quiz_option_html(self, node: quiz_option) -> None:
    item = node.parent
    slug = self.dlg_quiz_slug
    if node["index"] == 0:
        self.body.append(f'<fieldset class="dlg-quiz-options" '
                         f'aria-labelledby="{slug}-label {slug}-stem">')
    kind = "checkbox" if item["multiple"] else "radio"
    self.body.append(
        f'<div class="dlg-quiz-option" data-correct="{str(node["correct"]).lower()}">'
        f'<input type="{kind}" name="{slug}" id="{slug}-{node["index"]}" '
        f'value="{node["index"]}">')


def visit_quiz_option_text_html(self, node) -> None:
    option = node.parent
    self.body.append(f'<label for="{self.dlg_quiz_slug}-{option["index"]}">')


def visit_quiz_reason_html(self, node) -> None:
    self.body.append('<div class="dlg-quiz-reason" hidden>')


def depart_quiz_option_html(self, node: quiz_option) -> None:
    self.body.append("</div>")
    if node is node.parent.children[-1] or not isinstance(
            node.parent.children[node.parent.index(node) + 1], quiz_option):
        self.body.append("</fieldset>")


def visit_quiz_explanation_html(self, node) -> None:
    write_controls(self, node.parent)
    self.body.append('<div class="dlg-quiz-explanation" hidden>')


def close(tag: str):
    def depart(self, node) -> None:
        self.body.append(f"</{tag}>")
    return depart


def setup(app: Sphinx) -> dict:
    app.setup_extension("dlguide_book")
    app.add_directive("quiz", QuizDirective)
    app.add_transform(PairPredictCells)
    app.add_env_collector(QuizCollector)
    app.add_node(quiz_item, html=(visit_quiz_item_html, depart_quiz_item_html))
    app.add_node(quiz_stem, html=(visit_quiz_stem_html, close("div")))
    app.add_node(quiz_option, html=(visit_quiz_option_html, depart_quiz_option_html))
    app.add_node(quiz_option_text, html=(visit_quiz_option_text_html, close("label")))
    app.add_node(quiz_reason, html=(visit_quiz_reason_html, close("div")))
    app.add_node(quiz_explanation, html=(visit_quiz_explanation_html, close("div")))
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
