"""Make a chapter's notebook run on a student's own machine, outside this repository.

The book's notebooks import two things that exist only here: the helper package
``dlguide`` (seeding, plot style, the digits data) and myst-nb's ``glue`` (which puts a
computed value into the text). :func:`standalone` rewrites the executed notebook that
the download button serves, and leaves the book's sources and pages as they are:

* a first markdown cell says what the notebook needs: one ``pip install`` naming the
  exact versions the book ran with, and only the packages its code imports;
* a set-up cell, marked as such, holds the source of the helper modules the notebook
  uses, read from ``src/dlguide/`` at build time (one home: the package itself), and a
  ``glue`` that shows the value instead (``name = value``);
* ``import dlguide`` and ``from myst_nb import glue`` are taken out of the chapter's
  first code cell; every other line of code is unchanged, so ``dlguide.setup()`` and
  ``dlguide.plot.COLORS`` work against the inlined code.

The stored outputs of ``glue`` calls become what the inlined ``glue`` shows, so the
downloaded notebook looks as it will after a run. Anything the rewrite cannot make
self-contained (another import of ``dlguide``, a package a student would not have)
raises :class:`NotStandalone`, which the build reports as an error at the cell's line.
"""

import ast
import base64
import copy
import mimetypes
import re
import sys
from importlib import metadata
from pathlib import Path

import nbformat

import dlguide

PACKAGE = Path(dlguide.__file__).parent

#: What each imported top-level module needs installed: the PyPI distribution named in
#: the notebook's pip command. scipy comes with scikit-learn; IPython, which the inlined
#: set-up uses, with Jupyter itself.
DISTRIBUTIONS = {
    "torch": "torch", "numpy": "numpy", "matplotlib": "matplotlib",
    "sklearn": "scikit-learn", "scipy": "scikit-learn", "threadpoolctl": "scikit-learn",
    "torch_geometric": "torch-geometric", "kornia": "kornia", "IPython": None,
    "matplotlib_inline": None,
}
#: Always named, in this order: what every chapter's set-up needs.
BASE = ["torch", "numpy", "matplotlib", "scikit-learn"]
ORDER = BASE + ["torch-geometric", "kornia"]

#: The helper modules in the order their code must run; ``data`` only when used.
MODULES = ["seed", "plot", "kernel", "data"]
DATA_NAMES = {"digits", "sample_image"}

SETUP_MARK = "dlguide-setup"
GLUE_MARK = "dlguide-glue"

REMOVED = {"import dlguide", "from myst_nb import glue"}

#: A MyST figure of a file beside the page: ```{figure} figures/x.svg, options, caption.
FIGURE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{figure\}[ \t]+(?P<path>\S+)[ \t]*\n"
                    r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)

GLUE_CODE = '''
def glue(name, value, display=True):
    """In the book, glue() puts a computed value into the text; here it is shown."""
    from IPython.display import display as show
    if hasattr(value, "savefig"):  # a figure: show it
        show(value)
    else:
        show({"text/plain": f"{name} = {value!r}"}, raw=True,
             metadata={"%s": name})
''' % GLUE_MARK


