"""Error analysis from saved per-item predictions: bands, tables by category and band, charts
and the worst items, with hand-computed figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402

import pytest  # noqa: E402

from helpers.analysis import (  # noqa: E402
    band_of,
    best_model,
    error_by,
    item_errors,
    plot_error_by,
    worst_items,
)
from helpers.items import Item  # noqa: E402
from helpers.results import Result  # noqa: E402

TITLES = ["drill", "cable", "tv", "pen"]
CATEGORIES = ["Tools_and_Home_Improvement", "Electronics", "Electronics", ""]
TRUTHS = [100.0, 10.0, 600.0, 2.0]


def result(name, guesses):
    return Result(name=name, truths=TRUTHS, guesses=guesses, titles=TITLES, categories=CATEGORIES)


RESULTS = {
    "good": result("good", [110.0, 12.0, 560.0, 2.0]),  # errors 10, 2, 40, 0
    "bad": result("bad", [50.0, 30.0, None, 5.0]),  # errors 50, 20, (failed), 3
}


@pytest.mark.parametrize(
    ("price", "band"),
    [(0.0, "$0-25"), (24.99, "$0-25"), (25.0, "$25-50"), (99.0, "$50-100"),
     (250.0, "$250-500"), (999.49, "$500-1,000"), (1_500.0, "$500-1,000")],
)  # fmt: skip
def test_price_bands(price, band):
    assert band_of(price) == band


def test_item_errors_skip_failures_and_name_missing_categories():
    table = item_errors(RESULTS)
    assert len(table) == 7  # 4 + 3 answered
    assert set(table["category"]) == {"Tools and Home Improvement", "Electronics", "(no category)"}
    assert table[table["model"] == "bad"]["error"].tolist() == [50.0, 20.0, 3.0]


def test_error_by_category_and_band_best_model_first():
    by_category = error_by(RESULTS, "category")
    assert list(by_category.index) == ["good", "bad"]
    assert by_category.loc["good", "Electronics"] == pytest.approx(21.0)  # (2 + 40) / 2
    assert by_category.loc["bad", "Electronics"] == pytest.approx(20.0)  # the tv failed
    by_band = error_by(RESULTS, "band")
    assert list(by_band.columns) == ["$0-25", "$100-250", "$500-1,000"]  # in price order
    assert by_band.loc["good", "$0-25"] == pytest.approx(1.0)  # (2 + 0) / 2
    assert math.isnan(by_band.loc["bad", "$500-1,000"])
    with pytest.raises(ValueError, match="category"):
        error_by(RESULTS, "brand")


def test_charts_are_drawn():
    for by in ("category", "band"):
        fig = plot_error_by(RESULTS, by)
        assert fig is not None and len(fig.axes) == 2  # the heatmap and its colour bar
    assert plot_error_by({}) is None


def test_the_worst_items_with_their_texts():
    items = [
        Item(t, c, p, f"{t} full text", 150)
        for t, c, p in zip(TITLES, CATEGORIES, TRUTHS, strict=True)
    ]
    worst = worst_items(RESULTS["good"], items, n=2)
    assert worst["title"].tolist() == ["tv", "drill"]
    assert worst["error"].tolist() == [40.0, 10.0]
    assert worst["text"].tolist() == ["tv full text", "drill full text"]
    assert worst_items(RESULTS["bad"], n=10)["title"].tolist() == ["drill", "cable", "pen"]
    assert best_model(RESULTS) == "good"
    with pytest.raises(ValueError):
        best_model({})
