"""How a price guess is judged: the error, the log error, and the colour of a hit.

Used by `helpers.evaluation`, `helpers.price_game` and `helpers.results`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

GREEN, ORANGE, RED = "green", "orange", "red"
COLOUR_RULES = "green: within $40 or 20% | orange: within $80 or 40% | red: further off"
PLOT_COLOURS = {GREEN: "#2ca02c", ORANGE: "#ff7f0e", RED: "#d62728"}  # each colour in charts


def colour_for(guess: float, truth: float) -> str:
    """Green within $40 or 20% of the truth, orange within $80 or 40%, red otherwise.

    Used by `helpers.evaluation` and `helpers.price_game`.
    """
    error = abs(guess - truth)
    if error < 40 or error < 0.2 * truth:
        return GREEN
    if error < 80 or error < 0.4 * truth:
        return ORANGE
    return RED


def squared_log_error(guess: float, truth: float) -> float:
    """(log(1 + truth) - log(1 + guess))^2, with a negative guess read as 0: the SLE of one item.

    It judges relative misses: $10 for a $20 item costs as much as $500 for a $1,000 one.
    Used by `helpers.evaluation`.
    """
    return (math.log1p(truth) - math.log1p(max(guess, 0.0))) ** 2


@dataclass(frozen=True)
class Score:
    """Summary metrics over the answered items. Used by `helpers.price_game` and `helpers.results`."""

    mae: float  # mean absolute error in dollars
    rmsle: float  # root mean squared log error: relative misses, cheap and dear items alike
    hit_rate: float  # fraction of green guesses, 0-1
    count: int  # items answered (and scored)


def score(guesses: Sequence[float], truths: Sequence[float]) -> Score:
    """Metrics for guesses against true prices. Negative guesses count as 0 in the log error.

    Raises ValueError for unequal lengths, no guesses, or a guess that is not a finite number.
    Introduced in notebooks/03_baselines.ipynb.
    """
    if len(guesses) != len(truths):
        raise ValueError(f"{len(guesses)} guesses for {len(truths)} truths: they must pair up")
    if not truths:
        raise ValueError("nothing to score: no guesses were given")
    bad = [g for g in guesses if not math.isfinite(g)]
    if bad:
        raise ValueError(f"guesses must be finite numbers; got {bad[0]!r}")
    n = len(truths)
    pairs = list(zip(guesses, truths, strict=True))
    mae = sum(abs(g - t) for g, t in pairs) / n
    sle = sum(squared_log_error(g, t) for g, t in pairs)
    hits = sum(colour_for(g, t) == GREEN for g, t in pairs)
    return Score(mae=mae, rmsle=math.sqrt(sle / n), hit_rate=hits / n, count=n)
