"""Feature parsing by hand-computed values, and every baseline trained on the sample catalog."""

import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from helpers.baselines import (
    BagOfWords,
    ConstantPricer,
    DocVectors,
    RandomPricer,
    bag_of_words_regression,
    feature_regression,
    gradient_boosting,
    random_forest,
    word2vec_regression,
    word2vec_svr,
    words,
)
from helpers.config import CATEGORIES
from helpers.evaluation import Tester
from helpers.features import ItemFeatures, brand_of, parse_rank, parse_weight
from helpers.results import load_results
from helpers.scoring import score

GRAM = 1 / 453.59237


@dataclass
class Thing:
    """Just the Item fields the features read."""

    price: float
    details: dict = field(default_factory=dict)
    text: str = "x" * 99
    category: str = "Automotive"
    title: str = "thing"


# ---- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, pounds",
    [
        ("2.4 pounds", 2.4),
        ("2.4 Pounds", 2.4),
        ("1 pound", 1.0),
        ("3 lbs", 3.0),
        ("12 ounces", 0.75),
        ("12 Ounces", 0.75),
        ("8 oz", 0.5),
        ("350 grams", 350 * GRAM),
        ("1,150 grams", 1150 * GRAM),
        ("1.2 Kilograms", 1.2 * 2.20462262),
        ("2 kg", 2 * 2.20462262),
        ("85 hundredths pounds", 0.85),
        ("500 milligrams", 0.5 * GRAM),
        (" .5 Pounds ", 0.5),
    ],
)
def test_parse_weight_converts_every_unit_to_pounds(text, pounds):
    assert parse_weight(text) == pytest.approx(pounds)


@pytest.mark.parametrize("text", [None, "", "heavy", "12 stones", "pounds", 12, "1.2.3 pounds"])
def test_parse_weight_gives_none_for_missing_or_unreadable(text):
    assert parse_weight(text) is None


@pytest.mark.parametrize(
    "value, rank",
    [
        ({"Automotive": 1234, "Oil Filters": 12}, 1234.0),
        ('{"Automotive": 1234, "Oil Filters": 12}', 1234.0),
        ({"Automotive": None, "Oil Filters": 12}, 12.0),
        ("#1,234 in Automotive (See Top 100 in Automotive)", 1234.0),
        ("1,234 in Automotive", 1234.0),
        ("5678", 5678.0),
        (42, 42.0),
    ],
)
def test_parse_rank_reads_every_shape(value, rank):
    assert parse_rank(value) == rank


@pytest.mark.parametrize(
    "value", [None, "", "{not json", {}, "no rank", 0, True, [1, 2], "#0 in X"]
)
def test_parse_rank_gives_none_when_there_is_no_rank(value):
    assert parse_rank(value) is None


def test_brand_falls_back_to_manufacturer():
    assert brand_of(Thing(1, {"Brand": " Acme "})) == "Acme"
    assert brand_of(Thing(1, {"Manufacturer": "Acme Inc."})) == "Acme Inc."
    assert brand_of(Thing(1, {})) == ""


def test_words_keep_numbers_and_units():
    assert words("Pro 4TB Drive, 2.5 Inch; 2-Pack!") == [
        "pro",
        "4tb",
        "drive",
        "2.5",
        "inch",
        "2",
        "pack",
    ]


# ---- hand-made features ------------------------------------------------------------------------


def _train():
    return [
        Thing(
            10,
            {"Item Weight": "1 pounds", "Best Sellers Rank": {"Automotive": 99}, "Brand": "Cheap"},
        ),
        Thing(20, {"Item Weight": "3 pounds", "Brand": "Cheap"}),
        Thing(
            500,
            {"Item Weight": "16 ounces", "Best Sellers Rank": "#9 in Automotive", "Brand": "Dear"},
        ),
        Thing(700, {"Brand": "Dear"}, category="Electronics"),
    ]


def test_item_features_fill_gaps_with_training_averages():
    features = ItemFeatures(top_brands=1, min_brand_items=2).fit(_train())
    names = features.names
    row = dict(zip(names, features.transform([Thing(1, {})])[0], strict=True))
    assert row["log_weight"] == pytest.approx((math.log(2) + math.log(4) + math.log(2)) / 3)
    assert row["weight_missing"] == 1.0
    assert row["log_rank"] == pytest.approx((math.log(100) + math.log(10)) / 2)
    assert row["rank_missing"] == 1.0
    assert row["log_text_length"] == pytest.approx(math.log(100))
    assert row["is_top_brand"] == 0.0
    assert row["category_Automotive"] == 1.0
    assert sum(row[f"category_{c}"] for c in CATEGORIES) == 1.0


def test_item_features_learn_premium_brands_from_training_prices_only():
    features = ItemFeatures(top_brands=1, min_brand_items=2).fit(_train())
    assert features.premium_brands_ == {"Dear"}
    table = features.transform(
        [Thing(1, {"Brand": "Dear", "Item Weight": "2 pounds"}), Thing(1, {"Brand": "Cheap"})]
    )
    assert table.shape == (2, len(features.names))
    assert table[0, features.names.index("is_top_brand")] == 1.0
    assert table[1, features.names.index("is_top_brand")] == 0.0
    assert table[0, features.names.index("log_weight")] == pytest.approx(math.log(3))
    assert table[0, features.names.index("weight_missing")] == 0.0


