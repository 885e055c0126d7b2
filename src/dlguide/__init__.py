"""Helpers that the chapters of the dlguide book share.

What a reader is meant to learn stays in the chapters; this package only holds the
plumbing every chapter would otherwise copy: seeding, plot style and the bundled data.
Each module imports only PyPI packages (and its siblings): a downloaded notebook carries
their source inlined in its set-up cell (conf/_ext/dlguide_downloads.py).

>>> import dlguide
>>> dlguide.setup()          # first cell of every chapter (seeds, style, threads)
"""

import importlib

__all__ = ["digits", "sample_image", "seed_everything", "setup", "use_book_style"]

# The helpers import torch and matplotlib, which take seconds to load. They are loaded on
# first use, so that importing the package costs nothing until a helper is called.
_LAZY = {"digits": "data", "sample_image": "data", "seed_everything": "seed",
         "setup": "kernel", "use_book_style": "plot"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"dlguide.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'dlguide' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
