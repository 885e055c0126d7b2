"""Helpers that the chapters of the dlguide book share.

What a reader is meant to learn stays in the chapters; this package only holds the
plumbing every chapter would otherwise copy: seeding, plot style and the bundled data.

>>> import dlguide
>>> dlguide.setup()          # first cell of every chapter (seeds, style, threads)
"""

import importlib

__all__ = ["digits", "sample_image", "seed_everything", "setup", "use_book_style"]

# The helpers import torch and matplotlib, which take seconds to load. They are loaded on
# first use, so that importing the package costs nothing until a helper is called.
_LAZY = {"digits": "data", "sample_image": "data", "seed_everything": "seed",
         "use_book_style": "plot"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"dlguide.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'dlguide' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def setup(seed: int = 0) -> None:
    """Prepare a chapter's kernel: fixed seeds, one CPU thread, the book's plot style.

    One thread (for PyTorch and for the BLAS under NumPy and scikit-learn) keeps results
    bit-for-bit repeatable and lets several chapters execute side
    by side on a small machine without fighting over cores. Figures are stored as PNG
    (for the web pages) and PDF (vector graphics for the printed book).
    """
    import torch
    from threadpoolctl import threadpool_limits

    from dlguide.plot import use_book_style
    from dlguide.seed import seed_everything

    torch.set_num_threads(1)
    threadpool_limits(1)  # NumPy / scikit-learn BLAS too: 10-20x faster on a busy machine
    seed_everything(seed)
    use_book_style()
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in a Jupyter kernel
        return
    set_matplotlib_formats("png", "pdf")
