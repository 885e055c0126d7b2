"""Benchmark the book's build on this machine: `make bench`.

Measures, in this order:

* floor: every notebook executed serially with nbclient (``dlguide_build.run``), no Sphinx;
  the cost of running the cells, which no build can avoid on one core;
* cold: ``make html`` with the execution cache and ``_build/`` removed;
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
executed, and the ratios to the floor. The edits are undone at the end.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from dlguide_build.execute import cache_dir, notebooks  # noqa: E402
from dlguide_build.run import execute  # noqa: E402

CHAPTER = ROOT / "book" / "week02.md"
EXECUTED = re.compile(r"^  executed (\S+) in|^\S+/([^/\s]+): Executing notebook", re.M)


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


def make(target: str) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(["make", "--no-print-directory", target], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    memory = PeakMemory(proc.pid)
    log, _ = proc.communicate()
    peak = memory.stop()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"make {target} failed:\n{log[-4000:]}")
    executed = [a or b for a, b in EXECUTED.findall(log)]
    return {"seconds": round(seconds, 2), "executed": executed, "peak_rss_mb": round(peak / 2**20)}


def floor() -> dict:
    per_notebook = {}
    for path in notebooks(ROOT / "book"):
        start = time.perf_counter()
        execute(path)
        per_notebook[path.name] = round(time.perf_counter() - start, 2)
    return {"seconds": round(sum(per_notebook.values()), 2), "per_notebook": per_notebook}


def summary(runs: list[dict]) -> dict:
    """The runs of one step: their times, median, spread, peak memory and what ran."""
    times = [r["seconds"] for r in runs]
    return {"seconds": round(statistics.median(times), 2), "min": min(times), "max": max(times),
            "runs": times, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "executed": [r["executed"] for r in runs]}


STEPS = ["cold", "no_change", "sphinx_no_op", "prose_edit", "code_edit", "pdf"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (default 3)")
    repeat = parser.parse_args().repeat
    original = CHAPTER.read_text()
    results: dict = {"machine": {"cpus": psutil.cpu_count(),
                                 "memory_gb": round(psutil.virtual_memory().total / 2**30)},
                     "repeat": repeat}
    runs: dict[str, list] = {key: [] for key in ["floor", *STEPS]}
    try:
        for n in range(repeat):
            print(f"[{n + 1}/{repeat}] floor: executing every notebook serially ...", flush=True)
            runs["floor"].append(floor())
            print(f"[{n + 1}/{repeat}] cold build ...", flush=True)
            subprocess.run(["rm", "-rf", str(ROOT / "_build"), str(cache_dir())], check=True)
            runs["cold"].append(make("html"))
            print(f"[{n + 1}/{repeat}] no-change rebuild ...", flush=True)
            runs["no_change"].append(make("html"))
            print(f"[{n + 1}/{repeat}] sphinx no-op ...", flush=True)
            (ROOT / "_build" / "html" / ".dlguide-built").unlink()
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
    finally:
        CHAPTER.write_text(original)

    floors = [r["seconds"] for r in runs["floor"]]
    results["floor"] = {"seconds": round(statistics.median(floors), 2), "min": min(floors),
                        "max": max(floors), "runs": floors,
                        "per_notebook": runs["floor"][-1]["per_notebook"]}
    base = results["floor"]["seconds"]
    for key in STEPS:
        results[key] = summary(runs[key])
        results[key]["ratio_to_floor"] = round(results[key]["seconds"] / base, 3)
    results["peak_rss_mb"] = max(results[k]["peak_rss_mb"] for k in STEPS)
    results["targets"] = {
        "cold <= 0.8 x floor": results["cold"]["seconds"] <= 0.8 * base,
        "no-change rebuild <= 3 s": results["no_change"]["seconds"] <= 3,
        "prose edit executes nothing": all(e == [] for e in results["prose_edit"]["executed"]),
        "code edit executes only that chapter":
            all(e == [CHAPTER.name] for e in results["code_edit"]["executed"]),
        "pdf after html executes nothing": all(e == [] for e in results["pdf"]["executed"]),
    }
    out = ROOT / "_build" / "bench.json"
    out.write_text(json.dumps(results, indent=2))

    print(f"\n{'step':<22}{'median s':>9}{'min-max s':>14}{'x floor':>9}{'peak MB':>9}  executed")
    spread = f"{min(floors):.1f}-{max(floors):.1f}"
    print(f"{'floor (serial cells)':<22}{base:>9.1f}{spread:>14}{1:>9.2f}{'':>9}  "
          f"all {len(results['floor']['per_notebook'])}")
    for key in STEPS:
        r = results[key]
        ran = sorted({name for e in r["executed"] for name in e})
        spread = f"{r['min']:.1f}-{r['max']:.1f}"
        print(f"{key:<22}{r['seconds']:>9.1f}{spread:>14}{r['ratio_to_floor']:>9.2f}"
              f"{r['peak_rss_mb']:>9}  {len(ran)} {' '.join(ran[:3])}")
    for name, ok in results["targets"].items():
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
