"""The pages in a real browser (headless Chromium): math typeset, figures loaded, dark
mode, and nothing fetched from another host. Screenshots are kept for a human look in
_build/screenshots/."""

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from conftest import CHROMIUM, ROOT, chapter_names

SHOTS = ROOT / "_build" / "screenshots"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


def open_page(browser, server, name, **context):
    """Open a page, wait for MathJax, and record every request it makes."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/{name}.html", wait_until="networkidle")
    page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && "
                           "window.MathJax.startup.promise)", timeout=10_000)
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    return ctx, page, requests


@pytest.mark.parametrize("name", ["index", *chapter_names()])
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
        if name != "index":
            n_math = page.locator("div.math, span.math").count()
            typeset = page.locator("mjx-container").count()
            assert n_math > 0 and typeset >= n_math, f"{typeset} of {n_math} formulas typeset"
            assert page.locator("mjx-merror").count() == 0, "a formula failed to typeset"
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        ctx.close()


def test_dark_mode(browser, server):
    ctx, page, _ = open_page(browser, server, "week02", color_scheme="dark")
    try:
        page.evaluate("() => document.documentElement.dataset.mode = 'dark'")
        page.wait_for_timeout(200)
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
