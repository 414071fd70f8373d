"""Balance the curated items, split them, and save, push or pull the splits as one unit.

Amazon's catalog is heavily skewed to cheap items and to Automotive. Left alone, a model
learns "say $15". The balanced sample caps how many items share each whole-dollar price,
keeps every expensive item, and prefers other categories over Automotive when it must choose.

The three splits (train, validation, test) always travel together: on disk a manifest names
one generation of files and is replaced last, and on the Hub they are one commit, so a kill at
any moment leaves the old trio or the new one, never a new train with an old test.

Introduced in notebooks/02_curate_dataset.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .config import DATA_REPO, PUBLISHED_SPLITS, settings
from .files import atomic_path, write_text_atomically
from .items import Item
from .prompts import PRICE_PREFIX, QUESTION

KEEP_ALL_ABOVE = 240.0  # every item from this price up is kept: they are rare enough already
CATEGORY_WEIGHTS: Mapping[str, float] = {"Automotive": 1.0}  # others weigh DEFAULT_WEIGHT
DEFAULT_WEIGHT = 5.0
SPLIT_NAMES = ("train", "validation", "test")
MANIFEST = "manifest.json"
MINE, PUBLISHED = "mine", "published"  # where load_splits takes the splits from
NO_SPLITS_HINT = (
    "Run notebooks/02_curate_dataset.ipynb first (with a write token it saves the splits to your "
    "account, where every later notebook finds them), or choose the course's published splits: "
    "SPLITS = 'published'."
)


class Splits(NamedTuple):
    """The train, validation and test items. Used within `helpers.sampling`."""

    train: list[Item]
    validation: list[Item]
    test: list[Item]


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
    slot_cap = current.sizes.slot_cap if slot_cap is None else slot_cap
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
    n_validation: int | None = None,
    n_test: int | None = None,
    seed: int | None = None,
) -> Splits:
    """Shuffle with ``seed``, cut off the test set, then the validation set, then training.

    With too few items the training set shrinks (with a warning); test and validation never do.
    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    current = settings()
    sizes = current.sizes
    n_train = sizes.n_train if n_train is None else n_train
    n_validation = sizes.n_validation if n_validation is None else n_validation
    n_test = sizes.n_test if n_test is None else n_test
    seed = current.seed if seed is None else seed
    if len(items) <= n_test + n_validation:
        raise ValueError(
            f"Only {len(items)} items for a test set of {n_test} and a validation set of "
            f"{n_validation}: curate more categories or records, or lower n_test and n_validation."
        )
    shuffled = list(items)
    random.Random(seed).shuffle(shuffled)
    test = shuffled[:n_test]
    validation = shuffled[n_test : n_test + n_validation]
    train = shuffled[n_test + n_validation : n_test + n_validation + n_train]
    if len(train) < n_train:
        print(f"Warning: only {len(train):,} items left for training (asked for {n_train:,}).")
    return Splits(train, validation, test)


# ---- files ------------------------------------------------------------------------------------


