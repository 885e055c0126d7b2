"""Section search (Pagefind; conf/_ext/dlguide_pagefind.py, _static/dlguide-search.js).

Over http the reader types into the header's search (Ctrl+K) and gets results grouped by
page, each linking to the section that answers. The quality goal is measured on the
queries of tests/search_queries.toml (what a student would type, with the section or
glossary entry that answers each): the answer among the first 3 results as the reader
sees them, for at least 90% of them. Opened from file://, the book falls back to Sphinx's
own search and says how to get section search.
"""

import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup

from conftest import ROOT, SETTLED, build, copy_fixture, open_page

QUERIES = ROOT / "tests" / "search_queries.toml"
KINDS = {"term", "question", "variant", "api", "number"}
GOAL = 0.9
TOP = 3
RESULTS = "#pst-search-dialog [data-search-result]"
# The search box is done when it shows the results of this very query (not of a query
# typed before it, and not while it is still searching).
DONE = """([q, where]) => { const box = document.querySelector(where + ' [data-search-box]');
    return !!box && box.dataset.searchState === 'done' && box.dataset.searchQuery === q; }"""


def queries() -> list[dict]:
    return tomllib.loads(QUERIES.read_text(encoding="utf-8"))["query"]


def open_search(page):
    """Ctrl+K, as a reader opens the search; returns the search field."""
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog [data-search-input]")
    field.wait_for(state="visible", timeout=10_000)
    return field


def search(page, q: str) -> list[str]:
    """Type Q into the open search; the result links (hrefs) in display order."""
    field = page.locator("#pst-search-dialog [data-search-input]")
    field.fill("")
    field.type(q)
    page.wait_for_function(DONE, arg=[q, "#pst-search-dialog"], timeout=15_000)
    return page.eval_on_selector_all(RESULTS, "links => links.map(a => a.getAttribute('href'))")


def place(href: str) -> str:
    """'/week08.html?highlight=lstm#forget-gate' -> 'week08.html#forget-gate'."""
    url = urlparse(href)
    return f"{Path(url.path).name}#{url.fragment}" if url.fragment else Path(url.path).name


@pytest.fixture(scope="module")
def search_page(browser, server):
    """One page with the search open, and every request it made."""
    ctx, page, requests = open_page(browser, server, "week02")
    open_search(page)
    yield page, requests
    ctx.close()


@pytest.fixture(scope="module")
def answers(search_page) -> dict[str, list[str]]:
    """{query: its result links in display order}, for every query of the file."""
    page, _ = search_page
    return {item["q"]: search(page, item["q"]) for item in queries()}


def test_the_queries_cover_every_kind():
    items = queries()
    assert len(items) >= 30, f"only {len(items)} queries in {QUERIES.name}"
    assert {i["kind"] for i in items} == KINDS, {i["kind"] for i in items}
    assert all("#" in i["target"] for i in items), "every target names its anchor"


def test_the_answer_is_among_the_first_results(answers):
    items = queries()
    empty = [i["q"] for i in items if not answers[i["q"]]]
    failing = [i for i in items if i["target"] not in [place(h) for h in answers[i["q"]][:TOP]]]
    table = "\n".join(
        f"{i['kind']:9} {i['q']!r:40} want {i['target']}\n{'':9} got "
        + (", ".join(place(h) for h in answers[i["q"]][:TOP]) or "nothing") for i in failing)
    passed = 1 - len(failing) / len(items)
    assert passed >= GOAL and not empty, f"{passed:.0%} of the queries find their answer in the first " \
        f"{TOP} (goal {GOAL:.0%}); no result for {empty}; failing:\n{table}"


def test_every_result_links_to_a_section_anchor(answers, built_book):
    ids: dict[str, set[str]] = {}
    bad = set()
    for href in {h for links in answers.values() for h in links}:
        name, _, anchor = place(href).partition("#")
        if name not in ids:
            soup = BeautifulSoup((built_book / name).read_text(encoding="utf-8"), "lxml")
            ids[name] = {t["id"] for t in soup.find_all(id=True)}
        if not anchor or anchor not in ids[name]:
            bad.add(href)
    assert not bad, f"result links without an existing anchor: {sorted(bad)[:10]}"


def test_nothing_is_fetched_from_another_host(answers, search_page, server):
    _, requests = search_page
    assert any("/pagefind/" in u for u in requests), "the search loaded no Pagefind file"
    foreign = {urlparse(u).netloc for u in requests if not u.startswith(server)} - {""}
    assert not foreign, f"the search fetched from other hosts: {foreign}"


def test_excerpts_show_the_book_s_text_not_the_words_the_index_adds(search_page):
    """The index adds spelling variants to a section so that they are found; the
    excerpts show what the book says. "reparametrization": a spelling the book never
    writes, which only the index holds."""
    page, _ = search_page
    assert search(page, "reparameterization trick")
    shown = page.locator("#pst-search-dialog .dlg-search-excerpt").all_text_contents()
    assert shown and not [e for e in shown if "reparametrization" in e.lower()], shown


def test_a_glossary_term_shows_its_entry_first(search_page):
    page, _ = search_page
    links = search(page, "dropout")
    assert links and place(links[0]) == "glossary.html#term-dropout", links[:3]
    for term in ["LSTM", "gradient descent"]:     # an abbreviation; two words
        assert search(page, term)
        first = page.locator(RESULTS).first
        assert place(first.get_attribute("href")).startswith("glossary.html#term-"), term
        assert term.lower() in first.inner_text().lower(), first.inner_text()


