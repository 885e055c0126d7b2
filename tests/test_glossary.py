"""The glossary: complete, cross-referenced both ways, hover tips, filter, search, audit.

The built HTML is the ground truth: references are read from the chapter pages as a
reader's browser gets them, and compared with what the glossary page says.
"""

import json
import re
from collections import defaultdict
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from conftest import SETTLED, ROOT, build, chapter_names, copy_fixture, open_page

SHOTS = ROOT / "_build" / "screenshots"
TERM_LINK = "article a.reference.internal:has(> span.xref.std-term)"


# --- reading the built pages ---------------------------------------------------------

def entries(page) -> list[dict]:
    """One dict per glossary entry: its dt ids and names, and its "Used in" links."""
    out = []
    for dl in page("glossary").select("dl.glossary"):
        dts = []
        for child in dl.find_all(["dt", "dd"], recursive=False):
            if child.name == "dt":
                dts.append(child)
                continue
            used = [a["href"] for a in child.select(".dlguide-used-in a")]
            ids, names = [], []
            for dt in dts:
                # "long short-term memory (LSTM)": one dt, an anchor per name
                dt = BeautifulSoup(str(dt), "lxml").dt
                for extra in dt.select(".headerlink, .dlguide-term-alias"):
                    extra.extract()
                ids += [dt["id"]] + [span["id"] for span in dt.select("span[id]")]
                names.append(dt.get_text(" ", strip=True))
            for alias in dts[0].select(".dlguide-term-alias") if dts else []:
                names += [n.strip() for n in alias.get_text().strip(" ()").split(",")]
            assert len(ids) == len(names), (ids, names)
            out.append({"ids": ids, "names": names, "used_in": used,
                        "definition": child.p.get_text(" ", strip=True)})
            dts = []
    return out


def referencing_pages(built_book) -> list[str]:
    """Every page built from a source document, except the glossary itself and the
    flashcards, whose cards repeat the glossary's definitions with their cross-links."""
    skip = {"glossary", "flashcards", "search", "genindex"}
    return sorted(p.stem for p in built_book.glob("*.html") if p.stem not in skip)


HEADING = re.compile(r"h[1-6]")


def heading_section(tag):
    """The section with a heading that a tag is in: a reader can be sent there
    (sphinx-exercise wraps a solution's body in an untitled section)."""
    section = tag.find_parent("section", id=True)
    while section is not None and section.find(HEADING, recursive=False) is None:
        section = section.find_parent("section", id=True)
    return section


def references(page, built_book) -> dict[str, set[str]]:
    """dt id -> {"weekNN.html#section-id"} for every term link in every page."""
    found = defaultdict(set)
    for name in referencing_pages(built_book):
        for link in page(name).select(TERM_LINK):
            target, _, anchor = link["href"].partition("#")
            assert target == "glossary.html", link
            found[anchor].add(f"{name}.html#{heading_section(link)['id']}")
    return found


# --- 1. complete: enough terms, no orphan, every chapter links its terms --------------

def test_at_least_120_terms(page):
    assert len(entries(page)) >= 120


def test_no_orphan_every_entry_is_referenced(page, built_book):
    refs = references(page, built_book)
    orphans = [e["names"][0] for e in entries(page) if not any(refs.get(i) for i in e["ids"])]
    assert orphans == []


@pytest.mark.parametrize("name", chapter_names())
def test_every_chapter_links_at_least_10_distinct_terms(page, name):
    entry_of = {i: e["names"][0] for e in entries(page) for i in e["ids"]}
    targets = set()
    for link in page(name).select(TERM_LINK):
        target, _, anchor = link["href"].partition("#")
        assert target == "glossary.html" and anchor in entry_of, link
        targets.add(entry_of[anchor])          # "LSTM" and "long short-term memory": one term
    assert len(targets) >= 10, f"{name} links only {len(targets)} distinct glossary terms"


