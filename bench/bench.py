"""Benchmark the book's build on this machine: `make bench`.

Measures, in this order:

* floor: every notebook executed serially with nbclient (``dlguide_build.run``), no Sphinx;
  the cost of running the cells, which no build can avoid on one core;
* per-notebook start: a notebook holding only a chapter's imports (kernel start, torch,
  matplotlib, PyTorch Geometric), run once per notebook of the book: the part of the
  floor that is not the chapters' own work;
* cold: ``make html`` with the execution cache and ``_build/`` removed, split into where
  its time goes (parallel execution, Sphinx reading, Sphinx writing);
* Jupyter Book 1 way: the same cold build as Jupyter Book 1 does it (no parallel step:
  myst-nb executes each notebook, one after another, while Sphinx reads it; empty
  cache), and our cold build as a ratio of it, measured in the same run;
* no-change: ``make html`` again (make sees no newer source and starts nothing);
* sphinx no-op: ``make html`` with its stamp deleted, so that the execution check and
  Sphinx run and find nothing to do (shown for information: no target);
* prose edit: ``make html`` after adding a sentence to one chapter's prose;
* code edit: ``make html`` after changing a comment in one chapter's code;
* pdf: ``make pdf`` after the HTML;
* peak memory: the largest summed resident memory of the build's process tree.

Each step is measured ``--repeat`` times (3 by default; every prose and code edit is a
new one), so the table shows the run-to-run noise: the median, and the smallest and
largest time. Targets are judged on the median. A full run takes about 25 minutes on
the 2-core machine; ``--repeat 1`` takes nine.

Prints a table and writes ``_build/bench.json`` with every time, the notebooks each step
executed, and the ratios to the floor.

Nothing edits ``book/`` or the shared ``_build/``: the bench builds a copy of the book in
``_build/bench/`` (``make html BOOKDIR=... BUILDDIR=... CACHEDIR=...``) and edits that.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from dlguide_build.execute import cache_key, notebooks  # noqa: E402
from dlguide_build.run import execute, load  # noqa: E402

WORK = ROOT / "_build" / "bench"           # the copy of the book the bench builds and edits
BOOK = WORK / "book"
CHAPTER = BOOK / "week02.md"
VARS = [f"BOOKDIR={BOOK}", f"BUILDDIR={WORK / '_build'}", f"CACHEDIR={WORK / 'cache'}"]
EXECUTED = re.compile(r"^  executed (\S+) in|^\S+/([^/\s]+): Executing notebook", re.M)
# Lines that mark where a cold build's time goes.
PHASES = [("execution", re.compile(r"dlguide_build\.execute: done|nothing to execute")),
          ("sphinx reading", re.compile(r"^writing output\.\.\.|^writing\b", re.M)),
          ("sphinx writing", None)]


class PeakMemory:
    """Poll the summed RSS of a process and its children."""

    def __init__(self, pid: int):
        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str]) -> dict:
    """Run a command; its time, peak memory, what it executed and when each phase ended
    (the time of the first log line that marks the end of a phase)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PYTHONWARNINGS": "ignore",
                                            # lines as they are printed: phases are timed
                                            # by when their last line arrives
                                            "PYTHONUNBUFFERED": "1"})
    memory = PeakMemory(proc.pid)
    lines, marks = [], {}
    for line in proc.stdout:
        lines.append(line)
        for name, pattern in PHASES:
            if pattern is not None and name not in marks and pattern.search(line):
                marks[name] = time.perf_counter() - start
    proc.wait()
    peak = memory.stop()
    seconds = time.perf_counter() - start
    log = "".join(lines)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed:\n{log[-4000:]}")
    executed = [a or b for a, b in EXECUTED.findall(log)]
    phases, last = {}, 0.0
    for name, _ in PHASES:
        end = marks.get(name, seconds)
        phases[name], last = round(max(end - last, 0.0), 2), max(end, last)
    return {"seconds": round(seconds, 2), "executed": executed,
            "peak_rss_mb": round(peak / 2**20), "phases": phases}


