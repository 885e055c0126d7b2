"""Sphinx configuration for dlguide: the deep-learning study book.

Built with ``sphinx-build -c conf book _build/html`` (see the Makefile).
Paths are resolved from this file so the build works from any directory.
"""

import sys
from pathlib import Path

from dlguide_build import CELL_TIMEOUT
from dlguide_build.execute import cache_dir

CONF_DIR = Path(__file__).resolve().parent
ROOT = CONF_DIR.parent
sys.path.insert(0, str(CONF_DIR / "_ext"))

# -- Project -------------------------------------------------------------------
project = "Deep Learning: A Study Book"
author = "The dlguide authors"
copyright = "2026, the dlguide authors"
language = "en"
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "_toc.md"]
# The printed book (`make pdf` passes `-t pdf`) starts at pdf.md, which lists the same
# chapters as index.md without the web landing page; each build leaves the other root out.
if tags.has("pdf"):  # noqa: F821 (Sphinx provides `tags`)
    root_doc = "pdf"
    exclude_patterns.append("index.md")
else:
    exclude_patterns.append("pdf.md")

# -- Extensions ----------------------------------------------------------------
extensions = [
    "myst_nb",                  # MyST markdown notebooks, executed at build time
    "sphinx_design",            # grids, cards, dropdowns
    "sphinx_copybutton",        # a copy button on every code cell
    "sphinx-mathjax-offline",   # MathJax served from the book, not from a CDN
    "dlguide_book",             # local: which documents are chapters, in what order
    "dlguide_downloads",        # local: each chapter downloadable as an executed .ipynb
    "dlguide_checklist",        # local: the study checklist, generated from the chapters
    "dlguide_exam",             # local: exam questions' points, weeks and marking schemes
    "dlguide_answer_key",       # local: PDF only, exam answers gathered in an appendix
    "sphinx_exercise",          # numbered exercises; solutions wrap executed cells
    "sphinx_togglebutton",      # ...collapsed until opened (`:class: dropdown`)
    "dlguide_quiz",             # local: self-check quiz items with instant feedback
    "dlguide_solutions",        # local: PDF only, quiz answers and exercise solutions
                                # gathered in a "Solutions" appendix
    "dlguide_formulas",         # local: the formula sheet, every labelled equation of
                                # the chapters with its name (book/formula-names.toml);
                                # in the PDF an appendix after the Solutions
    "dlguide_numbering",        # local: figures, equations, exercises numbered per
                                # chapter (Fig. 8.2, Exercise 8.3), as in the PDF
    "sphinxcontrib.bibtex",     # citations: {cite:t}`key` against book/references.bib
    "dlguide_references",       # local: the .bib beside the chapters; References as a list
    "sphinxcontrib.rsvgconverter",  # PDF only: the SVG diagrams in book/figures/ become
                                # vector PDF through rsvg-convert (librsvg2-bin)
    "sphinx_tippy",             # hover tips: a term link shows its glossary definition
    "dlguide_glossary",         # local: A-Z glossary, "Used in" back-links, glossary audit
    "dlguide_flashcards",       # local: flashcards of the glossary's terms and the
                                # formulas, and the same cards as an Anki deck (HTML only)
    "dlguide_rewarn",           # local: what warned is read again, so a failed build
                                # cannot pass by running it a second time
    "dlguide_searchindex",      # local: the search index keeps its glossary entries
                                # in incremental builds (sphinx-doc/sphinx#12599)
    "dlguide_pagefind",         # local: section search, the Pagefind index of the built
                                # book (_build/html/pagefind/), made after every HTML build
]

# Nitpicky: every cross-reference must resolve (with -W in the Makefile, a miss fails the build).
nitpicky = True
numfig = True

# -- MyST ----------------------------------------------------------------------
myst_enable_extensions = ["amsmath", "colon_fence", "deflist", "dollarmath", "substitution"]
# What a downloaded notebook needs, for the landing page: the versions the book runs with.
from dlguide_standalone import ORDER, pip_command  # noqa: E402
myst_substitutions = {"pip_command": f"`{pip_command(ORDER)}`"}
myst_heading_anchors = 3
myst_dmath_double_inline = True

