"""Offer each chapter as an executed ``.ipynb`` in the theme's download menu.

sphinx-book-theme lists an ``.ipynb`` download for MyST notebooks only when launch
buttons (Binder, Colab, ...) are configured, which an offline book does not want. This
extension does the part we need: it copies the notebook myst-nb executed for the page
(``_build/jupyter_execute/<page>.ipynb``, outputs included) next to the page's source in
``_sources/`` and tells the theme it is there.
"""

import shutil
from pathlib import Path

from sphinx.application import Sphinx


def add_notebook_download(app: Sphinx, pagename: str, templatename, context, doctree) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.exists():
        return  # not a notebook page
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict:
    # Priority 500 runs before the theme builds its header buttons (501).
    app.connect("html-page-context", add_notebook_download, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
