# dlguide: build the book, test it, serve it while writing.
#
#   make html      create .venv if missing, install everything, build _build/html/
#   make pdf       the same set-up plus TeX, then the book as one PDF in _build/pdf/
#   make test      the same set-up plus what the tests need, then the whole test suite
#   make serve     build if needed, then serve _build/html on http://127.0.0.1:8000
#   make livehtml  rebuild and reload the browser on every save (http://127.0.0.1:8000)
#   make clean     remove _build/ (keeps the execution cache); make distclean removes it too
#
# Everything is installed by these targets: nothing needs to be set up by hand.

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
BUILDDIR    ?= _build
CACHEDIR    ?= .jupyter_cache
# The book's sources: `make html BOOKDIR=/tmp/copy BUILDDIR=/tmp/copy-build` builds a copy
# (the tests and the bench do, so that nothing edits book/ in place).
BOOKDIR     ?= book
PINS        := -c constraints/kernel.txt -c constraints/tooling.txt
# The execution cache's place, for dlguide_build.execute and conf.py (`make html CACHEDIR=...`).
export DLGUIDE_CACHE := $(abspath $(CACHEDIR))
# -W: warnings are errors; --keep-going: report them all first; -n: nitpicky references.
STRICT      := -W --keep-going -n
SPHINXOPTS  ?= $(STRICT)
SPHINXBUILD := $(BIN)/sphinx-build
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# $(call have,a b c): a shell test that every one of the commands is installed.
have = ( for c in $(1); do command -v $$c >/dev/null || exit 1; done )

.PHONY: html pdf test bench serve livehtml preview print-strict clean distclean

# --- environment -------------------------------------------------------------
# torch goes in first and pinned: a looser requirement would pull several GB of CUDA
# packages. Every other package is pinned in constraints/ (kernel.txt: what the chapters'
# kernel runs, part of the execution cache's key; tooling.txt: the rest).
$(VENV)/.book-installed: pyproject.toml constraints/kernel.txt constraints/tooling.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet $(PINS) -e ".[book]"
	touch $@

# The PDF is typeset by xelatex (Debian's TeX, no recommends), indexed by xindy, and read
# back by the tests with poppler's pdftotext; rsvg-convert (librsvg2-bin) turns the SVG
# diagrams into vector PDF for it.
TEX_PACKAGES := latexmk texlive-xetex texlive-latex-recommended texlive-latex-extra \
  texlive-fonts-recommended xindy fonts-dejavu-core poppler-utils librsvg2-bin
$(VENV)/.tex-installed: | $(VENV)/.book-installed
	$(call have,xelatex latexmk xindy pdftotext rsvg-convert) && fc-list | grep -q "DejaVu Serif" \
	  || { $(SUDO) apt-get update -qq && \
	       $(SUDO) apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); }
	touch $@

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
# The offline-build test cuts the network with unshare (util-linux) and ip (iproute2).
$(VENV)/.test-installed: $(VENV)/.book-installed $(VENV)/.tex-installed
	$(BIN)/pip install --quiet $(PINS) -e ".[book,test]"
	$(call have,chromium unshare ip) || { $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core \
	    util-linux iproute2; }
	touch $@

# --- book --------------------------------------------------------------------
# Everything the HTML is made from (files and folders: a folder's time changes when a file
# is added or removed). When none of it is newer than the last strict build that passed,
# `make html` has nothing to do and does not start Sphinx.
SOURCES := $(shell find $(BOOKDIR) conf _static src constraints -name __pycache__ -prune \
  -o -name '*.egg-info' -prune -o -print) pyproject.toml Makefile
HTML_STAMP := $(BUILDDIR)/html/.dlguide-built

html: $(HTML_STAMP)
	@echo "Book written to $(BUILDDIR)/html/index.html"

# Chapters whose code changed run first, in parallel, into the execution cache; Sphinx
# then reads every chapter from the cache. A failing cell stops the build here. Only a
# build with the strict options leaves the stamp: a lenient one (`SPHINXOPTS=`) is
# rebuilt by the next `make html`, so its warnings cannot pass for a clean build.
$(HTML_STAMP): $(VENV)/.book-installed $(SOURCES)
	$(BIN)/python -m dlguide_build.execute --book $(BOOKDIR) --report $(BUILDDIR)/execution-report.json
	$(SPHINXBUILD) -b html -c conf $(SPHINXOPTS) $(BOOKDIR) $(BUILDDIR)/html
	$(if $(filter-out $(STRICT),$(SPHINXOPTS))$(filter-out $(SPHINXOPTS),$(STRICT)),rm -f,touch) $@

# One PDF, _build/pdf/dlguide.pdf. Execution is shared with the HTML build through the
# cache. The build fails if LaTeX leaves a reference or citation undefined.
pdf: $(VENV)/.book-installed $(VENV)/.tex-installed
	$(BIN)/python -m dlguide_build.execute --book $(BOOKDIR) --report $(BUILDDIR)/execution-report.json
	rm -rf $(BUILDDIR)/latex $(BUILDDIR)/pdf
	$(SPHINXBUILD) -b latex -t pdf -c conf $(SPHINXOPTS) $(BOOKDIR) $(BUILDDIR)/latex
	$(MAKE) -C $(BUILDDIR)/latex LATEXMKOPTS="-interaction=nonstopmode -halt-on-error" \
	  > $(BUILDDIR)/latex/latexmk.out 2>&1 \
	  || { tail -40 $(BUILDDIR)/latex/latexmk.out; echo "LaTeX failed: see $(BUILDDIR)/latex/dlguide.log"; exit 1; }
	@if grep -E "There were undefined references|Reference .* undefined|Citation .* undefined" \
	    $(BUILDDIR)/latex/dlguide.log; then \
	  echo "LaTeX reports undefined references (see $(BUILDDIR)/latex/dlguide.log)"; exit 1; fi
	mkdir -p $(BUILDDIR)/pdf
	cp $(BUILDDIR)/latex/dlguide.pdf $(BUILDDIR)/pdf/dlguide.pdf
	@echo "PDF written to $(BUILDDIR)/pdf/dlguide.pdf"

# Read the book locally over http rather than file://: the browser then keeps one
# progress record for the whole book (Firefox keeps one per file:// page), and section
# search works. Python's own server, bound to this machine only; Ctrl+C stops it.
PORT ?= 8000
serve: html
	@echo "Serving $(BUILDDIR)/html on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILDDIR)/html

livehtml: $(VENV)/.book-installed
	$(BIN)/sphinx-autobuild -b html -c conf $(SPHINXOPTS) --watch src --watch _static \
	  --watch conf $(BOOKDIR) $(BUILDDIR)/html

# --- tests -------------------------------------------------------------------
# The suite builds the book once itself (with `make html`), then checks what a reader sees.
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

# Build-speed benchmark (cold, rebuilds, PDF, peak memory against the serial floor),
# each step 3 times to show the noise; prints a table and writes _build/bench.json.
# About 30 minutes; `make bench BENCHOPTS=--repeat=1` takes about 11. It builds a copy of
# the book in _build/bench/ and never edits book/.
BENCHOPTS ?=
bench: $(VENV)/.test-installed
	$(BIN)/python bench/bench.py $(BENCHOPTS)

# The strict options, for the bench and the tests (one home: STRICT above).
print-strict:
	@echo $(STRICT)

clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(CACHEDIR) $(VENV)

# Build the book but execute only one chapter, and list that chapter's warnings:
#   make preview CH=week05
preview: $(VENV)/.book-installed
	$(BIN)/python -m dlguide_build.preview $(CH)
