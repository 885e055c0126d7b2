"""The study checklist: generated from the chapters, and a student's progress is never
lost, in a real browser (headless Chromium)."""

import json
import re

import pytest

from conftest import chapter_names
from dlguide_checklist import NOT_LISTED

KEY = "dlguide-progress"
FIRST = "week02#the-training-loop"


# --- what the build generates ------------------------------------------------------

def test_one_entry_per_chapter_with_its_sections(page):
    checklist = page("checklist")
    weeks = checklist.select("section.dlg-week")
    assert [w["data-week"] for w in weeks] == chapter_names()
    for week in weeks:
        name = week["data-week"]
        chapter_sections = [h2.parent["id"] for h2 in
                            page(name).select("article section:not(.dlg-unlisted) > h2")]
        assert chapter_sections and len(chapter_sections) == len(
            page(name).select("article section > h2")) - len(NOT_LISTED)
        items = [box["data-item"] for box in week.select("input.dlg-item")]
        assert items == [f"{name}#{anchor}" for anchor in chapter_sections]
        assert week.select_one("h2 a")["href"] == f"{name}.html"
        for box in week.select("input.dlg-item"):  # every checkbox has a label
            assert week.select_one(f'label[for="{box["id"]}"]').get_text(strip=True)


def test_no_inline_handlers_or_framework(page, built_book):
    """Our markup has no inline event handlers (the theme's own print button aside)."""
    for name in ["checklist", *chapter_names()]:
        article = str(page(name).select_one("article.bd-article"))
        assert not re.search(r"\son[a-z]+\s*=", article), f"inline handler in {name}"
    js = (built_book / "_static" / "dlguide-progress.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js


# --- in the browser ------------------------------------------------------------------

@pytest.fixture
def ctx(browser):
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


def open_checklist(ctx, server):
    page = ctx.new_page()
    page.goto(f"{server}/checklist.html")
    page.wait_for_selector("#dlg-overall-text")
    return page


def stored(page):
    return json.loads(page.evaluate(f"() => localStorage.getItem('{KEY}')") or "null")


def box(page, item):
    return page.locator(f'input.dlg-item[data-item="{item}"]')


def test_checked_item_survives_a_reload(ctx, server):
    page = open_checklist(ctx, server)
    box(page, FIRST).check()
    assert "1 of" in page.locator("#dlg-overall-text").inner_text()
    page.reload()
    page.wait_for_selector("#dlg-overall-text")
    assert box(page, FIRST).is_checked()
    assert stored(page)["checked"] == {FIRST: True}


def test_keyboard_only(ctx, server):
    page = open_checklist(ctx, server)
    box(page, FIRST).focus()
    page.keyboard.press("Space")
    assert box(page, FIRST).is_checked()
    # Tab reaches the "read" link, then the next checkbox
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.locator("input.dlg-item").nth(1).is_checked()


def test_mark_week_done_on_the_chapter_shares_the_same_state(ctx, server):
    page = ctx.new_page()
    page.goto(f"{server}/week02.html")
    page.locator("#dlg-chapter-done").check()
    page.goto(f"{server}/checklist.html")
    page.wait_for_selector("#dlg-overall-text")
    week = page.locator('section.dlg-week[data-week="week02"]')
    boxes = week.locator("input.dlg-item")
    assert boxes.count() >= 6 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert week.locator("input.dlg-week-done").is_checked()
    box(page, FIRST).uncheck()  # and back: the chapter's box is no longer fully done
    page.goto(f"{server}/week02.html")
    assert not page.locator("#dlg-chapter-done").is_checked()


def test_export_reset_import_restores_progress(ctx, server, tmp_path):
    page = open_checklist(ctx, server)
    box(page, FIRST).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    exported = tmp_path / "progress.json"
    download.value.save_as(exported)
    assert json.loads(exported.read_text())["checked"] == {FIRST: True}

    page.once("dialog", lambda d: d.dismiss())           # reset asks first; "cancel" keeps
    page.get_by_role("button", name="Reset checklist").click()
    assert box(page, FIRST).is_checked()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Reset checklist").click()
    assert not box(page, FIRST).is_checked()

    page.set_input_files("#dlg-import-file", str(exported))
    page.wait_for_function("() => document.querySelector('.dlg-progress-panel .dlg-message')"
                           ".textContent.includes('imported')")
    assert box(page, FIRST).is_checked()
    page.reload()
    page.wait_for_selector("#dlg-overall-text")
    assert box(page, FIRST).is_checked()


def test_export_and_import_carry_the_flashcards(ctx, server, tmp_path):
    cards = {"term/softmax": {"box": 3, "due": "2026-12-09"},
             "formula/eq-w03-adam-update": {"box": 1, "due": "2026-12-05"}}
    saved = tmp_path / "with-cards.json"
    saved.write_text(json.dumps({"version": 4, "checked": {FIRST: True}, "scores": {}, "quiz": {},
                                 "rubric": {}, "cards": cards}))
    page = open_checklist(ctx, server)
    page.set_input_files("#dlg-import-file", str(saved))
    page.locator(".dlg-progress-panel .dlg-message").filter(has_text="imported").wait_for()
    assert stored(page)["cards"] == cards
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    exported = tmp_path / "exported.json"
    download.value.save_as(exported)
    assert json.loads(exported.read_text())["cards"] == cards


@pytest.mark.parametrize("content", [
    "this is not json",
    json.dumps([1, 2, 3]),
    json.dumps({"version": 99, "checked": {}, "scores": {}}),
    json.dumps({"version": 1, "checked": {"<img src=x>": True}, "scores": {}}),
    json.dumps({"version": 1, "checked": {FIRST: True}, "scores": {"7": 500}}),
])
def test_malformed_import_is_rejected_and_changes_nothing(ctx, server, tmp_path, content):
    page = open_checklist(ctx, server)
    box(page, FIRST).check()
    before = stored(page)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    page.set_input_files("#dlg-import-file", str(bad))
    message = page.locator(".dlg-progress-panel .dlg-message")
    message.filter(has_text="Import rejected").wait_for()
    assert "Nothing was changed" in message.inner_text()
    assert stored(page) == before
    assert box(page, FIRST).is_checked()


def test_corrupted_storage_keeps_valid_entries_and_says_what_it_ignored(ctx, server):
    page = ctx.new_page()
    page.goto(f"{server}/checklist.html")
    record = {"version": 1, "checked": {FIRST: True, "<script>alert(1)</script>": True,
                                        "week02#softmax": "yes"},
              "scores": {"3": 2, "99": 1, "three": 1}}
    page.evaluate(f"() => localStorage.setItem('{KEY}', {json.dumps(json.dumps(record))})")
    page.reload()
    page.wait_for_selector("#dlg-overall-text")
    assert box(page, FIRST).is_checked()
    notice = page.locator(".dlg-notice").inner_text()
    assert "ignored" in notice and "<script>alert(1)</script>" in notice  # shown as text
    assert page.locator("article script:has-text('alert(1)')").count() == 0
    backup = page.evaluate(f"() => localStorage.getItem('{KEY}.backup')")
    assert json.loads(backup) == record                        # nothing the reader saved is lost
    box(page, "week02#softmax").check()                         # the page still works
    assert stored(page)["checked"] == {FIRST: True, "week02#softmax": True}
    assert stored(page)["scores"] == {"3": 2, "99": 1}       # a question the exam may add


def test_unreadable_storage_is_kept_aside(ctx, server):
    page = ctx.new_page()
    page.goto(f"{server}/checklist.html")
    page.evaluate(f"() => localStorage.setItem('{KEY}', '{{not json')")
    page.reload()
    page.wait_for_selector("#dlg-overall-text")
    assert "not valid JSON" in page.locator(".dlg-notice").inner_text()
    assert page.evaluate(f"() => localStorage.getItem('{KEY}.backup')") == "{not json"
    box(page, FIRST).check()                                    # the page still works
    assert stored(page)["checked"] == {FIRST: True}


def test_throwing_storage_works_for_the_session(ctx, server):
    ctx.add_init_script("""Object.defineProperty(window, 'localStorage', {
        get() { throw new DOMException('denied', 'SecurityError'); } });""")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    page.goto(f"{server}/checklist.html")
    page.wait_for_selector("#dlg-overall-text")
    assert "will not be saved" in page.locator(".dlg-notice").inner_text()
    box(page, FIRST).check()
    assert "1 of" in page.locator("#dlg-overall-text").inner_text()
    # The theme's own scripts also read storage and fail; ours must not.
    assert not [e for e in errors if "dlguide-progress" in e]


def test_the_book_styles_reach_its_own_controls(ctx, server):
    """dlguide.css is scoped to the book's own controls (.dlg-..., the landing page's
    week cards): the scoped rules still reach them."""
    page = open_checklist(ctx, server)
    box(page, FIRST).focus()
    page.keyboard.press("Space")                      # keyboard focus: :focus-visible
    primary = page.evaluate("""() => { const probe = document.createElement("span");
        probe.style.color = "var(--pst-color-primary)"; document.body.append(probe);
        return getComputedStyle(probe).color; }""")
    outline = box(page, FIRST).evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, "
        "s.outlineOffset, s.outlineColor]; }")
    assert outline == ["solid", "2px", "2px", primary]  # not the theme's wider accent ring
    export = page.get_by_role("button", name="Export progress")
    assert export.evaluate("e => getComputedStyle(e).color") == primary
    page.goto(f"{server}/index.html")
    card = page.locator(".dlg-week-card").first
    card.hover()
    assert card.evaluate("e => getComputedStyle(e).transform") == "matrix(1, 0, 0, 1, 0, -2)"


