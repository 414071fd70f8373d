"""Balancing, splitting and saving: the shape of the sample and determinism of the split."""

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from helpers.config import settings
from helpers.hub import RepoMissingError
from helpers.items import Item
from helpers.prompts import PRICE_PREFIX, QUESTION
from helpers.sampling import balance, load_splits, push_splits, save_splits, split


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
    train, validation, test = split(items, n_train=200, n_validation=40, n_test=50, seed=42)
    assert (len(train), len(validation), len(test)) == (200, 40, 50)
    titles = [{i.title for i in part} for part in (train, validation, test)]
    assert not titles[0] & titles[1] and not titles[0] & titles[2] and not titles[1] & titles[2]
    assert split(items, n_train=200, n_validation=40, n_test=50, seed=42) == (
        train,
        validation,
        test,
    )
    assert split(items, n_train=200, n_validation=40, n_test=50, seed=7).test != test


def test_split_shrinks_train_not_test_and_refuses_too_few(capsys):
    items = [make(float(p), n=p) for p in range(1, 101)]
    train, validation, test = split(items, n_train=500, n_validation=10, n_test=30, seed=0)
    assert len(test) == 30 and len(validation) == 10 and len(train) == 60
    assert "only 60" in capsys.readouterr().out
    with pytest.raises(ValueError, match="lower n_test"):
        split(items[:10], n_train=5, n_validation=0, n_test=10)


def small_splits(offset=0):
    items = [make(float(p), n=p + offset) for p in range(1, 61)]
    return split(items, n_train=40, n_validation=10, n_test=10, seed=0)


def test_splits_round_trip_as_one_unit(tmp_path):
    splits = small_splits()
    folder = save_splits(splits, tmp_path / "splits")
    names = sorted(p.name for p in folder.iterdir())
    assert "manifest.json" in names and len(names) == 4  # the manifest and one file per split
    assert load_splits(directory=folder) == splits
    newer = small_splits(offset=1000)
    save_splits(newer, folder)
    assert load_splits(directory=folder) == newer
    assert len(list(folder.glob("*.parquet"))) == 3  # the older generation is gone
    assert not list(folder.glob(".*.tmp"))
    assert all(oct(p.stat().st_mode & 0o777) != "0o600" for p in folder.iterdir())


KILLER = textwrap.dedent(
    """
    import os, sys
    import pyarrow.parquet as pq
    from helpers.items import Item
    from helpers.sampling import save_splits, split

    written = []
    real = pq.write_table
    def write_then_die(table, where, **kw):  # the process dies after the first split file
        real(table, where, **kw)
        written.append(where)
        if len(written) == int(sys.argv[2]):
            os._exit(9)
    pq.write_table = write_then_die
    items = [Item(f"new {p}", "Toys_and_Games", float(p), "text", 155) for p in range(1, 61)]
    save_splits(split(items, n_train=40, n_validation=10, n_test=10, seed=0), sys.argv[1])
    """
)


@pytest.mark.parametrize("kill_after", [1, 2, 3])
def test_a_kill_between_split_files_leaves_the_old_trio(tmp_path, kill_after):
    folder = tmp_path / "splits"
    old = small_splits()
    save_splits(old, folder)
    child = subprocess.run(
        [sys.executable, "-c", KILLER, str(folder), str(kill_after)], env=dict(os.environ)
    )
    assert child.returncode == 9
    assert load_splits(directory=folder) == old  # never a new train with an old test


def test_missing_splits_name_notebook_02_and_the_published_option(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "no-login"))
    with pytest.raises(FileNotFoundError, match="02_curate_dataset.*published"):
        load_splits(directory=tmp_path / "nothing")


def test_a_missing_hub_repo_names_notebook_02(tmp_path):
    with pytest.raises(RepoMissingError, match="02_curate_dataset"):
        load_splits(directory=tmp_path / "fresh", repo_id="learner/no-such-data")


def test_splits_pushed_in_one_runtime_are_pulled_in_the_next(tmp_path):
    splits = small_splits(offset=500)
    commit = push_splits(splits, "learner/pricer-data-test", tmp_path / "runtime-a")
    assert len(commit) == 40
    pulled = load_splits(directory=tmp_path / "runtime-b", repo_id="learner/pricer-data-test")
    assert pulled == splits
    assert json.loads((tmp_path / "runtime-b" / "manifest.json").read_text())["source"].startswith(
        "learner/pricer-data-test on the Hub"
    )


def test_pushing_the_saved_splits_writes_nothing_again_and_other_splits_are_saved_first(tmp_path):
    saved, other = small_splits(offset=700), small_splits(offset=800)
    folder = tmp_path / "runtime"
    save_splits(saved, folder)
    generation = json.loads((folder / "manifest.json").read_text())["generation"]
    push_splits(saved, "learner/pricer-data-digest", folder)
    assert json.loads((folder / "manifest.json").read_text())["generation"] == generation
    push_splits(other, "learner/pricer-data-digest", folder)  # not what was saved: saved first
    assert json.loads((folder / "manifest.json").read_text())["generation"] != generation
    pulled = load_splits(directory=tmp_path / "next", repo_id="learner/pricer-data-digest")
    assert pulled == other


def test_the_published_splits_come_in_the_course_schema(tmp_path, capsys):
    train, validation, test = load_splits("published", directory=tmp_path / "splits")
    assert len(test) == settings().sizes.n_test and len(validation) == settings().sizes.n_validation
    item = test[0]
    assert item.text and item.title == item.text.split("\n")[0] and item.price > 0
    assert item.test_prompt.startswith(QUESTION) and item.test_prompt.endswith(PRICE_PREFIX)
    assert "Price is" not in item.text  # the prompt's own ending is not part of the text
    assert "ed-donner/pricer-data on the Hub" in capsys.readouterr().out
