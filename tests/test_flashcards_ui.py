"""The flashcards review, as a reader uses it in Chromium: flip, grade, reload; the week
filter; the keyboard alone; a corrupted card entry; two tabs; axe in light and dark.

The page is tests/fixtures/flashcards_page/flashcards.html: eight cards over Weeks 2, 3 and
5, written to the flashcards page's HTML contract (div[data-flashcards] holding
div.dlg-card[data-card][data-weeks] with .dlg-card-front and .dlg-card-back), served
with the built book's _static/ (the theme, MathJax, dlguide-progress.js). The tests select
the cards only by that contract, and the controls the script adds by their role and
label, as a reader finds them.
"""

import datetime
import functools
import http.server
import json
import re
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import FIXTURES, SETTLED, QuietHandler, open_page

KEY = "dlguide-progress"
PAGE = "flashcards"
CARDS = {   # the fixture's cards, in page order, with their weeks
    "term/rectified-linear-unit": ["week02", "week05"],
    "term/softmax": ["week02"],
    "term/cross-entropy": ["week02", "week03"],
    "formula/eq-w02-softmax": ["week02"],
    "term/adam": ["week03"],
    "term/momentum": ["week03"],
    "formula/eq-w03-adam-update": ["week03"],
    "term/transfer-learning": ["week05"],
}
FIRST = "term/rectified-linear-unit"
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def server(built_book, tmp_path_factory):
    """The fixture page next to the built book's _static/, over HTTP."""
    site = tmp_path_factory.mktemp("flashcards_site")
    shutil.copy(FIXTURES / "flashcards_page" / f"{PAGE}.html", site)
    (site / "_static").symlink_to(built_book / "_static", target_is_directory=True)
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def ctx(browser):
    context = browser.new_context()
    yield context
    context.close()


def open_cards(ctx, server, record=None):
    """The page, with RECORD stored first if given (then read by a reload)."""
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/{PAGE}.html")
    if record is not None:
        text = record if isinstance(record, str) else json.dumps(record)
        page.evaluate("([k, t]) => localStorage.setItem(k, t)", [KEY, text])
        page.reload()
    page.get_by_role("button", name="Show answer").or_(
        page.locator(".dlg-flashcards-empty")).first.wait_for()
    page.errors = errors
    return page


def stored(page):
    return json.loads(page.evaluate(f"() => localStorage.getItem('{KEY}')") or "null")


def today(page) -> datetime.date:
    """The reader's local date, as the browser has it."""
    return datetime.date.fromisoformat(page.evaluate(
        "() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()]"
        ".map((n, i) => String(n).padStart(i ? 2 : 4, '0')).join('-'); }"))


def days(page, n) -> str:
    return (today(page) + datetime.timedelta(days=n)).isoformat()


def due_count(page) -> int:
    text = page.locator(".dlg-flashcards-due").inner_text()
    assert re.fullmatch(r"\d+ cards? due today \(of \d+ cards?, (all weeks|Week \d+)\)\.", text)
    return int(text.split()[0])


def shown(page) -> list[str]:
    """The data-card of every card the reader sees."""
    return page.locator("[data-card]:visible").evaluate_all("es => es.map(e => e.dataset.card)")


def back_visible(page, card) -> bool:
    return page.locator(f'[data-card="{card}"] .dlg-card-back').is_visible()


def record(cards: dict) -> dict:
    return {"version": 4, "checked": {}, "scores": {}, "quiz": {}, "rubric": {}, "cards": cards}


# --- without the script ------------------------------------------------------------

