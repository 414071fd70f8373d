"""What a chat model is asked, and reading a price from its reply (hypothesis for the reader)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers.frontier import messages_for
from helpers.prompts import (
    CHAT_QUESTION,
    QUESTION,
    SYSTEM_PROMPT,
    chat_answer,
    chat_user_message,
    read_price,
)


@dataclass
class Thing:
    text: str
    price: float


ITEM = Thing("Vantorra Car Battery, AGM technology\nDelivers cold cranking power.", 189.99)

# Text around a price that holds no digit and does not end in a decimal point.
words = st.text(alphabet=st.characters(blacklist_categories=("Nd", "No", "Cs")), max_size=30)
prefixes = words.filter(lambda s: not s.endswith(".") and not any(c.isdigit() for c in s))
prices = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False).map(float)
SHAPES = (
    lambda p: f"${p:,.2f}",
    lambda p: f"Price is ${p:.2f}",
    lambda p: f"{p:.2f}",
    lambda p: f"{p:,.2f} dollars",
    lambda p: f"USD {p:,.2f}.",
)


@given(prefix=prefixes, price=prices, shape=st.sampled_from(SHAPES))
@example(prefix="Price is ", price=1299.99, shape=SHAPES[0])
@example(prefix="", price=0.99, shape=SHAPES[0])
def test_a_price_written_in_any_shape_is_read_back(prefix, price, shape):
    assert read_price(prefix + shape(price)) == pytest.approx(price)


@given(
    words=st.text(alphabet=st.characters(blacklist_categories=("Nd",))).filter(
        lambda s: not any(c.isdigit() for c in s)
    )
)
def test_a_reply_without_digits_has_no_price(words):
    assert read_price(words) is None


@given(first=prices, second=prices, between=st.sampled_from([" or ", ", maybe $", "\nbut "]))
def test_the_first_number_wins(first, second, between):
    assert read_price(f"About ${first:,.2f}{between}{second:.2f}") == pytest.approx(first)


@given(text=st.text())
def test_any_text_reads_as_none_or_a_finite_non_negative_price(text):
    price = read_price(text)
    assert price is None or (math.isfinite(price) and price >= 0)


@pytest.mark.parametrize(
    ("reply", "price"),
    [
        ("$1,299.99", 1299.99),
        ("Price is $99", 99.0),
        ("about 45 dollars", 45.0),
        ("$ 12,000", 12000.0),
        ("It costs $.99, or 2 for $1.50", 0.99),
        ("Approx.12.50", 12.5),  # a point after a word is not a decimal point
        ("Price is $349.00\n", 349.0),
    ],
)
def test_read_price_examples(reply, price):
    assert read_price(reply) == pytest.approx(price)


@pytest.mark.parametrize("reply", ["", None, "I cannot tell", "Price is $"])
def test_read_price_without_a_number_is_none(reply):
    assert read_price(reply) is None


def test_messages_are_built_from_parts():
    messages = messages_for(ITEM)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == SYSTEM_PROMPT
    assert messages[1]["content"] == f"How much does this cost?\n\n{ITEM.text}"
    assert CHAT_QUESTION != QUESTION  # the chat question has no rounding hint...
    assert "nearest dollar" not in messages[1]["content"]  # ...and nothing was cut out of it
    assert not messages[1]["content"].endswith("Price is $")


def test_similar_items_go_before_the_question_as_context():
    similar = [Thing("A cheaper battery", 99.5), Thing("A dearer battery", 240.0)]
    assert chat_user_message(ITEM.text, similar) == (
        "To help, here are similar products and their prices:\n\n"
        "A cheaper battery\nPrice is $99.50\n\n"
        "A dearer battery\nPrice is $240.00\n\n"
        f"How much does this cost?\n\n{ITEM.text}"
    )


def test_the_chat_answer_keeps_cents_and_reads_back():
    assert chat_answer(123.456) == "Price is $123.46"
    assert read_price(chat_answer(19.99)) == 19.99
