"""Curation of single raw records: prices, details, scrubbing, token budget, rejections.

The real Llama 3 tokenizer throughout (`llama_tokenizer`), through tiktoken with its ranks and
through the tokenizers backend (the path taken where tiktoken is missing).
"""

import json
import pickle

import pytest

from helpers.config import MAX_TOKENS, MIN_TOKENS
from helpers.items import Item, curate, curate_batch
from helpers.product_text import build_text, detail_text, scrub
from helpers.prompts import PRICE_PREFIX, QUESTION
from helpers.records import (
    BAD_PRICE,
    MALFORMED,
    NO_PRICE,
    OUT_OF_RANGE,
    TOO_FEW_TOKENS,
    TOO_LITTLE_TEXT,
    Draft,
    Rejection,
    listed_price,
    parse_details,
    parse_record,
)
from helpers.token_budget import TokenBudget, token_budget

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
            "Best Sellers Rank": {"Appliances": 1234, "Blenders": 12},
        },
        "parent_asin": "B07XJ8C8F5",
        "bought_together": None,
    }
    record.update(changes)
    return record


def tokens(tokenizer, text):
    return tokenizer.encode(text, add_special_tokens=False)


# ---- prices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (19.99, 19.99),
        (7, 7.0),
        ("19.99", 19.99),
        ("$1,299.00", 1299.0),
        ("1,299", 1299.0),
        (" $ 45 ", 45.0),
        ("None", None),
        ("", None),
        (None, None),
        ("12.99 - 19.99", None),
        ("free", None),
        ("1.299,99", None),  # a European thousands point: never $1.30
        ("1,29", None),
        ("19.999", None),  # three decimals: 19.999 or 19,999? Not a guess we make
        (float("nan"), None),
        (float("inf"), None),
        (10**400, None),  # float() would raise OverflowError
        (True, None),
        ([19.99], None),
    ],
)
def test_listed_price_reads_plain_prices_and_refuses_the_rest(value, expected):
    assert listed_price(value) == expected


@pytest.mark.parametrize(
    "price, reason",
    [
        (None, NO_PRICE),
        ("None", NO_PRICE),
        ("", NO_PRICE),
        ("1.299,99", BAD_PRICE),
        ("12.99 - 19.99", BAD_PRICE),
        (float("inf"), BAD_PRICE),
        (10**400, BAD_PRICE),
        (0.25, OUT_OF_RANGE),
        (999.5, OUT_OF_RANGE),
        ("$1,500.00", OUT_OF_RANGE),
    ],
)
def test_a_price_is_parsed_right_or_the_record_is_rejected(price, reason):
    result = parse_record(raw(price=price))
    assert isinstance(result, Rejection) and result.reason == reason


def test_price_bounds_are_inclusive(llama_tokenizer):
    assert curate(raw(price=0.5), llama_tokenizer).price == 0.5
    assert curate(raw(price="999.49"), llama_tokenizer).price == 999.49


# ---- details and text --------------------------------------------------------------------------


def test_parse_details_from_dict_and_json_text():
    raw_shape = {"Brand": "Acme", "Color": None, "Best Sellers Rank": {"Tools": 12}, "Count": 2}
    assert parse_details(raw_shape) == raw_shape
    assert parse_details(json.dumps(raw_shape)) == raw_shape
    assert parse_details("{not json") == {}
    assert parse_details("") == {}
    assert parse_details(None) == {}
    assert parse_details(["a", "b"]) == {}


def test_no_empty_detail_keys_or_values():
    details = {
        "Brand": "",
        "": "orphan value",
        "Color": "\u200e",  # Amazon's invisible left-to-right mark, alone
        "Style": "[ ]",
        "Model Name": "B07XJ8C8F5",  # a part number: nothing left once it goes
        "   ": "x",
        "Count": 2,
        "Size": "Large",
        "Colors": ["Red", "", None, "Blue"],
        "Material": None,
        "Date First Available": "May 1, 2020",  # boilerplate: left out
    }
    assert detail_text(details) == "Count: 2; Size: Large; Colors: Red, Blue"
    assert detail_text({"Brand": ""}) == ""


def test_size_and_quantity_words_stay_while_part_numbers_go():
    text = "Cups 50-Count, Monitor 17-inch, Bank 5000mAh (4-Pack) B07XJ8C8F5 SKU12345-X 2.0Ah"
    assert scrub(text) == "Cups 50-Count, Monitor 17-inch, Bank 5000mAh (4-Pack) 2.0Ah"
    assert scrub("Hub 11-in-1 4-in/4-out 12x18in 20000mAh 1080p") == (
        "Hub 11-in-1 4-in/4-out 12x18in 20000mAh 1080p"
    )
    assert scrub("Filter A1234-56 fits XJ8C8F5Z models") == "Filter fits models"


