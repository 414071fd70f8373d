"""Curation of single raw records: prices, details, scrubbing, token budget, rejections."""

import json

import pytest

from helpers.config import MAX_TOKENS, MIN_TOKENS, PRICE_PREFIX, QUESTION
from helpers.items import (
    MALFORMED,
    NO_PRICE,
    OUT_OF_RANGE,
    TOO_FEW_TOKENS,
    TOO_LITTLE_TEXT,
    Item,
    Rejection,
    build_text,
    curate,
    curate_batch,
    parse_details,
    parse_price,
    scrub,
)

LONG = " ".join(
    f"The sturdy {word} housing keeps the motor cool during long sessions at home."
    for word in ("steel", "aluminium", "plastic", "ceramic", "copper", "bamboo", "glass") * 6
)


def raw(**changes):
    record = {
        "main_category": "Appliances",
        "title": "Quiet Countertop Blender 1200 Watts",
        "average_rating": 4.4,
        "rating_number": 321,
        "features": ["Six speeds", "Dishwasher safe jar"],
        "description": [LONG],
        "price": 89.99,
        "images": [],
        "videos": [],
        "store": "KitchenPro",
        "categories": ["Appliances", "Small Appliances"],
        "details": {
            "Brand": "KitchenPro",
            "Item Weight": "7.5 pounds",
            "Date First Available": "May 1, 2020",
        },
        "parent_asin": "B07XJ8C8F5",
        "bought_together": None,
    }
    record.update(changes)
    return record


@pytest.mark.parametrize(
    "value, expected",
    [
        (19.99, 19.99),
        (7, 7.0),
        ("19.99", 19.99),
        ("$1,299.00", 1299.0),
        (" $ 45 ", 45.0),
        ("None", None),
        ("", None),
        (None, None),
        ("12.99 - 19.99", None),
        ("free", None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        ([19.99], None),
    ],
)
def test_parse_price_handles_both_record_shapes(value, expected):
    assert parse_price(value) == expected


def test_parse_details_from_dict_and_json_text():
    raw_shape = {
        "Brand": "Acme",
        "Color": None,
        "Best Sellers Rank": {"Tools": 12, "Drills": None},
        "Count": 2,
    }
    converted = json.dumps(raw_shape)
    expected = {"Brand": "Acme", "Best Sellers Rank": '{"Tools": 12}', "Count": "2"}
    assert parse_details(raw_shape) == expected
    assert parse_details(converted) == expected
    assert parse_details("{not json") == {}
    assert parse_details(None) == {}
    assert parse_details(["a", "b"]) == {}


def test_scrub_removes_clutter_and_part_numbers():
    text = 'Widget [Pack of 3] "Heavy" , ,; duty B07XJ8C8F5 item , nice 【Gift】 32GB'
    assert scrub(text) == "Widget Pack of 3 Heavy, duty item, nice Gift 32GB"


def test_build_text_drops_boilerplate_details_but_keeps_informative_ones():
    text = build_text(
        "Drill",
        ["Cordless drill."],
        ["18V battery"],
        {"Brand": "Bosch", "Date First Available": "May 1, 2020", "Batteries Included?": "Yes"},
    )
    assert text.splitlines() == ["Drill", "Cordless drill.", "18V battery", "Brand: Bosch"]


def test_curate_builds_an_item_within_the_token_budget(tiny_tokenizer):
    item = curate(raw(), tiny_tokenizer, "Appliances")
    assert isinstance(item, Item)
    assert item.category == "Appliances"
    assert item.price == 89.99
    assert item.token_count == MAX_TOKENS
    assert len(tiny_tokenizer(item.text, add_special_tokens=False)["input_ids"]) <= MAX_TOKENS + 2
    assert item.text.startswith("Quiet Countertop Blender")
    assert "B07XJ8C8F5" not in item.text
    assert item.details["Item Weight"] == "7.5 pounds"


def test_prompts_follow_the_course_format(tiny_tokenizer):
    item = curate(raw(price=89.5), tiny_tokenizer)
    assert item.completion == "90.00"
    assert item.test_prompt == f"{QUESTION}\n\n{item.text}\n\n{PRICE_PREFIX}"
    assert item.prompt == item.test_prompt + "90.00"
    assert item.prompt.endswith("Price is $90.00")


def test_converted_shape_gives_the_same_item(tiny_tokenizer):
    record = raw()
    converted = raw(price="$89.99", details=json.dumps(record["details"]))
    assert curate(record, tiny_tokenizer) == curate(converted, tiny_tokenizer)


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"price": None}, NO_PRICE),
        ({"price": "None"}, NO_PRICE),
        ({"price": 0.25}, OUT_OF_RANGE),
        ({"price": 999.5}, OUT_OF_RANGE),
        ({"price": "$1,500.00"}, OUT_OF_RANGE),
        ({"description": [], "features": []}, TOO_LITTLE_TEXT),
        ({"title": None}, MALFORMED),
        ({"features": 42}, MALFORMED),
    ],
)
def test_rejections_name_their_reason(tiny_tokenizer, changes, reason):
    result = curate(raw(**changes), tiny_tokenizer)
    assert isinstance(result, Rejection)
    assert result.reason == reason


