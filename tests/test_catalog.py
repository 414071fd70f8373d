"""The synthetic catalog: real raw schema, deterministic, learnable prices, realistic defects."""

import json
import math
import statistics
from collections import defaultdict

import pytest

from helpers.config import CATEGORIES
from standins import catalog
from standins.catalog import catalog_jsonl, generate_records
from standins.catalog_products import BRANDS, TYPES
from standins.catalog_record import OUT_OF_RANGE_PRICES

FIELDS = {
    "main_category": str,
    "title": str,
    "average_rating": float,
    "rating_number": int,
    "features": list,
    "description": list,
    "images": list,
    "videos": list,
    "store": str,
    "categories": list,
    "parent_asin": str,
}
ALL_FIELDS = set(FIELDS) | {"price", "details", "bought_together"}
PER_CATEGORY = 250  # 8 x 250 = 2,000 records for the rate checks


@pytest.fixture(scope="module")
def raw():
    return {c: generate_records(c, PER_CATEGORY, seed=11) for c in CATEGORIES}


@pytest.fixture(scope="module")
def converted():
    return {c: generate_records(c, PER_CATEGORY, seed=11, shape="converted") for c in CATEGORIES}


def _all(records_by_category):
    return [r for records in records_by_category.values() for r in records]


def _product_type(category, title):
    """The longest product type name in the title (Acoustic Guitar vs Acoustic Guitar Strings)."""
    names = [t[0] for t in TYPES[category] if t[0] in title]
    return max(names, key=len) if names else None


def _brand(category, title):
    for rank, (name, _) in enumerate(BRANDS[category]):
        if title.startswith(name + " "):
            return rank
    return None


def test_same_arguments_give_the_same_records_and_seeds_differ():
    assert generate_records("Appliances", 40, seed=3) == generate_records("Appliances", 40, seed=3)
    assert generate_records("Appliances", 40, seed=3) != generate_records("Appliances", 40, seed=4)
    assert generate_records("Appliances", 40) != generate_records("Electronics", 40)


@pytest.mark.parametrize("shape", ["raw", "converted"])
def test_growing_the_catalog_keeps_its_first_records(shape):
    small = generate_records("Toys_and_Games", 25, seed=5, shape=shape)
    large = generate_records("Toys_and_Games", 120, seed=5, shape=shape)
    assert large[:25] == small


def test_raw_records_have_every_field_with_the_real_types(raw):
    for records in raw.values():
        for record in records:
            assert set(record) == ALL_FIELDS
            for name, kind in FIELDS.items():
                assert isinstance(record[name], kind), (name, record[name])
            assert record["price"] is None or isinstance(record["price"], float)
            assert isinstance(record["details"], dict)
            assert record["bought_together"] is None
            assert all(isinstance(s, str) for s in record["features"] + record["description"])
            assert all(isinstance(s, str) for s in record["categories"])
            assert len(record["parent_asin"]) == 10 and record["parent_asin"].startswith("B0")
            assert 0.0 <= record["average_rating"] <= 5.0 and record["rating_number"] >= 0
            for image in record["images"]:
                assert set(image) == {"thumb", "large", "variant", "hi_res"}
            assert record["images"][0]["variant"] == "MAIN"
            for video in record["videos"]:
                assert set(video) == {"title", "url", "user_id"}
            for key, value in record["details"].items():
                if key == "Best Sellers Rank":
                    assert isinstance(value, dict)
                    assert all(isinstance(v, int) and v >= 1 for v in value.values())
                elif key == "Number of Items":
                    assert isinstance(value, (int, str)) and int(value) >= 1
                else:
                    assert isinstance(value, str), (key, value)


def test_converted_shape_has_text_prices_and_json_details(raw, converted):
    for category in CATEGORIES:
        for before, after in zip(raw[category], converted[category], strict=True):
            assert isinstance(after["price"], str) and isinstance(after["details"], str)
            assert json.loads(after["details"]) == before["details"]
            if before["price"] is None:
                assert after["price"] == "None"
            else:
                number = float(after["price"].replace("$", "").replace(",", ""))
                assert number == pytest.approx(before["price"])
            rest = {k: v for k, v in after.items() if k not in ("price", "details")}
            assert rest == {k: v for k, v in before.items() if k not in ("price", "details")}
    prices = [r["price"] for r in _all(converted)]
    assert any(p.startswith("$") for p in prices)
    assert any("," in p for p in prices)  # "$1,500.00"
    assert any(p[0].isdigit() for p in prices)


def test_defects_appear_at_their_rates(raw):
    records = _all(raw)
    n = len(records)
    assert n == 2_000

    def share(condition):
        return sum(1 for r in records if condition(r)) / n

    assert 0.03 <= share(lambda r: r["price"] is None) <= 0.075
    assert 0.008 <= share(lambda r: r["price"] in OUT_OF_RANGE_PRICES) <= 0.035
    assert 0.015 <= share(lambda r: not r["description"] and not r["features"]) <= 0.05
    assert 0.008 <= share(lambda r: r["details"] == {}) <= 0.04
    odd = ("Kilograms", "hundredths")
    assert (
        0.008
        <= share(
            lambda r: (
                any(u in r["details"].get("Item Weight", "") for u in odd)
                or "," in r["details"].get("Item Weight", "")
            )
        )
        <= 0.04
    )
    counts = [r["details"]["Number of Items"] for r in records if "Number of Items" in r["details"]]
    assert {type(c) for c in counts} == {int, str}  # the same key, two value types
    # Everything else is clean: a price in range, plenty of text.
    clean = [r for r in records if r["price"] is not None and 0.5 <= r["price"] <= 999.49]
    assert len(clean) / n > 0.9


