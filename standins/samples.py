"""Curated samples of the synthetic catalog, built once here for tests, benchmarks and the Hub.

``smoke_splits`` is what notebook 02 makes in smoke mode: the catalog the Hub stand-in serves,
curated with the real tokenizer, balanced and split with smoke mode's sizes and seed.
``catalog_items`` is a larger, differently seeded pool of curated items for tests that need
variety rather than the notebooks' exact split. Both need a tokenizer (Meta's Llama 3 one in
tests; the tiny model's, which is the same vocabulary, in benchmarks).
"""

from __future__ import annotations

from typing import Any

from helpers.config import CATEGORIES, SMOKE_SIZES, Sizes
from helpers.items import Item, curate_batch
from helpers.sampling import Splits, balance, split

from .catalog import generate_records

SEED = 42  # the Hub stand-in's catalog seed (standins.world) and smoke mode's (Settings.seed)


def curated_items(
    tokenizer: Any, per_category: int, seed: int, categories: tuple[str, ...] = CATEGORIES
) -> list[Item]:
    """The Items that curation keeps from ``per_category`` records of each category."""
    items: list[Item] = []
    for category in categories:
        records = generate_records(category, per_category, seed=seed)
        items += [r for r in curate_batch(records, tokenizer, category) if isinstance(r, Item)]
    return items


def catalog_items(tokenizer: Any, per_category: int = 300, seed: int = 7) -> list[Item]:
    """Curated Items from ``per_category`` records of every category (a varied test pool)."""
    return curated_items(tokenizer, per_category, seed)


def smoke_splits(tokenizer: Any, sizes: Sizes = SMOKE_SIZES, seed: int = SEED) -> Splits:
    """The smoke splits exactly as notebook 02 makes them: the Hub stand-in's whole catalog,
    curated, balanced and split with ``sizes`` (smoke mode's: 2,000 train, 250 validation,
    250 test items) and ``seed``, whatever mode the environment is in."""
    items = curated_items(tokenizer, sizes.catalog_size, seed)
    sample = balance(items, slot_cap=sizes.slot_cap, seed=seed)
    return split(
        sample,
        n_train=sizes.n_train,
        n_validation=sizes.n_validation,
        n_test=sizes.n_test,
        seed=seed,
    )
