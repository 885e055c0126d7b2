"""Execute one chapter outside Sphinx, for writing and timing it.

    python -m dlguide_build.run book/week02.md [--save out.ipynb] [--show]

Runs every code cell of the MyST notebook in a fresh kernel, from the chapter's folder
(as the build does), prints the time each cell took and, on failure, the failing cell and
its traceback. The exit status is 1 when a cell fails. Nothing is cached.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from dlguide_build import CELL_TIMEOUT


def load(path: Path) -> nbformat.NotebookNode:
    """Read a MyST markdown chapter into a notebook, as myst-nb does."""
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=str(path))


def execute(path: Path, timeout: int = CELL_TIMEOUT) -> tuple[nbformat.NotebookNode, list[float]]:
    """Execute the chapter; return the executed notebook and each code cell's wall time."""
    nb = load(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    times: list[float] = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            start = time.perf_counter()
            client.execute_cell(cell, index)
            times.append(time.perf_counter() - start)
    return nb, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", type=Path)
    parser.add_argument("--save", type=Path, help="write the executed notebook here")
    parser.add_argument("--show", action="store_true", help="print every cell's text output")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        nb, times = execute(args.chapter)
    except CellExecutionError as err:
        print(f"{args.chapter}: a cell failed\n{err}", file=sys.stderr)
        return 1
    for i, (cell, t) in enumerate(zip([c for c in nb.cells if c.cell_type == "code"], times)):
        first = cell.source.strip().splitlines()[0][:70] if cell.source.strip() else ""
        print(f"cell {i:2d} {t:6.2f}s  {first}")
        if args.show:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    print("        " + out["text"].rstrip().replace("\n", "\n        "))
                elif "text/plain" in out.get("data", {}) and "image/png" not in out.get("data", {}):
                    print("        " + out["data"]["text/plain"][:500].replace("\n", "\n        "))
                elif "image/png" in out.get("data", {}):
                    print("        [figure]")
    print(f"{args.chapter}: {len(times)} cells in {time.perf_counter() - start:.1f}s "
          f"(cells {sum(times):.1f}s)")
    if args.save:
        nbformat.write(nb, args.save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
