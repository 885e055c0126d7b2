"""Shared fixtures: the book is built once per test session, with `make html`.

Tests then read the built HTML as a reader's browser would get it.
"""

import functools
import http.server
import os
import re
import threading
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
BOOK = ROOT / "book"
SPHINX_BUILD = [sys.executable, "-m", "sphinx"]
CHROMIUM = "/usr/bin/chromium"


def chapter_names() -> list[str]:
    """The chapters in the book's source: book/week02.md ... (sorted)."""
    return sorted(p.stem for p in BOOK.glob("week*.md"))


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # Sphinx colours its log where CI=true


def make(target: str) -> subprocess.CompletedProcess:
    """Run `make TARGET` in the project, as a reader would; fail the test if it fails.
    The log comes back without colour codes."""
    result = subprocess.run(["make", "--no-print-directory", target], cwd=ROOT,
                            capture_output=True, text=True)
    result.stdout, result.stderr = ANSI.sub("", result.stdout), ANSI.sub("", result.stderr)
    assert result.returncode == 0, (
        f"make {target} failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return result


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book (incrementally, exactly as a reader would) and return _build/html."""
    make("html")
    return HTML


@pytest.fixture(scope="session")
def page(built_book):
    """page("week02") -> the parsed HTML of _build/html/week02.html (cached)."""
    cache: dict[str, BeautifulSoup] = {}

    def load(name: str) -> BeautifulSoup:
        if name not in cache:
            path = built_book / f"{name}.html"
            assert path.exists(), f"{path} was not built"
            cache[name] = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        return cache[name]

    return load


def build(src: Path, out: Path, cache: Path) -> subprocess.CompletedProcess:
    """Build another source tree the way `make html` builds the book: the parallel
    execution step, then Sphinx with the Makefile's options. Returns the combined result."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    execute = subprocess.run(
        [sys.executable, "-m", "dlguide_build.execute", "--book", str(src), "--cache", str(cache),
         "--report", str(out.parent / "execution-report.json")],
        cwd=ROOT, capture_output=True, text=True, env=env)
    if execute.returncode != 0:
        return execute
    result = subprocess.run(
        [*SPHINX_BUILD, "-b", "html", "-c", str(ROOT / "conf"), "-W", "--keep-going", "-n",
         "-D", f"nb_execution_cache_path={cache}", str(src), str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env)
    result.stdout = execute.stdout + result.stdout
    result.stderr = execute.stderr + result.stderr
    return result


def executed_notebooks(log: str) -> list[str]:
    """The notebooks executed during a build (by dlguide_build.execute or by myst-nb)."""
    parallel = re.findall(r"^  executed (\S+) in", log, flags=re.M)
    serial = re.findall(r"^\S+/([^/\s]+): Executing notebook", log, flags=re.M)
    return parallel + serial


# --- a real browser ----------------------------------------------------------------

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


def open_page(browser, server, name, dark=False, **context):
    """Open a page (in dark mode if asked), wait for MathJax, record every request."""
    if dark:
        context["color_scheme"] = "dark"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/{name}.html", wait_until="networkidle")
    page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && "
                           "window.MathJax.startup.promise)", timeout=10_000)
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    if dark:  # the theme's switch, as the reader's click sets it
        page.evaluate("() => document.documentElement.dataset.mode = 'dark'")
        page.wait_for_timeout(200)
    return ctx, page, requests