def test_price_bounds_are_inclusive(tiny_tokenizer):
    assert isinstance(curate(raw(price=0.5), tiny_tokenizer), Item)
    assert isinstance(curate(raw(price=999.49), tiny_tokenizer), Item)


def test_too_few_tokens_is_rejected_after_tokenizing(tiny_tokenizer):
    # Enough characters to pass the cheap check, too few tokens for the budget.
    short = " ".join(["Compact blender with a strong motor."] * 9)
    result = curate(raw(description=[short], features=[]), tiny_tokenizer)
    assert isinstance(result, Rejection) and result.reason == TOO_FEW_TOKENS
    count = int(result.detail.split()[0])
    assert count <= MIN_TOKENS


def test_batch_keeps_order_and_survives_malformed_records(tiny_tokenizer):
    records = [raw(), "not a record", None, raw(price=None), raw(title="Second blender")]
    results = curate_batch(records, tiny_tokenizer, "Appliances")
    assert [type(r).__name__ for r in results] == [
        "Item",
        "Rejection",
        "Rejection",
        "Rejection",
        "Item",
    ]
    assert results[4].title == "Second blender"
    assert [r.reason for r in results[1:4]] == [MALFORMED, MALFORMED, NO_PRICE]
    # One record through the batch path equals the single-record function.
    assert results[0] == curate(raw(), tiny_tokenizer, "Appliances")


def test_item_round_trips_through_a_record(tiny_tokenizer):
    item = curate(raw(), tiny_tokenizer, "Appliances")
    record = item.to_record()
    assert isinstance(record["details"], str)
    assert Item.from_record(record) == item


def test_encoding_a_budget_prefix_matches_encoding_the_whole_text(tiny_tokenizer):
    """curate_batch encodes only as much text as the budget can use; the Items must be exactly
    those that encoding every full text would give."""
    from helpers.items import Draft, parse_record
    from standins.catalog import generate_records

    records = generate_records("Electronics", 400, seed=11) + [raw(description=[LONG * 3])]
    checked = 0
    for record, result in zip(records, curate_batch(records, tiny_tokenizer), strict=True):
        draft = parse_record(record)
        if not isinstance(draft, Draft):
            continue
        full = tiny_tokenizer(draft.text, add_special_tokens=False)["input_ids"]
        if len(full) <= MIN_TOKENS:
            assert isinstance(result, Rejection) and result.reason == TOO_FEW_TOKENS
            continue
        expected = tiny_tokenizer.decode(full[:MAX_TOKENS], skip_special_tokens=True).strip()
        assert result.text == expected
        checked += 1
    assert checked > 300
