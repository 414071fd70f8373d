"""An ensemble: several models' prices blended with weights fitted on the validation items.

Models make different mistakes; a weighted blend of their prices can beat each of them. The
weights are fitted on the **validation** items, never on the test items: weights chosen on the
test items would score the blend on the very answers it was tuned to, and its error would
flatter it. The test items judge the blend once, as every other model.

The fit is non-negative least squares: the weights (none below zero) and an intercept that
make the blend's squared error on the validation items smallest. A weight reads as "dollars of
the blend per dollar this member says". Zero means the other members already carry what this
one knows; a negative weight, which plain least squares allows, would bet against a model and
mostly fits noise.

Each member needs its predictions on the validation items and on the test items:

- `member_predictions` takes them from a saved result for exactly those items when there is
  one (notebook 09's test result for the fine-tuned Llama, say), and computes them otherwise,
  without touching the leaderboard;
- validation predictions are kept like test results, one file per model, under
  ``results/validation/`` locally and in your Hub data repository (`save_validation`), so a
  later runtime, or the member's own notebook, can supply them.

Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

from .config import settings
from .results import HUB_FOLDER, Result, load_results, record

VALIDATION_FOLDER = "validation"  # results/validation/<model>.parquet, locally and on the Hub
VALIDATION_REPO_FOLDER = f"{HUB_FOLDER}/{VALIDATION_FOLDER}"
CLASSICAL = (  # notebook 03's models, by the names they are recorded under
    "Gradient boosting",
    "Random forest",
    "Word2vec + SVR",
    "Word2vec + LR",
    "Bag of words + LR",
    "Feature linear regression",
)


# ---- validation predictions, kept like results -----------------------------------------------


def _validation_dir(directory: str | Path | None) -> Path:
    return Path(directory) if directory is not None else settings().results_dir / VALIDATION_FOLDER


def save_validation(result: Result, directory: str | Path | None = None, push: bool = True) -> Path:
    """Keep a model's predictions on the validation items (locally, and in your data repository).

    They never join the leaderboard. Used within `helpers.ensemble`.
    """
    return record(result, _validation_dir(directory), push, hub_folder=VALIDATION_REPO_FOLDER)


def load_validation(directory: str | Path | None = None, hub: bool = True) -> dict[str, Result]:
    """Every kept validation result by model name: this runtime's and your data repository's.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    return load_results(_validation_dir(directory), hub, hub_folder=VALIDATION_REPO_FOLDER)


def _key(title: str, truth: float) -> tuple[str, float]:
    return (title, round(float(truth), 2))


def matches(result: Result, items: Sequence[Any]) -> bool:
    """Whether ``result`` holds predictions for exactly ``items``, in order (titles and prices).

    Used within `helpers.ensemble`.
    """
    return result.count == len(items) and all(
        _key(t, p) == _key(i.title, i.price)
        for t, p, i in zip(result.titles, result.truths, items, strict=True)
    )


