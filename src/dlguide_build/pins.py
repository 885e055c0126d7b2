"""Regenerate the pins from the environment: ``python -m dlguide_build.pins``.

Writes ``constraints/kernel.txt`` (what a chapter's kernel runs: the project's own
dependencies, ipykernel, their dependency closure, and myst-nb, whose ``glue`` the
chapters import) and ``constraints/tooling.txt`` (everything else installed: Sphinx,
its extensions, the test tools). torch is pinned by the Makefile, not here. Only the
kernel file is part of the execution cache's key, so bumping a tool or a test library
never re-executes the book.
"""

import importlib.metadata as metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
KERNEL_ROOTS = ["dlguide", "ipykernel"]
KERNEL_EXTRA = ["myst-nb"]          # imported by the chapters, its dependencies are not
LEFT_OUT = {"dlguide", "torch", "setuptools", "pip"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: list[str], dists: dict) -> set[str]:
    seen: set[str] = set()
    stack = [canonical(r) for r in roots]
    while stack:
        name = stack.pop()
        if name in seen or name not in dists:
            continue
        seen.add(name)
        for text in dists[name].requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                stack.append(canonical(req.name))
    return seen


def main() -> int:
    dists = {canonical(d.metadata["Name"]): d for d in metadata.distributions()}
    kernel = closure(KERNEL_ROOTS, dists) | set(map(canonical, KERNEL_EXTRA))
    pins = {name: f"{d.metadata['Name']}=={d.version}" for name, d in dists.items()
            if name not in LEFT_OUT}
    out = ROOT / "constraints"
    for path, names in ((out / "kernel.txt", kernel), (out / "tooling.txt", set(pins) - kernel)):
        header = [line for line in path.read_text().splitlines() if line.startswith("#")]
        body = sorted((pins[n] for n in names if n in pins), key=str.lower)
        path.write_text("\n".join(header + body) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(body)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
