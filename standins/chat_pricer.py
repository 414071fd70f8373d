"""How the OpenAI stand-in prices a product: it reads the prompt the way a model would.

The stand-in never sees the true price. It reads the product's text and prices it with the
synthetic catalog's own tables (`standins.catalog_products`), which is exactly the knowledge a good
model of that catalog would have:

1. **Read the listing.** Find the product type named in the text (``TYPES``: "Cordless
   Drill", "HDMI Cable", ...), the brand (``BRANDS``: premium brands cost more), and each of
   the type's priced attributes in the title (``AXES``: "Pro", "4 Pack", "65 Inch", ...).
   The text-implied price is base price x brand multiplier x attribute multipliers. An
   attribute it cannot find counts at the average of its options; a text with no known
   product type is priced at a generic $45. The catalog's real prices add lognormal noise
   (sigma 0.25) on top of this, so even a perfect reader misses by about a quarter.
2. **Add the model's own error.** Each model misreads by seeded lognormal noise whose size
   depends on the model name (`MODEL_NOISE`): a fine-tuned ``ft:gpt-4o-mini...`` is closest,
   then GPT-4o, Claude, GPT-4o-mini and unknown models. The noise is seeded by the model name
   and the prompt, so the same question always gets the same answer.
3. **Use context when the prompt gives it.** A prompt may show similar products with their
   prices before the product to price (the retrieval lesson's prompt)::

       To help, here are similar products and their prices:

       <text of a similar product>
       Price is $123.45

       ... more products ...

       How much does this cost?

       <text of the product to price>

   Every "Price is $N" line closes one context product (the text before it, back to the
   previous price line). The text after the last price line is the product to price. The
   model's own estimate gets weight 1 and each context price a weight of
   ``CONTEXT_WEIGHT x similarity`` (word overlap, Jaccard, 0-1); the blend is a weighted
   geometric mean. Close matches pull the answer strongly, unrelated ones barely.
4. **Say it like a model.** The price is written in one of several shapes ("$1,299.99",
   "Price is $99", "about 45 dollars", ...); a fine-tuned model answers as it was trained:
   "Price is $123.45".

Introduced in notebooks/05_frontier_models.ipynb (the smoke run's frontier models).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .catalog_products import AXES, BRANDS, TYPES
from .seeded import digest, gauss

GENERIC_PRICE = 45.0  # a text with no known product type
CONTEXT_WEIGHT = 3.0  # weight of a perfectly similar context product, against 1 for the model
# Log-scale misreading per model: the longest matching prefix of the model name wins.
MODEL_NOISE: dict[str, float] = {
    "ft:": 0.15,  # fine-tuned on this catalog's items
    "gpt-4o": 0.38,
    "gpt-4.1": 0.38,
    "claude": 0.42,
    "gemini": 0.45,
    "gpt-4o-mini": 0.48,
    "gpt-4.1-mini": 0.48,
    "gpt-4.1-nano": 0.60,
}
DEFAULT_NOISE = 0.60  # any other model

_PRICE_LINE = re.compile(r"Price is \$\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
_WORD = re.compile(r"[a-z0-9]+")


def _pattern(label: str) -> re.Pattern[str]:
    """``label`` as a whole phrase: not inside a longer word or number."""
    return re.compile(rf"(?<![\w]){re.escape(label)}(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class _Type:
    name: str
    base: float
    axes: tuple[str, ...]
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _tables() -> tuple[list[_Type], list[tuple[str, float, re.Pattern[str]]]]:
    types = [
        _Type(t[0], float(t[1]), tuple(t[5]), _pattern(t[0]))
        for category_types in TYPES.values()
        for t in category_types
    ]
    brands = [
        (name, mult, _pattern(name)) for category in BRANDS.values() for name, mult in category
    ]
    # Longest names first, so "Car Seat Covers" wins over a shorter name inside it.
    types.sort(key=lambda t: -len(t.name))
    brands.sort(key=lambda b: -len(b[0]))
    return types, brands


@dataclass
class Reading:
    """What the stand-in understood from a product's text, and the price that implies."""

    product_type: str | None
    brand: str | None
    attributes: list[str] = field(default_factory=list)
    price: float = GENERIC_PRICE


