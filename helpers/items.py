"""One raw Amazon product record -> an `Item` ready for training and testing, or a reason why not.

Curation has two stages. `parse_record` does the per-record Python work (price, text, scrub)
and needs no tokenizer; `curate_batch` then measures and truncates every surviving text with
one batched call of the fast tokenizer. `curate` is the same path for a single record, so
tests, loaders and benchmarks all exercise one piece of code.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .config import (
    CEILING_CHARS,
    MAX_PRICE,
    MAX_TOKENS,
    MIN_CHARS,
    MIN_PRICE,
    MIN_TOKENS,
    PRICE_PREFIX,
    QUESTION,
)

# Rejection reasons, in the order a record meets them.
MALFORMED = "malformed record"
NO_PRICE = "no price"
OUT_OF_RANGE = "price out of range"
TOO_LITTLE_TEXT = "too little text"
TOO_FEW_TOKENS = "too few tokens"
REASONS = (MALFORMED, NO_PRICE, OUT_OF_RANGE, TOO_LITTLE_TEXT, TOO_FEW_TOKENS)

# Detail keys that say nothing about price: dropped from the text (kept on the Item).
BOILERPLATE_KEYS = frozenset(
    key.lower()
    for key in (
        "Batteries Included?",
        "Batteries Required?",
        "Date First Available",
        "Item model number",
        "Is Discontinued By Manufacturer",
        "Best Sellers Rank",
        "Customer Reviews",
        "ASIN",
        "UPC",
        "Manufacturer Part Number",
        "Part Number",
        "Global Trade Identification Number",
    )
)

_CLUTTER = re.compile(r"[\[\]{}<>\"“”【】|•·]+")
PREFIX_CHARS = MAX_TOKENS * 6  # characters encoded first; most texts fill the budget within them
_SPACES = re.compile(r"\s+")
# Long tokens mixing letters and digits (B07XJ8C8F5, SKU12345) are noise to a price model.
_PART_NUMBER = re.compile(r"(?<!\S)(?=[^\s\d]*\d)(?=[^\sA-Za-z]*[A-Za-z])\S{7,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_REPEATED_SEPARATORS = re.compile(r"([,;])(?:\s*[,;])+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass
class Item:
    """A curated product: the text a model reads and the price it should say.

    Introduced in notebooks/01_explore_data.ipynb.
    """

    title: str
    category: str
    price: float
    text: str  # scrubbed and truncated to the token budget; starts with the title
    token_count: int
    details: dict[str, str] = field(default_factory=dict)

    @property
    def completion(self) -> str:
        """What the model should write after "Price is $": whole dollars, as the course does."""
        return f"{round(self.price)}.00"

    @property
    def test_prompt(self) -> str:
        """The prompt a model completes at test time; it ends with "Price is $"."""
        return f"{QUESTION}\n\n{self.text}\n\n{PRICE_PREFIX}"

    @property
    def prompt(self) -> str:
        """The training prompt: the test prompt followed by the rounded price."""
        return self.test_prompt + self.completion

    def to_record(self) -> dict[str, Any]:
        """A flat dict (details as JSON text) for parquet files and `datasets`."""
        return {
            "title": self.title,
            "category": self.category,
            "price": float(self.price),
            "text": self.text,
            "token_count": int(self.token_count),
            "details": json.dumps(self.details, ensure_ascii=False),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Item:
        details = record.get("details") or {}
        if isinstance(details, str):
            details = json.loads(details)
        return cls(
            title=record["title"],
            category=record["category"],
            price=float(record["price"]),
            text=record["text"],
            token_count=int(record["token_count"]),
            details=dict(details),
        )

    def __repr__(self) -> str:
        return f"<{self.title[:50]} = ${self.price:,.2f}>"


@dataclass(frozen=True)
class Rejection:
    """Why a record did not become an Item: one of `REASONS`, plus a short detail."""

    reason: str
    detail: str = ""


@dataclass
class Draft:
    """A record that passed the cheap checks and waits for its token budget."""

    title: str
    price: float
    text: str
    details: dict[str, str]


def parse_price(value: Any) -> float | None:
    """A price from either record shape: 19.99, None, "None", "19.99", "$1,299.00".

    Returns None when there is no usable price. Introduced in notebooks/01_explore_data.ipynb.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        cleaned = value.strip().replace("$", "").replace(",", "").strip()
        match = _NUMBER.fullmatch(cleaned)
        if not match:
            return None
        number = float(cleaned)
    else:
        return None
    return number if math.isfinite(number) else None


