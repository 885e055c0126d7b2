"""Execute the book's notebooks in parallel into the execution cache, before Sphinx reads.

    python -m dlguide_build.execute [--book book] [--cache .jupyter_cache] [--report FILE]

myst-nb (``nb_execution_mode = "cache"``) would run the chapters one after another as
Sphinx reads them. This runs every chapter whose code is not in the cache yet, on all
cores at once, with jupyter-cache's own parallel executor; Sphinx then finds each
chapter in the cache and executes nothing. A chapter whose code is unchanged is never
run again, whatever its prose.

The notebooks are read exactly as myst-nb reads them (its ``myst_nb_md`` reader), so the
cache entries match. The cache lives in ``.jupyter_cache/<key>/``, where the key hashes
what a chapter's kernel runs: the helper package ``dlguide`` and the kernel's pins
(``constraints/kernel.txt``). jupyter-cache only looks at a chapter's own code, so
without the key a change to a shared helper or to a pinned version would leave stale
outputs in the book; the build tooling and its pins are not in the key, so changing
them executes nothing. Caches of older keys are removed. ``$DLGUIDE_CACHE`` moves
the whole cache elsewhere (``make html CACHEDIR=...`` sets it).

A failing cell stops here, before Sphinx, with the chapter's path and the cell's
traceback; the exit status is then 1. Each run writes a report (JSON) of what was
executed, how long it took and what failed.

When every chapter's file is byte for byte what the last successful run saw (a
fingerprint kept in the cache folder), nothing can need executing, and the run stops
before even loading jupyter-cache: a rebuild with nothing changed costs a fraction of a
second here.
"""

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path

from dlguide_build import CELL_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
READER = {"name": "myst_nb_md", "type": "plugin"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython tracebacks


def cache_key(root: Path = ROOT) -> str:
    """A hash of what the kernel runs: the helper package and the kernel's pins."""
    digest = hashlib.sha256()
    for path in [*sorted((root / "src" / "dlguide").glob("*.py")),
                 root / "constraints" / "kernel.txt"]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir(root: Path = ROOT) -> Path:
    """The execution cache for the current helper code and pinned kernel environment.

    Under ``$DLGUIDE_CACHE`` (the Makefile sets it from ``CACHEDIR``), by default
    ``.jupyter_cache/`` in the project.
    """
    base = Path(os.environ.get("DLGUIDE_CACHE") or root / ".jupyter_cache")
    return base.resolve() / cache_key(root)


def prune_old_caches(current: Path) -> None:
    current.mkdir(parents=True, exist_ok=True)
    for old in current.parent.iterdir():
        if old.is_dir() and old != current:
            shutil.rmtree(old)


def fingerprint(paths: list[Path]) -> str:
    """A hash of the notebooks' names and bytes: equal means nothing to execute."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def notebooks(book: Path) -> list[Path]:
    """The MyST notebooks of the book: markdown files with a ``jupytext`` front matter."""
    found = []
    for path in sorted(book.rglob("*.md")):
        head = path.read_text(encoding="utf-8")[:400]
        if head.startswith("---") and "jupytext:" in head.split("\n---", 1)[0]:
            found.append(path.resolve())
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=ROOT / "book")
    parser.add_argument("--cache", type=Path, default=None,
                        help="default: the current .jupyter_cache/<key>/")
    parser.add_argument("--report", type=Path, default=ROOT / "_build" / "execution-report.json")
    args = parser.parse_args(argv)

    if args.cache is None:
        args.cache = cache_dir()
        prune_old_caches(args.cache)
    paths = notebooks(args.book)
    stamp = args.cache / "dlguide-fingerprint"
    current = fingerprint(paths)
    if stamp.exists() and stamp.read_text() == current:
        report = {"executed": [], "failed": [], "cached": [str(p) for p in paths],
                  "wall_seconds": 0.0}
        write_report(args.report, report)
        print(f"dlguide_build.execute: {len(paths)} notebooks, unchanged since the last run; "
              f"nothing to execute")
        return 0

    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    stamp.unlink(missing_ok=True)
    cache = get_cache(args.cache)  # creates the database before anything runs in parallel
    wanted = {str(p) for p in paths}
    for record in cache.list_project_records():
        if record.uri not in wanted and record.uri.startswith(str(args.book.resolve())):
            cache.remove_nb_from_project(record.uri)  # a chapter that was deleted or moved
    for path in paths:
        cache.add_nb_to_project(str(path), read_data=READER)

    todo = [r.uri for r in cache.list_unexecuted([str(p) for p in paths])]
    logger = logging.getLogger("dlguide_build.execute")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    start = time.perf_counter()
    names = ", ".join(Path(u).name for u in todo) or "none"
    print(f"dlguide_build.execute: {len(paths)} notebooks, {len(todo)} to execute ({names})")
    failed: list[str] = []
    if todo:
        executor = load_executor("local-parallel", cache, logger=logger)
        result = executor.run_and_cache(filter_uris=todo, timeout=CELL_TIMEOUT,
                                        allow_errors=False)
        failed = result.errored + result.excepted

    report = {"executed": [], "failed": [], "cached": [], "wall_seconds": 0.0}
    for path in paths:
        uri = str(path)
        record = cache.get_project_record(uri)
        if uri in failed:
            traceback = ANSI.sub("", record.traceback or "")
            report["failed"].append({"notebook": uri, "traceback": traceback})
        elif uri in todo:
            cached = cache.get_cached_project_nb(uri)
            seconds = cached.data.get("execution_seconds") if cached else None
            report["executed"].append({"notebook": uri, "seconds": seconds})
        else:
            report["cached"].append(uri)
    report["wall_seconds"] = round(time.perf_counter() - start, 2)
    write_report(args.report, report)

    for item in report["executed"]:
        seconds = f"{item['seconds']:.1f}s" if item["seconds"] is not None else "?"
        print(f"  executed {Path(item['notebook']).name} in {seconds}")
    for item in report["failed"]:
        print(f"\n{item['notebook']}: a cell failed\n{item['traceback']}", file=sys.stderr)
    if report["failed"]:
        print(f"dlguide_build.execute: {len(report['failed'])} notebook(s) failed; "
              f"report in {args.report}", file=sys.stderr)
        return 1
    stamp.write_text(current)
    print(f"dlguide_build.execute: done in {report['wall_seconds']:.1f}s; report in {args.report}")
    return 0


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
