"""The printed book: `make pdf` writes one PDF with every chapter, the exam and its
answer key, the checklist, the glossary and an index, typeset without overflow."""

import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, chapter_names

LATEX_LOG = ROOT / "_build" / "latex" / "dlguide.log"
LATEX_TEX = ROOT / "_build" / "latex" / "dlguide.tex"
LATEX_TOC = ROOT / "_build" / "latex" / "dlguide.toc"
# \contentsline {chapter}{\numberline {2}Week 2 · Foundations of Training}{3}{chapter.2}%
TOC_CHAPTER = re.compile(r"^\\contentsline \{chapter\}\{\\numberline \{(\w+)\}(.*)\}\{\d+\}"
                         r"\{(?:chapter|appendix)\.\w+\}%?$", re.M)


@pytest.fixture(scope="session")
def chapter_titles(page):
    return {name: page(name).select_one("article h1").get_text(strip=True).rstrip("#")
            for name in chapter_names()}


def part(text: str, heading: str, until: str | None = None) -> str:
    """The text of a chapter, from its (upper-case) heading line to the next one given."""
    start = re.search(rf"^\s*{heading}\s*$", text, re.M)
    assert start, f"no chapter headed {heading}"
    end = re.search(rf"^\s*{until}\s*$", text[start.end():], re.M) if until else None
    return text[start.end():start.end() + end.start()] if end else text[start.end():]


def test_pdf_executes_nothing_after_the_html(pdf_build):
    assert pdf_build == []


def toc_chapters(toc: str) -> list[tuple[str, str]]:
    """(number, title) of every numbered chapter and appendix, as LaTeX wrote its table of
    contents: [("2", "Week 2 · Foundations of Training"), ..., ("A", "Answer key")]."""
    return TOC_CHAPTER.findall(toc)


def test_every_chapter_with_its_week_number(text, chapter_titles, pdf):
    flat = " ".join(text.split())
    for name, title in chapter_titles.items():
        assert " ".join(title.split()) in flat, title
    outline = [item.title for item in PdfReader(pdf).outline if not isinstance(item, list)]
    for title in chapter_titles.values():
        assert any(title.split(" ·")[0] in entry for entry in outline), (title, outline)
    # The chapter numbers LaTeX printed: Week N is Chapter N, for every week, in order.
    weeks = [(number, title) for number, title in toc_chapters(LATEX_TOC.read_text())
             if title.startswith("Week ")]
    assert [number for number, _ in weeks] == [
        str(int(name.removeprefix("week"))) for name in chapter_titles], weeks
    for number, title in weeks:
        assert title.startswith(f"Week {number} · "), f"chapter {number} is {title!r}"


def test_both_exams_print_without_answers_and_the_key_holds_answers_and_rubrics(text, page):
    flat = lambda t: " ".join(t.split())  # noqa: E731
    exams = {"exam": ("Practice Exam", part(text, "PRACTICE EXAM", "MOCK EXAM B")),
             "exam-b": ("Mock Exam B", part(text, "MOCK EXAM B", "STUDY CHECKLIST"))}
    key = flat(part(text, "ANSWER KEY", "SOLUTIONS"))
    for name, (title, printed) in exams.items():
        for n in range(1, 21):
            assert f"Question {n}\n" in printed or f"Question {n} " in printed, (name, n)
        assert "98 points" in flat(printed)
        assert f"Model answer: Answer key, {title}, Question 13" in flat(printed)
        assert "Marking scheme" not in printed, f"{name}: a rubric printed with its question"
        # every element of every marking scheme, in the key, with the section it draws on
        criteria = page(name).select("[data-rubric-item]")
        assert len(criteria) >= 40
        plain = [c.select_one("p") for c in criteria if not c.select_one("p .math, p code")]
        for para in plain[:3] + plain[-3:]:
            words = " ".join(para.get_text(" ", strip=True).split()[2:7])
            assert words in key, (name, words)
    assert key.count("Marking scheme (") == 40
    assert key.count("Taught in Week") == sum(
        len(page(name).select("[data-rubric-item]")) for name in exams)
    answers = re.findall(r"Answer to Question (\d+)", key)
    assert sorted(set(map(int, answers))) == list(range(1, 21))
    assert "vanishing gradient problem" in key and "Conditional DCGAN" in key  # content


