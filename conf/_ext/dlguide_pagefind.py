"""Section search: the Pagefind index of the built book, made after every HTML build.

Pagefind (PyPI ``pagefind[bin]``, the indexer binary in the wheel) makes the index and
ships the search API and highlight script that _static/dlguide-search.js uses (which
ranks the sections); this extension only decides *what* it indexes and how much each
part weighs. It
runs on ``build-finished`` of every HTML build without an error (full, incremental, and
the tests' in-process fixture builds), reads every page of the output folder and writes
``<outdir>/pagefind/``. A failure of the indexer fails the build.

The pages are not changed: Pagefind is given a copy of each page, prepared here, so
that the search lands on the section that answers a question:

* Only the article is indexed (not the sidebars, navigation or header); pages that only
  list what other pages teach (the landing page, the study checklist, the flashcards,
  Sphinx's index and search pages) are not indexed at all.
* Pagefind makes a sub-result of each heading *with an id*; Sphinx puts the id on the
  ``<section>``. In the copy, the heading takes its section's id, so every sub-result
  links to a section anchor that exists on the page.
* Each glossary entry (its ``<dt>`` lines) becomes a heading with the entry's anchor and
  the highest weight, so a term's query finds its entry; the "Used in" lists are left out.
* The exams, and the practice sections that close each chapter (quiz, exercises, exam
  checklist), weigh less than the sections that teach: a student searching should land
  on the explanation first.
* The other spellings (American, for a book written in British) of the words a section
  uses are added to that section as text the search sees: -ise/-ize words by rule, the
  rest from their one home, ``book/search-variants.toml``. Pagefind finds a misspelt
  word by itself, but not a variant that some other page spells as typed.
* Code names are found by their short names: Pagefind keeps ``torch.nn.utils.clip_grad_norm_``
  as one word, so ``clip_grad_norm_`` and ``utils.clip_grad_norm_`` are added beside it.
* The other words are weighed: headings more than Pagefind's default, a chapter's
  opening (its list of what it teaches) and its code cells less.
"""

import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import lxml.html
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"                       # <outdir>/pagefind/
NOT_INDEXED = {"index", "checklist", "flashcards", "genindex", "search"}
LOW_PAGES = {"exam": "0.2", "exam-b": "0.2", "references": "0.5", "formulas": "0.5"}
LOW_SECTIONS = {"check-yourself": "0.2", "exercises": "0.2", "exam-checklist": "0.2",
                "further-reading": "0.5"}
INTRO_WEIGHT = "0.3"  # a page's opening, before its first section, lists what it teaches
CODE_WEIGHT = "0.3"   # the cells' code and outputs: prose explains, code repeats names
GLOSSARY_TERM_WEIGHT = "10"               # Pagefind's highest weight
GLOSSARY_WEIGHT = "5"                     # the definitions, against a chapter's prose
# Left out of the index: permalink signs, the glossary's "Used in" lists and jump letters.
IGNORED = ["headerlink", "dlguide-used-in", "toctree-wrapper"]
ADDED = ("\u27e6", "\u27e7")   # ⟦ added words ⟧: the search script drops them from excerpts
# What Pagefind writes but the book does not load (its UIs; dlguide-search.js uses the
# search API, pagefind.js, and the highlight script): about 330 KB less to ship.
UNUSED_UI = ["pagefind-ui.*", "pagefind-component-ui.*", "pagefind-modular-ui.*"]
VARIANTS_FILE = "search-variants.toml"    # in the book's folder
DOTTED = re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")   # torch.nn.Embedding
# Dotted names from these modules are a library's API (torch.nn.BatchNorm2d, F.softmax).
MODULES = {"torch", "nn", "F", "optim", "utils", "functional", "init", "torch_geometric",
           "torchvision", "np", "numpy", "sklearn", "dlguide"}
HEADING_WEIGHT = {"h2": "10", "h3": "9", "h4": "8"}   # above Pagefind's own heading weights
# British and American spellings of -ise/-ize words (optimise, normalisation, ...).
ISE = re.compile(r"\b(\w{3,})i([sz])(e|ed|es|ing|ation|ations|er|ers)\b", re.IGNORECASE)


