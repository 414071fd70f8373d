"""One synthetic product record, in the real raw metadata schema, from its own seeded generator.

Record ``i`` of a category comes from ``random.Random(f"{seed}-{category}-{i}")``, so the
first k records never change when the catalog grows. Its type and brand are drawn (cheap types
and cheap brands more often, as on Amazon), then its priced attributes, price, weight and
text; the real data's defects appear at low, seeded rates.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import base64
import math
import random
from itertools import accumulate
from typing import Any

from .catalog_products import AXES, BRAND_WEIGHTS, BRANDS, TYPES, ProductType
from .catalog_words import (
    AUDIENCES,
    BULLETS,
    COLORS,
    DISPLAY_NAMES,
    EXTRAS,
    GENERIC_LEADS,
    MAIN_CATEGORIES,
    MONTHS,
    SENTENCES,
)

# Defect rates (per record, independent draws).
P_NO_PRICE = 0.05
P_OUT_OF_RANGE = 0.02
OUT_OF_RANGE_PRICES = (0.0, 0.25, 1500.0, 2400.0)
P_LITTLE_TEXT = 0.03
P_ODD_WEIGHT = 0.02
P_NO_DETAILS = 0.02
P_ITEMS_AS_INT = 0.3  # "Number of Items" is the int 2 here, the string "2" otherwise
PRICE_SIGMA = 0.25  # lognormal noise on top of the price the text implies
_ASIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _type_weights(types: tuple[ProductType, ...]) -> list[float]:
    """Cheap product types get more listings than dear ones, as on Amazon."""
    return [t[1] ** -0.35 for t in types]


_TYPE_CUM = {category: list(accumulate(_type_weights(types))) for category, types in TYPES.items()}
_BRAND_CUM = list(accumulate(BRAND_WEIGHTS))
_BULLETS_CUM = list(accumulate((1, 2, 4, 5, 4, 2, 1)))  # for 2..8 feature bullets
_PARAGRAPHS_CUM = list(accumulate((1, 5, 4, 2)))  # for 0..3 description paragraphs


def _charm(price: float, rng: random.Random) -> float:
    """Round to a shelf price: 19.99, 24.95, 32.49, 45.00 ..."""
    if price < 1:
        return round(max(price, 0.01), 2)
    dollars = math.floor(price)
    cents = rng.choices(
        (0.99, 0.95, 0.49, 0.0, 0.97, rng.randrange(100) / 100), (5, 2, 1, 1, 1, 2)
    )[0]
    return round(dollars + cents, 2)


def _number(x: float) -> str:
    """A measurement without trailing zeros: 2.0 -> "2", 2.50 -> "2.5"."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _weight_text(pounds: float, rng: random.Random, odd: bool) -> str:
    if odd:  # the units and spellings that trip up naive parsers
        kind = rng.randrange(3)
        grams = round(pounds * 453.6)
        if kind == 2 and grams >= 1000:
            return f"{grams:,} grams"
        if kind == 1:
            return f"{round(pounds * 100)} hundredths pounds"
        return f"{_number(pounds * 0.4536)} Kilograms"
    if pounds < 1:
        if rng.random() < 0.15:
            return f"{round(pounds * 453.6)} grams"
        return f"{_number(pounds * 16)} {rng.choice(('ounces', 'Ounces'))}"
    return f"{_number(pounds)} {rng.choice(('pounds', 'Pounds', 'Pounds'))}"


