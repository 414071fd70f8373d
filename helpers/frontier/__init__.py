"""Hosted "frontier" chat models as price predictors, through one OpenAI-compatible client.

The rooms of this package, each small enough to read in one sitting:

- `messages`: an item's chat messages (the words are `helpers.prompts`') and the checks a reply
  must pass;
- `providers`: where each provider's models live, the parameters each endpoint expects, and
  where its key comes from (`helpers.secrets`);
- `client`: `FrontierClient`, the concurrent, cached, retried predictor;
- `cache`: good replies on disk, so nothing is paid for twice;
- `retries`: which failures are worth another try, and what to tell the learner;
- `errors`: one exception class per kind of failure;
- `costs`: token prices (genai-prices, with a dated fallback table), usage and estimates;
- `tuning`: fine-tuning a hosted model on our items (notebook 06), imported as
  ``helpers.frontier.tuning``.

Notebooks import the names below from ``helpers.frontier``.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from .cache import ReplyCache, cache_key
from .client import FrontierClient, Reply
from .costs import (
    TOKEN_PRICES,
    TRAINING_PRICES,
    Estimate,
    Rates,
    Usage,
    cost,
    spending_summary,
    token_rates,
    usage_table,
)
from .errors import (
    EmptyReply,
    FatalError,
    FrontierError,
    GaveUp,
    MalformedReply,
    MissingKeyError,
    NoPriceInReply,
    RequestRejected,
    TransientError,
)
from .messages import messages_for, require_price
from .providers import PROVIDERS, Provider, check_keys, key_status, openai_client, provider_for
from .retries import retry_after_seconds

__all__ = [
    "PROVIDERS",
    "TOKEN_PRICES",
    "TRAINING_PRICES",
    "EmptyReply",
    "Estimate",
    "FatalError",
    "FrontierClient",
    "FrontierError",
    "GaveUp",
    "MalformedReply",
    "MissingKeyError",
    "NoPriceInReply",
    "Provider",
    "Rates",
    "Reply",
    "ReplyCache",
    "RequestRejected",
    "TransientError",
    "Usage",
    "cache_key",
    "check_keys",
    "cost",
    "key_status",
    "messages_for",
    "openai_client",
    "provider_for",
    "require_price",
    "retry_after_seconds",
    "spending_summary",
    "token_rates",
    "usage_table",
]
