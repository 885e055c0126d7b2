"""The exams: the course's practice exam and mock exam B, 20 questions and 98 points each
with the course's points per week, answers collapsed with a marking scheme that adds up,
computed answers checked by the build, self-grading by ticking rubric elements that
survives a reload and sends the student to the sections where points were lost, and a
printout without the answers."""

import io
import json
import re
import unicodedata
from collections import Counter

import pytest
from pypdf import PdfReader

from conftest import build, copy_fixture
from dlguide_exam import POINTS_PER_WEEK

EXAMS = ["exam", "exam-b"]


def questions(page, exam):
    """[(section, question element)] in page order."""
    return [(node.find_parent("section"), node)
            for node in page(exam).select("[data-exam-question]")]


# --- the built pages ------------------------------------------------------------------------

@pytest.mark.parametrize("exam", EXAMS)
def test_twenty_questions_worth_98_points_with_the_courses_points_per_week(page, exam):
    found = questions(page, exam)
    assert [q["data-exam-question"] for _, q in found] == [f"{exam}/{n}" for n in range(1, 21)]
    by_week = Counter()
    for n, (section, q) in enumerate(found, start=1):
        assert section.find("h2").get_text(strip=True).rstrip("#") == f"Question {n}"
        points, week = int(q["data-points"]), int(q["data-week"])
        header = q.find("p").get_text(" ", strip=True)
        assert header.startswith(f"{points} point{'s' if points > 1 else ''} · Week {week}."), header
        by_week[week] += points
    assert dict(by_week) == POINTS_PER_WEEK and sum(by_week.values()) == 98
    assert "98 points" in page(exam).select_one("article").get_text()
    table = page(exam).select_one("table.dlg-points-table").get_text(" ", strip=True)
    assert table.endswith("Points " + " ".join(str(p) for p in POINTS_PER_WEEK.values()) + " 98")


@pytest.mark.parametrize("exam", EXAMS)
def test_every_answer_is_collapsed_with_a_rubric_that_adds_up_and_links_its_sections(
        page, exam, built_book):
    pages = {}
    for n, (section, q) in enumerate(questions(page, exam), start=1):
        answers = section.select("details.exam-answer")
        assert len(answers) == 1, f"{exam} Question {n}"
        assert not answers[0].has_attr("open"), f"{exam} Question {n}'s answer is open"
        items = answers[0].select("[data-rubric-item]")
        assert items, f"{exam} Question {n} has no marking scheme"
        keys = [item["data-rubric-item"] for item in items]
        assert len(set(keys)) == len(keys)
        assert all(re.fullmatch(rf"{exam}/{n}/[a-z0-9]+(-[a-z0-9]+)*", k) for k in keys), keys
        assert sum(float(item["data-points"]) for item in items) == int(q["data-points"])
        for item in items:
            link = item.select_one("a.dlg-criterion-teaches")
            target, _, anchor = link["href"].partition("#")
            if target not in pages:
                pages[target] = page(target.removesuffix(".html"))
            assert not anchor or pages[target].find(id=anchor), link["href"]
            assert link.get_text().startswith("Week "), link.get_text()


@pytest.mark.parametrize("exam, numbers", [("exam", [4, 13, 14, 16, 18]), ("exam-b", None)])
def test_computed_answers_are_checked_by_executed_cells(page, exam, numbers):
    checked = []
    for n, (section, _) in enumerate(questions(page, exam), start=1):
        cells = section.select("div.cell")
        if not cells:
            continue
        code = " ".join(c.select_one(".cell_input").get_text() for c in cells)
        assert "assert" in code, f"{exam} Question {n}"
        assert all(c.select_one(".cell_output") for c in cells), f"Question {n} did not run"
        # The check is collapsed too, so it does not give the answer away.
        assert all("tag_hide-cell" in c["class"] for c in cells)
        checked.append(n)
    if numbers:
        assert set(numbers) <= set(checked), checked
    else:
        assert len(checked) >= 5, checked