# -- myst-nb: execution ----------------------------------------------------------
# "cache": a notebook runs only when its code changes; the cache lives outside _build/
# so `make clean` never throws executed results away. `python -m dlguide_build.execute` fills
# it in parallel before Sphinx reads (see the Makefile); its folder is keyed on the
# helper package and the kernel's pins, so changing either re-executes the book.
nb_execution_mode = "cache"
nb_execution_cache_path = str(cache_dir())
nb_execution_timeout = CELL_TIMEOUT # seconds per cell (dlguide_build, the one home)
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True         # ...and prints its traceback
nb_merge_streams = True
nb_output_stderr = "warn"           # anything a cell writes to stderr (a warning, an error
                                    # raised while drawing a figure) fails the build
nb_execution_in_temp = False        # cells run with the chapter's folder as working directory

# -- Glossary (dlguide_glossary) ---------------------------------------------------
# The audit checks each chapter's prose (dlguide_book says which documents are chapters):
# every glossary term a chapter mentions must be linked at least once in that chapter.
# Per chapter, words that are glossary terms but used there in another sense.
dlguide_glossary_not_terms = {}

# -- Bibliography (sphinxcontrib-bibtex) ----------------------------------------------
# One .bib file beside the chapters; the References page (references.md) lists every
# entry the book cites, and nothing else. Read from disk: nothing is looked up online.
bibtex_bibfiles = ["references.bib"]      # in the book's folder (dlguide_references)
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"   # {cite:t} gives "Kingma and Ba (2015)"
# Anchors named after the key (references.html#cite-kingma2015adam), not numbered in
# reading order: a page an incremental build does not rewrite keeps working links.
bibtex_cite_id = "cite-{key}"
bibtex_bibliography_id = "bibliography-{bibliography_count}"

# -- Hover tips (sphinx-tippy) -------------------------------------------------------
# Tips are built from the target's HTML at build time; tippy.js and Popper are served
# from _static/lib/ (vendored, MIT), never from a CDN, and nothing is fetched while
# building (no Wikipedia or DOI tips).
tippy_js = ("lib/popper.min.js", "lib/tippy-bundle.umd.min.js")
tippy_enable_wikitips = False
tippy_enable_doitips = False
tippy_enable_mathjax = True           # formulas in a definition are typeset in the tip
tippy_anchor_parent_selector = "article.bd-article"   # tips in the text, not the sidebars
tippy_props = {"placement": "auto-start", "maxWidth": 480, "interactive": False,
               "delay": [150, 0]}

# -- HTML ----------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Deep Learning: A Study Book"
html_static_path = [str(ROOT / "_static")]
html_css_files = ["dlguide.css"]
html_js_files = [
    ("dlguide-progress.js", {"defer": "defer"}),   # checklist, exam scores
    ("dlguide-glossary.js", {"defer": "defer"}),   # the glossary's filter box
    ("dlguide-search.js", {"defer": "defer"}),     # section search on Pagefind
]
html_sourcelink_suffix = ""         # the download button serves the .md source as written
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": True,    # .ipynb and .md downloads of each chapter
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}

# -- LaTeX / PDF (make pdf) -------------------------------------------------------------
latex_engine = "xelatex"
latex_documents = [("pdf", "dlguide.tex", html_title, author, "manual", False)]
latex_show_urls = "no"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    # DejaVu covers the Greek letters, arrows and maths symbols of the prose and outputs.
    "fontpkg": r"""
\setmainfont{DejaVu Serif}[Scale=0.92]
\setsansfont{DejaVu Sans}[Scale=0.92]
\setmonofont{DejaVu Sans Mono}[Scale=0.8]
""",
    # Long code and output lines wrap instead of running past the margin.
    "sphinxsetup": "verbatimforcewraps=true, verbatimmaxunderfull=0, verbatimhintsturnover=true",
    "figure_align": "H",
    # Tables hold formulas and code; a smaller font keeps them inside the margins.
    "preamble": r"\AtBeginEnvironment{tabulary}{\footnotesize\sloppy}\setlength{\tymin}{56pt}"
    # The bibliography is the body of the "References" chapter (references.md), not a
    # second, unnumbered "Bibliography" chapter after it.
    r"""
\makeatletter
\renewenvironment{sphinxthebibliography}[1]
  {\begingroup\def\chapter*##1{}\renewcommand\bibname{References}%
   \begin{thebibliography}{#1}}
  {\end{thebibliography}\endgroup}
\makeatother
""",
    "printindex": r"\footnotesize\raggedright\printindex",
    # Week N is Chapter N: the first chapter is Week 2.
    "tableofcontents": r"\sphinxtableofcontents\setcounter{chapter}{1}",
}
