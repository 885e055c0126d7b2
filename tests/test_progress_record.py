"""The progress record's rules, checked fast: one built page is opened in Chromium once,
and `parse()` of _static/dlguide-progress.js (window.dlguideProgress.parse, exposed for
these tests) is called on many records. parse(text) -> {state, problems}: loading keeps
`state` and shows `problems` in a notice; an import with any problem is rejected whole.
The browser tests in test_checklist.py, test_practice.py and test_exam.py show what a
reader sees of the same rules."""

import json

import pytest

ITEM = "week02#the-training-loop"
QUIZ = "week04/conv-params"
GRADED = "exam-b/4"
HTML_ID = "<img src=x onerror=alert(1)>"


def empty(**fields):
    return {"version": 3, "checked": {}, "scores": {}, "quiz": {}, "rubric": {}, **fields}


@pytest.fixture(scope="module")
def parse(browser, server):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/index.html")
    page.wait_for_function("() => window.dlguideProgress !== undefined")

    def call(record):
        text = record if isinstance(record, str) else json.dumps(record)
        return page.evaluate("text => window.dlguideProgress.parse(text)", text)

    yield call
    ctx.close()


def test_a_valid_version_3_record_is_read_whole(parse):
    record = {"version": 3, "checked": {ITEM: True, "week10#attention": True},
              "scores": {"1": 3, "13": 5.5, "20": 0},
              "quiz": {QUIZ: {"answer": "1216", "correct": True},
                       "week04/softmax-shift": {"answer": [0, 2], "correct": False}},
              "rubric": {GRADED: ["output-size", "channels"], "exam/20": []}}
    assert parse(record) == {"state": record, "problems": []}


def test_a_version_2_record_is_read_and_becomes_version_3(parse):
    """Typed exam scores (the practice exam's, before its marking schemes) are kept."""
    old = {"version": 2, "checked": {ITEM: True}, "scores": {"1": 3, "13": 5.5},
           "quiz": {QUIZ: {"answer": "1216", "correct": True}}}
    assert parse(old) == {"state": {**old, "version": 3, "rubric": {}}, "problems": []}


def test_a_version_1_record_is_read_and_becomes_version_3(parse):
    old = {"version": 1, "checked": {ITEM: True, "week03#adam": False}, "scores": {"4": 5}}
    assert parse(old) == {"state": empty(checked={ITEM: True}, scores={"4": 5}),
                          "problems": []}


def test_a_score_for_a_question_the_exam_does_not_have_is_kept(parse):
    """The exam page says which questions exist; the record only needs a question number."""
    assert parse(empty(scores={"21": 2, "120": 0.5}))["state"]["scores"] == {"21": 2, "120": 0.5}


@pytest.mark.parametrize("text, problem", [
    ("{not json", "the record is not valid JSON"),
    ("", "the record is not valid JSON"),
    ("[1, 2, 3]", "the record is not a JSON object"),
    ("null", "the record is not a JSON object"),
    ('"progress"', "the record is not a JSON object"),
], ids=["bad-json", "empty-text", "array", "null", "string"])
def test_text_that_is_no_record_gives_an_empty_state(parse, text, problem):
    assert parse(text) == {"state": empty(), "problems": [problem]}


@pytest.mark.parametrize("version, shown", [(99, "99"), ("2", '"2"'), (None, "null"), (0, "0")])
def test_an_unknown_version_is_a_problem_and_the_valid_entries_are_kept(parse, version, shown):
    result = parse({"version": version, "checked": {ITEM: True}, "scores": {"1": 3}, "quiz": {},
                    "rubric": {}})
    assert result["problems"] == [
        f"the record's version {shown} is unknown (this book reads 1, 2 and 3)"]
    assert result["state"] == empty(checked={ITEM: True}, scores={"1": 3})


def test_a_record_without_a_version_is_a_problem(parse):
    result = parse({"checked": {ITEM: True}, "scores": {}, "quiz": {}, "rubric": {}})
    assert result == {"state": empty(checked={ITEM: True}),
                      "problems": ["the record has no version"]}


@pytest.mark.parametrize("entry, value", [
    ("week02", True),                       # no section
    ("#softmax", True),                     # no chapter
    ("week02#soft max", True),              # a space
    ("week02#a#b", True),                   # two anchors
    (HTML_ID, True),                        # HTML-ish
    ("<script>alert(1)</script>", True),
    ("week02#softmax", "yes"),              # not a boolean
    ("week02#softmax", 1),
    ("week02#softmax", None),
])
def test_a_bad_checklist_entry_is_ignored_alone(parse, entry, value):
    result = parse(empty(checked={ITEM: True, entry: value}))
    assert result == {"state": empty(checked={ITEM: True}),
                      "problems": [f"bad checklist entry {json.dumps(entry)}"]}


