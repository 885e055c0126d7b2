"""A downloaded notebook runs on a student's own machine; the book serves itself locally.

The notebooks are taken as a student takes them: through each page's download link,
from the built site over http. They run in a virtual environment made here, outside the
project's, that holds only what their first cell's pip command installs (and ipykernel,
the kernel that runs them), each in a fresh kernel in a folder of its own outside the
repository, where neither `dlguide` nor `myst_nb` can be imported. What they print must
be what the book printed: the downloaded notebook carries the book's outputs, so every
cell's printed text and every value the text quotes (glue) is compared with them.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest

from conftest import BOOK, ROOT, build, chapter_names, copy_fixture, make, site_pages
from dlguide_build import CELL_TIMEOUT
from dlguide_standalone import BASE, ORDER, pip_command

EXAMS = sorted(p.stem for p in BOOK.glob("exam*.md"))
NOTEBOOKS = chapter_names() + EXAMS
PIP = re.compile(r"^pip install (.+)$", re.M)
GLUE = "dlguide-glue"

# Runs one notebook with nbclient in a fresh kernel of the student's environment, in the
# notebook's folder; writes the run next to it. The project's Python drives it.
RUNNER = """
import sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
path = Path(sys.argv[1])
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, kernel_name="student", timeout=int(sys.argv[2]),
               resources={"metadata": {"path": str(path.parent)}}).execute()
nbformat.write(nb, path.with_suffix(".run.ipynb"))
"""


def clean_env(**extra) -> dict:
    """The environment without anything that would let the project's code in."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH"}}
    return env | extra


@pytest.fixture(scope="session")
def downloads(page, server, tmp_path_factory) -> dict[str, Path]:
    """Every notebook offered by a page's download button, fetched over http, each in a
    folder of its own outside the repository."""
    folder = tmp_path_factory.mktemp("downloads")
    found = {}
    for name in site_pages():
        for link in page(name).select(".dropdown-download-buttons a[href$='.ipynb']"):
            url = urljoin(f"{server}/{name}.html", link["href"])
            with urllib.request.urlopen(url) as response:
                target = folder / name / Path(link["href"]).name
                target.parent.mkdir()
                target.write_bytes(response.read())
                found[name] = target
    assert not str(folder.resolve()).startswith(str(ROOT.resolve()))
    return found


def pip_requirements(notebook) -> list[str]:
    first = notebook.cells[0]
    assert first.cell_type == "markdown", "the first cell is not the instructions"
    commands = PIP.findall(first.source)
    assert len(commands) == 1, f"first cell holds {len(commands)} pip commands"
    return commands[0].split()


@pytest.fixture(scope="session")
def student_python(downloads, tmp_path_factory) -> Path:
    """A clean virtual environment, outside the project, holding only what the
    notebooks' pip commands name, and ipykernel."""
    home = tmp_path_factory.mktemp("student")
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    wanted = sorted({req for path in downloads.values()
                     for req in pip_requirements(nbformat.read(path, as_version=4))})
    kernel = f"ipykernel=={metadata.version('ipykernel')}"
    result = subprocess.run([python, "-m", "pip", "install", "--quiet", *wanted, kernel],
                            capture_output=True, text=True, cwd=home, env=clean_env())
    assert result.returncode == 0, f"pip install {wanted} failed:\n{result.stderr[-3000:]}"
    spec = home / "jupyter" / "kernels" / "student"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(
        '{"argv": ["%s", "-m", "ipykernel_launcher", "-f", "{connection_file}"], '
        '"display_name": "student", "language": "python"}' % python)
    return python


@pytest.fixture(scope="session")
def runs(downloads, student_python) -> dict[str, subprocess.CompletedProcess]:
    """Every downloaded notebook run in a fresh kernel, two at a time."""
    env = clean_env(JUPYTER_PATH=str(student_python.parents[2] / "jupyter"))

    def run(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", RUNNER, str(path), str(CELL_TIMEOUT)],
                              capture_output=True, text=True, cwd=path.parent, env=env)

    with ThreadPoolExecutor(2) as pool:
        return dict(zip(downloads, pool.map(run, downloads.values())))


def test_every_chapter_and_exam_offers_a_notebook(downloads):
    assert sorted(downloads) == sorted(NOTEBOOKS)


