"""Practice in every chapter: a quiz with instant feedback ("Check yourself") and
numbered exercises with collapsed worked solutions, as a reader sees them.

The build side (what every chapter holds, bad input failing the build) is checked on the
built HTML and on a fixture book; the quiz itself is driven in headless Chromium.
"""

import json
import re

import pytest

from conftest import build, chapter_names, copy_fixture, open_page
from dlguide_checklist import PRACTICE_SECTIONS

CHAPTERS = chapter_names()
KEY = "dlguide-progress"
PRACTICE = list(PRACTICE_SECTIONS)   # quiz, exercises, exam checklist: the chapter's end


def article(page, name):
    return page(name).select_one("article.bd-article")


def quiz_items(page, name):
    return article(page, name).select("section#check-yourself [data-quiz-item]")


# --- what every chapter holds ----------------------------------------------------------

@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_ends_with_quiz_exercises_and_exam_checklist(page, name):
    sections = [h2.parent["id"] for h2 in article(page, name).select("section > h2")]
    assert sections[-3:] == PRACTICE, sections
    assert article(page, name).select_one("section#exam-checklist .admonition")


@pytest.mark.parametrize("name", CHAPTERS)
def test_quiz_items(page, name):
    items = quiz_items(page, name)
    assert len(items) >= 8, f"{name}: {len(items)} quiz items"
    week = int(name.removeprefix("week"))
    kinds = [item["data-quiz-kind"] for item in items]
    assert set(kinds) <= {"choice", "numeric", "predict"}
    assert kinds.count("predict") >= 3, kinds
    ids = [item["data-quiz-item"] for item in items]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"{name}/") for i in ids)
    numbers = [item["data-quiz-number"] for item in items]
    assert numbers == [f"{week}.{k}" for k in range(1, len(items) + 1)]
    for item in items:
        label = item.select_one(".dlg-quiz-label").get_text(" ", strip=True)
        assert label.startswith(f"Question {item['data-quiz-number']}")
        assert item.select_one(".dlg-quiz-stem").get_text(strip=True)
        assert item.select_one("[aria-live]")
        kind = item["data-quiz-kind"]
        if kind == "choice":
            options = item.select(".dlg-quiz-option")
            assert len(options) >= 2
            assert any(o["data-correct"] == "true" for o in options), item["data-quiz-item"]
            for option in options:   # every option has its text, its label and a reason
                box = option.select_one("input")
                assert option.select_one(f'label[for="{box["id"]}"]').get_text(strip=True)
                assert option.select_one(".dlg-quiz-reason").get_text(strip=True)
        else:
            assert item["data-answer"].strip(), item["data-quiz-item"]
            assert item.select_one(".dlg-quiz-explanation").get_text(strip=True)
            field = item.select_one("input.dlg-quiz-input")
            assert item.select_one(f'label[for="{field["id"]}"]')
        if kind == "numeric":
            float(item["data-answer"])
            float(item["data-tolerance"])
        if kind == "predict":  # the snippet is shown; what it printed is not
            snippet = item.select_one(".dlg-quiz-snippet")
            assert snippet.select_one(".cell_input pre").get_text(strip=True)
            assert not snippet.select(".cell_output")


@pytest.mark.parametrize("name", CHAPTERS)
def test_exercises_with_collapsed_solutions_that_link_their_section(page, name):
    section = article(page, name).select_one("section#exercises")
    exercises = section.select("div.exercise")
    assert len(exercises) >= 6, f"{name}: {len(exercises)} exercises"
    week = int(name.removeprefix("week"))
    titles = [e.select_one(".admonition-title").get_text(" ", strip=True) for e in exercises]
    assert [t.split()[:2] for t in titles] == [
        ["Exercise", f"{week}.{k}"] for k in range(1, len(exercises) + 1)], titles
    solutions = section.select("div.solution")
    assert len(solutions) == len(exercises)
    own = {s["id"] for s in article(page, name).select("section[id]")}
    checked = 0
    for solution, exercise in zip(solutions, exercises):
        title = solution.select_one(".admonition-title")
        assert title.select_one("a")["href"] == f"#{exercise['id']}"    # its exercise
        assert "dropdown" in solution["class"]                           # collapsed
        body = solution.select_one("section")
        links = [a["href"] for a in body.select("a.reference.internal")]
        assert any(h.lstrip("#") in own or h.startswith(f"{name}.html#") for h in links
                   if not h.startswith("#ex-")), f"{name}: {title.get_text()} links no section"
        code = "\n".join(pre.get_text() for pre in body.select(".cell_input pre"))
        checked += bool(re.search(r"\bassert\b|assert_close", code))
        assert not body.select("div.output.traceback, div.output.error")
    assert checked >= 3, f"{name}: only {checked} solutions check their answer in code"