# --- small books built in-process (sphinx.testing) ----------------------------------

def build_checklist_book(tmp_path, builder: str, pages: dict[str, str]):
    """Build a tiny reST book that uses only the checklist extension; return the app and
    its warnings."""
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    from conftest import ROOT

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'conf' / '_ext')!r})\n"
        "extensions = ['dlguide_checklist']\n"
        "latex_engine = 'xelatex'\n"
        "latex_documents = [('index', 'book.tex', 'Book', 'Me', 'manual')]\n")
    for name, text in pages.items():
        (src / f"{name}.rst").write_text(text)
    warnings = StringIO()
    app = SphinxTestApp(builder, srcdir=src, builddir=tmp_path / "out", warning=warnings)
    try:
        app.build()
    finally:
        app.cleanup()
    return app, warnings.getvalue()


INDEX = "Book\n====\n\n.. toctree::\n\n   {}\n   checklist\n"
CHECKLIST = "Checklist\n=========\n\n.. study-checklist::\n"


def test_latex_checklist_escapes_every_special_character(tmp_path):
    """Titles reach LaTeX escaped as Sphinx escapes any text (backslash and caret
    included), so the printed list shows them as written."""
    week = ("Week 2 · C:\\\\temp ^ 50% & $x_1$ #{y} ~z\n"
            "=======================================\n\n"
            "Top\\\\down ^ up\n--------------\n\ntext\n")
    app, warnings = build_checklist_book(tmp_path, "latex", {
        "index": INDEX.format("week02"), "week02": week, "checklist": CHECKLIST})
    assert "WARNING" not in warnings, warnings
    tex = (app.outdir / "book.tex").read_text()
    assert (r"\item[$\square$] \textbf{Week 2 · C:\textbackslash{}temp \textasciicircum{} "
            r"50\% \& \$x\_1\$ \#\{y\} \textasciitilde{}z}") in tex
    assert r"\item[$\square$] Top\textbackslash{}down \textasciicircum{} up" in tex


def test_a_checklist_without_chapters_warns_naming_file_and_line(tmp_path):
    app, warnings = build_checklist_book(tmp_path, "html", {
        "index": INDEX.format("notes"), "notes": "Notes\n=====\n\ntext\n",
        "checklist": CHECKLIST})
    assert (f"{app.srcdir / 'checklist.rst'}:4: WARNING: study-checklist: the book has "
            "no chapter to list") in warnings
    assert "<h1>Checklist" in (app.outdir / "checklist.html").read_text()   # still written