def parse_details(value: Any) -> dict[str, str]:
    """Details as a flat str -> str dict, from a dict (raw shape) or JSON text (converted shape).

    Missing values (None) are dropped; nested values (Best Sellers Rank) become JSON text.
    Unreadable details count as none. Introduced in notebooks/01_explore_data.ipynb.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    flat: dict[str, str] = {}
    for key, item in value.items():
        if item is None:
            continue
        if isinstance(item, Mapping):
            item = {k: v for k, v in item.items() if v is not None}
            if not item:
                continue
        flat[str(key)] = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
    return flat


def scrub(text: str) -> str:
    """Remove clutter: brackets and quotes, part-number-like tokens, stray punctuation, spacing.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    text = _CLUTTER.sub(" ", text)
    text = _PART_NUMBER.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEATED_SEPARATORS.sub(r"\1", text)
    return text.strip(" ,;")


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value if v]
    raise TypeError(f"expected a list of strings, got {type(value).__name__}")


def build_text(title: str, description: Any, features: Any, details: Mapping[str, str]) -> str:
    """Title, description, features and informative details, scrubbed, one part per line.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    parts = [title, *_lines(description), *_lines(features)]
    kept = [f"{k}: {v}" for k, v in details.items() if k.lower() not in BOILERPLATE_KEYS]
    if kept:
        parts.append("; ".join(kept))
    return "\n".join(s for s in (scrub(p) for p in parts) if s)


def parse_record(record: Any) -> Draft | Rejection:
    """The tokenizer-free stage: price, text and cheap length check for one raw record.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    try:
        if not isinstance(record, Mapping):
            return Rejection(MALFORMED, f"expected a JSON object, got {type(record).__name__}")
        title = record.get("title")
        if not isinstance(title, str):
            return Rejection(MALFORMED, "title is missing or not text")
        price = parse_price(record.get("price"))
        if price is None:
            return Rejection(NO_PRICE, repr(record.get("price")))
        if not MIN_PRICE <= price <= MAX_PRICE:
            return Rejection(OUT_OF_RANGE, f"${price:,.2f}")
        details = parse_details(record.get("details"))
        text = build_text(title, record.get("description"), record.get("features"), details)
    except (TypeError, ValueError, AttributeError) as error:
        return Rejection(MALFORMED, str(error))
    if len(text) < MIN_CHARS:
        return Rejection(TOO_LITTLE_TEXT, f"{len(text)} characters")
    return Draft(title=title.strip(), price=price, text=text[:CEILING_CHARS], details=details)


def _budget_prefix(text: str, chars: int) -> str:
    """The text up to a space near ``chars``: tokenizes exactly like the same span of the whole.

    Llama-style pre-tokenizers never join a non-space character to a following space, so the
    tokens before such a cut are the tokens the full text starts with.
    """
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    while cut > 0 and text[cut - 1].isspace():
        cut -= 1
    return text[:cut] if cut > 0 else text


def curate_batch(records: Sequence[Any], tokenizer, category: str = "") -> list[Item | Rejection]:
    """Curate many raw records: one `parse_record` each, then batched tokenizer calls.

    Keeps items with more than MIN_TOKENS tokens, cut to MAX_TOKENS. Only as much text as the
    budget can use is encoded (the whole text just for the few that need it). The result lines
    up with ``records``. Introduced in notebooks/01_explore_data.ipynb.
    """
    results: list[Item | Rejection] = [parse_record(r) for r in records]
    waiting = [i for i, r in enumerate(results) if isinstance(r, Draft)]
    if not waiting:
        return results
    drafts = [results[i] for i in waiting]
    backend = tokenizer.backend_tokenizer  # the Rust tokenizer: batch calls, no per-token Python

    def encode(texts: list[str]) -> list[list[int]]:
        return [e.ids for e in backend.encode_batch(texts, add_special_tokens=False)]

    prefixes = [_budget_prefix(d.text, PREFIX_CHARS) for d in drafts]
    encoded = encode(prefixes)
    again = [
        k
        for k, ids in enumerate(encoded)
        if len(ids) <= MAX_TOKENS and prefixes[k] != drafts[k].text
    ]
    for k, ids in zip(again, encode([drafts[k].text for k in again]), strict=True):
        encoded[k] = ids
    keep = [ids[:MAX_TOKENS] for ids in encoded]
    texts = backend.decode_batch(keep, skip_special_tokens=True)
    if getattr(tokenizer, "clean_up_tokenization_spaces", False):
        texts = [tokenizer.clean_up_tokenization(t) for t in texts]
    for i, draft, ids, full, text in zip(waiting, drafts, keep, encoded, texts, strict=True):
        if len(full) <= MIN_TOKENS:
            results[i] = Rejection(TOO_FEW_TOKENS, f"{len(full)} tokens")
            continue
        results[i] = Item(
            title=draft.title,
            category=category,
            price=draft.price,
            text=text.strip(),
            token_count=len(ids),
            details=draft.details,
        )
    return results


def curate(record: Any, tokenizer, category: str = "") -> Item | Rejection:
    """Curate one raw record into an Item, or say why it was rejected.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    return curate_batch([record], tokenizer, category)[0]