def _base36(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        chars.append(_ASIN_CHARS[digit])
    return "".join(chars)


def _asin(rng: random.Random) -> str:
    return "B0" + _base36(rng.getrandbits(42), 8)


def _images(rng: random.Random) -> list[dict[str, Any]]:
    images = []
    for k in range(rng.choices((1, 2, 3, 4, 5, 6, 7), (1, 1, 2, 2, 2, 2, 1))[0]):
        key = base64.b64encode(rng.getrandbits(72).to_bytes(9, "big"), b"+-").decode()[:11]
        base = f"https://m.media-amazon.com/images/I/{key}L"
        images.append(
            {
                "thumb": f"{base}._AC_US75_.jpg",
                "large": f"{base}._AC_.jpg",
                "variant": "MAIN" if k == 0 else f"PT{k:02d}",
                "hi_res": f"{base}._AC_SL1500_.jpg" if rng.random() < 0.8 else None,
            }
        )
    return images


def _videos(rng: random.Random, title: str) -> list[dict[str, str]]:
    if rng.random() > 0.12:
        return []
    return [
        {
            "title": rng.choice(
                ("Product overview", "How to install", "Unboxing and first look", title[:40])
            ),
            "url": f"https://www.amazon.com/vdp/{rng.getrandbits(128):032x}?ref=dp_vse_rvc_{k}",
            "user_id": rng.choice(("", "", f"AE{rng.getrandbits(60):015X}")),
        }
        for k in range(rng.choice((1, 1, 2)))
    ]


def synthetic_record(category: str, i: int, seed: int) -> dict[str, Any]:
    """Record ``i`` of a category, in the raw shape, from its own random generator."""
    rng = random.Random(f"{seed}-{category}-{i}")
    types = TYPES[category]
    name, base, base_weight, dims, crumbs, axis_names, blurb, traits = rng.choices(
        types, cum_weights=_TYPE_CUM[category]
    )[0]
    brand_index = rng.choices(range(10), cum_weights=_BRAND_CUM)[0]
    brand, brand_mult = BRANDS[category][brand_index]

    price_mult, weight_mult = 1.0, 1.0
    pre, post, attr_labels, attr_details = [], [], [], {}
    for axis in axis_names:
        key, where, options = AXES[axis]
        label, p, w = rng.choice(options)
        price_mult *= p
        weight_mult *= w
        if label:
            (pre if where == "pre" else post).append(label)
            attr_labels.append(label)
            if key:
                attr_details[key] = label
    color = rng.choice(COLORS)
    price = base * brand_mult * price_mult * math.exp(rng.gauss(0.0, PRICE_SIGMA))
    price = _charm(price, rng)
    pounds = base_weight * weight_mult * math.exp(rng.gauss(0.0, 0.2))
    scale = weight_mult ** (1 / 3)
    dims_text = " x ".join(_number(d * scale * rng.uniform(0.9, 1.1)) for d in dims) + " inches"

    type_lower = name.lower()
    attrs = ", ".join(attr_labels) if attr_labels else "standard"
    warranty = ("1 year", "2 year", "3 year", "5 year", "lifetime")[
        min(4, max(0, 3 - brand_index // 2 + rng.randrange(-1, 2)))
    ]
    trait, trait2 = rng.sample(traits, 2)
    slots = {
        "type": type_lower,
        "brand": brand,
        "blurb": blurb,
        "trait": trait,
        "Trait": trait[0].upper() + trait[1:],
        "trait2": trait2,
        "audience": rng.choice(AUDIENCES[category]),
        "attrs": attrs,
        "warranty": warranty,
        "color": color.lower(),
        "extras": rng.choice(EXTRAS),
        "dims": dims_text,
        "weight": _weight_text(pounds, rng, False),
        "category_lower": DISPLAY_NAMES[category].lower(),
        "years": rng.randrange(5, 40),
    }

    # Title: brand, tier/size words, type, attributes, a selling point or two, colour.
    title_parts = [brand, *pre, name]
    title = " ".join(title_parts)
    if post:
        title += " " + ", ".join(post)
    extra_traits = rng.sample(traits, rng.choice((1, 2, 2, 3)))
    title += ", " + ", ".join(t[0].upper() + t[1:] for t in extra_traits)
    if rng.random() < 0.6:
        title += f", {color}"

    # Features: 3-8 bullets with an upper-case lead-in; description: 1-3 paragraphs.
    n_bullets = rng.choices((2, 3, 4, 5, 6, 7, 8), cum_weights=_BULLETS_CUM)[0]
    leads = rng.sample([t.upper() for t in traits] + list(GENERIC_LEADS), n_bullets)
    templates = list(BULLETS)  # each sentence at most once per record
    rng.shuffle(templates)
    features = []
    for k, lead in enumerate(leads):
        bullet = f"{lead}: " + templates.pop().format(**slots)
        if len(templates) > n_bullets - k - 1 and rng.random() < 0.35:
            bullet += " " + templates.pop().format(**slots)
        features.append(bullet)
    n_paragraphs = rng.choices((0, 1, 2, 3), cum_weights=_PARAGRAPHS_CUM)[0]
    sentences = list(SENTENCES[1:])
    rng.shuffle(sentences)
    if rng.random() < 0.5:  # half the descriptions open by saying what the product is
        sentences.append(SENTENCES[0])
    else:
        sentences.insert(rng.randrange(len(sentences)), SENTENCES[0])
    description = []
    for _ in range(n_paragraphs):
        chosen = [sentences.pop() for _ in range(min(rng.randint(2, 5), len(sentences)))]
        if chosen:
            text = " ".join(s.format(**slots) for s in chosen)
            description.append(text[0].upper() + text[1:])

    # Details: a dict of strings, except Best Sellers Rank (nested) and a mixed-type count.
    rank = max(1, int(math.exp(rng.gauss(10.5, 1.6))))
    details: dict[str, Any] = {"Brand": brand}
    if rng.random() < 0.7:
        details["Color"] = color
    details.update(attr_details)
    if "Number of Items" in details or rng.random() < 0.25:
        label = details.get("Number of Items", "1")
        count = int("".join(c for c in label.split()[0] if c.isdigit()) or 1)
        details["Number of Items"] = count if rng.random() < P_ITEMS_AS_INT else str(count)
    details["Item Weight"] = _weight_text(pounds, rng, rng.random() < P_ODD_WEIGHT)
    dims_key = "Product Dimensions" if rng.random() < 0.8 else "Package Dimensions"
    details[dims_key] = dims_text
    details["Manufacturer"] = brand if rng.random() < 0.8 else f"{brand} Inc."
    details["Item model number"] = (
        f"{brand[:2].upper()}-{rng.randrange(100, 9999)}{rng.choice('ABCDEFGHJKLMNPRSTX')}"
    )
    details["Is Discontinued By Manufacturer"] = "No" if rng.random() < 0.95 else "Yes"
    if rng.random() < 0.5:
        details["Batteries Included?"] = rng.choice(("No", "Yes"))
    if rng.random() < 0.75:
        details["Best Sellers Rank"] = {
            DISPLAY_NAMES[category]: rank,
            crumbs[-1]: max(1, rank // rng.randint(40, 400)),
        }
    year = rng.randint(2008, 2023)
    details["Date First Available"] = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}"

    rating_number = int(math.exp(rng.gauss(4.0, 1.8)))
    average_rating = round(min(5.0, max(1.0, rng.gauss(4.3, 0.45))), 1) if rating_number else 0.0

    # Defects, each at its own seeded rate.
    if rng.random() < P_LITTLE_TEXT:
        title = rng.choice((name, f"{brand} {name}", name.split()[-1]))
        features, description = [], []
        details = {
            k: details[k] for k in ("Brand", "Item Weight", "Date First Available") if k in details
        }
    if rng.random() < P_NO_DETAILS:
        details = {}
    final_price: float | None = price
    if rng.random() < P_OUT_OF_RANGE:
        final_price = rng.choice(OUT_OF_RANGE_PRICES)
    if rng.random() < P_NO_PRICE:
        final_price = None

    return {
        "main_category": rng.choices(MAIN_CATEGORIES[category], (8, 1, 1))[0],
        "title": title,
        "average_rating": average_rating,
        "rating_number": rating_number,
        "features": features,
        "description": description,
        "price": final_price,
        "images": _images(rng),
        "videos": _videos(rng, title),
        "store": brand if rng.random() < 0.85 else f"{brand} Store",
        "categories": [] if rng.random() < 0.15 else [DISPLAY_NAMES[category], *crumbs],
        "details": details,
        "parent_asin": _asin(rng),
        "bought_together": None,
    }