def test_week02_terms_are_defined(page):
    ids = {dt["id"].lower() for dt in page("glossary").select("dl.glossary dt[id]")}
    for term in ["softmax", "cross-entropy", "backpropagation", "gradient-descent",
                 "vanishing-gradient", "relu", "mean-squared-error", "one-hot-encoding"]:
        assert f"term-{term}" in ids


# --- 2. "Used in" lists equal the references in the built chapters --------------------

def test_used_in_lists_match_the_references_in_the_built_pages(page, built_book):
    """Each entry's "Used in" links are exactly the sections (page#section id, read from
    the pages) that link the term: so each lands on a section that links it. That every
    link resolves is test_links.py's."""
    refs = references(page, built_book)
    for entry in entries(page):
        expected = set().union(*(refs.get(i, set()) for i in entry["ids"]))
        listed = entry["used_in"]
        assert len(listed) == len(set(listed)), f"{entry['names'][0]}: repeated links"
        assert set(listed) == expected, entry["names"][0]


def test_glossary_is_grouped_a_to_z_with_jump_letters(page):
    glossary = page("glossary")
    letters = glossary.select("nav.dlguide-glossary-letters a")
    assert [a.get_text() for a in letters][:3] == ["A", "B", "C"]
    for link in letters:
        section = glossary.find("section", id=link["href"][1:])
        assert section is not None and section.h2.get_text().startswith(link.get_text())
        for dt in section.select("dt"):
            assert dt.get_text().strip()[0].upper() == link.get_text(), dt


# --- 3. hover tips, offline ------------------------------------------------------------

@pytest.mark.parametrize("name", chapter_names())
def test_every_term_link_has_a_tip_with_its_definition(page, built_book, name):
    """sphinx-tippy writes one data file per page: every term link must have a tip."""
    [data] = (built_book / "_static" / "tippy").glob(f"{name}.*.js")
    match = re.search(r"selector_to_html = (\{.*\})\n", data.read_text())
    tips = json.loads(match.group(1))
    for link in page(name).select(TERM_LINK):
        tip = tips.get(f'a[href="{link["href"]}"]')
        assert tip and "<dd>" in tip, f"{name}: no tip for {link['href']}"


def test_hover_shows_the_definition(browser, server, page):
    definition = {i: e["definition"] for e in entries(page) for i in e["ids"]}
    ctx, tab, _ = open_page(browser, server, "week02")   # offline: test_browser.py
    try:
        tab.wait_for_function("() => window.tippy !== undefined")
        link = tab.locator(TERM_LINK).nth(3)
        anchor = link.get_attribute("href").partition("#")[2]
        link.scroll_into_view_if_needed()
        tab.wait_for_timeout(300)
        link.hover()
        tip = tab.locator(".tippy-box")
        tip.wait_for(state="visible", timeout=5000)
        words = " ".join(definition[anchor].split()[:4])        # "The rule for differentiating"
        assert words in " ".join(tip.inner_text().split())
        tab.wait_for_timeout(500)                       # let the fade-in finish
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / "week02-hover.png"))
    finally:
        ctx.close()


# --- 4. the glossary page: filter box, usable without JavaScript -----------------------

def test_filter_hides_non_matching_terms(browser, server):
    ctx, tab, _ = open_page(browser, server, "glossary")
    try:
        box = tab.get_by_label("Filter the glossary")
        total = tab.locator("dl.glossary dt:visible").count()
        box.fill("attention")
        visible = tab.locator("dl.glossary dt:visible").all_inner_texts()
        assert 2 <= len(visible) < total
        assert all("attention" in t.lower() for t in visible), visible
        assert tab.locator("#term-softmax").is_hidden()
        assert tab.locator("section#letter-b").is_hidden()          # no B term matches
        assert "of" in tab.locator(".dlguide-glossary-count").inner_text()
        box.fill("<img src=x onerror=alert(1)>")                     # shown as text only
        assert tab.locator("dl.glossary dt:visible").count() == 0
        assert tab.locator(".dlguide-glossary-count img").count() == 0
        box.fill("")
        assert tab.locator("dl.glossary dt:visible").count() == total
        tab.screenshot(path=str(SHOTS / "glossary.png"))
    finally:
        ctx.close()


