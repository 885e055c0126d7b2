"""Build tooling for the dlguide book. No chapter imports anything from here.

* ``execute``: runs the chapters in parallel into the execution cache before Sphinx;
* ``run``: executes one chapter outside Sphinx and times each cell;
* ``preview``: builds the book executing only one chapter (``make preview CH=week05``);
* ``pins``: regenerates ``constraints/`` (kernel pins apart from tooling pins).

Kept apart from the helper package ``dlguide`` on purpose: the execution cache is keyed
on ``dlguide`` and on the kernel's pins, so changing a tool here re-executes nothing.
"""

CELL_TIMEOUT = 120   # seconds one cell may run, however the book is executed
