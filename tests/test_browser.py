"""The pages in a real browser (headless Chromium): math typeset, figures loaded, dark
mode, and nothing fetched from another host. Screenshots are kept for a human look in
_build/screenshots/."""

from urllib.parse import urlparse

import pytest

from conftest import ROOT, chapter_names, open_page, site_pages

SHOTS = ROOT / "_build" / "screenshots"


WITH_MATH = {*chapter_names(), "exam"}


def test_the_pages_visited_are_the_built_site(built_book):
    """site_pages(), which the browser and accessibility tests visit, is every page built."""
    assert sorted(site_pages()) == sorted(p.stem for p in built_book.glob("*.html"))


@pytest.mark.parametrize("name", site_pages())
def test_page_renders_offline(browser, server, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx, page, requests = open_page(browser, server, name)
    try:
        foreign = {urlparse(u).netloc for u in requests if not u.startswith(server)}
        foreign.discard("")  # data: URLs
        assert not foreign, f"{name} fetched from other hosts: {foreign}"
        broken = page.evaluate("""() => [...document.images]
            .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)""")
        assert not broken, f"images that did not load: {broken}"
        if name in WITH_MATH:
            n_math = page.locator("div.math, span.math").count()
            typeset = page.locator("mjx-container").count()
            assert n_math > 0 and typeset >= n_math, f"{typeset} of {n_math} formulas typeset"
            assert page.locator("mjx-merror").count() == 0, "a formula failed to typeset"
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        ctx.close()


def test_dark_mode(browser, server):
    ctx, page, _ = open_page(browser, server, "week02", dark=True)
    try:
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        background = page.evaluate(
            "() => getComputedStyle(document.body).backgroundColor")
        r, g, b = [int(v) for v in background[background.index("(") + 1:-1].split(",")[:3]]
        assert r + g + b < 200, f"dark mode background is {background}"
        # Figures keep a light background, so their black axes stay readable.
        figure_bg = page.evaluate("""() => getComputedStyle(
            document.querySelector('figure img')).backgroundColor""")
        channels = [int(v) for v in figure_bg[figure_bg.index("(") + 1:-1].split(",")[:3]]
        assert min(channels) > 180, f"figure background in dark mode is {figure_bg}"
        page.screenshot(path=str(SHOTS / "week02-dark.png"))
    finally:
        ctx.close()