@pytest.mark.parametrize("question, points", [
    ("0", 1),             # questions count from 1
    ("-1", 1),
    ("01", 1),            # not as the page numbers them
    ("1.5", 1),
    ("three", 1),
    (HTML_ID, 1),
    ("3", 101),           # more than any question is worth
    ("3", -1),
    ("3", 2.25),          # halves only
    ("3", "2"),           # not a number
    ("3", None),
    ("3", [2]),
])
def test_a_bad_score_is_ignored_alone(parse, question, points):
    result = parse(empty(scores={"1": 3, question: points}))
    assert result == {"state": empty(scores={"1": 3}),
                      "problems": [f"bad exam score {json.dumps(question)}"]}


@pytest.mark.parametrize("ident, entry", [
    ("week04", {"answer": "1", "correct": True}),                 # no item
    ("week04/Conv-Params", {"answer": "1", "correct": True}),     # item ids are lower case
    (f"week04/{HTML_ID}", {"answer": "1", "correct": True}),
    (QUIZ, {"answer": 42, "correct": True}),                      # neither text nor options
    (QUIZ, {"answer": "1216", "correct": "yes"}),
    (QUIZ, {"answer": "1216"}),
    (QUIZ, {"answer": "x" * 501, "correct": False}),              # longer than the field
    (QUIZ, {"answer": [26], "correct": False}),                   # past option (z)
    (QUIZ, {"answer": [1.5], "correct": False}),
    (QUIZ, {"answer": [-1], "correct": False}),
    (QUIZ, {"answer": ["0"], "correct": False}),
    (QUIZ, {"answer": list(range(27)), "correct": False}),
    (QUIZ, ["1216", True]),
    (QUIZ, None),
])
def test_a_bad_quiz_answer_is_ignored_alone(parse, ident, entry):
    good = {"week04/softmax-shift": {"answer": [1], "correct": True}}
    result = parse(empty(quiz={**good, ident: entry}))
    assert result == {"state": empty(quiz=good),
                      "problems": [f"bad quiz answer {json.dumps(ident)}"]}


@pytest.mark.parametrize("question, earned", [
    ("exam-b", ["total"]),                  # no question number
    ("exam-b/0", ["total"]),                # questions count from 1
    ("exam-b/04", ["total"]),
    (HTML_ID, ["total"]),
    (f"exam/{HTML_ID}", ["total"]),
    (GRADED, "total"),                      # not a list
    (GRADED, None),
    (GRADED, {"total": True}),
    (GRADED, ["Total"]),                    # element ids are lower case
    (GRADED, [HTML_ID]),
    (GRADED, ["total", "total"]),           # twice
    (GRADED, [1]),
    (GRADED, ["a"] * 51),
])
def test_a_bad_exam_marking_is_ignored_alone(parse, question, earned):
    good = {"exam/4": ["output-size"], "exam/5": []}
    result = parse(empty(rubric={**good, question: earned}))
    assert result == {"state": empty(rubric=good),
                      "problems": [f"bad exam marking {json.dumps(question)}"]}


@pytest.mark.parametrize("field, value", [
    ("checked", [ITEM]), ("checked", None), ("checked", True),
    ("scores", [3, 3]), ("scores", "3"), ("scores", None),
    ("quiz", []), ("quiz", "none"), ("quiz", 0),
    ("rubric", []), ("rubric", "exam/4"), ("rubric", None),
])
def test_a_field_that_is_not_an_object_is_a_problem(parse, field, value):
    record = empty(checked={ITEM: True}, scores={"1": 3},
                   quiz={QUIZ: {"answer": "1216", "correct": True}},
                   rubric={GRADED: ["total"]})
    result = parse({**record, field: value})
    assert result["problems"] == [f'"{field}" is missing or not an object']
    assert result["state"] == {**record, field: {}}


@pytest.mark.parametrize("version, problems", [
    (3, ['"quiz" is missing or not an object', '"rubric" is missing or not an object']),
    (2, ['"quiz" is missing or not an object']),  # version 2 had no marking schemes
    (1, []),                                     # version 1 had no quiz either
])
def test_older_versions_may_lack_the_fields_they_did_not_have(parse, version, problems):
    assert parse({"version": version, "checked": {}, "scores": {}})["problems"] == problems


def test_a_missing_field_and_an_unknown_one_are_problems(parse):
    result = parse({"version": 3, "checked": {ITEM: True}, "quiz": {}, "rubric": {},
                    "notes": "hi"})
    assert result["problems"] == ['unknown field "notes"',
                                  '"scores" is missing or not an object']
    assert result["state"] == empty(checked={ITEM: True})


def test_every_problem_is_listed(parse):
    record = {"version": 4, "checked": {HTML_ID: True, ITEM: "yes"},
              "scores": {"1": 300}, "quiz": {QUIZ: {}}, "rubric": {GRADED: "all"}}
    assert parse(record) == {"state": empty(), "problems": [
        "the record's version 4 is unknown (this book reads 1, 2 and 3)",
        f"bad checklist entry {json.dumps(HTML_ID)}",
        f"bad checklist entry {json.dumps(ITEM)}",
        'bad exam score "1"',
        f"bad quiz answer {json.dumps(QUIZ)}",
        f"bad exam marking {json.dumps(GRADED)}"]}