def test_item_features_refuse_to_transform_before_fit():
    with pytest.raises(RuntimeError, match="fit"):
        ItemFeatures().transform([Thing(1)])
    with pytest.raises(ValueError, match="no training items"):
        ItemFeatures().fit([])


# ---- the baselines on the sample catalog ---------------------------------------------------------


@pytest.fixture(scope="module")
def trained(smoke_split):
    train = smoke_split.train
    vectors = DocVectors(workers=1).fit(train)  # one worker: bit-for-bit repeatable
    pricers = [
        ConstantPricer(),
        feature_regression(),
        bag_of_words_regression(),
        word2vec_regression(vectors),
        word2vec_svr(vectors),
        random_forest(vectors, threads=1),
        gradient_boosting(vectors, threads=1),  # one core: light on a shared 2-core runner
    ]
    return {p.name: p.fit(train) for p in pricers}, vectors


def _mae(pricer, items):
    return score(pricer.predict_batch(items), [i.price for i in items]).mae


def test_every_baseline_trains_and_predicts_sane_prices(trained, smoke_split):
    pricers, _ = trained
    test = smoke_split.test
    assert list(pricers) == [
        "Constant (train mean)",
        "Feature linear regression",
        "Bag of words + LR",
        "Word2vec + LR",
        "Word2vec + SVR",
        "Random forest",
        "Gradient boosting",
    ]
    for pricer in pricers.values():
        guesses = pricer.predict_batch(test)
        assert len(guesses) == len(test)
        assert all(math.isfinite(g) and g >= 0 for g in guesses), pricer.name
        assert pricer(test[0]) == pytest.approx(guesses[0], rel=1e-5)
        assert pricer.train_seconds is not None and pricer.train_seconds >= 0


def test_every_text_model_beats_the_constant(trained, smoke_split):
    pricers, _ = trained
    test = smoke_split.test
    constant = _mae(pricers.pop("Constant (train mean)"), test)
    errors = {name: _mae(p, test) for name, p in pricers.items()}
    # The catalog's prices follow type, brand and attributes, all in the text: each model
    # should cut the constant's error by a clear margin, not by luck.
    for name, error in errors.items():
        assert error < 0.9 * constant, f"{name}: ${error:.2f} vs constant ${constant:.2f}"


def test_constant_is_the_training_mean(smoke_split):
    train, test = smoke_split.train, smoke_split.test
    pricer = ConstantPricer().fit(train)
    assert pricer(test[0]) == pytest.approx(np.mean([i.price for i in train]))


def test_random_is_seeded_and_in_range(smoke_split):
    test = smoke_split.test
    first = RandomPricer(seed=3).predict_batch(test[:50])
    assert first == RandomPricer(seed=3).predict_batch(test[:50])
    assert first != RandomPricer(seed=4).predict_batch(test[:50])
    assert all(1 <= g <= 999 and g == int(g) for g in first)
    with pytest.raises(ValueError, match="low"):
        RandomPricer(low=10, high=1)


def test_shared_document_vectors_are_trained_once(trained, smoke_split):
    pricers, vectors = trained
    model = vectors.model
    pricer = word2vec_regression(vectors).fit(smoke_split.train[:200])
    assert pricer.features is vectors and vectors.model is model
    assert pricers["Gradient boosting"].features.parts[0] is vectors


def test_document_vectors_average_known_words_weighted_by_rarity(trained):
    _, vectors = trained
    wv, idf = vectors.model.wv, vectors.idf_
    a, b = wv.index_to_key[0], wv.index_to_key[5]
    expected = (2 * idf[0] * wv[a] + idf[5] * wv[b]) / (2 * idf[0] + idf[5])
    got = vectors.vector(f"{a} {b} {a} qqqunknownqqq")
    assert np.allclose(got, expected, atol=1e-5)
    assert not vectors.vector("qqqunknownqqq zzzunknownzzz").any()


def test_bag_of_words_caps_the_vocabulary(smoke_split):
    bag = BagOfWords(max_features=50).fit(smoke_split.train)
    assert len(bag.vocabulary) == 50
    assert "the" not in bag.vocabulary  # English stop words are dropped
    assert bag.transform(smoke_split.test[:3]).shape == (3, 50)


def test_pricers_refuse_bad_use():
    with pytest.raises(RuntimeError, match="fit"):
        feature_regression().predict_batch([Thing(1)])
    with pytest.raises(ValueError, match="no training items"):
        ConstantPricer().fit([])


def test_the_tester_scores_a_baseline_and_records_it(trained, smoke_split, tmp_path):
    pricers, _ = trained
    test = smoke_split.test
    board = tmp_path / "results"
    result = Tester.test(pricers["Bag of words + LR"], test, size=40, results_dir=board, show=False)
    assert result.name == "Bag of words + LR"
    assert result.score.count == 40 and not result.failures
    kept = load_results(board, hub=False)["Bag of words + LR"]
    assert kept.score.mae == pytest.approx(result.score.mae)