class NotStandalone(Exception):
    """The notebook cannot be made to run outside the repository; ``line`` is in the
    page's source (or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def pinned(distribution: str) -> str:
    """``torch==2.13.0``: the version the book itself ran with (local tags dropped)."""
    return f"{distribution}=={metadata.version(distribution).split('+')[0]}"


def pip_command(distributions: list[str]) -> str:
    """The one command that installs what a downloaded notebook needs."""
    return "pip install " + " ".join(pinned(d) for d in distributions)


def source_lines(notebook) -> dict[int, int]:
    """The line in the page's source where each cell starts, by the cell's index
    (myst-nb's source map counts from 0)."""
    lines = notebook.metadata.get("source_map") or []
    return {i: line + 1 for i, line in enumerate(lines)}


def imported_modules(source: str) -> set[str]:
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def module_parts(name: str) -> tuple[list[str], str]:
    """A helper module's top-level imports (not of its siblings) and its remaining code,
    without the module docstring."""
    source = (PACKAGE / f"{name}.py").read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    drop, imports = set(), []
    for i, node in enumerate(tree.body):
        is_doc = i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if is_doc or isinstance(node, (ast.Import, ast.ImportFrom)):
            drop |= set(range(node.lineno - 1, node.end_lineno))
            if not is_doc and "dlguide" not in imported_modules(ast.unparse(node)):
                imports.append(ast.unparse(node))
    body = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip()
    return imports, body


def setup_cell_source(used: set[str], plot_used: set[str]) -> str:
    """The set-up cell: the helper modules' code, a namespace ``dlguide`` holding what
    the notebook calls, and the stand-in for ``glue``."""
    modules = [m for m in MODULES if m != "data" or used & DATA_NAMES]
    imports, bodies = ["from types import SimpleNamespace"], []
    for name in modules:
        module_imports, body = module_parts(name)
        imports += [line for line in module_imports if line not in imports]
        bodies.append(f"# --- from the book's dlguide/{name}.py\n{body}")
    third_party = lambda line: line.split()[1].split(".")[0] not in sys.stdlib_module_names
    plain = sorted(imports, key=lambda line: (third_party(line), line.startswith("from"), line))
    fields = [f"{name}={name}" for name in sorted(used - {"plot"})]
    if "plot" in used:
        plot = ", ".join(f"{name}={name}" for name in sorted(plot_used))
        fields.append(f"plot=SimpleNamespace({plot})")
    return "\n".join([
        "# Set-up: the book's helper code (package `dlguide`), inlined so that this",
        "# notebook runs on its own. Run this cell first; the chapter's code below calls",
        "# dlguide.setup(), dlguide.digits(), ... as in the book.",
        *plain, "", "", "\n\n\n".join(bodies), "", "",
        f"dlguide = SimpleNamespace({', '.join(fields)})",
        "", "", GLUE_CODE.strip(), "",
    ])


def intro_cell_source(title: str, distributions: list[str], data: bool) -> str:
    command = pip_command(distributions)
    return "\n".join([
        f"**{title}**, from *Deep Learning: A Study Book* (dlguide).",
        "",
        "This notebook runs on its own, on a laptop CPU. It needs Python 3.10 or later, "
        "Jupyter (or any editor that runs notebooks), and these packages, the versions "
        "the book was built with:",
        "",
        "```bash",
        command,
        "```",
        "",
        "Run the set-up cell first (it is marked *Set-up*): it holds the book's small "
        "helper code (seeds, one CPU thread, plot style"
        + (", the digits data" if data else "") + "). "
        "The text is written in MyST Markdown: roles such as {term}`...` and "
        "{glue:text}`name` are shown as written; the values they quote are printed by "
        "the cells (`name = value`).",
    ])


def figures_as_attachments(cell, srcdir: Path) -> None:
    """A figure whose file lies beside the page travels inside the notebook: a Markdown
    image of the cell's attachment, with its alt text, and the caption below it."""
    attachments = {}

    def replace(match: re.Match) -> str:
        path = srcdir / match["path"]
        mime = mimetypes.guess_type(path.name)[0]
        if not path.is_file() or not mime:
            return match[0]
        options, _, caption = match["body"].partition("\n\n")
        alt = re.search(r"^:alt:[ \t]*(.*)$", options, re.M)
        attachments[path.name] = {mime: base64.b64encode(path.read_bytes()).decode()}
        alt_text = alt[1].replace("[", "(").replace("]", ")") if alt else ""
        return f"![{alt_text}](attachment:{path.name})\n\n**Figure.** {caption.strip()}"

    cell.source = FIGURE.sub(replace, cell.source)
    if attachments:
        cell["attachments"] = attachments


def standalone(notebook, title: str, srcdir: Path | None = None):
    """A copy of ``notebook`` that needs only PyPI packages (see the module's doc);
    figures whose files lie in ``srcdir`` are carried as attachments."""
    nb = copy.deepcopy(notebook)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and srcdir is not None:
            figures_as_attachments(cell, srcdir)
    used, plot_used, modules = set(), set(), set()
    line_of = source_lines(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.split("\n")
        kept = "\n".join(line for line in lines if line.strip() not in REMOVED)
        cell.source = re.sub(r"\n{3,}", "\n\n", kept)  # no gap where an import was
        try:
            found = imported_modules(cell.source)
        except SyntaxError as error:
            raise NotStandalone(f"cannot parse a code cell: {error}", line_of.get(index))
        if found & {"dlguide", "myst_nb"}:
            offset = next((i for i, line in enumerate(lines) if line.strip() not in REMOVED
                           and re.match(r"\s*(import|from)\s+(dlguide|myst_nb)\b", line)), 0)
            start = line_of.get(index)
            raise NotStandalone("a cell imports dlguide or myst_nb in a way the download "
                                "cannot inline (only `import dlguide` and `from myst_nb "
                                "import glue` are)", start and start + offset)
        modules |= found
        for match in re.finditer(r"\bdlguide\.(\w+)(?:\.(\w+))?", cell.source):
            used.add(match[1])
            if match[1] == "plot":
                plot_used.add(match[2])
        _glue_outputs_as_shown(cell)
    unknown = sorted(m for m in modules - set(sys.stdlib_module_names)
                     if m not in DISTRIBUTIONS)
    if unknown:
        raise NotStandalone(f"the code imports {', '.join(unknown)}, which the downloaded "
                            f"notebook's pip command does not install")
    wanted = {DISTRIBUTIONS[m] for m in modules if DISTRIBUTIONS.get(m)} | set(BASE)
    distributions = [d for d in ORDER if d in wanted]

    setup = setup_cell_source(used, plot_used)
    defined = _top_level_names(setup)
    missing = sorted((used - {"plot"} - defined) | (plot_used - defined))
    if missing:
        raise NotStandalone(f"the code calls dlguide.{', dlguide.'.join(missing)}, which "
                            f"the set-up cell does not define")
    setup_cell = nbformat.v4.new_code_cell(setup, metadata={
        "tags": [SETUP_MARK], "dlguide": "set-up: the book's helper code, inlined"})
    intro = nbformat.v4.new_markdown_cell(intro_cell_source(title, distributions, bool(used & DATA_NAMES)),
                                          metadata={"tags": ["dlguide-requirements"]})
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code, setup_cell)
    nb.cells.insert(0, intro)
    nb.metadata.pop("source_map", None)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    return nb


def _top_level_names(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _glue_outputs_as_shown(cell) -> None:
    """A stored ``glue`` output (invisible outside myst-nb) becomes what the inlined
    ``glue`` shows: ``name = value``."""
    for output in cell.get("outputs", []):
        mark = output.get("metadata", {}).get("scrapbook")
        if not mark:
            continue
        prefix = mark.get("mime_prefix", "")
        text = output["data"].get(f"{prefix}text/plain")
        if text is None:
            data = {k[len(prefix):]: v for k, v in output["data"].items()}
        else:
            data = {"text/plain": f"{mark['name']} = {text}"}
        output["data"] = data
        output["metadata"] = {GLUE_MARK: mark["name"]}
