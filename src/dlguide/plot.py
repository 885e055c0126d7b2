"""The book's plot style: readable in print, in light and in dark mode."""

import matplotlib as mpl

#: Colours used consistently across chapters (colour-blind safe, from the Okabe-Ito set).
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def use_book_style() -> None:
    """Apply the book's matplotlib defaults (size, fonts, grid, colour cycle)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 110,
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "savefig.bbox": "tight",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=COLORS),
            "font.size": 10,
            "legend.frameon": False,
            "image.cmap": "gray_r",
        }
    )
