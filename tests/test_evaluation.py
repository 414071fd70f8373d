"""score(), the Tester's failures and output, against hand-computed values."""

import math
from dataclasses import dataclass

import matplotlib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.evaluation import AXIS_LIMIT, Tester, chart
from helpers.scoring import GREEN, ORANGE, RED, colour_for, score

matplotlib.use("Agg")


@dataclass
class Thing:
    title: str
    price: float
    category: str = "Toys_and_Games"


ITEMS = [Thing("a", 100.0), Thing("b", 20.0), Thing("c", 500.0), Thing("d", 10.0)]


def test_score_matches_hand_computed_values():
    result = score([110.0, 50.0, 200.0, 10.0], [100.0, 20.0, 500.0, 10.0])
    assert result.count == 4
    assert result.mae == pytest.approx((10 + 30 + 300 + 0) / 4)
    sle = (
        (math.log(101) - math.log(111)) ** 2
        + (math.log(21) - math.log(51)) ** 2
        + (math.log(501) - math.log(201)) ** 2
    )
    assert result.rmsle == pytest.approx(math.sqrt(sle / 4))
    # 10 off: green; 30 off a $20 item: green (< $40); 300 off $500: red; exact: green.
    assert result.hit_rate == pytest.approx(0.75)


def test_score_clamps_negative_guesses_to_zero_in_the_log_error():
    assert score([-50.0], [10.0]).rmsle == pytest.approx(math.log(11))


def test_score_rejects_mismatched_empty_or_non_finite_input():
    with pytest.raises(ValueError, match="pair up"):
        score([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="nothing to score"):
        score([], [])
    with pytest.raises(ValueError, match="finite"):
        score([float("nan")], [1.0])


prices = st.floats(min_value=0.5, max_value=999.49, allow_nan=False)
guesses = st.floats(min_value=-1e6, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(guesses, prices), min_size=1, max_size=50))
def test_score_is_bounded_and_finite_for_any_guesses(pairs):
    g, t = zip(*pairs, strict=True)
    s = score(list(g), list(t))
    assert math.isfinite(s.mae) and math.isfinite(s.rmsle)
    assert s.mae >= 0 and s.rmsle >= 0 and 0 <= s.hit_rate <= 1 and s.count == len(pairs)
    assert s.mae == pytest.approx(sum(abs(a - b) for a, b in pairs) / len(pairs))


@given(st.lists(prices, min_size=1, max_size=50))
def test_perfect_guesses_score_zero_and_all_hits(truths):
    s = score(truths, truths)
    assert s.mae == 0 and s.rmsle == 0 and s.hit_rate == 1


@pytest.mark.parametrize(
    "guess, truth, colour",
    [
        (139.0, 100.0, GREEN),  # $39 off
        (1100.0, 1000.0, GREEN),  # 10% off
        (179.0, 100.0, ORANGE),  # $79 off
        (1350.0, 1000.0, ORANGE),  # 35% off
        (181.0, 100.0, RED),
        (1500.0, 1000.0, RED),
        (0.0, 30.0, GREEN),  # a $0 guess for a cheap item IS a hit when it is a real guess...
    ],
)
def test_colour_thresholds(guess, truth, colour):
    assert colour_for(guess, truth) == colour


def test_failures_are_reported_with_reasons_and_never_scored(capsys):
    def flaky(item):
        if item.title == "b":
            raise RuntimeError("model crashed")
        if item.title == "c":
            return None
        if item.title == "d":
            return float("nan")
        return item.price + 10

    result = Tester.test(flaky, ITEMS, record=False)
    assert result.name == "Flaky"
    assert result.guesses == [110.0, None, None, None]
    assert [i for i, _ in result.failures] == [1, 2, 3]
    assert "model crashed" in result.failures[0][1]
    # ...but a failure is not a guess: only item a is scored, and the $10 item is no hit.
    assert result.score.count == 1 and result.score.mae == pytest.approx(10.0)
    assert result.coverage == pytest.approx(0.25) and not result.trusted
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Flaky: error $10.00")  # the summary comes first
    assert "3 failed (coverage 25%)" in out and "1 x RuntimeError: model crashed" in out
    assert "will not be recorded" in out


def test_predict_batch_may_return_exceptions_as_reasons():
    class Batched:
        name = "Batched model"
        calls: list[int] = []

        def __call__(self, item):
            raise AssertionError("per-item path should not run")

        def predict_batch(self, items):
            self.calls.append(len(items))
            return [
                ValueError("reply had no price: 'n/a'") if i.title == "c" else i.price * 2
                for i in items
            ]

    model = Batched()
    result = Tester.test(model, ITEMS, batch_size=3, record=False, show=False)
    assert model.calls == [3, 1]
    assert result.guesses == [200.0, 40.0, None, 20.0]
    assert result.failures == [(2, "ValueError: reply had no price: 'n/a'")]
    assert result.name == "Batched model"


def test_tester_falls_back_to_single_items_when_a_batch_fails():
    class HalfBroken:
        def __call__(self, item):
            if item.title == "c":
                raise ValueError("unparsable reply")
            return item.price

        def predict_batch(self, items):
            raise TimeoutError("batch timed out")

    result = Tester.test(HalfBroken(), ITEMS, record=False, show=False)
    assert result.guesses == [100.0, 20.0, None, 10.0]
    assert [i for i, _ in result.failures] == [2]


def test_tester_with_workers_keeps_item_order():
    result = Tester.test(lambda item: item.price + 1, ITEMS, workers=4, record=False, show=False)
    assert result.guesses == [101.0, 21.0, 501.0, 11.0]


def test_size_limits_the_items_tested():
    result = Tester.test(lambda item: item.price, ITEMS, size=2, record=False, show=False)
    assert result.score.count == 2 and result.score.mae == 0


def test_output_is_a_summary_a_sample_and_the_worst_misses(capsys):
    items = [Thing(f"item {i}", float(10 + i)) for i in range(250)]
    Tester.test(lambda item: item.price * (3 if item.title == "item 7" else 1), items, record=False)
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 30  # not 250 lines
    assert out[0].startswith("<Lambda>") or "error $" in out[0]
    assert any(line.startswith("Colours: green") for line in out)
    worst = out[out.index("The 5 biggest misses:") + 1]
    assert "item 7" in worst  # 3x its price: the biggest miss


def test_scatter_uses_the_same_axes_for_every_model():
    result = Tester.test(lambda item: item.price * 50, ITEMS, record=False, show=False)
    fig = chart(result)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, AXIS_LIMIT) and ax.get_ylim() == (0, AXIS_LIMIT)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("within" in label for label in labels)  # the colours are explained
