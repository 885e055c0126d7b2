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
CARD = "term/rectified-linear-unit"
FORMULA = "formula/eq-w03-adam-update"


def empty(**fields):
    return {"version": 4, "checked": {}, "scores": {}, "quiz": {}, "rubric": {}, "cards": {},
            **fields}


@pytest.fixture(scope="module")
def progress(browser, server):
    """A page of the book, to call dlguide-progress.js's functions in (window.dlguideProgress):
    progress(function, argument) evaluates the function on it."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/index.html")
    page.wait_for_function("() => window.dlguideProgress !== undefined")
    yield page.evaluate
    ctx.close()


@pytest.fixture(scope="module")
def parse(progress):
    """parse(record) of dlguide-progress.js; the record as JSON text or as a dict."""
    return lambda record: progress(
        "text => window.dlguideProgress.parse(text)",
        record if isinstance(record, str) else json.dumps(record))


V3 = {"version": 3, "checked": {ITEM: True, "week10#attention": True},
      "scores": {"1": 3, "13": 5.5, "20": 0},
      "quiz": {QUIZ: {"answer": "1216", "correct": True},
               "week04/softmax-shift": {"answer": [0, 2], "correct": False}},
      "rubric": {GRADED: ["output-size", "channels"], "exam/20": []}}


def test_a_valid_version_4_record_is_read_whole(parse):
    record = {**V3, "version": 4, "cards": {CARD: {"box": 1, "due": "2026-12-05"},
                                            FORMULA: {"box": 5, "due": "2027-02-28"},
                                            "term/1x1-convolution": {"box": 3,
                                                                     "due": "2028-02-29"}}}
    assert parse(record) == {"state": record, "problems": []}


def test_a_version_3_record_is_read_whole_and_becomes_version_4(parse):
    assert parse(V3) == {"state": {**V3, "version": 4, "cards": {}}, "problems": []}


def test_a_version_2_record_is_read_and_becomes_version_4(parse):
    """Typed exam scores (the practice exam's, before its marking schemes) are kept."""
    old = {"version": 2, "checked": {ITEM: True}, "scores": {"1": 3, "13": 5.5},
           "quiz": {QUIZ: {"answer": "1216", "correct": True}}}
    assert parse(old) == {"state": {**old, "version": 4, "rubric": {}, "cards": {}},
                          "problems": []}


def test_a_version_1_record_is_read_and_becomes_version_4(parse):
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


@pytest.mark.parametrize("version, shown", [(99, "99"), (5, "5"), ("2", '"2"'), (None, "null"),
                                            (0, "0")])
def test_an_unknown_version_is_a_problem_and_the_valid_entries_are_kept(parse, version, shown):
    result = parse({"version": version, "checked": {ITEM: True}, "scores": {"1": 3}, "quiz": {},
                    "rubric": {}, "cards": {}})
    assert result["problems"] == [
        f"the record's version {shown} is unknown (this book reads 1, 2, 3 and 4)"]
    assert result["state"] == empty(checked={ITEM: True}, scores={"1": 3})


def test_a_record_without_a_version_is_a_problem(parse):
    result = parse({"checked": {ITEM: True}, "scores": {}, "quiz": {}, "rubric": {},
                    "cards": {}})
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


@pytest.mark.parametrize("ident, entry", [
    ("relu", {"box": 1, "due": "2026-12-05"}),                 # no kind
    ("glossary/relu", {"box": 1, "due": "2026-12-05"}),        # neither term nor formula
    ("term/", {"box": 1, "due": "2026-12-05"}),
    ("term/ReLU", {"box": 1, "due": "2026-12-05"}),            # slugs are lower case
    ("term/relu unit", {"box": 1, "due": "2026-12-05"}),
    ("term/relu/unit", {"box": 1, "due": "2026-12-05"}),
    (f"term/{HTML_ID}", {"box": 1, "due": "2026-12-05"}),
    (HTML_ID, {"box": 1, "due": "2026-12-05"}),
    (CARD, {"box": 0, "due": "2026-12-05"}),                   # boxes 1 to 5
    (CARD, {"box": 6, "due": "2026-12-05"}),
    (CARD, {"box": -1, "due": "2026-12-05"}),
    (CARD, {"box": 2.5, "due": "2026-12-05"}),
    (CARD, {"box": "2", "due": "2026-12-05"}),
    (CARD, {"box": None, "due": "2026-12-05"}),
    (CARD, {"due": "2026-12-05"}),
    (CARD, {"box": 2}),
    (CARD, {"box": 2, "due": "2026-13-01"}),                   # no such month
    (CARD, {"box": 2, "due": "2026-02-29"}),                   # no such day (not a leap year)
    (CARD, {"box": 2, "due": "2026-12-5"}),
    (CARD, {"box": 2, "due": "05/12/2026"}),
    (CARD, {"box": 2, "due": "2026-12-05T10:00"}),
    (CARD, {"box": 2, "due": HTML_ID}),
    (CARD, {"box": 2, "due": 20261205}),
    (CARD, [2, "2026-12-05"]),                                 # not an object
    (CARD, "box 2"),
    (CARD, 2),
    (CARD, None),
])
def test_a_bad_flashcard_entry_is_ignored_alone(parse, ident, entry):
    good = {FORMULA: {"box": 2, "due": "2026-12-05"}, "term/adam": {"box": 5, "due": "2027-01-01"}}
    result = parse(empty(cards={**good, ident: entry}))
    assert result == {"state": empty(cards=good),
                      "problems": [f"bad flashcard entry {json.dumps(ident)}"]}


def test_bad_flashcard_entries_are_each_named_and_the_rest_kept(parse):
    record = empty(checked={ITEM: True}, cards={
        "term/softmax": {"box": 0, "due": "2026-12-05"}, CARD: {"box": 2, "due": "2026-12-05"},
        HTML_ID: {"box": 1, "due": "2026-12-05"}, FORMULA: {"box": 6, "due": "2026-12-05"},
        "term/adam": {"box": 3, "due": "yesterday"}, "term/momentum": True})
    result = parse(record)
    assert result["state"] == empty(checked={ITEM: True},
                                    cards={CARD: {"box": 2, "due": "2026-12-05"}})
    assert result["problems"] == [f"bad flashcard entry {json.dumps(i)}" for i in [
        "term/softmax", HTML_ID, FORMULA, "term/adam", "term/momentum"]]


@pytest.mark.parametrize("field, value", [
    ("checked", [ITEM]), ("checked", None), ("checked", True),
    ("scores", [3, 3]), ("scores", "3"), ("scores", None),
    ("quiz", []), ("quiz", "none"), ("quiz", 0),
    ("rubric", []), ("rubric", "exam/4"), ("rubric", None),
    ("cards", []), ("cards", CARD), ("cards", None),
])
def test_a_field_that_is_not_an_object_is_a_problem(parse, field, value):
    record = empty(checked={ITEM: True}, scores={"1": 3},
                   quiz={QUIZ: {"answer": "1216", "correct": True}},
                   rubric={GRADED: ["total"]}, cards={CARD: {"box": 3, "due": "2026-12-05"}})
    result = parse({**record, field: value})
    assert result["problems"] == [f'"{field}" is missing or not an object']
    assert result["state"] == {**record, field: {}}


@pytest.mark.parametrize("version, problems", [
    (4, ['"quiz" is missing or not an object', '"rubric" is missing or not an object',
         '"cards" is missing or not an object']),
    (3, ['"quiz" is missing or not an object', '"rubric" is missing or not an object']),
    (2, ['"quiz" is missing or not an object']),  # version 2 had no marking schemes
    (1, []),                                     # version 1 had no quiz either
])
def test_older_versions_may_lack_the_fields_they_did_not_have(parse, version, problems):
    assert parse({"version": version, "checked": {}, "scores": {}})["problems"] == problems


def test_a_missing_field_and_an_unknown_one_are_problems(parse):
    result = parse({"version": 4, "checked": {ITEM: True}, "quiz": {}, "rubric": {},
                    "cards": {}, "notes": "hi"})
    assert result["problems"] == ['unknown field "notes"',
                                  '"scores" is missing or not an object']
    assert result["state"] == empty(checked={ITEM: True})


def test_every_problem_is_listed(parse):
    record = {"version": 5, "checked": {HTML_ID: True, ITEM: "yes"},
              "scores": {"1": 300}, "quiz": {QUIZ: {}}, "rubric": {GRADED: "all"},
              "cards": {CARD: {"box": 9, "due": "2026-12-05"}}}
    assert parse(record) == {"state": empty(), "problems": [
        "the record's version 5 is unknown (this book reads 1, 2, 3 and 4)",
        f"bad checklist entry {json.dumps(HTML_ID)}",
        f"bad checklist entry {json.dumps(ITEM)}",
        'bad exam score "1"',
        f"bad quiz answer {json.dumps(QUIZ)}",
        f"bad exam marking {json.dumps(GRADED)}",
        f"bad flashcard entry {json.dumps(CARD)}"]}


# --- flashcards: the Leitner boxes -------------------------------------------------------

@pytest.fixture(scope="module")
def review(progress):
    """review(entry, grade, today) of dlguide-progress.js: a card's entry after a grade."""
    return lambda entry, grade, today: progress(
        "([e, g, t]) => window.dlguideProgress.review(e === null ? undefined : e, g, t)",
        [entry, grade, today])


@pytest.mark.parametrize("entry, grade, after", [
    (None, 1, {"box": 1, "due": "2026-12-05"}),     # a new card is in box 1
    (None, 2, {"box": 1, "due": "2026-12-06"}),
    (None, 3, {"box": 2, "due": "2026-12-07"}),
    ({"box": 4, "due": "2026-12-01"}, 1, {"box": 1, "due": "2026-12-05"}),   # Again: box 1, today
    ({"box": 3, "due": "2026-12-01"}, 2, {"box": 3, "due": "2026-12-09"}),   # Hard: same box
    ({"box": 3, "due": "2026-12-01"}, 3, {"box": 4, "due": "2026-12-13"}),   # Good: up a box
    ({"box": 4, "due": "2026-12-05"}, 3, {"box": 5, "due": "2026-12-21"}),
    ({"box": 5, "due": "2026-12-05"}, 3, {"box": 5, "due": "2026-12-21"}),   # 5 is the top
    ({"box": 5, "due": "2026-12-05"}, 2, {"box": 5, "due": "2026-12-21"}),
], ids=["new-again", "new-hard", "new-good", "again", "hard", "good", "good-4", "good-5",
        "hard-5"])
def test_leitner_boxes(review, entry, grade, after):
    assert review(entry, grade, "2026-12-05") == after


@pytest.mark.parametrize("today, entry, due", [
    ("2026-12-31", {"box": 1, "due": "2026-12-31"}, "2027-01-02"),   # into the next year
    ("2028-02-28", {"box": 1, "due": "2028-02-28"}, "2028-03-01"),   # past a leap day
    ("2026-01-31", {"box": 4, "due": "2026-01-31"}, "2026-02-16"),
])
def test_leitner_dates_are_calendar_days(review, today, entry, due):
    assert review(entry, 3, today)["due"] == due
