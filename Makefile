# dlguide: build the book, test it, serve it while writing.
#
#   make html      create .venv if missing, install everything, build _build/html/
#   make test      the same set-up plus what the tests need, then the whole test suite
#   make livehtml  rebuild and reload the browser on every save (http://127.0.0.1:8000)
#   make clean     remove _build/ (keeps the execution cache); make distclean removes it too
#
# Everything is installed by these targets: nothing needs to be set up by hand.

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
BUILDDIR    := _build
CACHEDIR    := .jupyter_cache
# -W: warnings are errors; --keep-going: report them all first; -n: nitpicky references.
SPHINXOPTS  ?= -W --keep-going -n
SPHINXBUILD := $(BIN)/sphinx-build
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: html test livehtml preview clean distclean

# --- environment -------------------------------------------------------------
# torch goes in first and pinned: a looser requirement would pull several GB of CUDA
# packages. Every other package is pinned by constraints.txt.
$(VENV)/.book-installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e ".[book]"
	touch $@

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
$(VENV)/.test-installed: $(VENV)/.book-installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[book,test]"
	command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }
	touch $@

# --- book --------------------------------------------------------------------
# Chapters whose code changed run first, in parallel, into the execution cache; Sphinx
# then reads every chapter from the cache. A failing cell stops the build here.
html: $(VENV)/.book-installed
	$(BIN)/python -m dlguide.execute --book book --report $(BUILDDIR)/execution-report.json
	$(SPHINXBUILD) -b html -c conf $(SPHINXOPTS) book $(BUILDDIR)/html
	@echo "Book written to $(BUILDDIR)/html/index.html"

livehtml: $(VENV)/.book-installed
	$(BIN)/sphinx-autobuild -b html -c conf $(SPHINXOPTS) --watch src --watch _static \
	  --watch conf book $(BUILDDIR)/html

# --- tests -------------------------------------------------------------------
# The suite builds the book once itself (with `make html`), then checks what a reader sees.
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(CACHEDIR) $(VENV)

# Build the book but execute only one chapter, and list that chapter's warnings:
#   make preview CH=week05
preview: $(VENV)/.book-installed
	$(BIN)/python -m dlguide.preview $(CH)