def _write_parquet(items: Sequence[Item], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([item.to_record() for item in items])
    with atomic_path(path) as staging:
        pq.write_table(table, staging)


def _read_parquet(path: Path) -> list[Item]:
    import pyarrow.parquet as pq

    return [Item.from_record(row) for row in pq.read_table(path).to_pylist()]


def save_splits(
    splits: Splits, directory: str | os.PathLike | None = None, source: str = "curated here"
) -> Path:
    """Save the three splits as parquet files plus a manifest, as one unit.

    New files get a fresh generation id; the manifest naming them is replaced last, and older
    generations are removed after. Introduced in notebooks/02_curate_dataset.ipynb.
    """
    target = Path(directory) if directory is not None else settings().splits_dir
    target.mkdir(parents=True, exist_ok=True)
    generation = uuid.uuid4().hex[:12]
    files = {name: f"{name}-{generation}.parquet" for name in SPLIT_NAMES}
    for name, items in zip(SPLIT_NAMES, splits, strict=True):
        _write_parquet(items, target / files[name])
    manifest = {
        "generation": generation,
        "digest": _digest(splits),
        "files": files,
        "counts": {name: len(items) for name, items in zip(SPLIT_NAMES, splits, strict=True)},
        "source": source,
    }
    write_text_atomically(target / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    for stale in target.glob("*.parquet"):  # earlier generations, now unreferenced
        if stale.name not in files.values():
            stale.unlink(missing_ok=True)
    return target


def _digest(splits: Splits) -> str:
    """A digest of every item of the three splits: the same splits, the same digest."""
    digest = hashlib.sha256()
    for name, items in zip(SPLIT_NAMES, splits, strict=True):
        digest.update(f"\x1d{name}".encode())
        for item in items:
            digest.update(repr(tuple(item.to_record().values())).encode())
    return digest.hexdigest()


def _manifest(target: Path) -> dict | None:
    """The manifest of the splits saved in ``target`` when all its files are there; else None."""
    try:
        manifest = json.loads((target / MANIFEST).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not all((target / manifest["files"][name]).exists() for name in SPLIT_NAMES):
        return None
    return manifest


def _load_local(target: Path) -> tuple[Splits, dict] | None:
    manifest = _manifest(target)
    if manifest is None:
        return None
    return Splits(*(_read_parquet(target / manifest["files"][n]) for n in SPLIT_NAMES)), manifest


# ---- the Hub ----------------------------------------------------------------------------------

HUB_FILES = {name: f"data/{name}.parquet" for name in SPLIT_NAMES}
DATASET_CARD = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.parquet
  - split: validation
    path: data/validation.parquet
  - split: test
    path: data/test.parquet
---
# pricer-data

Curated Amazon products (title, category, price, text) for the "Price is Right" course, made by
notebooks/02_curate_dataset.ipynb; `results/` holds one file per evaluated model.
"""


def push_splits(splits: Splits, repo_id: str, directory: str | os.PathLike | None = None) -> str:
    """Push the saved splits to a Hub dataset repository (private) in ONE commit; its id.

    Needs a write token. Introduced in notebooks/02_curate_dataset.ipynb.
    """
    from .hub import push_files

    target = Path(directory) if directory is not None else settings().splits_dir
    manifest = _manifest(target)
    if manifest is None or manifest.get("digest") != _digest(splits):  # not these splits: save
        save_splits(splits, target)
        manifest = _manifest(target)
    files: dict[str, Path | bytes] = {
        HUB_FILES[name]: target / manifest["files"][name] for name in SPLIT_NAMES
    }
    files["README.md"] = DATASET_CARD.encode()
    counts = ", ".join(
        f"{len(items):,} {name}" for name, items in zip(SPLIT_NAMES, splits, strict=True)
    )
    return push_files(repo_id, files, f"Splits: {counts}")


def _pull_mine(repo_id: str, target: Path) -> tuple[Splits, str]:
    from .hub import head_revision, pull_file

    revision = head_revision(repo_id, hint=NO_SPLITS_HINT)
    paths = [
        pull_file(repo_id, HUB_FILES[n], revision=revision, hint=NO_SPLITS_HINT)
        for n in SPLIT_NAMES
    ]
    splits = Splits(*(_read_parquet(p) for p in paths))
    save_splits(splits, target, source=f"{repo_id} on the Hub, commit {revision[:7]}")
    return splits, revision


def _item_from_prompt(text: str, price: float) -> Item:
    """An Item from the published dataset's prompt text (question, product text, price line)."""
    body = text.split(PRICE_PREFIX)[0]
    body = body.removeprefix(QUESTION).strip()
    title = body.split("\n", 1)[0]
    return Item(title=title, category="", price=float(price), text=body, token_count=0, details={})


def _pull_published(target: Path, n_validation: int) -> tuple[Splits, str]:
    """The course's published splits: its test set as ours, the last of its training set as
    validation (it has none), the rest as training."""
    import pyarrow.parquet as pq

    from .hub import head_revision, list_files, pull_file

    revision = head_revision(PUBLISHED_SPLITS)
    names = list_files(PUBLISHED_SPLITS, revision=revision)
    tables = {}
    for split_name in ("train", "test"):
        shards = sorted(
            n for n in names if n.startswith(f"data/{split_name}") and n.endswith(".parquet")
        )
        rows = []
        for shard in shards:
            path = pull_file(PUBLISHED_SPLITS, shard, revision=revision)
            rows += pq.read_table(path, columns=["text", "price"]).to_pylist()
        tables[split_name] = [_item_from_prompt(r["text"], r["price"]) for r in rows]
    train = tables["train"]
    splits = Splits(
        train[: len(train) - n_validation], train[len(train) - n_validation :], tables["test"]
    )
    save_splits(splits, target, source=f"{PUBLISHED_SPLITS} on the Hub, commit {revision[:7]}")
    return splits, revision


def _describe(splits: Splits, where: str) -> str:
    counts = " / ".join(
        f"{len(items):,} {name}" for name, items in zip(SPLIT_NAMES, splits, strict=True)
    )
    return f"Splits: {counts}, from {where}"


def load_splits(
    source: str = MINE, directory: str | os.PathLike | None = None, repo_id: str | None = None
) -> Splits:
    """The saved splits: from this runtime's disk, else pulled from the Hub (and kept on disk).

    ``source="mine"``: the splits notebook 02 made, from ``<you>/pricer-data`` (or ``repo_id``);
    ``source="published"``: the course's published splits, ``ed-donner/pricer-data``, whose first
    250 test items are the course's benchmark (they carry only text and price). Prints one line
    saying where they came from. Introduced in notebooks/02_curate_dataset.ipynb; every later
    notebook starts with it.
    """
    if source not in (MINE, PUBLISHED):
        raise ValueError(f"source must be {MINE!r} or {PUBLISHED!r}, not {source!r}")
    base = Path(directory) if directory is not None else settings().splits_dir
    target = base if source == MINE else base.parent / "published-splits"
    local = _load_local(target)
    if local is not None:
        print(_describe(local[0], f"{local[1]['source']} (saved in {target})"))
        return local[0]
    if source == PUBLISHED:
        splits, revision = _pull_published(target, settings().sizes.n_validation)
        print(_describe(splits, f"{PUBLISHED_SPLITS} on the Hub (commit {revision[:7]})"))
        return splits
    from .hub import learner_repo

    repo_id = repo_id or learner_repo(DATA_REPO)
    if repo_id is None:
        raise FileNotFoundError(
            f"No splits in {target}, and no Hugging Face token to look for them in your account. "
            + NO_SPLITS_HINT
        )
    splits, revision = _pull_mine(repo_id, target)
    print(_describe(splits, f"{repo_id} on the Hub (commit {revision[:7]})"))
    return splits
