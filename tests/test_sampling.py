"""Balancing, splitting and saving: the shape of the sample and determinism of the split."""

from collections import Counter

import pytest

from helpers.items import Item
from helpers.sampling import balance, load_splits, save_splits, split


def make(price, category="Electronics", n=0):
    return Item(f"{category} {price} #{n}", category, price, f"text {n}", 155, {"Brand": "X"})


def skewed():
    """Many cheap items (Automotive-heavy), few dear ones."""
    items = [make(9.99, "Automotive", n) for n in range(300)]
    items += [make(9.49, "Toys_and_Games", n) for n in range(100)]
    items += [make(25.0, "Electronics", n) for n in range(30)]
    items += [make(450.0 + n, "Appliances", n) for n in range(5)]
    items += [make(300.0, "Appliances", n) for n in range(80)]
    return items


def test_balance_caps_cheap_slots_and_keeps_dear_items():
    sample = balance(skewed(), slot_cap=50, seed=1)
    by_slot = Counter(round(i.price) for i in sample)
    assert by_slot[9] == 50  # 400 items at $9 capped
    assert by_slot[25] == 30  # under the cap: all kept
    assert by_slot[300] == 80  # at or above $240: all kept, cap or not
    assert sum(by_slot[p] for p in range(450, 455)) == 5


def test_balance_prefers_other_categories_over_automotive():
    sample = balance(skewed(), slot_cap=50, seed=1)
    in_slot = Counter(i.category for i in sample if round(i.price) == 9)
    # Weight 5 vs 1 with 100 toys and 300 automotive: toys are 25% of the slot, but far more of the draw.
    assert in_slot["Toys_and_Games"] > in_slot["Automotive"]


def test_balance_is_deterministic_for_a_seed():
    assert balance(skewed(), 50, seed=3) == balance(skewed(), 50, seed=3)
    assert balance(skewed(), 50, seed=3) != balance(skewed(), 50, seed=4)


def test_split_is_seeded_disjoint_and_sized():
    items = [make(float(p), n=p) for p in range(1, 301)]
    train, test = split(items, n_train=200, n_test=50, seed=42)
    assert (len(train), len(test)) == (200, 50)
    assert not {i.title for i in train} & {i.title for i in test}
    again = split(items, n_train=200, n_test=50, seed=42)
    assert again == (train, test)
    assert split(items, n_train=200, n_test=50, seed=7)[1] != test


def test_split_shrinks_train_not_test_and_refuses_too_few(capsys):
    items = [make(float(p), n=p) for p in range(1, 101)]
    train, test = split(items, n_train=500, n_test=30, seed=0)
    assert len(test) == 30 and len(train) == 70
    assert "only 70" in capsys.readouterr().out
    with pytest.raises(ValueError, match="lower n_test"):
        split(items[:10], n_train=5, n_test=10)


def test_splits_round_trip_through_parquet(tmp_path):
    items = [make(float(p), n=p) for p in range(1, 41)]
    train, test = split(items, n_train=30, n_test=10, seed=0)
    folder = save_splits(train, test, tmp_path / "splits")
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "test.parquet",
        "train.parquet",
    ]
    assert load_splits(folder) == (train, test)


def test_missing_splits_point_to_the_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="02_curate_dataset"):
        load_splits(tmp_path)
