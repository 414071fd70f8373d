"""Prices from the model: top-K weighting, batched = one at a time, adapter round trip."""

import math

import pytest
import torch

from helpers.inference import (
    GreedyPredictor,
    WeightedPredictor,
    load_fine_tuned,
    number_tokens,
    weighted_price,
)
from helpers.models import load_model_and_tokenizer


def test_weighted_price_on_a_hand_built_distribution():
    # vocabulary: 0 "the", 1 "10", 2 "20", 3 "30", 4 "40", 5 "."
    probabilities = torch.tensor([[0.30, 0.25, 0.20, 0.15, 0.05, 0.05]])
    ids, values = [1, 2, 3, 4], [10.0, 20.0, 30.0, 40.0]
    price = weighted_price(probabilities.log(), ids, values, top_k=3)
    # "the" is not a number; the three likeliest numbers are 10, 20, 30.
    expected = (0.25 * 10 + 0.20 * 20 + 0.15 * 30) / 0.60
    assert price.item() == pytest.approx(expected)
    assert weighted_price(probabilities.log(), ids, values, top_k=1).item() == pytest.approx(10.0)
    # A batch, each row weighted on its own; reversed, the row gives 40 p=0.25 and 30 p=0.20.
    batch = torch.stack([probabilities[0], probabilities[0].flip(0)]).log()
    both = weighted_price(batch, ids, values, top_k=2)
    assert both.tolist() == pytest.approx(
        [(0.25 * 10 + 0.2 * 20) / 0.45, (0.25 * 40 + 0.20 * 30) / 0.45]
    )


def test_number_tokens_are_the_positive_whole_numbers(llama_tokenizer):
    ids, values = number_tokens(llama_tokenizer)
    by_value = {}
    for token_id, value in zip(ids, values, strict=True):
        by_value.setdefault(value, []).append(token_id)
    assert set(range(1, 1000)) <= set(by_value)
    assert 0.0 not in by_value and all(v == int(v) for v in values)
    assert llama_tokenizer.decode([by_value[745.0][0]]).strip() == "745"


@pytest.fixture(scope="module")
def model_and_tokenizer():
    return load_model_and_tokenizer(padding_side="left")


def test_batched_predictions_equal_one_at_a_time(model_and_tokenizer, catalog_items):
    model, tokenizer = model_and_tokenizer
    items = catalog_items[:6]
    assert len({len(tokenizer(i.test_prompt)["input_ids"]) for i in items}) > 1  # padding happens
    for predictor in (GreedyPredictor(model, tokenizer), WeightedPredictor(model, tokenizer)):
        batched = predictor.predict_batch(items)
        single = [predictor(item) for item in items]
        for a, b in zip(batched, single, strict=True):
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-3)


def test_weighted_prices_are_finite_and_in_the_number_range(model_and_tokenizer, catalog_items):
    model, tokenizer = model_and_tokenizer
    prices = WeightedPredictor(model, tokenizer, top_k=5).predict_batch(catalog_items[:4])
    assert all(math.isfinite(p) and 1 <= p <= 999 for p in prices)


def test_greedy_generates_only_new_tokens(model_and_tokenizer, catalog_items):
    model, tokenizer = model_and_tokenizer
    texts = GreedyPredictor(model, tokenizer, max_new_tokens=3).generate(
        [catalog_items[0].test_prompt]
    )
    assert len(tokenizer(texts[0], add_special_tokens=False)["input_ids"]) <= 3
    assert "How much" not in texts[0]


def test_adapter_save_and_load_round_trip(tmp_path, catalog_items):
    from peft import LoraConfig, get_peft_model

    from helpers.models import load_base_model

    base = load_base_model()
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    tuned = get_peft_model(base, config)  # random, non-zero adapters: they change the output
    tuned.save_pretrained(tmp_path / "adapter")
    _, tokenizer = load_model_and_tokenizer(padding_side="left")
    expected = WeightedPredictor(tuned, tokenizer).predict_batch(catalog_items[:3])

    loaded, tokenizer = load_fine_tuned(tmp_path / "adapter")
    assert tokenizer.padding_side == "left"
    assert WeightedPredictor(loaded, tokenizer).predict_batch(catalog_items[:3]) == pytest.approx(
        expected, rel=1e-4
    )
    plain = WeightedPredictor(load_base_model(), tokenizer).predict_batch(catalog_items[:3])
    assert plain != pytest.approx(expected, rel=1e-4)  # the adapter made a difference


def test_a_missing_adapter_folder_says_which_notebook_makes_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="08_qlora_training"):
        load_fine_tuned(tmp_path / "pricer-qlora")
