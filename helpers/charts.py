"""What every chart shares: projector-sized text, and the smoke-run mark.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

from typing import Any

from .config import settings

FONT_SIZE = 12  # readable from the back of a room


def mark_if_smoke(fig: Any) -> None:
    """Stamp "smoke run: stand-in models and synthetic data" on a smoke run's figure.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    mark = settings().chart_mark
    if mark:
        fig.text(
            0.99, 0.005, mark, ha="right", va="bottom", fontsize=10, color="#b22222", style="italic"
        )
