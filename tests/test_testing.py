"""score(), the Tester and the leaderboard, against hand-computed values."""

import json
import math
from dataclasses import dataclass

import pytest

from helpers.testing import (
    GREEN,
    ORANGE,
    RED,
    Tester,
    colour_for,
    leaderboard_table,
    load_leaderboard,
    record_result,
    score,
)


@dataclass
class Thing:
    title: str
    price: float


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


def test_score_rejects_mismatched_or_empty_input():
    with pytest.raises(ValueError, match="pair up"):
        score([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="nothing to score"):
        score([], [])


@pytest.mark.parametrize(
    "guess, truth, colour",
    [
        (139.0, 100.0, GREEN),  # $39 off
        (1100.0, 1000.0, GREEN),  # 10% off
        (179.0, 100.0, ORANGE),  # $79 off
        (1350.0, 1000.0, ORANGE),  # 35% off
        (181.0, 100.0, RED),
        (1500.0, 1000.0, RED),
    ],
)
def test_colour_thresholds(guess, truth, colour):
    assert colour_for(guess, truth) == colour


def test_tester_survives_a_failing_predictor(tmp_path, capsys):
    def flaky(item):
        if item.title == "b":
            raise RuntimeError("model crashed")
        if item.title == "c":
            return None
        if item.title == "d":
            return float("nan")
        return item.price

    board = tmp_path / "board.json"
    report = Tester.test(flaky, ITEMS, leaderboard=board)
    assert report.name == "Flaky"
    assert report.guesses == [100.0, 0.0, 0.0, 0.0]
    assert [i for i, _ in report.failures] == [1, 2, 3]
    assert "model crashed" in report.failures[0][1]
    assert report.score.mae == pytest.approx((0 + 20 + 500 + 10) / 4)
    out = capsys.readouterr().out
    assert "3 items failed" in out and "FAILED: model crashed" in out
    assert load_leaderboard(board)["Flaky"]["failures"] == 3


def test_tester_uses_predict_batch_and_keeps_order(tmp_path):
    class Batched:
        name = "Batched model"
        calls: list[int] = []

        def __call__(self, item):
            raise AssertionError("per-item path should not run")

        def predict_batch(self, items):
            self.calls.append(len(items))
            return [i.price * 2 for i in items]

    model = Batched()
    report = Tester.test(model, ITEMS, batch_size=3, record=False, show=False)
    assert model.calls == [3, 1]
    assert report.guesses == [200.0, 40.0, 1000.0, 20.0]
    assert report.name == "Batched model"


def test_tester_falls_back_to_single_items_when_a_batch_fails():
    class HalfBroken:
        def __call__(self, item):
            if item.title == "c":
                raise ValueError("unparsable reply")
            return item.price

        def predict_batch(self, items):
            raise TimeoutError("batch timed out")

    report = Tester.test(HalfBroken(), ITEMS, record=False, show=False)
    assert report.guesses == [100.0, 20.0, 0.0, 10.0]
    assert [i for i, _ in report.failures] == [2]


def test_tester_with_workers_keeps_item_order():
    report = Tester.test(lambda item: item.price + 1, ITEMS, workers=4, record=False, show=False)
    assert report.guesses == [101.0, 21.0, 501.0, 11.0]


def test_size_limits_the_items_tested():
    report = Tester.test(lambda item: item.price, ITEMS, size=2, record=False, show=False)
    assert report.score.count == 2 and report.score.mae == 0


def test_leaderboard_records_replaces_and_sorts(tmp_path):
    board = tmp_path / "results" / "leaderboard.json"
    record_result("Constant", score([50.0, 50.0], [10.0, 100.0]), board)
    record_result("Good", score([12.0], [10.0]), board)
    record_result("Constant", score([60.0], [10.0]), board)  # a rerun replaces the entry
    table = leaderboard_table(board)
    assert list(table["model"]) == ["Good", "Constant"]
    assert table.loc[1, "mae"] == pytest.approx(50.0)
    assert not list(board.parent.glob("*.tmp"))  # nothing half-written left behind
    assert set(json.loads(board.read_text())["models"]) == {"Constant", "Good"}


def test_corrupt_leaderboard_says_what_to_do(tmp_path):
    board = tmp_path / "leaderboard.json"
    board.write_text("{half written")
    with pytest.raises(ValueError, match="Delete it"):
        load_leaderboard(board)


def test_leaderboard_chart_draws_every_model_and_the_course_figures(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from helpers.config import COURSE_FIGURES
    from helpers.testing import plot_leaderboard

    board = tmp_path / "leaderboard.json"
    record_result("GPT-4o", score([80.0], [10.0]), board)  # a name the reference also has
    record_result("Constant (train mean)", score([150.0], [10.0]), board)
    fig = plot_leaderboard(board, reference=COURSE_FIGURES)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Constant (train mean)", "GPT-4o"]
    assert len(ax.patches) == 2  # one bar per model
    assert ax.get_legend() is not None  # the published figures are labelled
    assert plot_leaderboard(tmp_path / "empty.json") is None
