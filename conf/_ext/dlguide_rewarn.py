"""A build that failed stays failed until its cause is fixed.

Sphinx reads and writes only what changed since the last build. Under ``-W`` a warning
fails the build, yet the next build with nothing changed reads nothing, so it warns about
nothing and succeeds: the book would turn green by running ``make html`` twice. This
extension remembers which documents warned (in ``<doctreedir>/dlguide-warned.json``) and
makes Sphinx read them again in the next build, which repeats their warnings until the
source is fixed. A warning that names no document marks every document.
"""

import json
import logging
import os
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.logging import NAMESPACE, get_node_location

EVERYTHING = "*"


class _WarnedDocs(logging.Handler):
    """Collects the document of every warning Sphinx logs."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(level=logging.WARNING)
        self.app = app
        self.docnames: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.docnames.add(self._docname(getattr(record, "location", None)))

    def _docname(self, location) -> str:
        env = getattr(self.app.builder, "env", None) if hasattr(self.app, "builder") else None
        if isinstance(location, tuple):  # (docname, line), not yet translated
            return location[0] or EVERYTHING
        if isinstance(location, nodes.Node):
            location = get_node_location(location)
        if not location or env is None:
            return EVERYTHING
        if env.path2doc(location):  # a bare docname or path
            return env.path2doc(location)
        path = location.rsplit(":", 1)[0]  # "path:line"
        return env.path2doc(os.path.abspath(path)) or EVERYTHING


def _record_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / "dlguide-warned.json"


def reread_warned(app: Sphinx, env, added, changed, removed) -> list[str]:
    """env-get-outdated: the documents that warned in the previous build."""
    path = _record_file(app)
    try:
        warned = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if EVERYTHING in warned:
        return sorted(env.found_docs)
    return [d for d in warned if d in env.found_docs]


def save_warned(app: Sphinx, exception) -> None:
    """build-finished: remember this build's warned documents (none: forget)."""
    path = _record_file(app)
    if app.dlguide_warned.docnames:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sorted(app.dlguide_warned.docnames)), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def setup(app: Sphinx) -> dict:
    app.dlguide_warned = _WarnedDocs(app)
    logging.getLogger(NAMESPACE).addHandler(app.dlguide_warned)
    app.connect("env-get-outdated", reread_warned)
    app.connect("build-finished", save_warned)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