def test_keyboard_to_a_result_and_the_query_highlighted_there(browser, server):
    """Ctrl+K, type, Tab to the first result, Enter: the page opens at the section, with
    the query highlighted."""
    ctx, page, _ = open_page(browser, server, "index")
    try:
        open_search(page)
        assert page.evaluate("() => document.activeElement.matches('[data-search-input]')")
        page.keyboard.type("forget gate")
        page.wait_for_function(DONE, arg=["forget gate", "#pst-search-dialog"], timeout=15_000)
        first = page.locator(RESULTS).first.get_attribute("href")
        focused = "() => document.activeElement.getAttribute('href')"
        for _ in range(3):                # Tab reaches the results (past the clear button)
            page.keyboard.press("Tab")
            if page.evaluate(focused) == first:
                break
        assert page.evaluate(focused) == first, "Tab does not reach the first result"
        page.locator("#pst-search-dialog [data-search-input]").focus()
        page.keyboard.press("ArrowDown")  # ...and so does the arrow key
        assert page.evaluate(focused) == first, "ArrowDown does not reach the first result"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("article mark.pagefind-highlight", timeout=10_000)
        assert place(page.url) == place(first)
        marked = page.locator("article mark.pagefind-highlight").all_text_contents()
        assert {m.lower() for m in marked} >= {"forget", "gate"}, marked
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [390, 800, 1280])
def test_one_search_button_in_view(browser, server, width):
    """The theme shows a search button in the header and another in the sidebar; one
    stays, at a phone's width, a tablet's and a desktop's."""
    ctx, page, _ = open_page(browser, server, "week02", viewport={"width": width, "height": 800})
    try:
        assert page.locator(".search-button__button:visible").count() == 1
    finally:
        ctx.close()


def test_one_search_box_and_the_search_page_use_section_search(browser, server):
    """The header's search opens one field (ours, not the theme's beside it), and
    search.html?q=... shows section results instead of Sphinx's page list."""
    ctx, page, _ = open_page(browser, server, "index")
    try:
        page.locator(".search-button__button:visible").first.click()   # the theme's button
        page.locator("#pst-search-dialog [data-search-input]").wait_for(state="visible")
        assert page.locator("#pst-search-dialog input:visible").count() == 1
        page.goto(f"{server}/search.html?q=dropout", wait_until="networkidle")
        page.wait_for_function(DONE, arg=["dropout", "main"], timeout=15_000)
        assert place(page.locator("main [data-search-result]").first.get_attribute("href")) \
            == "glossary.html#term-dropout"
        assert page.locator("main input:visible").count() == 1
        assert not page.locator("#search-results").is_visible()
    finally:
        ctx.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_search_with_results_is_accessible(browser, server, dark):
    ctx, page, _ = open_page(browser, server, "week04", dark=dark)
    try:
        open_search(page)
        assert search(page, "receptive field")
        page.evaluate(SETTLED)
        axe = Axe()
        page.evaluate(axe.axe_script)
        violations = page.evaluate("""() => axe.run({include: [['#pst-search-dialog']]},
            {resultTypes: ['violations']}).then(r => r.violations)""")
        blocking = [f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
                    for v in violations if v["impact"] in {"serious", "critical"}]
        assert not blocking, "\n".join(blocking)
    finally:
        ctx.close()


def test_over_file_the_sphinx_search_works_and_says_how_to_get_section_search(
        browser, built_book):
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        page.goto((built_book / "index.html").as_uri())
        page.keyboard.press("Control+k")
        dialog = page.locator("#pst-search-dialog")
        dialog.locator("input[name=q]").wait_for(state="visible")
        assert "make serve" in dialog.locator("[data-search-notice]").inner_text()
        dialog.locator("input[name=q]").fill("dropout")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("#search-results li", timeout=15_000)
        assert page.locator("#search-results li a").count() > 0
        assert "make serve" in page.locator("main [data-search-notice]").inner_text()
    finally:
        ctx.close()


def test_every_html_build_leaves_the_index(tmp_path):
    """The index is made by every HTML build, incremental ones included (a fixture book,
    built twice in this process)."""
    src = copy_fixture("glossary_clean", tmp_path)
    out = tmp_path / "html"
    first = build(src, out, tmp_path / "cache")
    assert first.returncode == 0, first.log[-3000:]
    assert (out / "pagefind" / "pagefind.js").exists()
    assert (out / "pagefind" / "pagefind-highlight.js").exists()
    assert not list((out / "pagefind").glob("*-ui.*")), "Pagefind's unused UIs are shipped"
    entry = out / "pagefind" / "pagefind-entry.json"
    before = entry.stat().st_mtime_ns
    chapter = src / "week01.md"
    chapter.write_text(chapter.read_text() + "\nA sentence added to the chapter.\n")
    second = build(src, out, tmp_path / "cache")
    assert second.returncode == 0, second.log[-3000:]
    assert "pagefind: indexed" in second.log
    assert entry.stat().st_mtime_ns > before, "the incremental build did not index again"


def test_a_bad_variants_file_fails_the_build(tmp_path):
    src = copy_fixture("glossary_clean", tmp_path)
    (src / "search-variants.toml").write_text('[variants]\ngradient = "gradiant"\n')
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert "search-variants.toml" in result.log and "gradient" in result.log, result.log[-2000:]