def make(target: str) -> dict:
    return timed(["make", "--no-print-directory", target, *VARS])


def jupyter_book_1_way() -> dict:
    """A cold build as Jupyter Book 1 does it: Sphinx alone, myst-nb executing every
    notebook serially as it reads it, from an empty cache, with the same options."""
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        strict = subprocess.run(["make", "-s", "--no-print-directory", "print-strict"],
                                cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split()
        return timed([str(ROOT / ".venv" / "bin" / "sphinx-build"), "-b", "html", "-c",
                      str(ROOT / "conf"), *strict, "-D",
                      f"nb_execution_cache_path={Path(tmp) / 'cache'}", str(BOOK),
                      str(Path(tmp) / "html")])


def floor() -> dict:
    per_notebook = {}
    for path in notebooks(BOOK):
        start = time.perf_counter()
        execute(path)
        per_notebook[path.name] = round(time.perf_counter() - start, 2)
    return {"seconds": round(sum(per_notebook.values()), 2), "per_notebook": per_notebook}


def notebook_start() -> dict:
    """The kernel start and imports every notebook pays: a notebook of one cell holding
    the union of the chapters' import lines, run once per notebook of the book."""
    imports = set()
    paths = notebooks(BOOK)
    for path in paths:
        first = next(c for c in load(path).cells if c.cell_type == "code")
        imports |= {line for line in first.source.splitlines()
                    if re.match(r"(import|from) \S+", line)}
    count = len(paths)
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        probe = Path(tmp) / "imports.md"
        probe.write_text(CHAPTER.read_text().split("```{code-cell}")[0] +
                         "```{code-cell} ipython3\n" + "\n".join(sorted(imports)) + "\n```\n")
        start = time.perf_counter()
        execute(probe)
        one = time.perf_counter() - start
    return {"seconds": round(one * count, 2), "one_notebook": round(one, 2), "notebooks": count}


def summary(runs: list[dict]) -> dict:
    """The runs of one step: their times, median, spread, peak memory and what ran."""
    times = [r["seconds"] for r in runs]
    return {"seconds": round(statistics.median(times), 2), "min": min(times), "max": max(times),
            "runs": times, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "executed": [r["executed"] for r in runs]}


STEPS = ["cold", "jupyter_book_1", "no_change", "sphinx_no_op", "prose_edit", "code_edit",
         "pdf"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (default 3)")
    repeat = parser.parse_args().repeat
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.copytree(ROOT / "book", BOOK)
    original = CHAPTER.read_text()
    results: dict = {"machine": {"cpus": psutil.cpu_count(),
                                 "memory_gb": round(psutil.virtual_memory().total / 2**30)},
                     "repeat": repeat}
    runs: dict[str, list] = {key: [] for key in ["floor", "notebook_start", *STEPS]}
    for n in range(repeat):
        CHAPTER.write_text(original)
        print(f"[{n + 1}/{repeat}] floor: executing every notebook serially ...", flush=True)
        runs["floor"].append(floor())
        print(f"[{n + 1}/{repeat}] per-notebook start (kernel and imports) ...", flush=True)
        runs["notebook_start"].append(notebook_start())
        print(f"[{n + 1}/{repeat}] cold build ...", flush=True)
        shutil.rmtree(WORK / "_build", ignore_errors=True)
        shutil.rmtree(WORK / "cache", ignore_errors=True)
        runs["cold"].append(make("html"))
        print(f"[{n + 1}/{repeat}] the Jupyter Book 1 way (serial, inside Sphinx) ...",
              flush=True)
        runs["jupyter_book_1"].append(jupyter_book_1_way())
        print(f"[{n + 1}/{repeat}] no-change rebuild ...", flush=True)
        runs["no_change"].append(make("html"))
        print(f"[{n + 1}/{repeat}] sphinx no-op ...", flush=True)
        (WORK / "_build" / "html" / ".dlguide-built").unlink()
        runs["sphinx_no_op"].append(make("html"))
        print(f"[{n + 1}/{repeat}] prose edit ...", flush=True)
        CHAPTER.write_text(original.replace(
            "## Softmax\n", f"## Softmax\n\nA benchmark edit, number {n}.\n", 1))
        runs["prose_edit"].append(make("html"))
        print(f"[{n + 1}/{repeat}] code edit ...", flush=True)
        CHAPTER.write_text(original.replace(
            "dlguide.setup(seed=0)", f"dlguide.setup(seed=0)  # bench {n}", 1))
        runs["code_edit"].append(make("html"))
        CHAPTER.write_text(original)
        make("html")
        print(f"[{n + 1}/{repeat}] pdf after html ...", flush=True)
        runs["pdf"].append(make("pdf"))

    floors = [r["seconds"] for r in runs["floor"]]
    results["floor"] = {"seconds": round(statistics.median(floors), 2), "min": min(floors),
                        "max": max(floors), "runs": floors,
                        "per_notebook": runs["floor"][-1]["per_notebook"]}
    starts = [r["seconds"] for r in runs["notebook_start"]]
    results["notebook_start"] = {**runs["notebook_start"][-1],
                                 "seconds": round(statistics.median(starts), 2),
                                 "min": min(starts), "max": max(starts), "runs": starts}
    base = results["floor"]["seconds"]
    for key in STEPS:
        results[key] = summary(runs[key])
        results[key]["ratio_to_floor"] = round(results[key]["seconds"] / base, 3)
    results["cold"]["phases"] = {
        name: round(statistics.median(r["phases"][name] for r in runs["cold"]), 2)
        for name, _ in PHASES}
    jb1 = results["jupyter_book_1"]["seconds"]
    results["cold_to_jupyter_book_1"] = round(results["cold"]["seconds"] / jb1, 3)
    results["peak_rss_mb"] = max(results[k]["peak_rss_mb"] for k in STEPS)
    results["targets"] = {
        "cold <= 0.8 x floor": results["cold"]["seconds"] <= 0.8 * base,
        "cold <= 0.55 x the Jupyter Book 1 way": results["cold_to_jupyter_book_1"] <= 0.55,
        "no-change rebuild <= 3 s": results["no_change"]["seconds"] <= 3,
        "prose edit executes nothing": all(e == [] for e in results["prose_edit"]["executed"]),
        "code edit executes only that chapter":
            all(e == [CHAPTER.name] for e in results["code_edit"]["executed"]),
        "pdf after html executes nothing": all(e == [] for e in results["pdf"]["executed"]),
    }
    results["cache_key"] = cache_key()
    out = ROOT / "_build" / "bench.json"
    out.write_text(json.dumps(results, indent=2))

    print(f"\n{'step':<22}{'median s':>9}{'min-max s':>14}{'x floor':>9}{'peak MB':>9}  executed")
    spread = f"{min(floors):.1f}-{max(floors):.1f}"
    print(f"{'floor (serial cells)':<22}{base:>9.1f}{spread:>14}{1:>9.2f}{'':>9}  "
          f"all {len(results['floor']['per_notebook'])}")
    start = results["notebook_start"]
    spread = f"{start['min']:.1f}-{start['max']:.1f}"
    print(f"{'  of it: nb start':<22}{start['seconds']:>9.1f}{spread:>14}"
          f"{start['seconds'] / base:>9.2f}{'':>9}  {start['notebooks']} x "
          f"{start['one_notebook']:.1f} s (kernel start and imports)")
    for key in STEPS:
        r = results[key]
        ran = sorted({name for e in r["executed"] for name in e})
        spread = f"{r['min']:.1f}-{r['max']:.1f}"
        print(f"{key:<22}{r['seconds']:>9.1f}{spread:>14}{r['ratio_to_floor']:>9.2f}"
              f"{r['peak_rss_mb']:>9}  {len(ran)} {' '.join(ran[:3])}")
        if key == "cold":
            for name, seconds in results["cold"]["phases"].items():
                print(f"{'  ' + name:<22}{seconds:>9.1f}")
    print(f"cold build / Jupyter Book 1 way = {results['cold_to_jupyter_book_1']:.2f} "
          f"(both measured in this run)")
    for name, ok in results["targets"].items():
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