def test_without_javascript_every_card_shows_front_and_back(browser, server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/{PAGE}.html")
        assert shown(page) == list(CARDS)
        for card in CARDS:
            assert back_visible(page, card)
        assert page.get_by_role("button", name="Show answer").count() == 0
    finally:
        context.close()


# --- flip, grade, reload -----------------------------------------------------------

def test_flip_grade_and_reload_keep_the_due_count_and_the_box(ctx, server):
    page = open_cards(ctx, server)
    assert due_count(page) == 8                       # new cards are due today
    assert shown(page) == [FIRST]
    assert not back_visible(page, FIRST)
    assert "new (box 1)" in page.locator(".dlg-flashcards-where").inner_text()
    page.get_by_role("button", name="Show answer").click()
    assert back_visible(page, FIRST)
    page.get_by_role("button", name="Good").click()   # box 1 -> 2, due in 2 days
    assert due_count(page) == 7
    assert shown(page) == ["term/softmax"]            # the next due card, front only
    assert not back_visible(page, "term/softmax")
    status = page.get_by_role("status").filter(has_text="Good:").inner_text()
    assert "box 2" in status and "in 2 days" in status and "7 cards due today" in status
    assert stored(page)["cards"] == {FIRST: {"box": 2, "due": days(page, 2)}}

    page.reload()
    page.get_by_role("button", name="Show answer").wait_for()
    assert due_count(page) == 7
    assert FIRST not in shown(page)
    assert "7 new; box 1: 0, box 2: 1," in page.locator(".dlg-flashcards-boxes").inner_text()
    assert stored(page)["cards"] == {FIRST: {"box": 2, "due": days(page, 2)}}
    assert not page.errors


def test_again_keeps_a_card_due_and_brings_it_back_after_the_others(ctx, server):
    page = open_cards(ctx, server)
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("button", name="Again").click()
    assert due_count(page) == 8
    assert stored(page)["cards"] == {FIRST: {"box": 1, "due": days(page, 0)}}
    order = []
    for _ in range(len(CARDS)):
        order += shown(page)
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("button", name="Hard").click()   # box 1 stays box 1: due tomorrow
    assert order == list(CARDS)[1:] + [FIRST]
    assert due_count(page) == 0
    assert page.locator(".dlg-flashcards-empty").inner_text() == (
        f"No cards due today. The next one is due tomorrow ({days(page, 1)}).")
    assert page.locator(".dlg-flashcards-empty").evaluate("e => e === document.activeElement")


def test_when_none_is_due_it_says_when_the_next_one_is(ctx, server):
    page = open_cards(ctx, server)
    cards = {card: {"box": 5, "due": days(page, 16)} for card in CARDS}
    cards["term/adam"] = {"box": 4, "due": days(page, 5)}
    page = open_cards(ctx, server, record(cards))
    assert due_count(page) == 0
    assert shown(page) == []
    assert not page.get_by_role("button", name="Show answer").is_visible()
    assert page.locator(".dlg-flashcards-empty").inner_text() == (
        f"No cards due today. The next one is due in 5 days ({days(page, 5)}).")


def test_the_answer_s_maths_is_typeset(ctx, server):
    page = open_cards(ctx, server)
    future = {"box": 2, "due": days(page, 3)}
    only = "formula/eq-w03-adam-update"
    page = open_cards(ctx, server, record({c: future for c in CARDS if c != only}))
    assert shown(page) == [only]
    back = page.locator(f'[data-card="{only}"] .dlg-card-back')
    page.evaluate("() => MathJax.startup.promise")
    # As if MathJax had left the hidden answer alone: its formula as TeX again.
    back.evaluate("""b => { const d = document.createElement('div');
        d.className = 'math notranslate nohighlight';
        d.textContent = String.raw`\\[\\frac{\\hat{\\mathbf m}_t}{\\sqrt{\\hat{\\mathbf s}_t}}\\]`;
        b.replaceChildren(d); }""")
    assert "\\frac" in back.evaluate("b => b.textContent")
    page.get_by_role("button", name="Show answer").click()
    back.locator("mjx-container").first.wait_for()
    assert "\\frac" not in back.evaluate("b => b.textContent")   # typeset: no TeX left


# --- the week filter ---------------------------------------------------------------

def test_the_week_filter_changes_the_due_count(ctx, server):
    page = open_cards(ctx, server)
    weeks = page.get_by_label("Cards from")
    assert weeks.locator("option").all_inner_texts() == ["All weeks", "Week 2", "Week 3",
                                                         "Week 5"]
    for week, label, count in [("week02", "Week 2", 4), ("week03", "Week 3", 4),
                               ("week05", "Week 5", 2)]:
        weeks.select_option(label=label)
        assert due_count(page) == count
        assert week in CARDS[shown(page)[0]]
    page.get_by_role("button", name="Show answer").click()   # Week 5's first: ReLU
    page.get_by_role("button", name="Good").click()
    assert due_count(page) == 1
    assert shown(page) == ["term/transfer-learning"]
    weeks.select_option(label="Week 3")
    assert due_count(page) == 4
    weeks.select_option(label="All weeks")
    assert due_count(page) == 7


# --- the keyboard alone --------------------------------------------------------------

def test_keyboard_only(ctx, server):
    page = open_cards(ctx, server)
    focused = []
    for _ in range(60):   # Tab from the top of the page to the review's first control
        page.keyboard.press("Tab")
        focused.append(page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.labels && e.labels.length ? e.labels[0].textContent : e.textContent; }"))
        if focused[-1] == "Show answer":
            break
    assert focused[-1] == "Show answer"
    assert "Cards from " in focused                    # the week filter on the way, labelled
    page.keyboard.press("Space")
    assert back_visible(page, FIRST)
    assert page.evaluate("() => document.activeElement.matches('.dlg-card-back')")
    page.keyboard.press("3")                           # Good
    assert due_count(page) == 7
    assert page.evaluate("() => document.activeElement.textContent") == "Show answer"
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Space")                       # Space anywhere on the page
    assert back_visible(page, "term/softmax")
    page.keyboard.press("2")                           # Hard
    page.keyboard.press("Space")
    page.keyboard.press("1")                           # Again
    assert due_count(page) == 6
    assert stored(page)["cards"] == {FIRST: {"box": 2, "due": days(page, 2)},
                                     "term/softmax": {"box": 1, "due": days(page, 1)},
                                     "term/cross-entropy": {"box": 1, "due": days(page, 0)}}
    # Typing in the week filter is not grading.
    page.get_by_label("Cards from").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    assert not page.locator(".dlg-card-back:visible").count()


# --- stored data -----------------------------------------------------------------

def test_a_corrupted_card_entry_is_ignored_alone_with_a_notice(ctx, server):
    page = open_cards(ctx, server)
    good = {FIRST: {"box": 3, "due": days(page, 4)}}
    bad = {"term/<img src=x onerror=alert(1)>": {"box": 1, "due": days(page, 0)},
           "term/softmax": {"box": 6, "due": days(page, 9)},
           "term/adam": {"box": 2, "due": "tomorrow"}}
    original = record({**good, **bad})
    page = open_cards(ctx, server, original)
    notice = page.locator(".dlg-notice").inner_text()
    assert "ignored" in notice
    for card in bad:
        assert f'bad flashcard entry "{card}"' in notice   # shown as text
    assert page.locator("img[src=x]").count() == 0
    assert due_count(page) == 7                            # ReLU kept: not due
    assert json.loads(page.evaluate(f"() => localStorage.getItem('{KEY}.backup')")) == original
    assert shown(page) == ["term/softmax"]                 # its bad entry: a new card
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("button", name="Good").click()
    assert stored(page)["cards"] == {**good, "term/softmax": {"box": 2, "due": days(page, 2)}}


def test_a_second_tab_redraws_when_the_first_grades(ctx, server):
    first = open_cards(ctx, server)
    second = open_cards(ctx, server)
    first.get_by_role("button", name="Show answer").click()
    first.get_by_role("button", name="Good").click()
    second.wait_for_function("() => /^7 cards due/.test("
                             "document.querySelector('.dlg-flashcards-due').textContent)")
    assert shown(second) == ["term/softmax"]
    second.get_by_role("button", name="Show answer").click()
    second.get_by_role("button", name="Good").click()       # the first tab's grade is kept
    assert set(stored(first)["cards"]) == {FIRST, "term/softmax"}
    first.wait_for_function("() => /^6 cards due/.test("
                            "document.querySelector('.dlg-flashcards-due').textContent)")


# --- accessibility -----------------------------------------------------------------

def describe(violation: dict) -> str:
    targets = [node["target"] for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['impact']}): {violation['help']} {targets}"


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_axe_finds_no_serious_problem(browser, server, dark):
    axe = Axe()
    ctx, page, requests = open_page(browser, server, PAGE, dark=dark)
    try:
        problems = []
        for state in ("front", "answer", "none due"):
            if state == "answer":
                page.get_by_role("button", name="Show answer").click()
            elif state == "none due":   # grade every card: none is left
                page.get_by_role("button", name="Good").click()
                while page.get_by_role("button", name="Show answer").is_visible():
                    page.get_by_role("button", name="Show answer").click()
                    page.get_by_role("button", name="Good").click()
                assert page.locator(".dlg-flashcards-empty").is_visible()
            page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
            page.evaluate(SETTLED)
            result = axe.run(page)
            problems += [f"[{state}] {describe(v)}" for v in result.response["violations"]
                         if v["impact"] in BLOCKING]
        assert not problems, "\n".join(problems)
        assert all(r.startswith(server) for r in requests), "fetched from another host"
    finally:
        ctx.close()
