"""What every chart shares: text readable on a projector, compact images, and the smoke mark.

`use_course_style()` (each notebook's seeds cell calls it) sets larger fonts and makes every
figure a notebook shows a 256-colour PNG: the same picture at about a third of the bytes, so
an executed notebook stays small. In smoke mode each figure is also stamped "smoke run:
stand-in models and synthetic data", so nobody mistakes it for the course's results.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .config import settings

FONT_SIZE = 12  # readable from the back of a room
STYLE = {
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 2,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE - 1,
    "ytick.labelsize": FONT_SIZE - 1,
    "legend.fontsize": FONT_SIZE - 1,
    "figure.dpi": 80,
}
_MARK_ID = "pricer-smoke-mark"


def mark_if_smoke(fig: Any) -> None:
    """Stamp "smoke run: stand-in models and synthetic data" on a smoke run's figure (once).

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    mark = settings().chart_mark
    if mark and not any(t.get_gid() == _MARK_ID for t in fig.texts):
        text = fig.text(
            0.99, 0.005, mark, ha="right", va="bottom", fontsize=10, color="#b22222", style="italic"
        )
        text.set_gid(_MARK_ID)


def compact_png(fig: Any, colors: int = 256, mark: bool = True, dpi: float | None = None) -> bytes:
    """The figure as a PNG with a ``colors``-colour palette (about 3x smaller than full colour),
    stamped as a smoke run unless ``mark`` is False. Used by `helpers.diagrams`.
    """
    from PIL import Image

    if mark:
        mark_if_smoke(fig)
    full = io.BytesIO()
    fig.savefig(full, format="png", bbox_inches="tight", dpi=dpi)
    image = Image.open(full).convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    small = io.BytesIO()
    image.save(small, format="PNG", optimize=True)
    return small.getvalue()


def use_course_style() -> None:
    """Projector-sized fonts, and compact, smoke-marked images for every figure a notebook shows.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    plt.close(plt.figure())  # resolve the backend now: the inline one sets its own formats on load
    mpl.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # a plain script: nothing is displayed inline
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]

    def ours(*_: Any) -> None:  # kept after every cell, should anything reset the format
        formatter.for_type(Figure, compact_png)

    ours()
    if not getattr(shell, "_pricer_charts", False):
        shell._pricer_charts = True
        shell.events.register("post_run_cell", ours)


# ---- charts of items ---------------------------------------------------------------------------


def category_chart(ax: Any, items: Sequence[Any], title: str) -> None:
    """Horizontal bars: how many ``items`` each category has, fewest at the bottom.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    counts = Counter(item.category for item in items)
    names = sorted(counts, key=counts.get)
    ax.barh([n.replace("_", " ") for n in names], [counts[n] for n in names], color="#4c72b0")
    ax.set(title=title, xlabel="items")


def price_chart(ax: Any, items: Sequence[Any], title: str, color: str = "#dd8452") -> None:
    """A histogram of the ``items``' prices in $10 bins up to $1,000, its mean in the title.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    prices = [item.price for item in items]
    ax.hist(prices, bins=range(0, 1000, 10), color=color)
    mean = sum(prices) / len(prices) if prices else 0.0
    ax.set(title=f"{title} (mean \\${mean:,.0f})", xlabel="price ($)", ylabel="items")
