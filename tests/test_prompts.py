"""Every prompt of the course from its parts, and the one reader of a price a model wrote."""

import pytest

from helpers import prompts
from helpers.items import Item
from helpers.prompts import (
    CHAT_QUESTION,
    PRICE_PREFIX,
    QUESTION,
    chat_answer,
    chat_messages,
    completion,
    read_price,
    training_prompt,
)

ITEM = Item("Cordless Drill", "Tools_and_Home_Improvement", 89.5, "Cordless Drill\nA drill.", 155)


def test_a_text_models_prompts_share_their_parts():
    assert prompts.test_prompt("A drill.") == f"{QUESTION}\n\nA drill.\n\n{PRICE_PREFIX}"
    assert completion(89.5) == "90.00" and completion(999.49) == "999.00"
    assert training_prompt("A drill.", 89.5) == prompts.test_prompt("A drill.") + "90.00"
    assert (ITEM.test_prompt, ITEM.prompt, ITEM.completion) == (
        prompts.test_prompt(ITEM.text),
        training_prompt(ITEM.text, 89.5),
        "90.00",
    )


def test_a_chat_prompt_is_built_from_parts_not_cut_from_the_text_prompt():
    system, user = chat_messages(ITEM.text)
    assert system["role"] == "system" and user["role"] == "user"
    assert user["content"] == f"{CHAT_QUESTION}\n\n{ITEM.text}"
    assert QUESTION not in user["content"] and PRICE_PREFIX not in user["content"]
    context = chat_messages(ITEM.text, similar=[ITEM])[1]["content"]
    assert context.index(chat_answer(89.5)) < context.index(CHAT_QUESTION)


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("Price is $123.00", 123.0),
        ("How much?\n\nPrice is $1,299.99 and more", 1299.99),
        ("Price is $ 45", 45.0),
        ("Price is $.5", 0.5),
        ("Price is $99.", 99.0),
        ("It costs 45 dollars", 45.0),  # no prefix: the first number in the text
        ("Price is $12 text Price is $34.00", 34.0),  # the prompt's prefix, then the generated one
        ("approx.12 dollars", 12.0),  # a point glued to a word does not start a number
        ("Price is $ unknown", None),
        ("", None),
        (None, None),
    ],
)
def test_read_price_reads_what_any_model_wrote(text, price):
    assert read_price(text) == price


def test_the_chat_answer_keeps_cents_and_reads_back():
    assert chat_answer(123.456) == "Price is $123.46"
    assert read_price(chat_answer(19.99)) == 19.99
