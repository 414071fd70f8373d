"""Where models fail: error by category and by price band, and the worst items, from saved results.

Every recorded result keeps its per-item predictions (see `helpers.results`), so this needs no
model: it reads what notebooks 03-10 saved, in this runtime or in your Hub data repository.

Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .charts import FONT_SIZE, mark_if_smoke
from .results import Result

PRICE_BANDS = (0, 25, 50, 100, 250, 500, 1_000)  # dollars: the edges of the price bands
NO_CATEGORY = "(no category)"  # the course's published splits carry none


def band_of(price: float, edges: Sequence[float] = PRICE_BANDS) -> str:
    """The price band a true price falls in: "$50-100"; the last band includes everything above.

    Used within `helpers.analysis`.
    """
    for low, high in zip(edges, edges[1:], strict=False):
        if price < high:
            return f"${low:,}-{high:,}"
    return f"${edges[-2]:,}-{edges[-1]:,}"


def item_errors(results: Mapping[str, Result]):
    """One row per model and answered item: model, title, category, band, truth, guess, error.

    Used within `helpers.analysis`.
    """
    import pandas as pd

    rows = []
    for result in results.values():
        for title, category, truth, guess in zip(
            result.titles, result.categories, result.truths, result.guesses, strict=True
        ):
            if guess is None:
                continue
            rows.append(
                {
                    "model": result.name,
                    "title": title,
                    "category": (category or NO_CATEGORY).replace("_", " "),
                    "band": band_of(truth),
                    "truth": truth,
                    "guess": guess,
                    "error": abs(guess - truth),
                }
            )
    columns = ["model", "title", "category", "band", "truth", "guess", "error"]
    return pd.DataFrame(rows, columns=columns)


def error_by(results: Mapping[str, Result], by: str = "category"):
    """Average error of every model (rows, best first) in every category or price band (columns).

    ``by`` is "category" or "band". Used within `helpers.analysis`.
    """
    if by not in ("category", "band"):
        raise ValueError(f"by must be 'category' or 'band', not {by!r}")
    errors = item_errors(results)
    table = errors.pivot_table(index="model", columns=by, values="error", aggfunc="mean")
    order = errors.groupby("model")["error"].mean().sort_values().index
    table = table.reindex(order)
    if by == "band":
        labels = [band_of(low) for low in PRICE_BANDS[:-1]]
        table = table[[b for b in labels if b in table.columns]]
    return table


def plot_error_by(results: Mapping[str, Result], by: str = "category", title: str | None = None):
    """A heatmap of `error_by`: one row per model, one column per group, each cell's error in dollars.

    Column labels carry the number of test items in the group (of the first model). Introduced
    in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    table = error_by(results, by)
    if table.empty:
        print("Nothing recorded yet: run a Tester first (it records by default).")
        return None
    errors = item_errors(results)
    counts = errors[errors["model"] == table.index[0]].groupby(by).size()
    values = table.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.05 * len(table.columns) + 4.5, 0.36 * len(table) + 2.0))
    # Twice the typical cell: a hopeless model (the random baseline) saturates instead of
    # washing every other cell out to the same pale colour.
    ceiling = 2 * float(np.nanmedian(values)) if np.isfinite(values).any() else 1.0
    image = ax.imshow(
        values,
        cmap="YlOrRd",
        vmin=0,
        vmax=max(ceiling, 1.0),
        aspect="auto",
        interpolation="nearest",
    )
    for (row, column), value in np.ndenumerate(values):
        if np.isfinite(value):
            dark = value > 0.6 * ceiling
            ax.text(column, row, f"{value:,.0f}", ha="center", va="center",
                    fontsize=FONT_SIZE - 1, color="white" if dark else "black")  # fmt: skip
    ax.set_xticks(range(len(table.columns)))
    ax.set_xticklabels(
        [f"{c}\n({counts.get(c, 0)})" for c in table.columns],
        rotation=30 if by == "category" else 0,
        ha="right" if by == "category" else "center",
        fontsize=FONT_SIZE - 1,
    )
    ax.set_yticks(range(len(table)))
    ax.set_yticklabels(table.index, fontsize=FONT_SIZE - 1)
    what = "category" if by == "category" else "true price band"
    ax.set_title(
        title or f"Average error (\\$) by {what}, best model on top", fontsize=FONT_SIZE + 1
    )
    fig.colorbar(image, ax=ax, label="average error (\\$)", shrink=0.8, extend="max")
    fig.tight_layout(rect=(0, 0.03, 1, 1))  # room for the smoke-run mark
    mark_if_smoke(fig)
    plt.show()
    return fig


def best_model(results: Mapping[str, Result]) -> str:
    """The name of the recorded model with the lowest average error.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    scored = [(r.score.mae, name) for name, r in results.items() if r.score is not None]
    if not scored:
        raise ValueError("no scored results: run a Tester first")
    return min(scored)[1]


def worst_items(result: Result, items: Sequence[Any] = (), n: int = 10):
    """The ``n`` items ``result`` missed by the most dollars, with their texts when ``items``
    (the test items) are given.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    import pandas as pd

    texts = {(i.title, round(float(i.price), 2)): i.text for i in items}
    rows = [
        {
            "title": title,
            "category": (category or NO_CATEGORY).replace("_", " "),
            "truth": truth,
            "guess": guess,
            "error": abs(guess - truth),
            "text": texts.get((title, round(float(truth), 2)), ""),
        }
        for title, category, truth, guess in zip(
            result.titles, result.categories, result.truths, result.guesses, strict=True
        )
        if guess is not None
    ]
    table = pd.DataFrame(rows, columns=["title", "category", "truth", "guess", "error", "text"])
    return table.sort_values("error", ascending=False).head(n).reset_index(drop=True)