def test_the_student_environment_has_only_what_the_notebooks_name(student_python, tmp_path):
    """What the notebooks must do without: the book's packages cannot be imported."""
    probe = ("import importlib.util as u, sys; "
             "sys.exit(sum(u.find_spec(m) is not None for m in "
             "('dlguide', 'dlguide_build', 'myst_nb', 'sphinx')))")
    assert subprocess.run([student_python, "-c", probe], cwd=tmp_path,
                          env=clean_env()).returncode == 0
    torch = subprocess.run([student_python, "-c", "import torch; print(torch.__version__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=clean_env())
    assert torch.stdout.startswith(metadata.version("torch").split("+")[0])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_downloaded_notebook_names_what_it_needs(downloads, name):
    """The first cell gives one pip command: the book's versions, the four packages
    every notebook needs, and torch-geometric or kornia only where the code imports
    them. No code imports the book's own packages; one cell is the marked set-up."""
    notebook = nbformat.read(downloads[name], as_version=4)
    requirements = pip_requirements(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    needed = BASE + [d for d, module in [("torch-geometric", "torch_geometric"),
                                         ("kornia", "kornia")]
                     if re.search(rf"^\s*(import|from) {module}\b", code, re.M)]
    assert " ".join(["pip", "install", *requirements]) == pip_command(
        [d for d in ORDER if d in needed])
    assert not re.search(r"^\s*(import|from) (dlguide|myst_nb)\b", code, re.M)
    setup = [c for c in notebook.cells if "dlguide-setup" in c.metadata.get("tags", [])]
    assert len(setup) == 1 and setup[0].source.startswith("# Set-up")
    assert "dlguide = SimpleNamespace(" in setup[0].source


def printed(notebook) -> list[tuple[str, dict[str, str]]]:
    """Per code cell (the set-up cell left out): its printed text and its quoted values."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or "dlguide-setup" in cell.metadata.get("tags", []):
            continue
        text = "".join(o.get("text", "") for o in cell.outputs
                       if o.output_type == "stream" and o.name == "stdout")
        glued = {o.metadata[GLUE]: o.data["text/plain"] for o in cell.outputs
                 if GLUE in o.get("metadata", {})}
        cells.append((text, glued))
    return cells


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_downloaded_notebook_runs_on_its_own(downloads, runs, name):
    """It runs from top to bottom in the clean environment, and prints what the book
    printed: every cell's output text, and every value the text quotes."""
    result = runs[name]
    assert result.returncode == 0, f"{name}.ipynb failed on its own:\n{result.stderr[-6000:]}"
    book = printed(nbformat.read(downloads[name], as_version=4))
    student = printed(nbformat.read(downloads[name].with_suffix(".run.ipynb"), as_version=4))
    assert len(book) == len(student)
    quoted = {k: v for _, glued in book for k, v in glued.items()}
    assert quoted, f"{name}: the book quotes no values?"
    assert {k: v for _, glued in student for k, v in glued.items()} == quoted
    differ = [(i, b, s) for i, ((b, _), (s, _)) in enumerate(zip(book, student)) if b != s]
    assert not differ, f"{name}: cells print other text than in the book: {differ[:3]}"


def test_landing_page_says_what_a_notebook_needs(page, downloads):
    """The landing page gives the command with every package and says which notebooks
    need the optional two; the README says the same."""
    text = " ".join(page("index").get_text(" ").split())
    assert pip_command(ORDER) in text
    needs = {name: pip_requirements(nbformat.read(path, as_version=4))
             for name, path in downloads.items()}
    kornia = sorted(n for n, reqs in needs.items() if any("kornia" in r for r in reqs))
    geometric = sorted(n for n, reqs in needs.items() if any("geometric" in r for r in reqs))
    assert kornia == ["week05"] and "Week 5 also needs kornia" in text
    assert geometric == sorted(["week11", *EXAMS])
    assert "Week 11 and the two exams also need torch-geometric" in text
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert pip_command(ORDER) in readme and "make serve" in readme


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_serve_serves_the_book(built_book):
    """`make serve` serves the built book on 127.0.0.1 (port 8000 unless PORT is given):
    a page and a static asset come back; stopping it frees the port."""
    assert "http.server 8000 --bind 127.0.0.1" in make("serve", "-n").stdout
    port = free_port()
    server = subprocess.Popen(["make", "--no-print-directory", "serve", f"PORT={port}"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/week02.html", timeout=5) as response:
                    page_html = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, f"make serve stopped:\n{server.stdout.read()}"
                assert time.monotonic() < deadline, "make serve did not answer in 2 minutes"
                time.sleep(0.5)
        assert "Week 2" in page_html and "<html" in page_html
        with urllib.request.urlopen(f"{base}/_static/dlguide.css", timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/css")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=20)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base}/week02.html", timeout=5)


def test_a_download_that_cannot_run_on_its_own_fails_the_build(tmp_path):
    """A notebook the download step cannot make self-contained stops the build, naming
    the page, the cell's line and the problem."""
    src = copy_fixture("download_bad", tmp_path)
    result = build(src, tmp_path / "html", tmp_path / "cache")
    assert result.returncode != 0
    assert re.search(r"download_bad/index\.md:20: WARNING: the downloadable notebook cannot "
                     r"run on its own: a cell imports dlguide or myst_nb", result.log), \
        result.log[-3000:]