# --- in the browser ------------------------------------------------------------------------

@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def open_exam(context, server, exam="exam"):
    page = context.new_page()
    page.goto(f"{server}/{exam}.html")
    page.wait_for_selector(".dlg-score-total")
    return page


def stored(page):
    return json.loads(page.evaluate("() => localStorage.getItem('dlguide-progress')"))


def tick(page, exam, n, ids):
    answer = page.locator(f"section#question-{n} details.exam-answer")
    if not answer.evaluate("d => d.open"):
        answer.locator("summary").click()
    for ident in ids:
        page.locator(f'[data-rubric-item="{exam}/{n}/{ident}"] input').check()


def rubric_ids(page, exam, n):
    return [key.rsplit("/", 1)[1] for key in page.eval_on_selector_all(
        f'[data-rubric-item^="{exam}/{n}/"]', "nodes => nodes.map(n => n.dataset.rubricItem)")]


def points_of(page, exam, n, ids):
    return sum(float(page.get_attribute(f'[data-rubric-item="{exam}/{n}/{i}"]', "data-points"))
               for i in ids)


def test_ticking_rubric_elements_adds_up_per_week_and_survives_a_reload(context, server):
    page = open_exam(context, server, "exam-b")
    # all of question 1's elements, the first of question 13's (Week 10)
    q1, q13 = rubric_ids(page, "exam-b", 1), rubric_ids(page, "exam-b", 13)[:1]
    tick(page, "exam-b", 1, q1)
    tick(page, "exam-b", 13, q13)
    got1, got13 = points_of(page, "exam-b", 1, q1), points_of(page, "exam-b", 13, q13)
    week1 = int(page.get_attribute('[data-exam-question="exam-b/1"]', "data-week"))
    page.reload()
    page.wait_for_selector(".dlg-score-total")
    total = page.locator('[data-exam-score="exam-b"] .dlg-score-total').inner_text()
    assert total.startswith(f"Score: {got1 + got13:g} / 98"), total
    assert "2 of 20 questions graded" in total
    assert page.locator(f'[data-week-score="{week1}"]').inner_text() == f"{got1:g}"
    assert page.locator('[data-week-score="10"]').inner_text() == f"{got13:g}"
    assert page.locator(f'[data-rubric-item="exam-b/1/{q1[0]}"] input').is_checked()
    assert stored(page)["rubric"] == {"exam-b/1": q1, "exam-b/13": q13}
    line = page.locator('[data-question-score="exam-b/13"]').text_content()
    assert line.startswith(f"Question 13: {got13:g} of ") and line.endswith("points.")


def test_the_weakest_sections_are_listed_and_lead_to_them(context, server):
    page = open_exam(context, server)
    page.locator("section#question-4 details.exam-answer summary").click()
    page.locator("section#question-4").get_by_role("button", name="None earned").click()
    weak = page.locator("[data-weakest-sections] a")
    assert weak.count() >= 1
    # Question 4's elements, grouped by the section that teaches them, most points first
    missed = Counter()
    for node in page.query_selector_all('[data-rubric-item^="exam/4/"]'):
        missed[node.query_selector("a.dlg-criterion-teaches").get_attribute("href")] += \
            float(node.get_attribute("data-points"))
    hrefs = [weak.nth(i).get_attribute("href") for i in range(weak.count())]
    assert hrefs == sorted(missed, key=lambda h: -missed[h])[:5]
    assert page.locator('[data-question-score="exam/4"]').text_content() == \
        "Question 4: 0 of 5 points."
    target = hrefs[0]
    weak.first.click()
    page.wait_for_load_state()
    assert page.url.endswith(target.split("/")[-1])
    assert page.locator(f"#{target.split('#')[1]}").is_visible()


