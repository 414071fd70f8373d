"""The course's `Tester`: run a predictor over the test items, report, chart and record it.

A predictor is anything that maps an Item to a price. The Tester prints its summary first,
then a few sample lines and the worst misses, draws truth against estimate on fixed axes, and
records the result (see `helpers.results`) so the last notebook can chart every model.

Failures are reported as failures: an item whose predictor raised, or returned None, NaN or an
exception, is not scored as a $0 guess. The metrics cover the answered items, with the count
and coverage beside them.

Introduced in notebooks/03_baselines.ipynb.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .results import MAX_FAILURE_SHARE, Result, record
from .scoring import COLOUR_RULES, GREEN, ORANGE, PLOT_COLOURS, RED, colour_for, squared_log_error

# Readable on a white page and on a projector: dark green, dark orange, dark red.
_ANSI = {GREEN: "\033[38;5;28m", ORANGE: "\033[38;5;166m", RED: "\033[38;5;160m"}
_RESET = "\033[0m"
AXIS_LIMIT = 1_000.0  # dollars: every scatter uses the same axes, so models compare by eye
SAMPLE_LINES = 10  # items printed after the summary
WORST_LINES = 5  # biggest misses printed after the sample


def _as_price(value: Any) -> float:
    """A predictor's answer as a finite float; anything else raises, so it counts as a failure."""
    if isinstance(value, BaseException):
        raise value
    if value is None:
        raise ValueError("predictor returned None")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"predictor returned {value!r}")
    return number


def _attempt(predictor: Callable[[Any], Any], item: Any) -> float | BaseException:
    try:
        return _as_price(predictor(item))
    except Exception as error:  # a failing item must not stop the run
        return error


def _batches(
    predict_batch: Callable, predictor: Callable, items: Sequence[Any], batch_size: int
) -> list[float | BaseException]:
    found: list[float | BaseException] = []
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        try:
            raw = list(predict_batch(chunk))
            if len(raw) != len(chunk):
                raise ValueError(
                    f"predict_batch returned {len(raw)} answers for {len(chunk)} items"
                )
        except Exception:  # fall back to one at a time so one bad item costs one item
            found.extend(_attempt(predictor, item) for item in chunk)
            continue
        for value in raw:
            try:
                found.append(_as_price(value))
            except Exception as error:
                found.append(error)
    return found


def answers(
    predictor: Callable[[Any], Any], items: Sequence[Any], batch_size: int = 50, workers: int = 1
) -> list[float | BaseException]:
    """One answer per item, in order: a finite price, or the exception saying why there is none.

    ``predict_batch`` is used in chunks when the predictor has it; else ``workers`` threads call
    it item by item. Used by `helpers.demo` and `helpers.ensemble`.
    """
    items = list(items)
    predict_batch = getattr(predictor, "predict_batch", None)
    if callable(predict_batch):
        return _batches(predict_batch, predictor, items, batch_size)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda item: _attempt(predictor, item), items))
    return [_attempt(predictor, item) for item in items]


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return (
        text
        if text.startswith(("predictor", type(error).__name__))
        else f"{type(error).__name__}: {text}"
    )


def _default_name(predictor: Any) -> str:
    """A predictor's own ``name``, else its function name in title case (course behaviour)."""
    explicit = getattr(predictor, "name", None)
    if explicit:
        return str(explicit)
    raw = getattr(predictor, "__name__", None) or type(predictor).__name__
    return raw.replace("_", " ").title()


class Tester:
    """Runs a predictor over test items, then reports, charts and records the result.

    ``Tester.test(predictor, data, **options)`` is the one-liner the course uses; the options
    are this constructor's. A predictor is a callable ``item -> price``; if it also has
    ``predict_batch(items)``, that is called in chunks of ``batch_size`` instead (batched model
    inference, concurrent API calls), and may return per item a price, None or an exception
    saying why there is none. With ``workers > 1`` a plain callable runs in a thread pool.
    Item order is kept either way. Introduced in notebooks/03_baselines.ipynb.
    """

    def __init__(
        self,
        predictor: Callable[[Any], float],
        data: Sequence[Any],
        name: str | None = None,
        size: int = 250,
        workers: int = 1,
        batch_size: int = 50,
        show: bool = True,
        record: bool = True,
        results_dir: str | None = None,
    ) -> None:
        if not data:
            raise ValueError("no test items: load the splits first (notebook 02 makes them)")
        self.predictor = predictor
        self.data = list(data[:size])
        self.name = name or _default_name(predictor)
        self.workers = workers
        self.batch_size = batch_size
        self.show = show
        self.record = record
        self.results_dir = results_dir

    def _predict_all(self) -> list[float | BaseException]:
        """One answer per item: a price, or the exception explaining why there is none."""
        return answers(self.predictor, self.data, self.batch_size, self.workers)

    def run(self) -> Result:
        """Predict every item, then report, chart and record. Returns the `Result`."""
        started = time.perf_counter()
        answers = self._predict_all()
        result = Result(
            name=self.name,
            truths=[float(item.price) for item in self.data],
            guesses=[a if isinstance(a, float) else None for a in answers],
            reasons=[None if isinstance(a, float) else _reason(a) for a in answers],
            titles=[str(getattr(item, "title", "")) for item in self.data],
            categories=[str(getattr(item, "category", "")) for item in self.data],
            seconds=time.perf_counter() - started,
        )
        if self.show:
            print_report(result)
            chart(result)
        if self.record:
            record(result, self.results_dir)
        return result

    @classmethod
    def test(cls, predictor: Callable[[Any], float], data: Sequence[Any], **options: Any) -> Result:
        """Evaluate ``predictor`` on the first ``size`` items (250) and record the result.

        ``options`` are the Tester's: name, size, workers, batch_size, show, record,
        results_dir. Introduced in notebooks/03_baselines.ipynb.
        """
        return cls(predictor, data, **options).run()


