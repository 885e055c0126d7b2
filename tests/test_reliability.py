"""The build is trustworthy: it needs no network, and it is repeatable.

One extra build runs here, from nothing (empty execution cache, empty output folder),
the HTML and then the PDF, inside a network namespace of its own (`unshare -n`) where
only loopback exists: the kernels talk to the build over 127.0.0.1, and nothing else
can be reached. Its executed
notebooks are then compared, cell by cell, with the session's build: every text output,
and every figure byte for byte.
"""

import hashlib
import json
import subprocess
import sys

import pytest

from dlguide_build.execute import cache_key, notebooks as book_notebooks

from conftest import BOOK, REPORT, ROOT, cache_records, executed_notebooks

# A new network namespace holds only a loopback interface, and it starts down.
OFFLINE = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
PROBE = """
import socket, sys
for host in ("1.1.1.1", "8.8.8.8"):
    try:
        socket.create_connection((host, 443), timeout=3).close()
    except OSError:
        continue
    sys.exit(f"the network is not cut off: {host}:443 answered")
print("offline")
"""


def notebooks() -> list[str]:
    return sorted(p.name for p in book_notebooks(BOOK))


def offline_make(target: str, tmp) -> list[str]:
    """`make TARGET` with the network cut off, building into TMP; returns the notebooks
    it executed."""
    cache = (tmp / "cache" / cache_key()).resolve()
    before = cache_records(cache)
    result = subprocess.run(
        [*OFFLINE, "make", "--no-print-directory", target,
         f"BUILDDIR={tmp / 'build'}", f"CACHEDIR={tmp / 'cache'}"],
        cwd=ROOT, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"make {target} failed offline:\n{log[-6000:]}"
    return executed_notebooks(tmp / "build" / REPORT, cache, before)


@pytest.fixture(scope="session")
def offline_build(built_book, tmp_path_factory):
    """`make html` then `make pdf`, from nothing, with the network cut off.
    Returns (build dir, notebooks the HTML build executed, those the PDF build executed)."""
    tmp = tmp_path_factory.mktemp("offline")
    probe = subprocess.run([*OFFLINE, sys.executable, "-c", PROBE],
                           capture_output=True, text=True)
    assert probe.returncode == 0 and "offline" in probe.stdout, (
        f"could not run a command without network:\n{probe.stdout}{probe.stderr}")
    return tmp / "build", offline_make("html", tmp), offline_make("pdf", tmp)


def test_the_whole_book_builds_without_network(offline_build):
    build, html_executed, pdf_executed = offline_build
    # It was a cold build: every notebook ran (not served from a cache).
    assert sorted(html_executed) == notebooks()
    for page in ("index", "week02", "week11", "exam", "checklist", "glossary", "flashcards"):
        assert (build / "html" / f"{page}.html").exists(), f"{page}.html missing"
    assert (build / "html" / "_downloads" / "anki" / "dlguide.apkg").exists()  # the Anki deck
    # The PDF too, from the same cache: its report lists every chapter as cached.
    assert pdf_executed == []
    report = json.loads((build / "execution-report.json").read_text())
    assert not report["failed"] and len(report["cached"]) == len(notebooks())
    assert [p.name for p in (build / "pdf").iterdir()] == ["dlguide.pdf"]


def text_outputs(path) -> list[tuple[int, str]]:
    """(cell number, text) for every text output of every code cell, and a hash of
    every PNG figure.

    Consecutive stream outputs are joined, as the page shows them (``nb_merge_streams``):
    where a cell's printing is cut into chunks depends on when the kernel flushed, not on
    the code. Nothing else is ignored: the chapters print no wall-clock times.
    """
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found: list[tuple[int, str]] = []
    for number, cell in enumerate(cells):
        last_stream = None
        for output in cell.get("outputs", []):
            kind = output["output_type"]
            if kind == "stream":
                text = "".join(output["text"])
                if last_stream == output["name"]:
                    found[-1] = (number, found[-1][1] + text)
                else:
                    found.append((number, text))
                last_stream = output["name"]
                continue
            last_stream = None
            if kind == "error":
                texts = [output["ename"], output["evalue"]]
            else:
                data = output.get("data", {})
                texts = [data[k] for k in sorted(data) if k.startswith("text/")]
                if "image/png" in data:  # figures too, by their hash: byte for byte
                    png = "".join(data["image/png"]).encode()
                    texts.append(f"image/png sha256 {hashlib.sha256(png).hexdigest()}")
            found += [(number, "".join(t) if isinstance(t, list) else t) for t in texts]
    return found


@pytest.mark.parametrize("notebook", notebooks())
def test_two_cold_builds_print_the_same(offline_build, built_book, notebook):
    build = offline_build[0]
    name = notebook.removesuffix(".md") + ".ipynb"
    first = text_outputs(built_book.parent / "jupyter_execute" / name)
    second = text_outputs(build / "jupyter_execute" / name)
    assert first, f"{name} has no text output to compare"
    differences = [f"cell {a[0]}:\n--- first build\n{a[1]}\n--- second build\n{b[1]}"
                   for a, b in zip(first, second) if a != b]
    assert len(first) == len(second), f"{name}: {len(first)} vs {len(second)} outputs"
    assert not differences, f"{name}: outputs differ\n" + "\n".join(differences[:3])
