"""Hand-made features of an Item for the classical baselines: weight, sales rank, length, brand.

Amazon's details are messy: a weight comes as "2.4 pounds", "12 Ounces", "1,150 grams",
"1.2 Kilograms" or "85 hundredths pounds", and the best-sellers rank as a dict, as JSON text
or as "#1,234 in Automotive (See Top 100 in Automotive)". The parsers here turn each into one
number, or None when there is nothing usable; curation runs them once per record and keeps
the results on the Item (``weight``, ``rank``, ``brand``), not the details themselves.
`ItemFeatures` learns everything it needs (the averages that fill gaps, which brands are
premium) from the training items only, so nothing about the test items leaks into a model.

Introduced in notebooks/03_baselines.ipynb.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .config import CATEGORIES

# Pounds per unit. Keys are lower-case unit words as Amazon writes them.
POUNDS_PER_UNIT: dict[str, float] = {
    "pounds": 1.0,
    "pound": 1.0,
    "lbs": 1.0,
    "lb": 1.0,
    "hundredths pounds": 0.01,
    "hundredths pound": 0.01,
    "ounces": 1 / 16,
    "ounce": 1 / 16,
    "oz": 1 / 16,
    "kilograms": 2.20462262,
    "kilogram": 2.20462262,
    "kg": 2.20462262,
    "grams": 1 / 453.59237,
    "gram": 1 / 453.59237,
    "g": 1 / 453.59237,
    "milligrams": 1 / 453_592.37,
    "milligram": 1 / 453_592.37,
    "mg": 1 / 453_592.37,
}
_AMOUNT_AND_UNIT = re.compile(r"^\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*([a-z][a-z .]*?)\.?\s*$")
_RANK_IN_TEXT = re.compile(r"#?\s*(\d[\d,]*)\s+in\b")
_PLAIN_NUMBER = re.compile(r"^\s*#?\s*(\d[\d,]*)\s*$")


def parse_weight(text: Any) -> float | None:
    """An "Item Weight" detail in pounds: "12 ounces" -> 0.75; None if missing or unreadable.

    Knows pounds, ounces, grams, kilograms, milligrams (and their abbreviations) and Amazon's
    "hundredths pounds". Introduced in notebooks/03_baselines.ipynb.
    """
    if not isinstance(text, str):
        return None
    match = _AMOUNT_AND_UNIT.match(text.lower())
    if not match:
        return None
    amount = float(match.group(1).replace(",", ""))
    unit = " ".join(match.group(2).split())
    factor = POUNDS_PER_UNIT.get(unit)
    if factor is None:
        return None
    return amount * factor


def _first_rank(ranks: Mapping[Any, Any]) -> float | None:
    for value in ranks.values():
        rank = parse_rank(value)
        if rank is not None:
            return rank
    return None


def parse_rank(value: Any) -> float | None:
    """The main best-sellers rank (the first one listed): 1234.0, or None when there is none.

    Accepts a dict ``{"Automotive": 1234, "Oil Filters": 12}``, the same as JSON text, the text
    "#1,234 in Automotive (See Top 100 in Automotive)", or a bare number.
    Introduced in notebooks/03_baselines.ipynb.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value > 0 else None
    if isinstance(value, Mapping):
        return _first_rank(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, Mapping):
            return _first_rank(parsed)
    match = _PLAIN_NUMBER.match(text) or _RANK_IN_TEXT.search(text)
    if not match:
        return None
    rank = float(match.group(1).replace(",", ""))
    return rank if rank > 0 else None


def _details(item: Any) -> Mapping[str, Any]:
    details = getattr(item, "details", None)
    return details if isinstance(details, Mapping) else {}


def brand_of(item: Any) -> str:
    """The item's brand, or "" if unknown.

    An Item carries it (curation read "Brand", else "Manufacturer"); any other object is read
    from its ``details`` dict the same way. Used within `helpers.features`.
    """
    if hasattr(item, "brand"):
        return str(item.brand or "").strip()
    details = _details(item)
    brand = details.get("Brand") or details.get("Manufacturer") or ""
    return str(brand).strip()


def weight_of(item: Any) -> float | None:
    """The item's weight in pounds (from an Item, or parsed from a ``details`` dict), or None.

    Used within `helpers.features`.
    """
    if hasattr(item, "weight"):
        return item.weight
    return parse_weight(_details(item).get("Item Weight"))


def rank_of(item: Any) -> float | None:
    """The item's best-sellers rank (from an Item, or parsed from a ``details`` dict), or None.

    Used within `helpers.features`.
    """
    if hasattr(item, "rank"):
        return item.rank
    return parse_rank(_details(item).get("Best Sellers Rank"))


class ItemFeatures:
    """Turns Items into a numeric table: weight, rank, text length, premium brand, category.

    ``fit(train)`` learns, from the training items only, the averages that stand in for a
    missing weight or rank and the premium brands (the ``top_brands`` with the highest median
    price among brands with at least ``min_brand_items`` training items). ``transform(items)``
    then gives one row per item, columns named by ``names``.
    Introduced in notebooks/03_baselines.ipynb.
    """

    def __init__(self, top_brands: int = 20, min_brand_items: int = 5) -> None:
        self.top_brands = top_brands
        self.min_brand_items = min_brand_items
        self.is_fitted = False

    @property
    def names(self) -> list[str]:
        """Column names, in the order ``transform`` writes them."""
        return [
            "log_weight",
            "weight_missing",
            "log_rank",
            "rank_missing",
            "log_text_length",
            "is_top_brand",
            *(f"category_{c}" for c in CATEGORIES),
        ]

    def fit(self, items: Sequence[Any]) -> ItemFeatures:
        """Learn fill-in averages and premium brands from the training items."""
        if not items:
            raise ValueError("no training items to learn features from")
        weights = [w for w in map(self._weight, items) if w is not None]
        ranks = [r for r in map(self._rank, items) if r is not None]
        self.average_log_weight_ = statistics.fmean(map(math.log1p, weights)) if weights else 0.0
        self.average_log_rank_ = statistics.fmean(map(math.log1p, ranks)) if ranks else 0.0
        prices: dict[str, list[float]] = defaultdict(list)
        for item in items:
            brand = brand_of(item)
            if brand:
                prices[brand].append(float(item.price))
        eligible = {b: p for b, p in prices.items() if len(p) >= self.min_brand_items}
        ranked = sorted(eligible, key=lambda b: statistics.median(eligible[b]), reverse=True)
        self.premium_brands_ = frozenset(ranked[: self.top_brands])
        self.is_fitted = True
        return self

    _weight = staticmethod(weight_of)
    _rank = staticmethod(rank_of)

    def row(self, item: Any) -> list[float]:
        """One item's features (see ``names``)."""
        if not self.is_fitted:
            raise RuntimeError(
                "call fit(train) before transform: features learn from training data"
            )
        weight, rank = self._weight(item), self._rank(item)
        return [
            math.log1p(weight) if weight is not None else self.average_log_weight_,
            float(weight is None),
            math.log1p(rank) if rank is not None else self.average_log_rank_,
            float(rank is None),
            math.log1p(len(item.text)),
            float(brand_of(item) in self.premium_brands_),
            *(float(item.category == c) for c in CATEGORIES),
        ]

    def transform(self, items: Sequence[Any]) -> np.ndarray:
        """A float32 table, one row per item."""
        return np.array([self.row(item) for item in items], dtype=np.float32).reshape(
            len(items), len(self.names)
        )

    def fit_transform(self, items: Sequence[Any]) -> np.ndarray:
        return self.fit(items).transform(items)