def test_checklist_glossary_and_index(text, page):
    checklist = part(text, "STUDY CHECKLIST", "GLOSSARY")
    assert checklist.count("□") >= 60, "the checklist prints empty boxes"
    assert "Week 11" in checklist
    # The glossary's own pages: every entry of the web glossary, each with its "Used in".
    glossary = part(text, "GLOSSARY", "ANSWER KEY")
    flat = " ".join(glossary.split())
    names = []
    for dt in page("glossary").select("dl.glossary > dt"):
        dt = BeautifulSoup(str(dt), "lxml").dt
        for link in dt.select(".headerlink"):
            link.extract()
        names.append(dt.get_text(" ", strip=True))
    assert len(names) >= 120
    missing = [name for name in names if name not in flat]
    assert not missing, f"glossary entries not printed in the glossary: {missing[:10]}"
    entries = len(page("glossary").select("dl.glossary > dd"))
    assert flat.count("Used in:") >= entries, "an entry printed without its Used in"
    for term, definition in [("backpropagation", "The algorithm that computes the gradient"),
                             ("mode collapse", "A GAN failure in which the generator")]:
        assert f"{term} {definition}" in flat, term
    index = part(text, "INDEX")
    assert "softmax" in index and "backpropagation" in index


def test_no_unresolved_references_or_raw_markup(text):
    assert "??" not in text
    for raw in ["$$", "\\frac", "{term}", "{eq}", "{cite", ":::"]:
        assert raw not in text, raw


def test_web_only_parts_leave_no_trace(text):
    for web_only in ["Your score", "Reset scores", "Export progress", "Mark Week",
                     "Show code cell", "Points you earned", "Try again", "Your prediction",
                     "Reset this quiz", "Your score"]:
        assert web_only not in text, web_only


def test_figures_are_embedded_as_vector_graphics(pdf):
    reader = PdfReader(pdf)
    forms = 0
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for obj in xobjects.values():
            if obj.get_object().get("/Subtype") == "/Form":
                forms += 1
    assert forms >= 20, f"only {forms} vector figures"


def chapter_of_line(tex_lines, line):
    chapter = None
    for number, content in enumerate(tex_lines[:line], start=1):
        if content.startswith(r"\chapter{"):
            chapter = content
    return chapter


def test_no_overfull_box_wider_than_5pt_in_the_chapters(pdf):
    log = LATEX_LOG.read_text(errors="replace")
    tex_lines = LATEX_TEX.read_text().splitlines()
    too_wide = []
    for width, line in re.findall(r"Overfull \\hbox \((\d+\.?\d*)pt too wide\) "
                                  r"(?:in paragraph at lines|detected at line) (\d+)", log):
        if float(width) > 5:
            too_wide.append((float(width), chapter_of_line(tex_lines, int(line))))
    assert not too_wide, too_wide


def test_quiz_and_exercises_print_in_their_chapter_answers_in_a_solutions_appendix(text,
                                                                                  page):
    flat = " ".join(text.split())
    solutions = " ".join(part(text, "SOLUTIONS", "FORMULA SHEET").split())
    for name in chapter_names():
        week = int(name.removeprefix("week"))
        article = page(name).select_one("article.bd-article")
        items = article.select("section#check-yourself [data-quiz-item]")
        exercises = article.select("section#exercises div.exercise")
        assert items and exercises, name
        for k, item in enumerate(items, start=1):
            assert f"Answer: Question {week}.{k}, in the Solutions appendix" in flat
            assert f"Question {week}.{k}. " in solutions, f"no answer to Question {week}.{k}"
            if item["data-quiz-kind"] != "choice":   # the computed value itself
                assert " ".join(item["data-answer"].split()) in solutions, item["data-answer"]
        for k in range(1, len(exercises) + 1):
            assert f"Exercise {week}.{k} " in flat or f"Exercise {week}.{k}\n" in text
            assert f"Solution to Exercise {week}.{k} " in solutions, f"Exercise {week}.{k}"
        # nothing of the answers stays in the chapter: each is in the appendix, once
        assert solutions.count(f"Question {week}.1. ") == 1