def test_practice_totals(page):
    items = sum(len(quiz_items(page, name)) for name in CHAPTERS)
    exercises = sum(len(article(page, n).select("section#exercises div.exercise"))
                    for n in CHAPTERS)
    assert items >= 80 and exercises >= 60, (items, exercises)


def test_figures_and_exercises_numbered_per_chapter(page):
    figure = article(page, "week04").select_one("figure .caption-number")
    assert figure.get_text(strip=True).startswith("Fig. 4.1")


# --- bad input fails the build, naming the file and line ---------------------------------

def test_bad_quiz_items_fail_the_build_with_file_and_line(tmp_path):
    src = copy_fixture("practice_bad", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache")
    log = result.log
    assert result.returncode != 0
    where = "practice_bad/index.md"
    assert re.search(rf"{where}:11: ERROR: quiz 'index/no-right-option': no option is "
                     r"marked right", log), log[-3000:]
    assert re.search(rf"{where}:24: ERROR: quiz 'index/bad-number': the numeric answer "
                     r"'about twelve' does not parse", log)
    assert re.search(rf"{where}:34: WARNING: quiz 'index/prints-nothing': the predict "
                     r"item's code cell printed nothing, so its computed answer is missing",
                     log)


# --- in the browser ----------------------------------------------------------------------

WEEK = "week04"


@pytest.fixture
def chapter(browser, server):
    ctx, page, _ = open_page(browser, server, WEEK, accept_downloads=True)
    page.wait_for_selector("[data-quiz-summary]")
    yield page
    ctx.close()


def stored(page):
    return json.loads(page.evaluate(f"() => localStorage.getItem('{KEY}')") or "null")


def item_of(page, kind, n=0):
    return page.locator(f'form[data-quiz-kind="{kind}"]').nth(n)


def right_choice(form):
    return [i for i in range(form.locator(".dlg-quiz-option").count())
            if form.locator(".dlg-quiz-option").nth(i).get_attribute("data-correct") == "true"]


def answer_choice(form, indices):
    for i in indices:
        form.locator(".dlg-quiz-option input").nth(i).check()
    form.locator(".dlg-quiz-check").click()


def feedback(form):
    return form.locator(".dlg-quiz-feedback").inner_text()


def test_right_and_wrong_answers_get_their_feedback(chapter):
    choice = item_of(chapter, "choice")
    right = right_choice(choice)
    wrong = [i for i in range(choice.locator(".dlg-quiz-option").count()) if i not in right]
    answer_choice(choice, wrong[:1])
    assert feedback(choice).startswith("Not quite.")
    reasons = choice.locator(".dlg-quiz-reason")
    assert all(reasons.nth(i).is_visible() for i in range(reasons.count()))
    assert "Wrong option." in reasons.nth(wrong[0]).inner_text()
    choice.locator(".dlg-quiz-retry").click()                      # try again
    assert feedback(choice) == "" and not reasons.nth(0).is_visible()
    answer_choice(choice, right)
    assert feedback(choice) == "Right."

    numeric = item_of(chapter, "numeric")
    answer = numeric.get_attribute("data-answer")
    numeric.locator("input.dlg-quiz-input").fill(str(float(answer) + 1000))
    numeric.locator(".dlg-quiz-check").click()
    assert feedback(numeric).startswith("Not quite.") and answer in feedback(numeric)
    assert numeric.locator(".dlg-quiz-explanation").is_visible()
    numeric.locator(".dlg-quiz-retry").click()
    numeric.locator("input.dlg-quiz-input").fill(answer)
    numeric.locator(".dlg-quiz-check").click()
    assert feedback(numeric).startswith("Right.")

    predict = item_of(chapter, "predict")
    printed = predict.get_attribute("data-answer")
    predict.locator("input.dlg-quiz-input").fill(printed)
    predict.locator(".dlg-quiz-check").click()
    assert feedback(predict) == f"Right. The cell prints: {printed}."
    summary = chapter.locator("[data-quiz-summary]").inner_text()
    assert "3 of" in summary and "(3 answered)" in summary


def test_predicted_shapes_may_be_written_as_a_reader_would(page, browser, server):
    """'torch.Size([4, 4])', '(4, 4)', '[4,4]' and '4 x 4' are the same prediction."""
    shaped = [(name, item["data-quiz-item"]) for name in CHAPTERS
              for item in quiz_items(page, name)
              if item.get("data-answer", "").startswith("torch.Size([")]
    assert shaped, "no predict item in the book prints a shape"
    name, ident = shaped[0]
    ctx, tab, _ = open_page(browser, server, name)
    try:
        form = tab.locator(f'form[data-quiz-item="{ident}"]')
        dims = re.findall(r"\d+", form.get_attribute("data-answer"))
        for typed, right in ((", ".join(dims), True), ("[" + ",".join(dims) + "]", True),
                             (" x ".join(dims), True), (", ".join(dims + ["1"]), False)):
            form.locator("input.dlg-quiz-input").fill(typed)
            form.locator(".dlg-quiz-check").click()
            assert feedback(form).startswith("Right." if right else "Not quite."), typed
            form.locator(".dlg-quiz-retry").click()
    finally:
        ctx.close()


def test_keyboard_only(chapter):
    choice = item_of(chapter, "choice")
    first = choice.locator(".dlg-quiz-option input").first
    first.focus()
    chapter.keyboard.press("Space")        # choose
    chapter.keyboard.press("Enter")        # check
    assert feedback(choice) != ""
    assert choice.locator(".dlg-quiz-retry").evaluate("b => b === document.activeElement")
    chapter.keyboard.press("Enter")        # try again
    assert feedback(choice) == ""
    numeric = item_of(chapter, "numeric")
    numeric.locator("input.dlg-quiz-input").focus()
    chapter.keyboard.type(numeric.get_attribute("data-answer"))
    chapter.keyboard.press("Enter")
    assert feedback(numeric).startswith("Right.")


def test_answers_survive_a_reload_and_reach_the_checklist(chapter, server):
    choice = item_of(chapter, "choice")
    answer_choice(choice, right_choice(choice))
    predict = item_of(chapter, "predict")
    predict.locator("input.dlg-quiz-input").fill("certainly wrong")
    predict.locator(".dlg-quiz-check").click()
    total = chapter.locator("form[data-quiz-item]").count()
    chapter.reload()
    chapter.wait_for_selector("[data-quiz-summary]")
    assert feedback(item_of(chapter, "choice")) == "Right."
    assert item_of(chapter, "predict").locator("input.dlg-quiz-input").input_value() == \
        "certainly wrong"
    assert feedback(item_of(chapter, "predict")).startswith("Not quite.")
    record = stored(chapter)
    assert record["version"] == 4 and len(record["quiz"]) == 2
    chapter.goto(f"{server}/checklist.html")
    chapter.wait_for_selector("#dlg-overall-text")
    link = chapter.locator(f'a.dlg-week-quiz[data-week="{WEEK}"]')
    assert link.inner_text() == f"Quiz: 1 of {total} right"
    assert link.get_attribute("href") == f"{WEEK}.html#check-yourself"
    assert chapter.locator(f'[data-week-quiz="{WEEK}"]').inner_text() == \
        f"quiz: 1 of {total} right"


def test_export_reset_import_restores_quiz_answers(chapter, server, tmp_path):
    choice = item_of(chapter, "choice")
    answer_choice(choice, right_choice(choice))
    chapter.goto(f"{server}/checklist.html")
    chapter.wait_for_selector("#dlg-overall-text")
    with chapter.expect_download() as download:
        chapter.get_by_role("button", name="Export progress").click()
    exported = tmp_path / "progress.json"
    download.value.save_as(exported)
    saved = json.loads(exported.read_text())["quiz"]
    assert len(saved) == 1

    chapter.goto(f"{server}/{WEEK}.html")
    chapter.wait_for_selector("[data-quiz-summary]")
    chapter.once("dialog", lambda d: d.accept())
    chapter.get_by_role("button", name="Reset this quiz").click()
    assert feedback(item_of(chapter, "choice")) == "" and stored(chapter)["quiz"] == {}

    chapter.goto(f"{server}/checklist.html")
    chapter.wait_for_selector("#dlg-overall-text")
    chapter.set_input_files("#dlg-import-file", str(exported))
    chapter.wait_for_function("() => document.querySelector('.dlg-progress-panel "
                              ".dlg-message').textContent.includes('imported')")
    chapter.goto(f"{server}/{WEEK}.html")
    chapter.wait_for_selector("[data-quiz-summary]")
    assert feedback(item_of(chapter, "choice")) == "Right."
    assert stored(chapter)["quiz"] == saved


def test_a_corrupted_quiz_entry_is_ignored_alone(chapter):
    good_id = item_of(chapter, "choice").get_attribute("data-quiz-item")
    record = {"version": 2, "checked": {"week02#the-training-loop": True}, "scores": {"3": 2},
              "quiz": {good_id: {"answer": [0], "correct": True},
                       f"{WEEK}/<img src=x onerror=alert(1)>": {"answer": "1", "correct": True},
                       f"{WEEK}/fine-id": {"answer": 42, "correct": "yes"}}}
    chapter.evaluate(f"() => localStorage.setItem('{KEY}', {json.dumps(json.dumps(record))})")
    chapter.reload()
    chapter.wait_for_selector("[data-quiz-summary]")
    notice = chapter.locator(".dlg-notice").inner_text()
    assert "quiz answer" in notice and "<img src=x onerror=alert(1)>" in notice  # as text
    assert chapter.locator("article img[src=x]").count() == 0
    assert json.loads(chapter.evaluate(f"() => localStorage.getItem('{KEY}.backup')")) == record
    assert feedback(item_of(chapter, "choice")) != ""                # the valid one is kept
    numeric = item_of(chapter, "numeric")                            # and the page works
    numeric.locator("input.dlg-quiz-input").fill(numeric.get_attribute("data-answer"))
    numeric.locator(".dlg-quiz-check").click()
    now = stored(chapter)
    assert set(now["quiz"]) == {good_id, numeric.get_attribute("data-quiz-item")}
    assert now["checked"] == record["checked"] and now["scores"] == record["scores"]


def test_a_version_1_record_is_read_and_kept(chapter):
    old = {"version": 1, "checked": {"week02#the-training-loop": True}, "scores": {"4": 5}}
    chapter.evaluate(f"() => localStorage.setItem('{KEY}', {json.dumps(json.dumps(old))})")
    chapter.reload()
    chapter.wait_for_selector("[data-quiz-summary]")
    assert chapter.locator(".dlg-notice").count() == 0
    choice = item_of(chapter, "choice")
    answer_choice(choice, right_choice(choice))
    now = stored(chapter)
    assert now["version"] == 4 and now["checked"] == old["checked"]
    assert now["scores"] == old["scores"] and len(now["quiz"]) == 1


def test_two_open_tabs_do_not_overwrite_each_other(browser, server):
    ctx = browser.new_context()
    try:
        first, second = ctx.new_page(), ctx.new_page()
        for tab in (first, second):
            tab.goto(f"{server}/{WEEK}.html")
            tab.wait_for_selector("[data-quiz-summary]")
        choice = item_of(first, "choice")
        answer_choice(choice, right_choice(choice))
        # The second tab, opened before that answer, hears of it and shows it...
        second.wait_for_function("() => document.querySelector('form[data-quiz-kind=\"choice\"]"
                                 " .dlg-quiz-feedback').textContent !== ''")
        # ...and its own answer is added to the record, not written over it.
        numeric = item_of(second, "numeric")
        numeric.locator("input.dlg-quiz-input").fill(numeric.get_attribute("data-answer"))
        numeric.locator(".dlg-quiz-check").click()
        assert len(stored(first)["quiz"]) == 2
    finally:
        ctx.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_answered_quiz_has_no_serious_accessibility_problem(browser, server, dark):
    """The audit of every page sees the quiz unanswered; this one after answering, with
    every reason, verdict and explanation shown."""
    from axe_playwright_python.sync_playwright import Axe
    ctx, page, _ = open_page(browser, server, WEEK, dark=dark)
    try:
        forms = page.locator("form[data-quiz-item]")
        for i in range(forms.count()):
            form = forms.nth(i)
            if form.get_attribute("data-quiz-kind") == "choice":
                answer_choice(form, [0])
            else:
                form.locator("input.dlg-quiz-input").fill("1")
                form.locator(".dlg-quiz-check").click()
        page.wait_for_timeout(300)
        results = Axe().run(page, context={"include": [["#check-yourself"]]},
                            options={"resultTypes": ["violations"]})
        blocking = [v for v in results.response["violations"]
                    if v["impact"] in {"serious", "critical"}]
        assert not blocking, results.generate_report()
    finally:
        ctx.close()