# ---- what the learner sees ------------------------------------------------------------------


def summary_line(result: Result) -> str:
    """One line: error, log error and hits over the answered items, and what failed.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    s = result.score
    if s is None:
        return f"{result.name}: no item answered ({result.count} tried)"
    failed = len(result.failures)
    tail = f"; {failed} failed (coverage {result.coverage:.0%})" if failed else ""
    return (
        f"{result.name}: error ${s.mae:,.2f}, RMSLE {s.rmsle:.2f}, hits {s.hit_rate:.0%} "
        f"on {s.count} of {result.count} items{tail}"
    )


def _line(result: Result, i: int) -> str:
    truth, guess = result.truths[i], result.guesses[i]
    title = result.titles[i][:40]
    if guess is None:
        return f"{i + 1:>4}: FAILED ({result.reasons[i]})  Truth ${truth:,.2f}  {title}"
    colour = colour_for(guess, truth)
    return (
        f"{_ANSI[colour]}{i + 1:>4}: Guess ${guess:,.2f}  Truth ${truth:,.2f}  "
        f"Error ${abs(guess - truth):,.2f}  SLE {squared_log_error(guess, truth):.2f}  {title}{_RESET}"
    )


def print_report(result: Result) -> None:
    """The summary, the colour legend, a sample of items, the worst misses and the failures.

    Used within `helpers.evaluation`.
    """
    print(summary_line(result))
    print(f"Colours: {COLOUR_RULES}. SLE: squared log error of one item (see the glossary).")
    answered = [i for i, g in enumerate(result.guesses) if g is not None]
    print(f"\nFirst {min(SAMPLE_LINES, result.count)} items:")
    for i in range(min(SAMPLE_LINES, result.count)):
        print(_line(result, i))
    worst = sorted(answered, key=lambda i: -abs(result.guesses[i] - result.truths[i]))[:WORST_LINES]
    if worst:
        print(f"\nThe {len(worst)} biggest misses:")
        for i in worst:
            print(_line(result, i))
    if result.failures:
        reasons = Counter(reason for _, reason in result.failures)
        print(f"\n{len(result.failures)} items failed (not scored):")
        for reason, n in reasons.most_common(5):
            print(f"  {n} x {reason}")
        if not result.trusted:  # the rule lives in Result.trusted
            print(f"More than {MAX_FAILURE_SHARE:.0%} failed: this run will not be recorded.")


def chart(result: Result):
    """Truth against estimate on fixed $0-$1,000 axes, coloured as the lines, with y = x.

    Introduced in notebooks/03_baselines.ipynb.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from .charts import mark_if_smoke

    pairs = [(t, g) for t, g in zip(result.truths, result.guesses, strict=True) if g is not None]
    fig, ax = plt.subplots(figsize=(7, 6))
    if pairs:
        truths, guesses = zip(*pairs, strict=True)
        colours = [PLOT_COLOURS[colour_for(g, t)] for t, g in pairs]
        ax.scatter(truths, [min(g, AXIS_LIMIT) for g in guesses], s=10, c=colours)
    ax.plot([0, AXIS_LIMIT], [0, AXIS_LIMIT], color="#1f77b4", lw=1.5)
    ax.set_xlim(0, AXIS_LIMIT)
    ax.set_ylim(0, AXIS_LIMIT)
    ax.set_xlabel("Ground truth (\\$)", fontsize=12)
    ax.set_ylabel("Model estimate (\\$)", fontsize=12)
    s = result.score
    metrics = (
        f"Error \\${s.mae:,.2f}   RMSLE {s.rmsle:.2f}   Hits {s.hit_rate:.0%}"
        if s
        else "nothing answered"
    )
    ax.set_title(f"{result.name}\n{metrics}", fontsize=13)
    handles = [Line2D([], [], color="#1f77b4", label="perfect estimate (y = x)")]
    handles += [
        Line2D([], [], marker="o", linestyle="none", color=PLOT_COLOURS[c], label=label)
        for c, label in (
            (GREEN, "within \\$40 or 20%"),
            (ORANGE, "within \\$80 or 40%"),
            (RED, "further off"),
        )
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=10)
    mark_if_smoke(fig)
    plt.show()
    return fig
