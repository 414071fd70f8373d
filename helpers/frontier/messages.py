"""An item's chat messages, their rough token count, and the checks a reply must pass.

The words themselves (system message, chat question, context) live in `helpers.prompts`, with
every other prompt of the course; this module applies them to items for the client.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..prompts import chat_messages, read_price
from .errors import NoPriceInReply


def messages_for(item: Any, similar: Sequence[Any] = ()) -> list[dict[str, str]]:
    """The chat messages that ask for one item's price (see `helpers.prompts.chat_messages`).

    ``similar`` (items with ``text`` and ``price``) adds them as context before the question.
    Introduced in notebooks/05_frontier_models.ipynb.
    """
    return chat_messages(item.text, similar)


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters a token), for cost estimates only.

    Used by `helpers.frontier.tuning`.
    """
    return math.ceil(len(text) / 4)


def message_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """Rough prompt tokens of a chat: each message's text plus 4, plus 3 for the reply's start.

    Used by `helpers.frontier.client`.
    """
    return sum(estimate_tokens(str(m.get("content") or "")) + 4 for m in messages) + 3


def require_text(text: str) -> None:
    """Accept any reply with text (the default check of `FrontierClient.complete`).

    Used by `helpers.frontier.client`.
    """


def require_price(text: str) -> None:
    """Accept a reply only if a price can be read from it; otherwise it is malformed (retried).

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if read_price(text) is None:
        raise NoPriceInReply(f"reply had no price: {text[:60]!r}", reply=text)