def test_a_score_typed_under_the_old_scheme_is_still_shown_and_kept(context, server):
    page = open_exam(context, server)
    record = {"version": 2, "checked": {}, "scores": {"1": 3, "2": 3.5, "21": 4}, "quiz": {}}
    page.evaluate(f"() => localStorage.setItem('dlguide-progress', {json.dumps(json.dumps(record))})")
    page.reload()
    page.wait_for_selector(".dlg-score-total")
    total = page.locator(".dlg-score-total").inner_text()
    assert total.startswith("Score: 3 / 98") and "1 of 20 questions graded" in total, total
    assert page.locator(".dlg-notice").inner_text() == \
        "The saved score for Question 2 was above its maximum and was ignored."
    assert "3 of 3 points, as you typed them" in \
        page.locator('[data-question-score="exam/1"]').text_content()
    # grading Question 1 by its rubric replaces the typed score; the typed one is kept
    first = rubric_ids(page, "exam", 1)[0]
    tick(page, "exam", 1, [first])
    got = points_of(page, "exam", 1, [first])
    assert page.locator(".dlg-score-total").inner_text().startswith(f"Score: {got:g} / 98")
    now = stored(page)
    assert now["version"] == 4 and now["scores"] == record["scores"]
    assert now["rubric"] == {"exam/1": [first]}


def test_the_checklist_shows_both_exams_per_week(context, server):
    page = open_exam(context, server, "exam-b")
    ids = rubric_ids(page, "exam-b", 4)
    tick(page, "exam-b", 4, ids)
    got = points_of(page, "exam-b", 4, ids)
    week = int(page.get_attribute('[data-exam-question="exam-b/4"]', "data-week"))
    checklist = context.new_page()
    checklist.goto(f"{server}/checklist.html")
    checklist.wait_for_selector("[data-week-exam]")
    mine = checklist.locator(f'[data-week-exam="exam-b/week{week:02d}"]').inner_text()
    assert mine.endswith(f": {got:g} / {POINTS_PER_WEEK[week]}"), mine
    other = checklist.locator(f'[data-week-exam="exam/week{week:02d}"]').inner_text()
    assert other.endswith(f"not graded ({POINTS_PER_WEEK[week]} points)"), other
    assert checklist.locator("[data-week-exam]").count() == 2 * len(POINTS_PER_WEEK)


@pytest.mark.parametrize("exam", EXAMS)
def test_printing_an_exam_gives_the_questions_without_the_answers(context, server, page, exam):
    """What an instructor hands out: Chromium's print of the page."""
    first = questions(page, exam)[0][0]
    answer = first.select_one("details.exam-answer")
    answer_text = " ".join(answer.select_one("p").get_text(" ", strip=True).split()[:6])
    question_text = " ".join(first.select_one("[data-exam-question] p").get_text(
        " ", strip=True).split()[5:11])
    tab = open_exam(context, server, exam)
    tab.locator("details.exam-answer summary").first.click()   # even an opened one
    printed = PdfReader(io.BytesIO(tab.pdf())).pages
    text = " ".join(unicodedata.normalize("NFKC", " ".join(
        p.extract_text() for p in printed)).split())                     # ligatures: fi
    assert question_text in text
    assert answer_text not in text
    for hidden in ["Marking scheme", "Model answer", "Your score", "Show the check"]:
        assert hidden not in text, hidden


# --- bad input --------------------------------------------------------------------------

def test_a_bad_exam_fails_the_build_naming_file_and_line(tmp_path):
    src = copy_fixture("exam_bad", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache", execute=False)
    assert result.returncode != 0
    where = "exam_bad/index.md"
    assert re.search(rf"{where}:9: ERROR: exam: Question 1 is worth 3 points but its rubric "
                     r"adds up to 2", result.log), result.log[-3000:]
    assert re.search(rf"{where}:39: ERROR: exam: criterion 'lost' teaches "
                     r"'week04#no-such-section', a section that does not exist", result.log)
    assert re.search(rf"{where}:9: ERROR: exam: the points per week differ from the course's "
                     r"\(Week 2: 0 instead of 3; .*Week 4: 4 instead of 8;", result.log)
    assert "teaches 'week04#output-size-formula'" not in result.log
