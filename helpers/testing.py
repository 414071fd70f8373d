"""Scoring price predictors: `score()`, the course's `Tester`, and the leaderboard.

A predictor is anything that maps an Item to a price. The Tester runs one over the first test
items, prints a coloured line per item, draws truth against estimate, and can record the
result under a name so the last notebook can chart every model side by side.

Introduced in notebooks/03_baselines.ipynb.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import settings

GREEN, ORANGE, RED = "green", "orange", "red"
_ANSI = {GREEN: "\033[92m", ORANGE: "\033[93m", RED: "\033[91m"}
_RESET = "\033[0m"
_PLOT_COLOURS = {GREEN: "#2ca02c", ORANGE: "#ff7f0e", RED: "#d62728"}


def colour_for(guess: float, truth: float) -> str:
    """Green within $40 or 20% of the truth, orange within $80 or 40%, red otherwise."""
    error = abs(guess - truth)
    if error < 40 or error < 0.2 * truth:
        return GREEN
    if error < 80 or error < 0.4 * truth:
        return ORANGE
    return RED


@dataclass(frozen=True)
class Score:
    """Summary metrics of one run. Introduced in notebooks/03_baselines.ipynb."""

    mae: float  # mean absolute error in dollars
    rmsle: float  # root mean squared log error: relative misses, cheap and dear items alike
    hit_rate: float  # fraction of green guesses, 0-1
    count: int


def score(guesses: Sequence[float], truths: Sequence[float]) -> Score:
    """Metrics for guesses against true prices. Negative guesses count as 0 in the log error.

    Introduced in notebooks/03_baselines.ipynb.
    """
    if len(guesses) != len(truths):
        raise ValueError(f"{len(guesses)} guesses for {len(truths)} truths: they must pair up")
    if not truths:
        raise ValueError("nothing to score: no guesses were given")
    n = len(truths)
    mae = sum(abs(g - t) for g, t in zip(guesses, truths, strict=True)) / n
    sle = sum(
        (math.log1p(t) - math.log1p(max(g, 0.0))) ** 2 for g, t in zip(guesses, truths, strict=True)
    )
    hits = sum(colour_for(g, t) == GREEN for g, t in zip(guesses, truths, strict=True))
    return Score(mae=mae, rmsle=math.sqrt(sle / n), hit_rate=hits / n, count=n)


@dataclass
class Report:
    """What a Tester run produced: the score, each guess, and which items failed."""

    name: str
    score: Score
    guesses: list[float]
    truths: list[float]
    failures: list[tuple[int, str]] = field(default_factory=list)  # (index, what went wrong)
    seconds: float = 0.0

    def summary(self) -> str:
        s = self.score
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (
            f"{self.name}: error ${s.mae:,.2f}, RMSLE {s.rmsle:.2f}, "
            f"hits {s.hit_rate:.1%} on {s.count} items{failed}"
        )


def _as_price(value: Any) -> float:
    """A predictor's answer as a finite float; anything else raises so it counts as a failure."""
    if value is None:
        raise ValueError("predictor returned None")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"predictor returned {value!r}")
    return number


def _default_name(predictor: Any) -> str:
    """A predictor's own ``name``, else its function name in title case (course behaviour)."""
    explicit = getattr(predictor, "name", None)
    if explicit:
        return str(explicit)
    raw = getattr(predictor, "__name__", None) or type(predictor).__name__
    return raw.replace("_", " ").title()


