"""What a chat model is asked, and how its price is read back.

A chat model gets two messages built from parts: a system message that sets the task, and a
user message made of the chat question and the item's text. Nothing is cut out of another
prompt: the completion-style test prompt (``item.test_prompt``, "... to the nearest dollar?
... Price is $") is for models that continue text; a chat model gets its own question and no
dangling "Price is $". For the retrieval lesson, similar products with their prices can go
before the question as context.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..config import PRICE_PREFIX
from .errors import NoPriceInReply

SYSTEM_PROMPT = "You estimate prices of items. Reply only with the price, no explanation"
CHAT_QUESTION = "How much does this cost?"  # no rounding hint: a chat model may give cents
CONTEXT_INTRO = "To help, here are similar products and their prices:"


def chat_answer(price: float) -> str:
    """The answer a fine-tuned chat model learns to give: "Price is $123.45".

    Cents are kept on purpose: the chat question does not ask for the nearest dollar (the
    open-source model's completion, which does, rounds).
    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    return f"{PRICE_PREFIX}{price:.2f}"


def user_prompt(item: Any, similar: Sequence[Any] = ()) -> str:
    """The user message: optional context (similar items and their prices), the question, the text.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    parts: list[str] = []
    if similar:
        parts.append(CONTEXT_INTRO)
        parts += [f"{other.text}\n{chat_answer(other.price)}" for other in similar]
    parts += [CHAT_QUESTION, item.text]
    return "\n\n".join(parts)


def messages_for(item: Any, similar: Sequence[Any] = ()) -> list[dict[str, str]]:
    """The chat messages that ask for one item's price: system, then user.

    ``similar`` (items with ``text`` and ``price``) adds them as context before the question.
    Introduced in notebooks/05_frontier_models.ipynb.
    """
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_prompt(item, similar)},
    ]


# "1,299.99", "349", "12.5", and ".99" when the point starts the number ("$.99", not "approx.12").
_PRICE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?<![\w.])\.\d+")


def read_price(reply: str | None) -> float | None:
    """The first number in a model's reply ("Price is $1,299.99" -> 1299.99); None if none.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if not reply:
        return None
    match = _PRICE.search(reply)
    return float(match.group().replace(",", "")) if match else None


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters a token), for cost estimates only.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    return math.ceil(len(text) / 4)


def message_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """Rough prompt tokens of a chat: each message's text plus 4, plus 3 for the reply's start.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    return sum(estimate_tokens(str(m.get("content") or "")) + 4 for m in messages) + 3


def require_text(text: str) -> None:
    """Accept any reply with text (the default check of `FrontierClient.complete`).

    Introduced in notebooks/05_frontier_models.ipynb.
    """


def require_price(text: str) -> None:
    """Accept a reply only if a price can be read from it; otherwise it is malformed (retried).

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if read_price(text) is None:
        raise NoPriceInReply(f"reply had no price: {text[:60]!r}", reply=text)