def member_predictions(
    predictor: Any,
    items: Sequence[Any],
    name: str | None = None,
    saved: Mapping[str, Result] | None = None,
    keep: bool = False,
) -> Result:
    """A model's predictions on ``items``: a saved result for exactly these items if ``saved``
    has one under its name, else computed now (shown briefly, not on the leaderboard).

    ``keep=True`` saves computed predictions with `save_validation`, for a later runtime.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    from .evaluation import Tester, summary_line

    name = name or getattr(predictor, "name", None) or type(predictor).__name__
    found = (saved or {}).get(name)
    if found is not None and matches(found, items):
        print(f"saved    {summary_line(found)}")
        return found
    if predictor is None:
        raise LookupError(
            f"No saved predictions of {name!r} for these items, and no model to make them."
        )
    result = Tester(predictor, items, name=name, size=len(items), show=False, record=False).run()
    print(f"computed {summary_line(result)}")
    if keep:
        save_validation(result)
    return result


# ---- the blend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blend:
    """Weights per member and an intercept: price = intercept + sum(weight x member's price).

    Used within `helpers.ensemble`.
    """

    names: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    fitted_on: int  # validation items the weights were fitted on

    def combine(self, prices: Sequence[float]) -> float:
        """The blended price of one item from its members' prices (in ``names`` order); never below 0."""
        total = self.intercept + sum(w * p for w, p in zip(self.weights, prices, strict=True))
        return max(0.0, total)

    def table(self):
        """The weights as a DataFrame: member, weight, and its share of the blend's total weight."""
        import pandas as pd

        total = sum(self.weights) or 1.0
        rows = [(n, w, w / total) for n, w in zip(self.names, self.weights, strict=True)]
        rows.append(("(intercept, dollars)", self.intercept, float("nan")))
        return pd.DataFrame(rows, columns=["member", "weight", "share"])


def fit_blend(validation: Mapping[str, Result], intercept: bool = True) -> Blend:
    """Non-negative least squares over the members' validation predictions.

    ``validation`` maps each member's name to its result on the SAME validation items. Items
    that any member left unanswered are left out of the fit. Introduced in
    notebooks/10_retrieval_and_ensembles.ipynb.
    """
    import numpy as np
    from scipy.optimize import lsq_linear

    if not validation:
        raise ValueError("no members to blend: give at least one model's validation result")
    names = tuple(validation)
    first = validation[names[0]]
    for name in names[1:]:
        other = validation[name]
        if [_key(t, p) for t, p in zip(other.titles, other.truths, strict=True)] != [
            _key(t, p) for t, p in zip(first.titles, first.truths, strict=True)
        ]:
            raise ValueError(
                f"{name!r} and {names[0]!r} were scored on different items: evaluate every member "
                "on the same validation items (the first VALIDATION_SIZE of the same splits)"
            )
    rows = [
        i for i in range(first.count) if all(validation[n].guesses[i] is not None for n in names)
    ]
    if len(rows) < len(names) + 2:
        raise ValueError(
            f"only {len(rows)} validation items answered by every member: too few to fit"
        )
    x = np.array([[validation[n].guesses[i] for n in names] for i in rows], dtype=float)
    y = np.array([first.truths[i] for i in rows], dtype=float)
    if intercept:
        x = np.hstack([x, np.ones((len(rows), 1))])
    lower = [0.0] * len(names) + ([-np.inf] if intercept else [])
    solution = lsq_linear(x, y, bounds=(lower, [np.inf] * x.shape[1]), method="bvls").x
    weights = tuple(float(w) for w in solution[: len(names)])
    return Blend(names, weights, float(solution[-1]) if intercept else 0.0, len(rows))


def plot_weights(blend: Blend):
    """A bar per member's weight, labelled, with the intercept and the fit's size in the title.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    import matplotlib.pyplot as plt

    from .charts import FONT_SIZE, mark_if_smoke

    fig, ax = plt.subplots(figsize=(10, 0.6 * len(blend.names) + 1.8))
    names, weights = list(blend.names)[::-1], list(blend.weights)[::-1]
    bars = ax.barh(names, weights, color="#4c72b0")
    for bar, weight in zip(bars, weights, strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {weight:.3f}",
                va="center", fontsize=FONT_SIZE)  # fmt: skip
    ax.set_xlim(0, max([*weights, 0.1]) * 1.25)
    ax.set_xlabel("weight (dollars of the blend per dollar the member says)", fontsize=FONT_SIZE)
    ax.set_title(
        f"Ensemble weights, fitted on {blend.fitted_on} validation items "
        f"(intercept \\${blend.intercept:,.2f})",
        fontsize=FONT_SIZE + 1,
    )
    ax.tick_params(labelsize=FONT_SIZE)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    mark_if_smoke(fig)
    plt.show()
    return fig


class EnsemblePricer:
    """A `Blend` as a predictor the Tester and the demo understand.

    For each member it uses, in order: ``known`` predictions for the item (a saved result that
    holds it), else the live model in ``members``. An item with a member's answer missing has no
    ensemble price (the reason says which member). Introduced in
    notebooks/10_retrieval_and_ensembles.ipynb.
    """

    def __init__(
        self,
        blend: Blend,
        members: Mapping[str, Any] | None = None,
        known: Mapping[str, Result] | None = None,
        name: str = "Ensemble",
    ) -> None:
        self.blend = blend
        self.members = dict(members or {})
        self.known = {
            n: {_key(t, p): g for t, p, g in zip(r.titles, r.truths, r.guesses, strict=True)}
            for n, r in (known or {}).items()
        }
        self.name = name
        missing = [n for n in blend.names if n not in self.members and n not in self.known]
        if missing:
            raise ValueError(f"no model and no saved predictions for members {missing}")

    def _column(self, name: str, items: Sequence[Any]) -> list[Any]:
        table = self.known.get(name, {})
        column: list[Any] = [table.get(_key(i.title, i.price), None) for i in items]
        todo = [k for k, value in enumerate(column) if value is None]
        model = self.members.get(name)
        if todo and model is not None:
            from .evaluation import answers

            for k, answer in zip(todo, answers(model, [items[k] for k in todo]), strict=True):
                column[k] = answer  # a price, or why there is none
        return column

    def predict_batch(self, items: Sequence[Any]) -> list[float | Exception]:
        columns = {name: self._column(name, items) for name in self.blend.names}
        prices: list[float | Exception] = []
        for k in range(len(items)):
            values = [columns[name][k] for name in self.blend.names]
            bad = [
                (name, value)
                for name, value in zip(self.blend.names, values, strict=True)
                if not _is_price(value)
            ]
            if bad:
                name, value = bad[0]
                why = str(value) if isinstance(value, BaseException) else "no answer"
                prices.append(ValueError(f"member {name!r} has no price: {why}"))
            else:
                prices.append(round(self.blend.combine([float(v) for v in values]), 2))
        return prices

    def __call__(self, item: Any) -> float:
        answer = self.predict_batch([item])[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _is_price(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


# ---- members ----------------------------------------------------------------------------------


def members_table(validation: Mapping[str, Result], test: Mapping[str, Result]):
    """Each model's average error on the validation and the test items, as a DataFrame.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    import pandas as pd

    def error(result: Result | None) -> float:
        score = result.score if result is not None else None
        return score.mae if score else float("nan")

    names = list(dict.fromkeys([*validation, *test]))
    rows = [(n, error(validation.get(n)), error(test.get(n))) for n in names]
    return pd.DataFrame(rows, columns=["model", "validation error", "test error"])


def best_classical(results: Mapping[str, Result]) -> str | None:
    """The recorded classical model (notebook 03) with the lowest error, or None if none is.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    scored = [(results[n].score.mae, n) for n in CLASSICAL if n in results and results[n].score]
    return min(scored)[1] if scored else None


def classical_model(
    name: str, seed: int = 42, vector_size: int = 100, epochs: int = 5, threads: int | None = None
) -> Any:
    """An untrained copy of notebook 03's model ``name``, with notebook 03's settings.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    from . import baselines

    def vectors() -> Any:
        return baselines.DocVectors(vector_size=vector_size, epochs=epochs, seed=seed)

    builders = {
        "Feature linear regression": lambda: baselines.feature_regression(),
        "Bag of words + LR": lambda: baselines.bag_of_words_regression(),
        "Word2vec + LR": lambda: baselines.word2vec_regression(vectors()),
        "Word2vec + SVR": lambda: baselines.word2vec_svr(vectors(), seed=seed),
        "Random forest": lambda: baselines.random_forest(vectors(), threads=threads, seed=seed),
        "Gradient boosting": lambda: baselines.gradient_boosting(
            vectors(), threads=threads, seed=seed
        ),
    }
    if name not in builders:
        raise ValueError(f"{name!r} is not one of notebook 03's models: {', '.join(builders)}")
    return builders[name]()
