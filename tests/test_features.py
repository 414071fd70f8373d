"""Features read from Items (brand, weight, rank kept at curation) or from a details dict."""

import math
from dataclasses import dataclass, field

import pytest

from helpers.features import ItemFeatures, brand_of, rank_of, weight_of
from helpers.items import Item, curate


@dataclass
class Sketch:
    """An object that is not an Item but carries raw details (a hand-made example)."""

    price: float
    details: dict = field(default_factory=dict)
    text: str = "x" * 99
    category: str = "Automotive"


def item(price, brand="", weight=None, rank=None, category="Automotive"):
    return Item("t", category, price, "x" * 99, 155, brand=brand, weight=weight, rank=rank)


def test_facts_come_from_the_item_fields():
    thing = item(10, brand="Acme", weight=2.5, rank=120.0)
    assert (brand_of(thing), weight_of(thing), rank_of(thing)) == ("Acme", 2.5, 120.0)
    assert (brand_of(item(1)), weight_of(item(1)), rank_of(item(1))) == ("", None, None)


def test_facts_come_from_a_details_dict_when_there_are_no_fields():
    sketch = Sketch(
        5,
        {"Manufacturer": " Acme Inc. ", "Item Weight": "8 oz", "Best Sellers Rank": "#99 in Tools"},
    )
    assert (brand_of(sketch), weight_of(sketch), rank_of(sketch)) == ("Acme Inc.", 0.5, 99.0)
    assert (brand_of(Sketch(5)), weight_of(Sketch(5)), rank_of(Sketch(5))) == ("", None, None)


def test_curation_keeps_the_facts_the_features_need(llama_tokenizer):
    from standins.catalog import generate_records

    record = next(
        r
        for r in generate_records("Tools_and_Home_Improvement", 50, seed=2)
        if r["price"] and "Best Sellers Rank" in r["details"] and r["description"]
    )
    curated = curate(record, llama_tokenizer, "Tools_and_Home_Improvement")
    assert curated.brand == record["details"]["Brand"]
    assert curated.weight == pytest.approx(weight_of(Sketch(1, record["details"])))
    assert curated.rank == next(iter(record["details"]["Best Sellers Rank"].values()))


def test_item_features_fit_on_items():
    train = [
        item(10, "Cheap", 1.0, 99.0),
        item(20, "Cheap", 3.0),
        item(500, "Dear", 1.0, 9.0),
        item(700, "Dear", category="Electronics"),
    ]
    features = ItemFeatures(top_brands=1, min_brand_items=2).fit(train)
    assert features.premium_brands_ == {"Dear"}
    row = dict(zip(features.names, features.transform([item(1)])[0], strict=True))
    assert row["log_weight"] == pytest.approx((math.log(2) + math.log(4) + math.log(2)) / 3)
    assert row["log_rank"] == pytest.approx((math.log(100) + math.log(10)) / 2)
    assert (row["weight_missing"], row["rank_missing"], row["is_top_brand"]) == (1.0, 1.0, 0.0)
    dear = dict(zip(features.names, features.transform([item(1, "Dear", 2.0)])[0], strict=True))
    assert dear["is_top_brand"] == 1.0 and dear["log_weight"] == pytest.approx(math.log(3))