class Tester:
    """Runs a predictor over test items and reports, charts and records the result.

    ``Tester.test(predictor, data)`` is the one-liner the course uses. A predictor is a
    callable ``item -> price``; if it also has ``predict_batch(items)``, that is called in
    chunks of ``batch_size`` instead (batched model inference, concurrent API calls). With
    ``workers > 1`` a plain callable runs in a thread pool. Order and per-item output are kept
    either way. Introduced in notebooks/03_baselines.ipynb.
    """

    __test__ = False  # a course class, not a pytest test class

    def __init__(
        self,
        predictor: Callable[[Any], float],
        data: Sequence[Any],
        name: str | None = None,
        size: int = 250,
        workers: int = 1,
        batch_size: int = 50,
        show: bool = True,
    ) -> None:
        if not data:
            raise ValueError("no test items: load the splits first (notebook 02 saves them)")
        self.predictor = predictor
        self.data = list(data[:size])
        self.name = name or _default_name(predictor)
        self.workers = workers
        self.batch_size = batch_size
        self.show = show

    def _one(self, item: Any) -> float:
        return _as_price(self.predictor(item))

    def _predict_all(self) -> list[float | Exception]:
        """One answer per item: a price, or the exception explaining why there is none."""
        answers: list[float | Exception] = []

        def attempt(item: Any) -> float | Exception:
            try:
                return self._one(item)
            except Exception as error:  # a failing item must not stop the run
                return error

        batch = getattr(self.predictor, "predict_batch", None)
        if callable(batch):
            for start in range(0, len(self.data), self.batch_size):
                chunk = self.data[start : start + self.batch_size]
                try:
                    raw = list(batch(chunk))
                    if len(raw) != len(chunk):
                        raise ValueError(f"predict_batch returned {len(raw)} for {len(chunk)}")
                except Exception:  # fall back to one at a time so one bad item costs one item
                    answers.extend(attempt(item) for item in chunk)
                    continue
                for value in raw:
                    try:
                        answers.append(_as_price(value))
                    except (TypeError, ValueError) as error:
                        answers.append(error)
                self._print_lines(start, answers[start:])
            return answers
        if self.workers > 1:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                for i, answer in enumerate(pool.map(attempt, self.data)):
                    answers.append(answer)
                    self._print_lines(i, [answer])
            return answers
        for i, item in enumerate(self.data):
            answers.append(attempt(item))
            self._print_lines(i, answers[-1:])
        return answers

    def _print_lines(self, start: int, answers: Sequence[float | Exception]) -> None:
        if not self.show:
            return
        for offset, answer in enumerate(answers):
            i = start + offset
            item = self.data[i]
            truth = float(item.price)
            guess = answer if isinstance(answer, float) else 0.0
            colour = colour_for(guess, truth)
            failed = "" if isinstance(answer, float) else f"  FAILED: {answer}"
            sle = (math.log1p(truth) - math.log1p(max(guess, 0.0))) ** 2
            print(
                f"{_ANSI[colour]}{i + 1}: Guess ${guess:,.2f} Truth ${truth:,.2f} "
                f"Error ${abs(guess - truth):,.2f} SLE {sle:.2f} "
                f"Item: {item.title[:40]}{failed}{_RESET}"
            )

    def run(self) -> Report:
        started = time.perf_counter()
        answers = self._predict_all()
        guesses = [a if isinstance(a, float) else 0.0 for a in answers]
        failures = [(i, str(a)) for i, a in enumerate(answers) if not isinstance(a, float)]
        truths = [float(item.price) for item in self.data]
        report = Report(
            name=self.name,
            score=score(guesses, truths),
            guesses=guesses,
            truths=truths,
            failures=failures,
            seconds=time.perf_counter() - started,
        )
        if self.show:
            print(report.summary())
            if failures:
                shown = ", ".join(f"#{i + 1}" for i, _ in failures[:10])
                more = " ..." if len(failures) > 10 else ""
                print(f"{len(failures)} items failed and count as a guess of $0: {shown}{more}")
            self.chart(report)
        return report

    @staticmethod
    def chart(report: Report):
        """Scatter of truth against estimate, coloured like the printed lines, with y = x."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 6))
        colours = [
            _PLOT_COLOURS[colour_for(g, t)]
            for g, t in zip(report.guesses, report.truths, strict=True)
        ]
        ax.scatter(report.truths, report.guesses, s=8, c=colours)
        top = max(max(report.truths), max(report.guesses), 1.0)
        ax.plot([0, top], [0, top], color="#1f77b4", lw=1.5, label="perfect estimate (y = x)")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("Ground truth (\\$)")
        ax.set_ylabel("Model estimate (\\$)")
        s = report.score
        ax.set_title(
            f"{report.name}  Error=\\${s.mae:,.2f}  RMSLE={s.rmsle:.2f}  Hits={s.hit_rate:.1%}"
        )
        ax.legend(loc="upper left")
        plt.show()
        return fig

    @classmethod
    def test(
        cls,
        predictor: Callable[[Any], float],
        data: Sequence[Any],
        name: str | None = None,
        size: int = 250,
        workers: int = 1,
        batch_size: int = 50,
        record: bool = True,
        leaderboard: str | os.PathLike | None = None,
        show: bool = True,
    ) -> Report:
        """Evaluate ``predictor`` on the first ``size`` items and record it on the leaderboard.

        Introduced in notebooks/03_baselines.ipynb.
        """
        tester = cls(predictor, data, name, size, workers, batch_size, show)
        report = tester.run()
        if record:
            record_result(report.name, report.score, leaderboard, failures=len(report.failures))
        return report


# ---- the leaderboard: one JSON file of every recorded model -------------------------------


def _leaderboard_path(path: str | os.PathLike | None) -> Path:
    return Path(path) if path is not None else settings().leaderboard_path


def load_leaderboard(path: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """Every recorded model's metrics, by name; empty if nothing was recorded yet.

    Introduced in notebooks/03_baselines.ipynb.
    """
    target = _leaderboard_path(path)
    if not target.exists():
        return {}
    try:
        content = json.loads(target.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(
            f"The leaderboard file {target} is not valid JSON ({error}). Delete it to start a "
            "new one; results are recorded again when notebooks rerun."
        ) from error
    return dict(content.get("models", {}))


def record_result(
    name: str,
    result: Score,
    path: str | os.PathLike | None = None,
    failures: int = 0,
) -> Path:
    """Record (or replace) one model's metrics; the file is rewritten atomically.

    Introduced in notebooks/03_baselines.ipynb.
    """
    target = _leaderboard_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    models = load_leaderboard(target)
    models[name] = {
        **asdict(result),
        "failures": failures,
        "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    payload = json.dumps({"models": models}, indent=2, sort_keys=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".tmp", delete=False) as f:
        f.write(payload + "\n")
    os.replace(f.name, target)
    return target


def leaderboard_table(path: str | os.PathLike | None = None):
    """The leaderboard as a DataFrame, best (lowest error) first.

    Introduced in notebooks/03_baselines.ipynb.
    """
    import pandas as pd

    models = load_leaderboard(path)
    columns = ["model", "mae", "rmsle", "hit_rate", "count", "failures"]
    rows = [{"model": name, **metrics} for name, metrics in models.items()]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("mae").reset_index(drop=True)


def plot_leaderboard(
    path: str | os.PathLike | None = None,
    title: str = "Leaderboard: average error on the test items (lower is better)",
    reference: dict[str, float] | None = None,
):
    """Horizontal bars of every recorded model's error, best at the top, hit rate annotated.

    ``reference`` (for example ``config.COURSE_FIGURES``) adds the course's published figures
    as grey markers. Introduced in notebooks/03_baselines.ipynb.
    """
    import matplotlib.pyplot as plt

    table = leaderboard_table(path)
    if table.empty:
        print("Nothing recorded yet: run a Tester with record=True first.")
        return None
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(table) + 1.5))
    order = table.iloc[::-1]  # barh draws bottom-up; best ends on top
    cmap = plt.get_cmap("viridis")
    worst = max(table["mae"].max(), 1e-9)
    bars = ax.barh(
        order["model"], order["mae"], color=[cmap(m / worst * 0.85) for m in order["mae"]]
    )
    for bar, (_, row) in zip(bars, order.iterrows(), strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  \\${row['mae']:,.0f}  ({row['hit_rate']:.0%} hits)",
            va="center",
            fontsize=9,
        )
    if reference:
        known = [(name, value) for name, value in reference.items() if name in set(order["model"])]
        for name, value in known:
            ax.plot([value], [name], linestyle="none", marker="|", color="grey", markersize=14)
        if known:
            ax.plot(
                [],
                [],
                linestyle="none",
                marker="|",
                color="grey",
                label="course's published figure",
            )
            ax.legend(loc="lower right")
    ax.set_xlabel("Mean absolute error (\\$)")
    ax.set_title(title)
    ax.set_xlim(0, worst * 1.35)
    fig.tight_layout()
    plt.show()
    return fig
