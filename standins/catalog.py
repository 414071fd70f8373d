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
import random
from typing import Any

from helpers.config import CATEGORIES

from .catalog_products import TYPES
from .catalog_record import synthetic_record

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


def catalog_jsonl(category: str, n: int, seed: int = 42) -> bytes:
    """A category's raw metadata file as the Hub stand-in serves it: one record per JSON line.

    Used by `standins.world`.
    """
    lines = (json.dumps(r, ensure_ascii=False) for r in generate_records(category, n, seed))
    return ("\n".join(lines) + "\n").encode()


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
