"""The ensemble: hand-computed blends, members' predictions saved or computed, validation results
kept apart from the leaderboard, and, in smoke mode, a blend fitted on the validation items
that beats every member on the test items."""

from __future__ import annotations

import pytest

from helpers.ensemble import (
    Blend,
    EnsemblePricer,
    best_classical,
    classical_model,
    fit_blend,
    load_validation,
    matches,
    member_predictions,
    members_table,
    save_validation,
)
from helpers.evaluation import Tester
from helpers.items import Item
from helpers.results import Result, load_results


def items(prices, prefix="item"):
    return [
        Item(
            title=f"{prefix} {k}",
            category="Electronics",
            price=float(p),
            text=f"{prefix} {k} text",
            token_count=150,
        )
        for k, p in enumerate(prices)
    ]


def result(name, guesses, truths, prefix="item"):
    return Result(name=name, truths=list(map(float, truths)), guesses=guesses,
                  titles=[f"{prefix} {k}" for k in range(len(truths))])  # fmt: skip


TRUTHS = [10.0, 20.0, 35.0, 50.0, 80.0, 120.0]


def test_an_exact_blend_is_found():
    a = [5.0, 10.0, 17.5, 25.0, 40.0, 60.0]  # half the truth
    b = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0]  # noise
    blend = fit_blend({"a": result("a", a, TRUTHS), "b": result("b", b, TRUTHS)}, intercept=False)
    assert blend.weights == pytest.approx((2.0, 0.0), abs=1e-6)
    assert blend.intercept == 0.0 and blend.fitted_on == 6
    assert blend.combine([7.0, 100.0]) == pytest.approx(14.0, abs=1e-6)


def test_the_intercept_is_fitted_and_may_be_negative():
    a = [t - 4 for t in TRUTHS]
    b = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    blend = fit_blend({"a": result("a", a, TRUTHS), "b": result("b", b, TRUTHS)})
    assert blend.weights[0] == pytest.approx(1.0, abs=1e-6)
    assert blend.weights[1] == pytest.approx(0.0, abs=1e-6)
    assert blend.intercept == pytest.approx(4.0, abs=1e-5)
    shifted = fit_blend({"a": result("a", [t + 6 for t in TRUTHS], TRUTHS)})
    assert shifted.intercept == pytest.approx(-6.0, abs=1e-5)


def test_weights_are_never_negative():
    opposite = [200.0 - t for t in TRUTHS]  # least squares would give it weight -1
    good = [t * 1.1 for t in TRUTHS]
    blend = fit_blend(
        {"opposite": result("o", opposite, TRUTHS), "good": result("g", good, TRUTHS)},
        intercept=False,
    )
    assert blend.weights[0] == 0.0
    assert blend.weights[1] == pytest.approx(1 / 1.1, rel=1e-6)
    assert Blend(("x",), (1.0,), -50.0, 1).combine([10.0]) == 0.0  # never a negative price
    table = blend.table()
    assert list(table["member"]) == ["opposite", "good", "(intercept, dollars)"]
    assert table["share"].iloc[1] == pytest.approx(1.0)


def test_unanswered_items_are_left_out_of_the_fit():
    a = [t / 2 for t in TRUTHS]
    a_with_gap = [None, *a[1:]]
    blend = fit_blend(
        {"a": result("a", a_with_gap, TRUTHS), "b": result("b", a, TRUTHS)}, intercept=False
    )
    assert blend.fitted_on == 5
    assert sum(blend.weights) == pytest.approx(2.0, abs=1e-6)


def test_members_scored_on_different_items_are_refused():
    with pytest.raises(ValueError, match="different items"):
        fit_blend(
            {"a": result("a", TRUTHS, TRUTHS), "b": result("b", TRUTHS, TRUTHS, prefix="other")}
        )
    with pytest.raises(ValueError, match="too few"):
        fit_blend({"a": result("a", [1.0, None, None, None, None, None], TRUTHS)})
    with pytest.raises(ValueError, match="no members"):
        fit_blend({})


def test_the_ensemble_uses_saved_predictions_first_then_live_models():
    blend = Blend(("saved", "live"), (0.5, 0.25), 1.0, 10)
    test = items([40, 80, 120])
    calls = []

    def live(item):
        calls.append(item.title)
        return 100.0

    known = {"saved": result("saved", [10.0, 20.0, 30.0], [40, 80, 120])}
    ensemble = EnsemblePricer(blend, {"live": live}, known, name="Ensemble")
    assert ensemble.predict_batch(test) == [31.0, 36.0, 41.0]  # 1 + 0.5 x saved + 0.25 x 100
    assert len(calls) == 3
    fresh = items([7.0], prefix="new")  # not in the saved result, and no live model: no price
    answer = ensemble.predict_batch(fresh)[0]
    assert isinstance(answer, ValueError) and "'saved'" in str(answer)
    with pytest.raises(ValueError, match="no model and no saved"):
        EnsemblePricer(blend, {"live": live})


