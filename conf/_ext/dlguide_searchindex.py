"""Keep the search index whole across incremental builds.

Sphinx saves its environment *before* it writes the pages, but the index entries of the
search index (the glossary's terms, among others: they are what makes a search for
"LSTM" list the glossary entry) are collected *while* the pages are written, into that
environment. So they never reach the saved copy, and the next build that does not
rewrite the glossary dumps a search index without them (sphinx-doc/sphinx#12599, open
in Sphinx 9.0). This saves the environment once more after a successful HTML build, with
the entries in it.
"""

import pickle
from pathlib import Path

from sphinx.application import ENV_PICKLE_FILENAME, Sphinx


def save_environment(app: Sphinx, exception) -> None:
    """build-finished: pickle the environment again, index entries included."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.doctreedir) / ENV_PICKLE_FILENAME
    with open(path, "wb") as stream:
        pickle.dump(app.env, stream, pickle.HIGHEST_PROTOCOL)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", save_environment)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
