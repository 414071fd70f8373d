"""A synthetic Amazon product catalog in the real raw metadata schema: smoke mode's offline data.

Smoke runs read these files instead of McAuley-Lab/Amazon-Reviews-2023's raw metadata. Each
record has the same fields and types as the real JSONL (``main_category``, ``title``,
``features``, ``description``, ``price``, ``details`` with a nested "Best Sellers Rank", ...).
A product's price follows from its type, brand and attributes (size, capacity, pack count,
material, "Pro" tiers), all of which show in its text, times lognormal noise: a text model
can learn it, a constant cannot. The real data's defects appear at low, seeded rates:
missing and out-of-range prices, too little text, odd weight units, a details key whose
value type varies, empty details.

Item ``i`` of a category comes from its own random generator seeded by (seed, category, i),
so the first k records never change when the catalog grows. The tables are in
`standins.catalog_products` (types, brands, priced attributes) and `standins.catalog_words`;
one record is made in `standins.catalog_record`.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from helpers.config import CATEGORIES
from helpers.files import atomic_path, write_text_atomically
from helpers.prompts import PRICE_PREFIX, QUESTION

from .catalog_products import TYPES
from .catalog_record import synthetic_record

GENERATOR_VERSION = 1  # bump when records change, so written catalogs are regenerated
SIDECAR = "catalog.json"
SHAPES = ("raw", "converted")


def _check_category(category: str) -> None:
    if category not in TYPES:
        raise ValueError(f"Unknown category {category!r}. Choose one of: {', '.join(CATEGORIES)}")


def _converted(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The older converted shape: price as text ("None", "19.99", "$1,299.00"), details as JSON."""
    price = record["price"]
    if price is None:
        text = "None"
    elif price >= 1000 or rng.random() < 0.15:
        text = f"${price:,.2f}"
    else:
        text = f"{price:.2f}"
    return {**record, "price": text, "details": json.dumps(record["details"], ensure_ascii=False)}


def generate_records(category: str, n: int, seed: int = 42, shape: str = "raw") -> list[dict]:
    """``n`` synthetic product records of one category in the real raw metadata schema.

    Deterministic for (category, n, seed, shape); the first k records equal
    ``generate_records(category, k, seed, shape)``. ``shape="converted"`` gives the older
    converted form (price as text, details as JSON text).
    Introduced in notebooks/01_explore_data.ipynb.
    """
    _check_category(category)
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    records = [synthetic_record(category, i, seed) for i in range(n)]
    if shape == "converted":
        records = [
            _converted(r, random.Random(f"{seed}-{category}-{i}-converted"))
            for i, r in enumerate(records)
        ]
    return records


def _read_sidecar(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / SIDECAR).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_catalog(
    directory: str | os.PathLike,
    categories: Iterable[str] = CATEGORIES,
    n: int = 700,
    seed: int = 42,
) -> dict[str, Path]:
    """Write ``meta_{Category}.jsonl`` files (raw shape) and return their paths by category.

    Each file appears atomically. A file already written with the same n, seed and generator
    version (recorded in ``catalog.json``) is kept as it is. Introduced in
    notebooks/01_explore_data.ipynb.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {"n": n, "seed": seed, "generator": GENERATOR_VERSION}
    paths: dict[str, Path] = {}
    for category in categories:
        _check_category(category)
        path = folder / f"meta_{category}.jsonl"
        paths[category] = path
        if path.exists() and _read_sidecar(folder).get("files", {}).get(path.name) == wanted:
            continue
        records = generate_records(category, n, seed)
        with atomic_path(path) as staging, open(staging, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        sidecar = _read_sidecar(folder)  # re-read: another process may have added files
        files = sidecar.get("files") if isinstance(sidecar.get("files"), dict) else {}
        files[path.name] = wanted
        write_text_atomically(
            folder / SIDECAR, json.dumps({"files": files}, indent=1, sort_keys=True)
        )
    return paths


def ensure_catalog(
    directory: str | os.PathLike,
    n: int = 700,
    seed: int = 42,
    categories: Iterable[str] = CATEGORIES,
) -> dict[str, Path]:
    """The catalog files in ``directory``, written only where missing or stale.

    Same as `write_catalog`. Introduced in notebooks/01_explore_data.ipynb.
    """
    return write_catalog(directory, categories=categories, n=n, seed=seed)


def record_text(record: dict[str, Any]) -> str:
    """A record's plain text: title, description, features and detail values, one per line.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    details = record.get("details") or {}
    if isinstance(details, str):
        details = json.loads(details)
    values = [f"{k}: {v}" for k, v in details.items() if not isinstance(v, dict)]
    parts = [record["title"], *record["description"], *record["features"], "; ".join(values)]
    return "\n".join(p for p in parts if p)


def iter_texts(n_per_category: int = 300, seed: int = 0) -> Iterator[str]:
    """Plain product texts from every category, for training the tiny smoke tokenizer.

    Each text is a training-prompt-like block: the question, the product text and its price
    (so digits, prices and "Price is $" appear). Introduced in notebooks/01_explore_data.ipynb.
    """
    for category in CATEGORIES:
        for record in generate_records(category, n_per_category, seed):
            price = record["price"]
            ending = f"{PRICE_PREFIX}{price:,.2f}" if price is not None else ""
            yield f"{QUESTION}\n\n{record_text(record)}\n\n{ending}".rstrip()