def load_variants(path: Path) -> dict[str, list[str]]:
    """{word in the book: [variants a reader may type]} from search-variants.toml."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ExtensionError(f"{path}: {error}") from error
    table = data.get("variants", {})
    bad = [k for k, v in table.items()
           if not isinstance(v, list) or not all(isinstance(x, str) for x in v)]
    if bad or set(data) - {"variants"}:
        raise ExtensionError(f"{path}: expected only a [variants] table of "
                             f'word = ["variant", ...]; wrong: {bad or sorted(set(data))}')
    return {k.lower(): v for k, v in table.items()}


def variants_of(text: str, variants: dict[str, list[str]], code: str = "") -> list[str]:
    """The variants of the words in TEXT that the reader may type instead, and the
    shorter names of a library's dotted names in CODE (Pagefind keeps
    ``torch.nn.utils.clip_grad_norm_`` as one word, which a search for
    ``clip_grad_norm_`` misses)."""
    words = set(re.findall(r"[\w-]+", text.lower()))
    found = {x for word, alts in variants.items() if word in words for x in alts}
    for m in ISE.finditer(text):
        found.add(f"{m[1]}i{'z' if m[2].lower() == 's' else 's'}{m[3]}".lower())
    found -= words
    for name in DOTTED.findall(code):
        parts = name.split(".")
        if parts[0] not in MODULES:       # x.item(), h.chunk(): not names a reader types
            continue
        found.update(".".join(parts[i:]) for i in range(len(parts)) if len(parts[-1]) > 2)
    return sorted(found)


def added_words(words: list[str]):
    """The words the index adds to a section (variants, short API names), between the
    marks that _static/dlguide-search.js cuts out of the excerpts it shows: a reader
    sees the section's text, not the list. The marks are not words, so not indexed."""
    return lxml.html.fromstring(f"<p>{ADDED[0]} {' '.join(words)} {ADDED[1]}</p>")


def prepare(html: str, page: str, variants: dict[str, list[str]]) -> str | None:
    """The copy of a built page that Pagefind indexes (see the module's docstring)."""
    tree = lxml.html.document_fromstring(html)
    articles = tree.xpath("//article[contains(@class, 'bd-article')]")
    if not articles:
        return None
    article = articles[0]
    article.set("data-pagefind-body", "")
    if page in LOW_PAGES:
        article.set("data-pagefind-weight", LOW_PAGES[page])
    if page == "glossary":                # a term's query: its entry first
        article.set("data-pagefind-weight", GLOSSARY_WEIGHT)
    for el in article.xpath(".//div[contains(concat(' ', @class, ' '), ' cell ')]"):
        el.set("data-pagefind-weight", CODE_WEIGHT)
    for el in article.iter("nav", "script", "style", "button"):
        el.set("data-pagefind-ignore", "all")
    for name in IGNORED:
        for el in article.xpath(f".//*[contains(concat(' ', @class, ' '), ' {name} ')]"):
            el.set("data-pagefind-ignore", "all")
    # Glossary entries: the <dt> lines of an entry become one heading with its anchor.
    for dl in article.xpath(".//dl[contains(concat(' ', @class, ' '), ' glossary ')]"):
        for dt in dl.findall("dt"):
            first = dt.getprevious() is None or dt.getprevious().tag != "dt"
            if not first:
                continue
            names = [dt]
            while names[-1].getnext() is not None and names[-1].getnext().tag == "dt":
                names.append(names[-1].getnext())
            for extra in names[1:]:       # "long short-term memory" + "LSTM"
                dt.append(lxml.html.fromstring(f"<span> ({extra.text_content()})</span>"))
                extra.set("data-pagefind-ignore", "all")
            dt.tag = "h3"
            dt.set("data-pagefind-weight", GLOSSARY_TERM_WEIGHT)
            definition = names[-1].getnext()
            extra = variants_of(dt.text_content() + " " + (
                definition.text_content() if definition is not None else ""), variants)
            if extra and definition is not None:
                definition.insert(0, added_words(extra))
    # Sections: the heading carries the section's anchor (Pagefind's sub-results).
    for section in article.iter("section"):
        ident = section.get("id")
        heading = next((c for c in section if isinstance(c.tag, str) and c.tag != "span"),
                       None)   # label targets (<span id>) may come before the heading
        if not ident or heading is None or not re.fullmatch(r"h[1-6]", heading.tag):
            continue
        if not heading.get("id"):
            del section.attrib["id"]
            heading.set("id", ident)
        if heading.tag in HEADING_WEIGHT and not heading.get("data-pagefind-weight"):
            heading.set("data-pagefind-weight", HEADING_WEIGHT[heading.tag])
        if heading.tag == "h1":           # the chapter's opening: what it will teach
            for child in section:
                if isinstance(child.tag, str) and child.tag not in ("h1", "section", "span"):
                    child.set("data-pagefind-weight", INTRO_WEIGHT)
        if ident in LOW_SECTIONS:
            section.set("data-pagefind-weight", LOW_SECTIONS[ident])
        if section.xpath(".//dl[contains(concat(' ', @class, ' '), ' glossary ')]"):
            continue                      # the glossary's letters: variants per entry
        extra = variants_of(section_text(section), variants, section_text(section, code=True))
        if extra:
            note = added_words(extra)
            heading.addnext(note)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def section_text(section, code: bool = False) -> str:
    """The text of a section up to its first subsection (that gets its own variants); with
    CODE, only that of its code (in the prose and in the cells)."""
    parts = []
    for child in section:
        if isinstance(child.tag, str) and child.tag == "section":
            break
        if not isinstance(child.tag, str):
            continue
        if not code:
            parts.append(child.text_content())
        else:
            parts += [c.text_content() for c in child.iter("code", "pre")]
    return " ".join(parts)


