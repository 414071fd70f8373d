"""The leaderboard: every recorded model, gathered from this runtime and your Hub account.

Introduced in notebooks/03_baselines.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .charts import FONT_SIZE, mark_if_smoke
from .config import settings
from .results import Result, load_results

COLUMNS = ["model", "error", "rmsle", "hits", "answered", "count", "coverage", "recorded"]


def leaderboard_table(
    results: Mapping[str, Result] | None = None, directory: str | Path | None = None
):
    """Every recorded model as a DataFrame, best (lowest average error) first.

    Introduced in notebooks/03_baselines.ipynb.
    """
    import pandas as pd

    results = load_results(directory) if results is None else results
    rows = [result.summary() for result in results.values()]
    table = pd.DataFrame(rows, columns=list(_SUMMARY_NAMES)).rename(columns=_SUMMARY_NAMES)
    return table[COLUMNS].sort_values("error").reset_index(drop=True)


# Result.summary()'s keys, as the table names its columns
_SUMMARY_NAMES = {
    "name": "model",
    "mae": "error",
    "rmsle": "rmsle",
    "hit_rate": "hits",
    "answered": "answered",
    "count": "count",
    "coverage": "coverage",
    "recorded": "recorded",
}


def plot_leaderboard(
    results: Mapping[str, Result] | None = None,
    title: str = "Average error on the test items (lower is better)",
    reference: Mapping[str, float] | None = None,
    directory: str | Path | None = None,
):
    """Horizontal bars of every recorded model's error, best at the top, hits annotated.

    ``reference`` (e.g. ``config.COURSE_FIGURES``) adds the course's published figures as
    diamonds beside the bars they compare with, in real runs only: smoke results come from
    stand-ins and are not comparable. Introduced in notebooks/03_baselines.ipynb.
    """
    import matplotlib.pyplot as plt

    table = leaderboard_table(results, directory)
    if table.empty:
        print("Nothing recorded yet: run a Tester first (it records by default).")
        return None
    if reference and not settings().comparable_to_course:
        print("The course's published figures are not drawn: this run's models are stand-ins.")
        reference = None
    order = table.iloc[::-1]  # barh draws bottom-up; best ends on top
    worst = max(float(table["error"].max()), *(reference or {0: 0}).values(), 1e-9)
    fig, ax = plt.subplots(figsize=(11, 0.55 * len(table) + 1.8))
    cmap = plt.get_cmap("viridis")
    bars = ax.barh(
        order["model"], order["error"], color=[cmap(e / worst * 0.85) for e in order["error"]]
    )
    for bar, (_, row) in zip(bars, order.iterrows(), strict=True):
        coverage = "" if row["coverage"] >= 0.999 else f", {row['coverage']:.0%} answered"
        ax.text(
            bar.get_width() + worst * 0.01,
            bar.get_y() + bar.get_height() / 2,
            f"\\${row['error']:,.0f}  ({row['hits']:.0%} hits{coverage})",
            va="center",
            fontsize=FONT_SIZE,
        )
    known = [(n, v) for n, v in (reference or {}).items() if n in set(order["model"])]
    for name, value in known:  # a diamond above the bar's centre line, clear of its label
        y = list(order["model"]).index(name) + 0.32
        ax.plot([value], [y], linestyle="none", marker="D", color="#555555", markersize=7)
    if known:
        ax.plot(
            [], [], linestyle="none", marker="D", color="#555555", label="course's published figure"
        )
        ax.legend(loc="lower right", fontsize=FONT_SIZE - 1)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.set_xlabel("Average absolute error (\\$)", fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.set_xlim(0, worst * 1.45)
    fig.tight_layout()
    mark_if_smoke(fig)
    plt.show()
    return fig