def test_glossary_without_javascript_shows_every_term_and_no_filter(browser, server, page):
    ctx = browser.new_context(java_script_enabled=False)
    try:
        tab = ctx.new_page()
        tab.goto(f"{server}/glossary.html")
        assert tab.locator("input[type=search]#dlguide-glossary-filter-input").count() == 0
        assert tab.locator("dl.glossary dt:visible").count() == len(
            page("glossary").select("dl.glossary dt"))
        tab.locator("nav.dlguide-glossary-letters a", has_text="R").click()
        assert tab.url.endswith("#letter-r")
    finally:
        ctx.close()


# The colours the reader sees: the text's colour and the first opaque background behind
# it, as computed by the browser, and their WCAG contrast ratio.
CONTRAST = """el => {
    const rgb = c => c.match(/[\\d.]+/g).map(Number);
    const lum = ([r, g, b]) => {
        const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let box = el, bg = null;
    for (; box; box = box.parentElement) {
        const c = rgb(getComputedStyle(box).backgroundColor);
        if (c.length < 4 || c[3] > 0) { bg = c; break; }
    }
    bg = bg || [255, 255, 255];
    const fg = rgb(getComputedStyle(el).color);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return {fg: fg.slice(0, 3), bg: bg.slice(0, 3), background: lum(bg),
            ratio: (hi + 0.05) / (lo + 0.05)};
}"""


def test_glossary_in_dark_mode_is_dark_and_readable(browser, server):
    """In dark mode the glossary is light text on a dark page: its terms, definitions,
    "Used in" links and jump letters keep a contrast of at least 4.5:1 (WCAG AA)."""
    ctx, tab, _ = open_page(browser, server, "glossary", dark=True)
    try:
        assert tab.evaluate("() => document.documentElement.dataset.theme") == "dark"
        tab.evaluate(SETTLED)
        for selector in ["dl.glossary dt", "dl.glossary dd p", ".dlguide-used-in a",
                         "nav.dlguide-glossary-letters a", "article h1"]:
            seen = tab.locator(selector).first.evaluate(CONTRAST)
            assert seen["background"] < 0.05, f"{selector}: background {seen['bg']} is not dark"
            assert seen["ratio"] >= 4.5, f"{selector}: contrast {seen['ratio']:.2f} ({seen})"
        tab.screenshot(path=str(SHOTS / "glossary-dark.png"))
    finally:
        ctx.close()


# --- 5. search: the glossary entry among the first three results -----------------------

def test_search_ranks_every_glossary_term_in_the_top_3(browser, server, page, built_book):
    """Sphinx's search (what a reader gets from file://; over http the section search of
    test_search.py takes its place), run in the browser for every name of every entry;
    then on the search page itself, opened from the file, as a reader types a query (from
    the file, Sphinx cannot fetch the pages for its excerpts: the entry's link is shown)."""
    names = {name: e["ids"][i] for e in entries(page) for i, name in enumerate(e["names"])}
    ctx = browser.new_context()
    try:
        tab = ctx.new_page()
        tab.goto(f"{server}/search.html", wait_until="networkidle")
        tab.wait_for_function("() => Search._index !== null && Search._index !== undefined")
        tops = tab.evaluate("""names => Object.fromEntries(names.map(q => [q,
            Search._performSearch(...Search._parseQuery(q)).slice(-3)
              .map(r => r[0] + r[2])]))""", list(names))
        missing = {q: tops[q] for q, i in names.items() if f"glossary#{i}" not in tops[q]}
        assert not missing, missing
        # What the reader sees on the search page: the entry among the first three.
        for term in ["gradient descent", "LSTM"]:
            tab.goto(f"{(built_book / 'search.html').as_uri()}?q={term}")
            tab.wait_for_selector("#search-results ul.search li", timeout=10_000)
            results = tab.locator("#search-results ul.search > li")
            hrefs = results.locator("a").evaluate_all(
                "links => links.slice(0, 3).map(a => a.getAttribute('href'))")
            top3 = [(urlparse(h).path.rsplit("/", 1)[-1], urlparse(h).fragment) for h in hrefs]
            assert ("glossary.html", names[term]) in top3, hrefs
            tab.screenshot(path=str(SHOTS / f"search-{term.replace(' ', '-')}.png"))
    finally:
        ctx.close()


