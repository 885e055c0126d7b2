"""Build one chapter on its own, for writing it: ``make preview CH=week05``.

Builds the whole book into ``_build/preview/<chapter>/`` with a cache of its own, but
executes only the chosen chapter (the others are rendered without running their cells),
and reports the warnings that concern that chapter and the glossary. The exit status is
1 when there is one. Several previews can run at once, for different chapters.

``CH`` may also be the path of a draft outside ``book/`` (``CH=drafts/week05.md``): the
preview then builds a copy of the book (symbolic links) with the draft added to it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m dlguide_build.preview week05", file=sys.stderr)
        return 2
    arg = Path(args[0])
    chapter = arg.stem
    source = arg if arg.suffix == ".md" else ROOT / "book" / f"{chapter}.md"
    if not source.exists():
        print(f"{source}: no such chapter", file=sys.stderr)
        return 2
    out = ROOT / "_build" / "preview" / chapter
    src = out / "src"  # the book as symbolic links, with this chapter in it
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    for path in (ROOT / "book").iterdir():
        if path.name != f"{chapter}.md":
            (src / path.name).symlink_to(path.resolve())
    (src / f"{chapter}.md").symlink_to(source.resolve())
    others = [p.name for p in src.glob("*.md") if p.stem != chapter]
    cmd = [
        sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT / "conf"), "-n", "-q",
        "-D", f"nb_execution_cache_path={out / 'cache'}",
        "-D", f"nb_execution_excludepatterns={','.join(others)}",
        str(src), str(out / "html"),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    mine = [
        line for line in (result.stdout + result.stderr).splitlines()
        if ("WARNING" in line or "ERROR" in line)
        and (f"{chapter}.md" in line or "glossary.md" in line)
        and "isn't included in any toctree" not in line
    ]
    if result.returncode != 0:
        print(result.stdout[-5000:], result.stderr[-20000:], sep="\n", file=sys.stderr)
    for line in mine:
        print(line)
    print(f"{chapter}: {len(mine)} warning(s); HTML in {out / 'html' / (chapter + '.html')}")
    return 1 if mine or result.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