def test_no_empty_brackets_are_left_behind():
    assert scrub("Widget (B07XJ8C8F5) for cars") == "Widget for cars"
    assert scrub("Widget ( B07XJ8C8F5 ) for cars") == "Widget for cars"
    assert scrub("Widget () and ( , ) twice") == "Widget and twice"
    assert "()" not in build_text("Lamp (B07XJ8C8F5)", ["Bright (SKU12345-X) light."], [], {})


def test_scrub_removes_clutter_and_tidies_punctuation():
    text = 'Widget [Pack of 3] "Heavy" , ,; duty B07XJ8C8F5 item , nice 【Gift】 32GB'
    assert scrub(text) == "Widget Pack of 3 Heavy, duty item, nice Gift 32GB"
    assert scrub("a\u200eb\u200bc <|begin_of_text|> d\x00e") == "abc begin_of_text d e"
    assert scrub("one\n\n  \n two ,\n ; \nthree") == "one\ntwo\nthree"


def test_lone_surrogates_and_invisible_marks_are_removed():
    assert scrub("bad \ud800 char and \u200emark") == "bad char and mark"
    draft = parse_record(raw(title="Blender \udfff Pro", description=[LONG + " \ud83d end"]))
    assert isinstance(draft, Draft)
    draft.text.encode("utf-8")  # would raise UnicodeEncodeError with a lone surrogate left
    assert draft.title == "Blender Pro"


def test_build_text_drops_boilerplate_details_but_keeps_informative_ones():
    text = build_text(
        "Drill",
        ["Cordless drill."],
        ["18V battery"],
        {"Brand": "Bosch", "Date First Available": "May 1, 2020", "Batteries Included?": "Yes"},
    )
    assert text.splitlines() == ["Drill", "Cordless drill.", "18V battery", "Brand: Bosch"]


def test_build_text_with_a_limit_scrubs_only_what_the_budget_can_use():
    huge = ["word " * 50_000]
    text = build_text("Title", huge, ["feature"], {"Brand": "Acme"}, limit=1_000)
    assert 1_000 <= len(text) <= 2_300  # the body cut near twice the limit, details skipped
    assert "Brand" not in text and text.startswith("Title\nword word")


# ---- the token budget (real tokenizer) ---------------------------------------------------------


def test_curate_builds_an_item_within_the_token_budget(llama_tokenizer):
    item = curate(raw(), llama_tokenizer, "Appliances")
    assert isinstance(item, Item)
    assert (item.category, item.price) == ("Appliances", 89.99)
    assert MIN_TOKENS < item.token_count <= MAX_TOKENS
    assert len(tokens(llama_tokenizer, item.text)) == item.token_count
    assert item.text.startswith("Quiet Countertop Blender 1200 Watts\nThe sturdy steel housing")
    assert "B07XJ8C8F5" not in item.text
    assert (item.brand, item.weight, item.rank) == ("KitchenPro", 7.5, 1234.0)


def test_the_stored_token_count_is_the_final_texts(llama_tokenizer):
    from standins.catalog import generate_records

    records = [r for c in ("Electronics", "Toys_and_Games") for r in generate_records(c, 300, 3)]
    items = [r for r in curate_batch(records, llama_tokenizer) if isinstance(r, Item)]
    assert len(items) > 450
    counts = [
        len(ids)
        for ids in llama_tokenizer([i.text for i in items], add_special_tokens=False)["input_ids"]
    ]
    assert counts == [i.token_count for i in items]
    assert all(MIN_TOKENS < c <= MAX_TOKENS for c in counts)
    assert sum(c >= MAX_TOKENS - 2 for c in counts) > 0.8 * len(counts)  # the budget is used


def test_the_cut_never_breaks_a_character(llama_tokenizer):
    """Emoji and CJK characters span several byte-level tokens; a cut by tokens could split one
    (the old decode left U+FFFD). The text is cut only between whole characters and pieces."""
    budget = token_budget(llama_tokenizer)
    for filler in ("😀", "日本語", "é", "👍🏽 ok", "ü"):
        for shift in range(12):
            text = "Gadget\n" + "x " * shift + " ".join([f"word{filler}"] * 200)
            fitted = budget.fit([text])[0]
            kept, count = fitted
            assert text.startswith(kept) and not kept.endswith("\ufffd")
            assert len(tokens(llama_tokenizer, kept)) == count <= MAX_TOKENS
            assert text[len(kept)] == " "  # cut between whole words


def test_a_sparse_prefix_falls_back_to_the_whole_text(llama_tokenizer):
    """Long words (about 14 characters a token) leave the first PREFIX_CHARS short of the
    budget, so the whole text is encoded; a non-ASCII character makes offsets bytes, not
    characters, and the cut must still land in the right place."""
    text = "Café " + " ".join(["international"] * 250)
    kept, count = token_budget(llama_tokenizer).fit([text])[0]
    assert text.startswith(kept) and text[len(kept)] == " "
    assert len(tokens(llama_tokenizer, kept)) == count > 150
    assert len(kept) > 1_500


def test_texts_end_on_a_word_rather_than_a_dangling_key(llama_tokenizer):
    details = {f"Key number {k}": f"value {k}" for k in range(80)}
    item = curate(raw(description=["Short intro."], features=[], details=details), llama_tokenizer)
    assert isinstance(item, Item)
    assert item.text[-1] not in ":;,"