def _earliest(
    patterns: Iterable[tuple[Any, str, re.Pattern[str]]], text: str
) -> tuple[Any, int, int]:
    """The entry whose pattern occurs first in ``text`` (longest on a tie): (entry, start, end)."""
    best: tuple[Any, int, int] = (None, len(text) + 1, 0)
    lowered = text.lower()
    for entry, name, pattern in patterns:
        if name.lower() not in lowered:  # a cheap test first: most names are absent
            continue
        match = pattern.search(text)
        if match and match.start() < best[1]:
            best = (entry, match.start(), match.end())
    return best


def read_listing(text: str) -> Reading:
    """Price a product from its text with the catalog's tables (no noise, no truth)."""
    types, brands = _tables()
    product, start, end = _earliest(((t, t.name, t.pattern) for t in types), text)
    brand, _, _ = _earliest(((b, b[0], b[2]) for b in brands), text)
    brand_name, brand_mult = (brand[0], brand[1]) if brand else (None, 1.0)
    if product is None:
        return Reading(None, brand_name, [], round(GENERIC_PRICE * brand_mult, 2))
    # Attributes sit in the title, around the type's name: read that line.
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    title = text[line_start : line_end if line_end >= 0 else len(text)]
    if brand_name:
        title = _pattern(brand_name).sub(" ", title)  # "Hartmann Pro" is a brand, not a tier
    price = product.base * brand_mult
    found: list[str] = []
    for axis in product.axes:
        options = AXES[axis][2]
        matches = [
            (label, mult) for label, mult, _ in options if label and _pattern(label).search(title)
        ]
        if matches:
            label, mult = max(matches, key=lambda m: len(m[0]))
            found.append(label)
        elif any(not label for label, _, _ in options):
            mult = next(m for label, m, _ in options if not label)  # the plain version
        else:
            mult = math.exp(sum(math.log(m) for _, m, _ in options) / len(options))
        price *= mult
    return Reading(product.name, brand_name, found, round(price, 2))


def noise_for(model: str) -> float:
    """The log-scale spread of ``model``'s misreadings (longest matching name prefix)."""
    name = model.lower()
    matches = [prefix for prefix in MODEL_NOISE if name.startswith(prefix)]
    return MODEL_NOISE[max(matches, key=len)] if matches else DEFAULT_NOISE


def split_context(text: str) -> tuple[str, list[tuple[str, float]]]:
    """(the product to price, [(a context product's text, its price), ...]) from a prompt."""
    context: list[tuple[str, float]] = []
    position = 0
    for match in _PRICE_LINE.finditer(text):
        context.append((text[position : match.start()], float(match.group(1).replace(",", ""))))
        position = match.end()
    return text[position:], context


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def similarity(a: str, b: str) -> float:
    """Word overlap of two texts (Jaccard): 1 for the same words, 0 for none in common."""
    left, right = _words(a), _words(b)
    return len(left & right) / len(left | right) if left and right else 0.0


def answer_price(text: str, model: str = "") -> float:
    """The price ``model`` answers for a prompt's text: read, misread, blended with context."""
    item, context = split_context(text)
    own = read_listing(item).price * math.exp(noise_for(model) * gauss("noise", model, text))
    weights = [1.0] + [CONTEXT_WEIGHT * similarity(item, other) for other, _ in context]
    prices = [own] + [max(price, 0.01) for _, price in context]
    log_price = sum(w * math.log(p) for w, p in zip(weights, prices, strict=True)) / sum(weights)
    return round(max(0.5, math.exp(log_price)), 2)


def answer_text(text: str, model: str = "") -> str:
    """The reply for a prompt, in one of the shapes a real model might use."""
    price = answer_price(text, model)
    if model.startswith("ft:"):  # a fine-tuned model answers the way it was trained
        return f"Price is ${price:.2f}"
    shapes = (
        f"${price:,.2f}",
        f"Price is ${round(price)}",
        f"about {round(price)} dollars",
        f"{price:.2f}",
        f"${round(price):,}",
    )
    return shapes[digest("format", model, text) % len(shapes)]


def prompt_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text a model reads from a chat: system and user messages, in order."""
    return "\n\n".join(
        str(m.get("content") or "") for m in messages if m.get("role") in ("system", "user")
    )
