"""Shared fixtures: the book is built once per test session, with `make html`.

Tests then read the built HTML as a reader's browser would get it.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
BOOK = ROOT / "book"
SPHINX_BUILD = [sys.executable, "-m", "sphinx"]
CHROMIUM = "/usr/bin/chromium"


def chapter_names() -> list[str]:
    """The chapters in the book's source: book/week02.md ... (sorted)."""
    return sorted(p.stem for p in BOOK.glob("week*.md"))


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the book (incrementally, exactly as a reader would) and return _build/html."""
    result = subprocess.run(["make", "--no-print-directory", "html"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"make html failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
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


def sphinx(src: Path, out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the book's Sphinx command (the Makefile's options) on another source tree."""
    cmd = [*SPHINX_BUILD, "-b", "html", "-c", str(ROOT / "conf"), "-W", "--keep-going", "-n",
           "-D", f"nb_execution_cache_path={cache}", *extra, str(src), str(out)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def executed_notebooks(log: str) -> list[str]:
    """The notebooks myst-nb executed during a build, read from its log."""
    return re.findall(r"^(\S+): Executing notebook", log, flags=re.M)
