"""A chapter's first call: fixed seeds, one CPU thread, the book's plot style."""

import torch
from threadpoolctl import threadpool_limits

from dlguide.plot import use_book_style
from dlguide.seed import seed_everything


def setup(seed: int = 0) -> None:
    """Prepare a chapter's kernel: fixed seeds, one CPU thread, the book's plot style.

    One thread (for PyTorch and for the BLAS under NumPy and scikit-learn) keeps results
    bit-for-bit repeatable and lets several chapters execute side by side on a small
    machine without fighting over cores. Figures are stored as PNG (for the web pages)
    and PDF (vector graphics for the printed book).
    """
    torch.set_num_threads(1)
    threadpool_limits(1)  # NumPy / scikit-learn BLAS too: 10-20x faster on a busy machine
    seed_everything(seed)
    use_book_style()
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in a Jupyter kernel
        return
    set_matplotlib_formats("png", "pdf")
