"""One raw Amazon record, read: its listed price, its details, its text, or why it was rejected.

`parse_record` is the tokenizer-free stage of curation: it reads the price (or refuses one it
could misread), builds and scrubs the text (`helpers.product_text`), and applies the cheap
checks, so half the records never reach the tokenizer. It never raises: whatever goes wrong
inside one record (a price of 1e400, a list where text should be) rejects that record with a
reason, and the others carry on.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .config import CEILING_CHARS, MAX_PRICE, MIN_CHARS, MIN_PRICE
from .features import parse_rank, parse_weight
from .product_text import build_text, clean_line, cut_at_space

# Rejection reasons, in the order a record meets them.
UNREADABLE = "unreadable line"  # not a JSON object: truncated, plain text, invalid UTF-8
MALFORMED = "malformed record"
NO_PRICE = "no price"
BAD_PRICE = "unreadable price"  # a price we could misread ("1.299,99", "12.99 - 19.99")
OUT_OF_RANGE = "price out of range"
TOO_LITTLE_TEXT = "too little text"
TOO_FEW_TOKENS = "too few tokens"
REASONS = (
    UNREADABLE,
    MALFORMED,
    NO_PRICE,
    BAD_PRICE,
    OUT_OF_RANGE,
    TOO_LITTLE_TEXT,
    TOO_FEW_TOKENS,
)

_PRICE_TEXT = re.compile(r"(?:US)?\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?:\s*USD)?")
_MISSING_PRICES = frozenset({"", "none", "null", "nan", "n/a", "-"})


@dataclass(frozen=True)
class Rejection:
    """Why a record did not become an Item: one of `REASONS`, plus a short detail.

    Used by `helpers.items`, `helpers.loaders` and `helpers.token_budget`.
    """

    reason: str
    detail: str = ""


@dataclass
class Draft:
    """A record that passed the cheap checks and waits for its token budget.

    Used by `helpers.items`.
    """

    title: str
    price: float
    text: str
    brand: str = ""
    weight: float | None = None
    rank: float | None = None


def listed_price(value: Any) -> float | None:
    """A record's listed price, from either record shape: 19.99, None, "None", "19.99", "$1,299.00".

    Text must be a plain US price: "1.299,99", "12.99 - 19.99" or "about 5" give None rather
    than a guess. Returns None when there is no usable price.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)  # OverflowError for a 400-digit integer
        elif isinstance(value, str):
            match = _PRICE_TEXT.fullmatch(value.strip())
            if not match:
                return None
            number = float(match.group(1).replace(",", "") + (match.group(2) or ""))
        else:
            return None
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _missing_price(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _MISSING_PRICES)


def parse_details(value: Any) -> dict[str, Any]:
    """Details as a dict, from a dict (raw shape) or JSON text (converted shape).

    Unreadable details count as none. Used within `helpers.records`.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:  # JSONDecodeError, and numbers json cannot hold
            return {}
    return dict(value) if isinstance(value, Mapping) else {}


def facts_from_details(details: Mapping[str, Any]) -> tuple[str, float | None, float | None]:
    """The brand ("Brand", else "Manufacturer"), the weight in pounds and the sales rank.

    Used by `helpers.items`.
    """
    brand = details.get("Brand") or details.get("Manufacturer") or ""
    brand = sys.intern(clean_line(brand)) if isinstance(brand, str) else ""
    return (
        brand,
        parse_weight(details.get("Item Weight")),
        parse_rank(details.get("Best Sellers Rank")),
    )


def text_of(record: Mapping[str, Any], limit: int = 0) -> str:
    """The product text the course builds from a raw record: title, description, features and
    the informative details, scrubbed (cut near ``limit`` characters when given).

    Introduced in notebooks/01_explore_data.ipynb.
    """
    details = parse_details(record.get("details"))
    return build_text(
        record.get("title") or "", record.get("description"), record.get("features"), details, limit
    )


def parse_record(record: Any) -> Draft | Rejection:
    """The tokenizer-free stage: price, text and cheap length checks for one raw record.

    Never raises: anything unexpected inside the record rejects it as malformed.
    Used by `helpers.items`.
    """
    try:
        if not isinstance(record, Mapping):
            return Rejection(MALFORMED, f"expected a JSON object, got {type(record).__name__}")
        raw_price = record.get("price")
        price = listed_price(raw_price)
        if price is None:
            if _missing_price(raw_price):
                return Rejection(NO_PRICE, repr(raw_price))
            return Rejection(BAD_PRICE, repr(raw_price)[:80])
        if not MIN_PRICE <= price <= MAX_PRICE:
            return Rejection(OUT_OF_RANGE, f"${price:,.2f}")
        title = record.get("title")
        if not isinstance(title, str) or not clean_line(title):
            return Rejection(MALFORMED, "title is missing or not text")
        description, features = record.get("description"), record.get("features")
        details = parse_details(record.get("details"))
        text = build_text(title, description, features, details, limit=CEILING_CHARS)
        if len(text) < MIN_CHARS:
            return Rejection(TOO_LITTLE_TEXT, f"{len(text)} characters")
        brand, weight, rank = facts_from_details(details)
        return Draft(
            clean_line(title), price, cut_at_space(text, CEILING_CHARS), brand, weight, rank
        )
    except Exception as error:  # one bad record must never stop the others
        return Rejection(MALFORMED, f"{type(error).__name__}: {error}"[:200])
