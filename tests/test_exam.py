"""The practice exam: 20 questions worth 98 points, answers collapsed, computed answers
checked by the build, and self-grading that survives a reload."""

import json
import re

import pytest

POINTS = [3, 3, 4, 5, 3, 6, 5, 5, 3, 3, 6, 4, 7, 5, 5, 4, 5, 6, 8, 8]


def questions(page):
    return page("exam").select("article section > h2")


def test_twenty_questions_in_order_worth_98_points(page):
    sections = questions(page)
    titles = [h2.get_text(strip=True).rstrip("#") for h2 in sections]
    assert titles[:20] == [f"Question {n}" for n in range(1, 21)]
    points = []
    for h2 in sections[:20]:
        header = h2.parent.find("p").get_text(" ", strip=True)
        points.append(int(re.match(r"(\d+) points? · Week \d+\.", header).group(1)))
    assert points == POINTS and sum(points) == 98
    assert "98 points" in page("exam").select_one("article").get_text()


def test_every_answer_is_collapsed_and_gradable(page):
    for n, h2 in enumerate(questions(page)[:20], start=1):
        answers = h2.parent.select("details.exam-answer")
        assert len(answers) == 1, f"Question {n}"
        assert not answers[0].has_attr("open"), f"Question {n}'s answer is open"
        grade = answers[0].select_one(".dlg-grade")
        assert int(grade["data-question"]) == n and int(grade["data-max"]) == POINTS[n - 1]
        assert answers[0].select("a.reference.internal"), f"Question {n} links nothing"


@pytest.mark.parametrize("n", [4, 13, 14, 16, 18])
def test_computed_answers_are_checked_by_executed_cells(page, n):
    section = questions(page)[n - 1].parent
    cells = section.select("div.cell")
    assert cells, f"Question {n} has no code"
    code = " ".join(c.select_one(".cell_input").get_text() for c in cells)
    assert "assert" in code
    assert all(c.select_one(".cell_output") for c in cells), f"Question {n} did not run"
    # The check is collapsed too, so it does not give the answer away.
    assert all("tag_hide-cell" in c["class"] for c in cells)


# --- in the browser ------------------------------------------------------------------

@pytest.fixture
def exam(browser, server):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/exam.html")
    page.wait_for_selector(".dlg-score-total")
    yield page
    ctx.close()



def test_answer_opens_on_click_and_on_keyboard(exam):
    details = exam.locator("details.exam-answer")
    assert not details.nth(0).evaluate("d => d.open")
    details.nth(0).locator("summary").click()
    assert details.nth(0).evaluate("d => d.open")
    details.nth(1).locator("summary").focus()
    exam.keyboard.press("Enter")
    assert details.nth(1).evaluate("d => d.open")
    assert details.nth(1).locator(".dlg-score-input").is_visible()


def test_self_grading_survives_a_reload_and_adds_up(exam):
    scores = {1: 3, 4: 2.5, 13: 7, 20: 4}
    for n, points in scores.items():
        answer = exam.locator("details.exam-answer").nth(n - 1)
        answer.locator("summary").click()
        field = answer.locator(".dlg-score-input")
        field.fill(str(points))
        field.press("Enter")
        field.blur()
    exam.reload()
    exam.wait_for_selector(".dlg-score-total")
    total = exam.locator(".dlg-score-total").inner_text()
    assert total.startswith(f"Score: {sum(scores.values()):g} / 98"), total
    assert "4 of 20 questions graded" in total
    assert exam.locator('[data-week-score="10"]').inner_text() == "7"
    assert exam.locator('[data-week-score="9"]').inner_text() == "4"
    assert exam.locator("#dlg-score-4").input_value() == "2.5"


def test_points_above_the_maximum_are_refused(exam):
    answer = exam.locator("details.exam-answer").nth(0)
    answer.locator("summary").click()
    field = answer.locator(".dlg-score-input")
    field.fill("9")
    field.press("Enter")
    field.blur()
    assert "0 to 3" in answer.locator(".dlg-score-note").inner_text()
    assert exam.locator(".dlg-score-total").inner_text().startswith("Score: 0 / 98")


def test_saved_scores_count_only_for_the_questions_on_the_page(exam):
    """A score for a question the exam does not have (yet) is kept, not shown; one above
    its question's maximum is reported and not counted."""
    record = {"version": 2, "checked": {}, "scores": {"1": 3, "2": 3.5, "21": 4}, "quiz": {}}
    exam.evaluate(f"() => localStorage.setItem('dlguide-progress', {json.dumps(json.dumps(record))})")
    exam.reload()
    exam.wait_for_selector(".dlg-score-total")
    total = exam.locator(".dlg-score-total").inner_text()
    assert total.startswith("Score: 3 / 98") and "1 of 20 questions graded" in total, total
    assert exam.locator(".dlg-notice").inner_text() == \
        "The saved score for Question 2 was above its maximum and was ignored."
    assert exam.locator("#dlg-score-2").input_value() == ""
    answer = exam.locator("details.exam-answer").nth(2)
    answer.locator("summary").click()
    answer.locator(".dlg-score-input").fill("4")
    answer.locator(".dlg-score-input").press("Enter")
    stored = json.loads(exam.evaluate("() => localStorage.getItem('dlguide-progress')"))
    assert stored["scores"] == {"1": 3, "2": 3.5, "3": 4, "21": 4}