def test_a_failing_member_is_the_ensembles_reason():
    blend = Blend(("a", "b"), (1.0, 1.0), 0.0, 10)

    def broken(item):
        raise RuntimeError("out of memory")

    answers = EnsemblePricer(blend, {"a": lambda i: 5.0, "b": broken}).predict_batch(items([1, 2]))
    assert all("out of memory" in str(a) for a in answers)
    scored = Tester.test(
        EnsemblePricer(blend, {"a": lambda i: 5.0, "b": lambda i: 6.0}),
        items([10, 12]),
        show=False,
        record=False,
    )
    assert scored.guesses == [11.0, 11.0]


def test_member_predictions_are_taken_from_a_saved_result_for_the_same_items(capsys):
    validation = items([10, 20, 30])
    calls = []

    def model(item):
        calls.append(item)
        return 15.0

    model.name = "Model"
    saved = {"Model": result("Model", [11.0, 21.0, 31.0], [10, 20, 30])}
    assert matches(saved["Model"], validation)
    assert member_predictions(model, validation, saved=saved).guesses == [11.0, 21.0, 31.0]
    assert calls == [] and "saved" in capsys.readouterr().out
    other = items([10, 20, 99])  # the same titles, another price: other splits
    assert not matches(saved["Model"], other)
    fresh = member_predictions(model, other, saved=saved)
    assert fresh.guesses == [15.0, 15.0, 15.0] and len(calls) == 3
    with pytest.raises(LookupError, match="no model"):
        member_predictions(None, other, name="Model", saved=saved)


def test_validation_results_are_kept_apart_from_the_leaderboard(tmp_path):
    kept = result("Validation only model", [12.0, 19.0, 30.0], [10, 20, 30])
    path = save_validation(kept)
    assert path.parent.name == "validation"
    assert "Validation only model" not in load_results()
    local = load_validation(hub=False)
    assert local["Validation only model"].guesses == [12.0, 19.0, 30.0]
    path.unlink()  # now only the Hub copy is left: a new runtime finds it there
    assert load_validation()["Validation only model"].guesses == [12.0, 19.0, 30.0]
    assert "Validation only model" not in load_results()


def test_members_table_and_the_best_classical_model():
    validation = {"a": result("a", [10.0, 20.0], [12, 20])}
    test = {"a": result("a", [10.0, 20.0], [10, 24]), "b": result("b", [1.0, 1.0], [1, 1])}
    table = members_table(validation, test)
    assert table.to_dict("list") == {
        "model": ["a", "b"],
        "validation error": [1.0, pytest.approx(float("nan"), nan_ok=True)],
        "test error": [2.0, 0.0],
    }
    results = {
        "Random forest": result("Random forest", [10.0], [30]),
        "Bag of words + LR": result("Bag of words + LR", [25.0], [30]),
        "GPT-4o": result("GPT-4o", [30.0], [30]),
    }
    assert best_classical(results) == "Bag of words + LR"
    assert best_classical({"GPT-4o": results["GPT-4o"]}) is None
    assert classical_model("Bag of words + LR").name == "Bag of words + LR"
    assert classical_model("Gradient boosting", seed=3).regressor.random_state == 3
    with pytest.raises(ValueError, match="notebook 03"):
        classical_model("GPT-4o")


def test_in_smoke_mode_the_ensemble_beats_every_member_on_the_test_items(smoke_split, tmp_path):
    """Notebook 10's members: GPT-4o-mini with retrieval (stand-in), the Llama stand-in read by
    the weighted predictor (here with the stand-in of the course's published adapter: notebook
    08's trained one needs a training run), the nearest-neighbour price and bag of words. The
    weights are fitted on the validation items only, then scored once on the test items."""
    from helpers.baselines import bag_of_words_regression
    from helpers.frontier import FrontierClient
    from helpers.inference import WeightedPredictor, load_fine_tuned
    from helpers.retrieval import NeighbourPricer, ProductStore, RetrievalPricer, load_embedder

    train, validation, test = smoke_split
    store = ProductStore.build(train, load_embedder(), tmp_path / "store", progress=False)
    members = {
        "Nearest neighbours": NeighbourPricer(store, k=5),
        "GPT-4o-mini + retrieval": RetrievalPricer(
            FrontierClient("gpt-4o-mini", cache=tmp_path / "c"), store
        ),
        "Bag of words + LR": bag_of_words_regression().fit(train),
        "Llama 3.1 8B, weighted": WeightedPredictor(*load_fine_tuned("published"), batch_size=50),
    }
    on_validation = {n: member_predictions(m, validation, name=n) for n, m in members.items()}
    on_test = {n: member_predictions(m, test, name=n) for n, m in members.items()}
    blend = fit_blend(on_validation)
    assert all(w >= 0 for w in blend.weights) and blend.fitted_on == len(validation)
    ensemble = Tester.test(
        EnsemblePricer(blend, members, on_test), test, name="Ensemble", show=False, record=False
    )
    errors = {n: r.score.mae for n, r in on_test.items()}
    print(f"ensemble {ensemble.score.mae:.2f}", errors, blend)
    assert ensemble.score.mae < min(errors.values()), (ensemble.score.mae, errors, blend)
