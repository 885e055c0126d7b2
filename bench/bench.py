"""Benchmark the book's build on this machine: `make bench`.

Measures, in this order:

* floor: every notebook executed serially with nbclient (``dlguide.run``), no Sphinx;
  the cost of running the cells, which no build can avoid on one core;
* cold: ``make html`` with the execution cache and ``_build/`` removed;
* no-change: ``make html`` again;
* prose edit: ``make html`` after adding a sentence to one chapter's prose;
* code edit: ``make html`` after changing a comment in one chapter's code;
* pdf: ``make pdf`` after the HTML;
* peak memory: the largest summed resident memory of the build's process tree.

Prints a table and writes ``_build/bench.json`` with each figure, the notebooks each step
executed, and the ratios to the floor. The edits are undone at the end.
"""

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from dlguide.execute import cache_dir, notebooks  # noqa: E402
from dlguide.run import execute  # noqa: E402

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


def main() -> int:
    original = CHAPTER.read_text()
    results: dict = {"machine": {"cpus": psutil.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30)}}
    try:
        print("floor: executing every notebook serially ...", flush=True)
        results["floor"] = floor()
        print("cold build ...", flush=True)
        subprocess.run(["rm", "-rf", str(ROOT / "_build"), str(cache_dir())], check=True)
        results["cold"] = make("html")
        print("no-change rebuild ...", flush=True)
        results["no_change"] = make("html")
        print("prose edit ...", flush=True)
        CHAPTER.write_text(original.replace("## Softmax\n", "## Softmax\n\nA benchmark edit.\n", 1))
        results["prose_edit"] = make("html")
        print("code edit ...", flush=True)
        CHAPTER.write_text(original.replace("dlguide.setup(seed=0)", "dlguide.setup(seed=0)  # bench", 1))
        results["code_edit"] = make("html")
        CHAPTER.write_text(original)
        results["restore"] = make("html")
        print("pdf after html ...", flush=True)
        results["pdf"] = make("pdf")
    finally:
        CHAPTER.write_text(original)

    base = results["floor"]["seconds"]
    for key in ["cold", "no_change", "prose_edit", "code_edit", "pdf"]:
        results[key]["ratio_to_floor"] = round(results[key]["seconds"] / base, 3)
    results["peak_rss_mb"] = max(results[k]["peak_rss_mb"] for k in ["cold", "no_change", "prose_edit", "code_edit", "pdf"])
    results["targets"] = {
        "cold <= 0.8 x floor": results["cold"]["seconds"] <= 0.8 * base,
        "no-change rebuild <= 3 s": results["no_change"]["seconds"] <= 3,
        "prose edit executes nothing": results["prose_edit"]["executed"] == [],
        "code edit executes only that chapter": results["code_edit"]["executed"] == [CHAPTER.name],
        "pdf after html executes nothing": results["pdf"]["executed"] == [],
    }
    out = ROOT / "_build" / "bench.json"
    out.write_text(json.dumps(results, indent=2))

    print(f"\n{'step':<22}{'seconds':>9}{'x floor':>9}{'peak MB':>9}  executed")
    print(f"{'floor (serial cells)':<22}{base:>9.1f}{1:>9.2f}{'':>9}  all {len(results['floor']['per_notebook'])}")
    for key in ["cold", "no_change", "prose_edit", "code_edit", "pdf"]:
        r = results[key]
        print(f"{key:<22}{r['seconds']:>9.1f}{r['ratio_to_floor']:>9.2f}{r['peak_rss_mb']:>9}  "
              f"{len(r['executed'])} {' '.join(r['executed'][:3])}")
    for name, ok in results["targets"].items():
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
