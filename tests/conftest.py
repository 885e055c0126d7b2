"""Shared fixtures: the book is built once per test session, with `make html`.

Tests then read the built HTML as a reader's browser would get it.
"""

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright

from dlguide_build.execute import cache_key

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
BOOK = ROOT / "book"
CHROMIUM = "/usr/bin/chromium"

sys.path.insert(0, str(ROOT / "conf" / "_ext"))
from dlguide_book import is_chapter  # noqa: E402  (what a chapter is: one home)


def chapter_names() -> list[str]:
    """The chapters in the book's source, by the book's own rule (dlguide_book)."""
    return sorted(p.stem for p in BOOK.glob("*.md") if is_chapter(p.stem))


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # Sphinx colours its log where CI=true


def make(target: str, *variables: str) -> subprocess.CompletedProcess:
    """Run `make TARGET [VAR=value ...]` in the project, as a reader would; fail the test
    if it fails. The log comes back without colour codes."""
    result = subprocess.run(["make", "--no-print-directory", target, *variables], cwd=ROOT,
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


# --- the printed book (make pdf), built once after the HTML -------------------------------

PDF_DIR = ROOT / "_build" / "pdf"


@pytest.fixture(scope="session")
def pdf_build(built_book):
    """`make pdf` after the HTML build (which filled the execution cache); returns the
    notebooks it executed."""
    cache = ROOT / ".jupyter_cache" / cache_key()
    before = cache_records(cache)
    make("pdf")
    return executed_notebooks(ROOT / "_build" / REPORT, cache, before)


@pytest.fixture(scope="session")
def pdf(pdf_build):
    pdfs = list(PDF_DIR.glob("*.pdf"))
    assert len(pdfs) == 1, f"expected exactly one PDF, found {pdfs}"
    return pdfs[0]


@pytest.fixture(scope="session")
def text(pdf):
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"[ \t]+", " ", out)


# --- fixture books, built in this process ---------------------------------------------

FIXTURES = ROOT / "tests" / "fixtures"
REPORT = "execution-report.json"   # where `make html` and build() leave the execution report
# The configuration of a fixture book is the book's own, conf/conf.py, run unchanged
# (sphinx.testing reads conf.py from the source folder).
CONF_STUB = """# Written by the tests: the book's configuration, conf/conf.py, unchanged.
__file__ = {conf!r}
exec(compile(open(__file__, encoding="utf-8").read(), __file__, "exec"))
"""