def write_index(outdir: Path, pages: dict[str, str]) -> int:
    """Run Pagefind's indexer (the binary of pagefind[bin]) over the prepared copies, laid
    out in a temporary folder as in the site, into ``<outdir>/pagefind/``. The command
    line, not the Python API's service: the command has written every file when it
    exits (the service once left a half-written bundle: an empty pagefind-entry.json)."""
    bundle = outdir / BUNDLE
    with tempfile.TemporaryDirectory(prefix="dlguide-pagefind-") as site:
        for url, html in pages.items():
            (Path(site) / url.lstrip("/")).write_text(html, encoding="utf-8")
        shutil.rmtree(bundle, ignore_errors=True)
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", site, "--output-path", str(bundle),
             "--force-language", "en", "--keep-index-url", "--quiet"],
            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"exit status {result.returncode}: {result.stderr.strip()[-2000:]}")
    for unused in UNUSED_UI:              # Pagefind's own UIs: the book has its own
        for path in bundle.glob(unused):
            path.unlink()
    return len(pages)


def build_index(app: Sphinx, exception) -> None:
    """build-finished: index the HTML output with Pagefind (HTML builds that passed)."""
    if exception is not None or app.builder.format != "html" or app.builder.name != "html":
        return
    start = time.perf_counter()
    outdir = Path(app.outdir).resolve()
    variants = load_variants(Path(app.srcdir) / VARIANTS_FILE)
    pages = {}
    for path in sorted(outdir.glob("*.html")):
        if path.stem in NOT_INDEXED:
            continue
        copy = prepare(path.read_text(encoding="utf-8"), path.stem, variants)
        if copy is not None:
            pages[f"/{path.name}"] = copy
    try:
        count = write_index(outdir, pages)
    except Exception as error:
        raise ExtensionError(
            f"Pagefind could not index {outdir} ({type(error).__name__}: {error}); "
            "the search of the built book would not work") from error
    entry = outdir / BUNDLE / "pagefind-entry.json"
    if not (outdir / BUNDLE / "pagefind.js").exists() or not entry.exists() \
            or not entry.stat().st_size:
        raise ExtensionError(f"Pagefind wrote no complete index into {outdir / BUNDLE}")
    logger.info("pagefind: indexed %d pages into %s in %.1f s", count, outdir / BUNDLE,
                time.perf_counter() - start)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", build_index)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