def test_fast_and_backend_encoders_cut_identically(llama_tokenizer):
    from standins.catalog import generate_records

    fast, backend = token_budget(llama_tokenizer), TokenBudget(llama_tokenizer, fast=False)
    assert (fast.engine, backend.engine) == ("tiktoken", "tokenizers")
    drafts = [parse_record(r) for r in generate_records("Automotive", 300, seed=2)]
    texts = [d.text for d in drafts if isinstance(d, Draft)]
    texts += ["Größe 日本語 😀👍🏽 " * 60, "a" * 3000, "word " * 400, "x" * 500 + " y" * 300]
    assert fast.fit(texts) == backend.fit(texts)


def test_too_few_tokens_is_rejected_after_tokenizing(llama_tokenizer):
    # Enough characters to pass the cheap check, too few tokens for the budget.
    short = " ".join(["Compact blender with a strong motor."] * 9)
    result = curate(raw(description=[short], features=[], details={}), llama_tokenizer)
    assert isinstance(result, Rejection) and result.reason == TOO_FEW_TOKENS
    count = int(result.detail.split()[0])
    assert count == len(tokens(llama_tokenizer, f"{raw()['title']}\n{short}")) <= MIN_TOKENS


def test_without_tiktoken_the_backend_gives_the_same_items(llama_tokenizer):
    backend = TokenBudget(llama_tokenizer, fast=False)
    assert curate(raw(), backend, "Appliances") == curate(raw(), llama_tokenizer, "Appliances")


# ---- items, prompts, rejections ---------------------------------------------------------------


def test_prompts_follow_the_course_format(llama_tokenizer):
    item = curate(raw(price=89.5), llama_tokenizer)
    assert item.completion == "90.00"
    assert item.test_prompt == f"{QUESTION}\n\n{item.text}\n\n{PRICE_PREFIX}"
    assert item.prompt == item.test_prompt + "90.00"
    assert item.prompt.endswith("Price is $90.00")


def test_converted_shape_gives_the_same_item(llama_tokenizer):
    record = raw()
    converted = raw(price="$89.99", details=json.dumps(record["details"]))
    assert curate(record, llama_tokenizer) == curate(converted, llama_tokenizer)


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"price": None}, NO_PRICE),
        ({"price": "None"}, NO_PRICE),
        ({"price": 0.25}, OUT_OF_RANGE),
        ({"description": [], "features": [], "details": {}}, TOO_LITTLE_TEXT),
        ({"title": None}, MALFORMED),
        ({"title": "   "}, MALFORMED),
        ({"features": 42}, MALFORMED),
        ({"description": {"nested": "object"}}, MALFORMED),
    ],
)
def test_rejections_name_their_reason(llama_tokenizer, changes, reason):
    result = curate(raw(**changes), llama_tokenizer)
    assert isinstance(result, Rejection)
    assert result.reason == reason


def test_batch_keeps_order_and_survives_malformed_records(llama_tokenizer):
    records = [
        raw(),
        "not a record",
        None,
        raw(price=None),
        raw(price=1e400),
        raw(description=[LONG, 12, None, {"a": 1}]),  # odd list members become text or vanish
        raw(title="Second blender"),
    ]
    results = curate_batch(records, llama_tokenizer, "Appliances")
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["Item", "Rejection", "Rejection", "Rejection", "Rejection", "Item", "Item"]
    assert results[6].title == "Second blender"
    assert [r.reason for r in results[1:5]] == [MALFORMED, MALFORMED, NO_PRICE, BAD_PRICE]
    # One record through the batch path equals the single-record function.
    assert results[0] == curate(raw(), llama_tokenizer, "Appliances")


def test_item_round_trips_through_a_record(llama_tokenizer):
    item = curate(raw(), llama_tokenizer, "Appliances")
    record = item.to_record()
    assert set(record) == {
        "title",
        "category",
        "price",
        "text",
        "token_count",
        "brand",
        "weight",
        "rank",
    }
    assert all(isinstance(v, (str, int, float, type(None))) for v in record.values())
    assert Item.from_record(record) == item


def test_items_pickle_for_worker_processes(llama_tokenizer):
    item = curate(raw(), llama_tokenizer, "Appliances")
    assert pickle.loads(pickle.dumps(item)) == item


def test_items_keep_three_facts_instead_of_the_details():
    item = Item(
        "T",
        "Tools_and_Home_Improvement",
        9.0,
        "text",
        155,
        {"Brand": " Acme ", "Item Weight": "12 ounces"},
    )
    assert (item.brand, item.weight, item.rank) == ("Acme", 0.75, None)
    assert "details" not in Item.__slots__ and not hasattr(item, "__dict__")
    old = {**item.to_record(), "details": '{"Manufacturer": "Old Co"}', "brand": None}
    assert Item.from_record(old).brand == "Old Co"  # splits saved before this change