def test_text_length_suits_the_token_budget(raw):
    words = [
        len(" ".join([r["title"], *r["description"], *r["features"]]).split())
        for r in _all(raw)
        if r["features"] or r["description"]
    ]
    assert 170 <= statistics.median(words) <= 350
    assert sum(w < 100 for w in words) / len(words) < 0.08  # a few short ones, as on Amazon
    texts = [catalog.record_text(r) for r in _all(raw)]
    assert sum(len(t) > 300 for t in texts) / len(texts) > 0.9


def test_price_distribution_is_skewed_to_cheap_items():
    prices = [
        r["price"]
        for c in CATEGORIES
        for r in generate_records(c, 400, seed=2)
        if r["price"] is not None and 0.5 <= r["price"] <= 999.49
    ]
    prices.sort()
    median = statistics.median(prices)
    assert 25 <= median <= 70
    assert statistics.mean(prices) > 1.5 * median  # long right tail
    assert prices[int(0.99 * len(prices))] > 500
    assert prices[int(0.05 * len(prices))] < 12


def test_prices_follow_type_and_brand_not_a_constant():
    by_type = defaultdict(list)
    by_type_brand = defaultdict(list)
    for category in CATEGORIES:
        for record in generate_records(category, 500, seed=9):
            price = record["price"]
            if price is None or not 0.5 <= price <= 999.49 or not record["features"]:
                continue
            kind = _product_type(category, record["title"])
            brand = _brand(category, record["title"])
            assert kind is not None and brand is not None, record["title"]
            by_type[category, kind].append(math.log(price))
            by_type_brand[category, kind, brand].append(math.log(price))
    # Product types differ a lot in price within every category.
    for category in CATEGORIES:
        medians = [
            statistics.median(v) for (c, _), v in by_type.items() if c == category and len(v) >= 8
        ]
        assert math.exp(max(medians) - min(medians)) > 10, category
    # Premium brands (first three) cost more than budget brands (last three) of the same type.
    wins = total = 0
    for (category, kind), _ in by_type.items():
        top = [p for b in (0, 1, 2) for p in by_type_brand.get((category, kind, b), [])]
        low = [p for b in (7, 8, 9) for p in by_type_brand.get((category, kind, b), [])]
        if len(top) >= 3 and len(low) >= 3:
            total += 1
            wins += statistics.median(top) > statistics.median(low)
    assert total >= 60 and wins / total > 0.9
    # Knowing type and brand removes most of the spread: the rest is attributes and noise.
    everything = [p for v in by_type.values() for p in v]
    within = [p - statistics.mean(v) for v in by_type_brand.values() if len(v) >= 3 for p in v]
    assert statistics.pstdev(everything) > 1.0
    assert statistics.pstdev(within) < 0.6


def test_heavier_items_cost_more(raw):
    pairs = []
    for record in _all(raw):
        weight = record["details"].get("Item Weight", "")
        number, _, unit = weight.partition(" ")
        if record["price"] and unit.lower() == "pounds":
            pairs.append((math.log(float(number)), math.log(record["price"])))
    xs, ys = zip(*pairs, strict=True)
    assert statistics.correlation(xs, ys) > 0.4


def test_unknown_category_or_shape_is_refused():
    with pytest.raises(ValueError, match="Unknown category"):
        generate_records("Books", 3)
    with pytest.raises(ValueError, match="shape"):
        generate_records("Appliances", 3, shape="parquet")


def test_curation_reads_both_shapes_the_same_way(raw, converted):
    from helpers.records import Draft, parse_record

    for category in ("Electronics", "Musical_Instruments"):
        a = [parse_record(r) for r in raw[category]]
        b = [parse_record(r) for r in converted[category]]
        assert [type(x) for x in a] == [type(x) for x in b]
        assert [x.price for x in a if isinstance(x, Draft)] == [
            x.price for x in b if isinstance(x, Draft)
        ]
        assert sum(isinstance(x, Draft) for x in a) / len(a) > 0.82


def test_the_served_catalog_file_is_jsonl_that_datasets_loads(tmp_path):
    from datasets import load_dataset

    path = tmp_path / "meta_Appliances.jsonl"
    path.write_bytes(catalog_jsonl("Appliances", 300, seed=1))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == generate_records("Appliances", 300, seed=1)

    data = load_dataset(
        "json",
        data_files=str(path),
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    assert len(data) == 300
    assert set(data.column_names) == ALL_FIELDS
    rows = data.to_list()
    assert [r["price"] for r in rows] == [json.loads(line)["price"] for line in lines]
    counts = [
        r["details"]["Number of Items"]
        for r in rows
        if r["details"] and "Number of Items" in r["details"]
    ]
    assert counts and {type(c) for c in counts} == {int, str}  # mixed types survive loading
