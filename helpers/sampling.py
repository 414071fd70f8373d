"""Balance the curated items, split them, and save or load the splits.

Amazon's catalog is heavily skewed to cheap items and to Automotive. Left alone, a model
learns "say $15". The balanced sample caps how many items share each whole-dollar price,
keeps every expensive item, and prefers other categories over Automotive when it must choose.

Introduced in notebooks/02_curate_dataset.ipynb.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .config import settings
from .items import Item

KEEP_ALL_ABOVE = 240.0  # every item from this price up is kept: they are rare enough already
CATEGORY_WEIGHTS: Mapping[str, float] = {"Automotive": 1.0}  # others weigh DEFAULT_WEIGHT
DEFAULT_WEIGHT = 5.0
SPLIT_FILES = ("train", "test")


def balance(
    items: Sequence[Item],
    slot_cap: int | None = None,
    seed: int | None = None,
    keep_all_above: float = KEEP_ALL_ABOVE,
    category_weights: Mapping[str, float] = CATEGORY_WEIGHTS,
) -> list[Item]:
    """The course's balanced sample: at most ``slot_cap`` items per whole-dollar price.

    Slots at or above ``keep_all_above`` dollars keep everything. Within a full slot, items are
    drawn without replacement, weighted by category. Introduced in notebooks/02_curate_dataset.ipynb.
    """
    current = settings()
    slot_cap = current.slot_cap if slot_cap is None else slot_cap
    seed = current.seed if seed is None else seed
    rng = np.random.default_rng(seed)
    slots: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        slots[round(item.price)].append(item)
    sample: list[Item] = []
    for price in sorted(slots):
        slot = slots[price]
        if price >= keep_all_above or len(slot) <= slot_cap:
            sample.extend(slot)
            continue
        weights = np.array([category_weights.get(i.category, DEFAULT_WEIGHT) for i in slot])
        chosen = rng.choice(len(slot), size=slot_cap, replace=False, p=weights / weights.sum())
        sample.extend(slot[i] for i in sorted(chosen))
    return sample


def split(
    items: Sequence[Item],
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int | None = None,
) -> tuple[list[Item], list[Item]]:
    """Shuffle with ``seed`` and cut off a test set, then a training set.

    With too few items the training set shrinks (with a warning); the test set never does.
    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    current = settings()
    n_train = current.n_train if n_train is None else n_train
    n_test = current.n_test if n_test is None else n_test
    seed = current.seed if seed is None else seed
    if len(items) <= n_test:
        raise ValueError(
            f"Only {len(items)} items for a test set of {n_test}: curate more categories or "
            "records, or lower n_test."
        )
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    test = shuffled[:n_test]
    train = shuffled[n_test : n_test + n_train]
    if len(train) < n_train:
        print(f"Warning: only {len(train):,} items left for training (asked for {n_train:,}).")
    return train, test


def _write_parquet(items: Sequence[Item], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([item.to_record() for item in items])
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        staging = handle.name
    try:
        pq.write_table(table, staging)
        os.replace(staging, path)  # a half-written file never replaces a good one
    finally:
        if os.path.exists(staging):
            os.remove(staging)


def save_splits(
    train: Sequence[Item], test: Sequence[Item], directory: str | os.PathLike | None = None
) -> Path:
    """Save the splits as parquet files (plus a small manifest), atomically.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    target = Path(directory) if directory is not None else settings().splits_dir
    target.mkdir(parents=True, exist_ok=True)
    for name, items in zip(SPLIT_FILES, (train, test), strict=True):
        _write_parquet(items, target / f"{name}.parquet")
    manifest = {"train": len(train), "test": len(test), "smoke": settings().smoke}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def load_splits(directory: str | os.PathLike | None = None) -> tuple[list[Item], list[Item]]:
    """Load the saved train and test splits as Items.

    Introduced in notebooks/02_curate_dataset.ipynb; every later notebook starts with it.
    """
    import pyarrow.parquet as pq

    target = Path(directory) if directory is not None else settings().splits_dir
    paths = [target / f"{name}.parquet" for name in SPLIT_FILES]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(
            f"No saved splits in {target} (missing {', '.join(missing)}). Run "
            "notebooks/02_curate_dataset.ipynb first: it curates the data and saves them."
        )
    train, test = ([Item.from_record(row) for row in pq.read_table(p).to_pylist()] for p in paths)
    return train, test


def push_splits(
    train: Sequence[Item], test: Sequence[Item], repo_id: str, private: bool = True
) -> str:
    """Push the splits to a Hub dataset repository (needs a write token).

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    from datasets import Dataset, DatasetDict

    from .hub import friendly_hub_errors

    splits = DatasetDict(
        {
            "train": Dataset.from_list([item.to_record() for item in train]),
            "test": Dataset.from_list([item.to_record() for item in test]),
        }
    )
    with friendly_hub_errors(repo_id):
        splits.push_to_hub(repo_id, private=private)
    return f"https://huggingface.co/datasets/{repo_id}"
