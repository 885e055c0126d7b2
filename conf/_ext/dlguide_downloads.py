"""Offer each chapter as an executed ``.ipynb`` in the theme's download menu.

sphinx-book-theme lists an ``.ipynb`` download for MyST notebooks only when launch
buttons (Binder, Colab, ...) are configured, which an offline book does not want. This
extension does the part we need: it copies the notebook myst-nb executed for the page
(``_build/jupyter_execute/<page>.ipynb``, outputs included) next to the page's source in
``_sources/`` and tells the theme it is there.

In ``cache`` mode myst-nb 1.4 writes that notebook *without* its outputs when they come
from the execution cache (it saves the notebook it read, not the one merged with the
cache), and here they always come from the cache. So after a page is read, its
notebook is merged with its cached outputs and written again.
"""

from pathlib import Path

import nbformat
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.util import logging

from dlguide_standalone import NotStandalone, standalone

logger = logging.getLogger(__name__)


def executed_path(app: Sphinx, docname: str) -> Path:
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def add_cached_outputs(app: Sphinx, doctree) -> None:
    """doctree-read: put the cached outputs into the notebook myst-nb just wrote."""
    docname = app.env.docname
    path = executed_path(app, docname)
    if app.config.nb_execution_mode != "cache" or not path.exists():
        return
    if NbMetadataCollector.get_exec_data(app.env, docname) is None:
        return  # not a notebook: nothing was executed for this page
    from jupyter_cache import get_cache

    notebook = nbformat.read(path, as_version=4)
    try:
        _, merged = get_cache(app.config.nb_execution_cache_path) \
            .merge_match_into_notebook(notebook)
    except KeyError:
        logger.warning("no cached outputs for the downloadable notebook %s", path,
                       location=docname, type="dlguide", subtype="download")
        return
    nbformat.write(merged, path)


def add_notebook_download(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    executed = executed_path(app, pagename)
    if doctree is None or not executed.exists():
        return  # not a notebook page
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    title = app.env.titles[pagename].astext()
    try:
        notebook = standalone(nbformat.read(executed, as_version=4), title,
                              Path(app.srcdir))
    except NotStandalone as error:
        logger.warning("the downloadable notebook cannot run on its own: %s", error,
                       location=(pagename, error.line), type="dlguide", subtype="download")
        return
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", add_cached_outputs)
    # Priority 500 runs before the theme builds its header buttons (501).
    app.connect("html-page-context", add_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
