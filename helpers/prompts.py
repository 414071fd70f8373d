"""How a price is asked for, written and read back: every prompt of the course in one place.

Two kinds of model, two kinds of prompt, built from the same parts:

- a model that *continues text* (Llama, notebooks 07-09) gets the question, the product text
  and "Price is $", and learns to write the dollars: the *completion* "123.00";
- a *chat* model (notebooks 05-06, 10) gets a system message and a user message made of its own
  question (no rounding hint, so it may answer in cents) and the product text, optionally after
  similar products and their prices.

Whatever a model writes, `read_price` reads the price back; a record's listed price is read
elsewhere (`helpers.records.listed_price`), because a record is data, not a model's words.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

QUESTION = "How much does this cost to the nearest dollar?"
PRICE_PREFIX = "Price is $"
SYSTEM_PROMPT = "You estimate prices of items. Reply only with the price, no explanation"
CHAT_QUESTION = "How much does this cost?"  # no rounding hint: a chat model may give cents
CONTEXT_INTRO = "To help, here are similar products and their prices:"


def completion(price: float) -> str:
    """What a text model learns to write after "Price is $": whole dollars, "123.00".

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    return f"{round(price)}.00"


def test_prompt(text: str) -> str:
    """The prompt a text model completes: the question, the product text, "Price is $".

    Introduced in notebooks/01_explore_data.ipynb.
    """
    return f"{QUESTION}\n\n{text}\n\n{PRICE_PREFIX}"


def training_prompt(text: str, price: float) -> str:
    """The test prompt followed by the completion: what a text model is trained on.

    Used by `helpers.items`.
    """
    return test_prompt(text) + completion(price)


def chat_answer(price: float) -> str:
    """The answer a fine-tuned chat model learns to give: "Price is $123.45".

    Cents are kept on purpose: the chat question does not ask for the nearest dollar, while
    the text model's completion, whose question does, rounds. Used by `helpers.frontier.tuning`.
    """
    return f"{PRICE_PREFIX}{price:.2f}"


def chat_user_message(text: str, similar: Sequence[Any] = ()) -> str:
    """The user message: optional context (similar products' texts and prices), the chat
    question, the product text. Used within `helpers.prompts`.
    """
    parts: list[str] = []
    if similar:
        parts.append(CONTEXT_INTRO)
        parts += [f"{other.text}\n{chat_answer(other.price)}" for other in similar]
    parts += [CHAT_QUESTION, text]
    return "\n\n".join(parts)


def chat_messages(text: str, similar: Sequence[Any] = ()) -> list[dict[str, str]]:
    """The chat messages that ask for one product's price: system, then user.

    Used by `helpers.frontier.messages`.
    """
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": chat_user_message(text, similar)},
    ]


# "1,299.99", "349", "12.5", and ".99" when the point starts the number ("$.99", not "approx.12").
_PRICE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?<![\w.])\.\d+")


def read_price(text: str | None) -> float | None:
    """The price in what a model wrote: the first number after the last "Price is $", or the
    first number at all ("about $1,299.99" -> 1299.99); None when there is none.

    The one reader for every model: greedy continuations, chat replies, fine-tuned answers.
    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if not text:
        return None
    if PRICE_PREFIX in text:
        text = text.rsplit(PRICE_PREFIX, 1)[1]
    match = _PRICE.search(text)
    return float(match.group().replace(",", "")) if match else None