@functools.cache
def strict_options() -> tuple[str, ...]:
    """The strict Sphinx options (`-W --keep-going -n`), from their one home: the Makefile."""
    out = subprocess.run(["make", "-s", "--no-print-directory", "print-strict"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.split(), "make print-strict printed nothing"
    return tuple(out.split())


def sphinx_arguments(src: Path, out: Path, options: tuple[str, ...]) -> dict:
    """SphinxTestApp's arguments for sphinx-build's OPTIONS, read by sphinx-build's own
    parser; an option this does not translate fails the test instead of being dropped."""
    from sphinx.cmd.build import get_parser

    parser = get_parser()
    args = parser.parse_args([*options, str(src), str(out)])
    default = parser.parse_args([str(src), str(out)])
    # --keep-going is what Sphinx always does since 8.1: nothing to pass.
    handled = {"warningiserror", "keep_going", "nitpicky", "define", "exception_on_warning"}
    other = [k for k in vars(args) if getattr(args, k) != getattr(default, k) and k not in handled]
    assert not other, f"options {options} set {other}, which build() does not pass on"
    overrides = dict(d.split("=", 1) for d in args.define)
    if args.nitpicky:
        overrides["nitpicky"] = True
    return {"warningiserror": args.warningiserror, "confoverrides": overrides,
            "exception_on_warning": args.exception_on_warning}


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """A copy of the fixture book tests/fixtures/NAME, as TMP_PATH/NAME: warnings name
    its files as <...>/NAME/week01.md:3, and build() may write into it."""
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def cache_records(cache: Path) -> dict[int, str]:
    """{record id: notebook path} of every executed notebook in a jupyter-cache folder."""
    if not (cache / "global.db").exists():
        return {}
    from jupyter_cache import get_cache

    return {r.pk: r.uri for r in get_cache(cache).list_cache_records()}


def executed_notebooks(report: Path, cache: Path, before: dict[int, str]) -> list[str]:
    """The notebooks (file names) a build executed: those the execution step's report
    (``--report``) lists, then any that myst-nb executed itself while Sphinx read (a
    notebook added to the execution cache during the build beyond those of the report).
    BEFORE is ``cache_records(cache)`` taken before the build."""
    executed = []
    if report.exists():
        executed = [Path(e["notebook"]).name for e in json.loads(report.read_text())["executed"]]
    new = Counter(Path(uri).name for pk, uri in cache_records(cache).items() if pk not in before)
    new.subtract(executed)
    return executed + sorted(new.elements())


@dataclass
class Build:
    returncode: int     # 0: passed; 1: warnings (errors under -W); 2: an exception
    log: str            # the execution step's output, Sphinx's messages, warnings and error
    executed: list[str]  # the notebooks executed (file names), see executed_notebooks()


def build(src: Path, out: Path, cache: Path, *, execute: bool | None = None) -> Build:
    """Build the fixture book SRC (a copy: see copy_fixture) into OUT (named ``html``) the
    way `make html` builds the book: the parallel execution step first (``python -m
    dlguide_build.execute``; by default only where SRC has notebooks), then Sphinx in this
    process (sphinx.testing) with the book's configuration and the Makefile's strict
    options. The doctrees go to OUT/../doctrees, the execution report to OUT/../REPORT.
    Warnings are in the log as a reader sees them: ``<path>/week01.md:3: WARNING: ...``."""
    from dlguide_build.execute import notebooks
    from sphinx.testing.util import SphinxTestApp

    src, out, cache = Path(src), Path(out), Path(cache)
    assert out.name == "html", out
    assert not src.resolve().is_relative_to(ROOT), f"build a copy, not {src} in place"
    report = out.parent / REPORT
    report.unlink(missing_ok=True)
    before = cache_records(cache)
    log = ""
    if execute if execute is not None else bool(notebooks(src)):
        step = subprocess.run(
            [sys.executable, "-m", "dlguide_build.execute", "--book", str(src),
             "--cache", str(cache), "--report", str(report)],
            cwd=ROOT, capture_output=True, text=True)
        log = step.stdout + step.stderr
        if step.returncode != 0:
            return Build(step.returncode, log, executed_notebooks(report, cache, before))
        before = cache_records(cache)
    executed = [Path(e["notebook"]).name for e in json.loads(report.read_text())["executed"]] \
        if report.exists() else []

    (src / "conf.py").write_text(CONF_STUB.format(conf=str(ROOT / "conf" / "conf.py")))
    options = sphinx_arguments(src, out, strict_options())
    options["confoverrides"]["nb_execution_cache_path"] = str(cache)
    app = None
    try:
        app = SphinxTestApp("html", srcdir=src, builddir=out.parent, **options)
        app.build()
        returncode = app.statuscode
    except Exception as error:  # as sphinx-build reports it: the exception, then exit 2
        returncode, failure = 2, "".join(traceback.format_exception_only(error))
    else:
        failure = ""
    finally:
        if app is not None:
            log += app.status.getvalue() + app.warning.getvalue()
            app.cleanup()
    log = ANSI.sub("", log + failure)
    new = [Path(uri).name for pk, uri in cache_records(cache).items() if pk not in before]
    return Build(returncode, log, executed + sorted(new))


# --- the pages a reader visits -------------------------------------------------------

def site_pages() -> list[str]:
    """Every page of the web book (what the browser and accessibility tests visit): one
    per document of book/ that the HTML build reads, and Sphinx's index and search pages.
    test_browser checks that this is exactly the built site's pages."""
    not_web = {"_toc", "pdf"}   # the reading order, included by index.md; the PDF's root
    return sorted(p.stem for p in BOOK.glob("*.md") if p.stem not in not_web) + [
        "genindex", "search"]


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


# Opened dropdowns fade in and the dark theme fades its colours: axe and the
# colour checks must measure the settled page, not half-faded text. Waits for every finite animation and transition.
SETTLED = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


def open_page(browser, server, name, dark=False, **context):
    """Open a page (in dark mode if asked), wait for MathJax, record every request."""
    if dark:
        context["color_scheme"] = "dark"
    context.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(**context)
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