# --- 6. the audit, on fixture books ------------------------------------------------------
# (An undefined term failing every build, with its file and line: test_build.py,
# test_a_failed_build_fails_again_until_fixed.)

def test_audit_catches_an_entry_removed_under_an_unchanged_chapter(tmp_path):
    """Removing a glossary entry does not make Sphinx rewrite the chapters that link it;
    the audit reports their now-broken links anyway."""
    src = copy_fixture("glossary_clean", tmp_path)
    assert build(src, tmp_path / "html", tmp_path / "cache").returncode == 0
    index = src / "index.md"
    index.write_text(index.read_text().replace(
        "momentum\n  A running average of past gradients.\n\n", ""))
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert ("glossary_clean/week01.md:3: WARNING: glossary audit: term not in glossary: "
            "'momentum'") in result.log


def test_audit_orphan_entry_fails_the_build(tmp_path):
    src = copy_fixture("glossary_orphan", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert ("glossary_orphan/index.md:13: WARNING: glossary audit: the entry 'momentum' is "
            "referenced by no chapter") in result.log
    assert "'learning rate' is referenced by no chapter" not in result.log


def test_audit_unlinked_term_in_prose_fails_the_build(tmp_path):
    src = copy_fixture("glossary_unlinked", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache")
    log = result.log
    assert result.returncode != 0
    assert ("glossary_unlinked/week01.md:6: WARNING: glossary audit: the glossary term "
            "'momentum' occurs in the prose ('Momentum') but is never linked in this "
            "chapter") in log
    assert ("glossary_unlinked/week01.md:7: WARNING: glossary audit: the glossary term "
            "'batch' occurs in the prose ('batches')") in log            # plural
    assert log.count("glossary audit") == 2                             # week02 links both


def test_audit_ignores_headings_code_maths_links_and_compounds(tmp_path):
    """The term occurs only where no link is needed: the build passes."""
    src = copy_fixture("glossary_clean", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode == 0, result.log[-3000:]
    assert "glossary audit" not in result.log


def test_used_in_follows_incremental_builds(tmp_path):
    """Adding or removing a reference in one chapter updates the glossary on the next
    (incremental) build, although the glossary's own source did not change."""
    src = copy_fixture("glossary_clean", tmp_path)
    out, cache = tmp_path / "html", tmp_path / "cache"

    def used_in(term_id: str) -> list[str]:
        soup = BeautifulSoup((out / "index.html").read_text(), "lxml")   # holds the glossary
        dd = soup.find("dt", id=term_id).find_next_sibling("dd")
        return [a["href"] for a in dd.select(".dlguide-used-in a")]

    assert build(src, out, cache).returncode == 0
    assert used_in("term-batch") == ["week01.html#week-1"]

    chapter = src / "week02.md"
    text = chapter.read_text()
    chapter.write_text(text + "\n## Batches\n\nEach {term}`batch` is a step.\n")
    result = build(src, out, cache)
    assert result.returncode == 0, result.log[-3000:]
    assert used_in("term-batch") == ["week01.html#week-1", "week02.html#batches"]

    chapter.write_text(text)
    assert build(src, out, cache).returncode == 0
    assert used_in("term-batch") == ["week01.html#week-1"]
