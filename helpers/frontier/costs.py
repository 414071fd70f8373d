"""What a run costs: token prices from a maintained table, usage, estimates and bills.

Token prices come from `genai-prices <https://github.com/pydantic/genai-prices>`_, the price
table Pydantic maintains for every major provider and ships inside the package (no network
at run time). Where it is not installed, or does not know a model, a small fallback table
(`TOKEN_PRICES`, copied from genai-prices 0.2.3 on 2026-12-01; a test keeps the two in step)
answers instead, and every cost says which source priced it. Rates are read at a small request
(1,000 tokens in and out), the tier our short prompts fall in, so long-context surcharges
never apply by mistake.

genai-prices has no fine-tuning prices: `TRAINING_PRICES` is a small dated table from
OpenAI's pricing page.

A cost is only a bill when the endpoint is real. When the endpoint said it is a stand-in (the
local server of smoke runs), every dollar figure is labelled "simulated" and nothing was paid.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .providers import PROVIDERS

PRICES_DATE = "2026-12-01"
# Dollars per million tokens (input, output), from genai-prices 0.2.3 on PRICES_DATE: used only
# when genai-prices is missing or does not know the model. The longest matching prefix wins.
TOKEN_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "ft:gpt-4o-mini": (0.30, 1.20),  # a fine-tuned model costs twice its base per token
    "ft:gpt-4o": (3.75, 15.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "claude-sonnet-4-5": (3.00, 15.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-pro": (1.25, 10.00),
}
# Dollars per million training tokens (tokens in the file times epochs): OpenAI's pricing page,
# fine-tuning section, 2025 list prices (genai-prices has no training prices). Check it first.
TRAINING_PRICES: dict[str, float] = {
    "gpt-4o-mini": 3.00,
    "gpt-4o": 25.00,
    "gpt-4.1-nano": 1.50,
    "gpt-4.1-mini": 5.00,
    "gpt-4.1": 25.00,
}
TRAINING_PRICES_SOURCE = "OpenAI's pricing page (fine-tuning), 2025 list prices"
SIMULATED = "simulated (stand-in endpoint: nothing was billed)"
FREE = "free (runs on your machine)"
BILLED = "billed"


def longest_prefix(table: Mapping[str, Any], model: str) -> Any:
    """The entry of ``table`` whose key is the longest prefix of ``model``; None if none is.

    Used within `helpers.frontier.costs`.
    """
    matches = [key for key in table if model.startswith(key)]
    return table[max(matches, key=len)] if matches else None


@dataclass(frozen=True)
class Rates:
    """A model's token prices in dollars per million tokens, and where they come from.

    Used by `helpers.frontier`.
    """

    input: float
    output: float
    source: str

    def dollars(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000

    def __str__(self) -> str:
        return f"${self.input:g} in / ${self.output:g} out per million tokens ({self.source})"


def _from_genai_prices(model: str, provider_id: str | None) -> Rates | None:
    try:
        import genai_prices
    except ImportError:
        return None
    usage = genai_prices.Usage(input_tokens=1000, output_tokens=1000)
    for provider in dict.fromkeys([provider_id, None]):  # the named provider, then any
        try:
            price = genai_prices.calc_price(usage, model_ref=model, provider_id=provider)
        except LookupError:
            continue
        source = f"genai-prices {genai_prices.__version__}"
        return Rates(float(price.input_price) * 1000, float(price.output_price) * 1000, source)
    return None


@lru_cache(maxsize=256)
def token_rates(model: str, provider: str = "openai") -> Rates | None:
    """``model``'s token prices: genai-prices, else the dated fallback table; None if neither knows it.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    preset = PROVIDERS.get(provider)
    if preset is not None and preset.free:
        return Rates(0.0, 0.0, FREE)
    rates = _from_genai_prices(model, preset.prices_id if preset else None)
    if rates is not None:
        return rates
    fallback = longest_prefix(TOKEN_PRICES, model)
    if fallback is None:
        return None
    return Rates(fallback[0], fallback[1], f"fallback table of {PRICES_DATE}")


def cost(
    model: str, prompt_tokens: int, completion_tokens: int, provider: str = "openai"
) -> float | None:
    """Dollars for so many tokens of ``model``; None when no price table knows the model.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    rates = token_rates(model, provider)
    return None if rates is None else rates.dollars(prompt_tokens, completion_tokens)


def training_rate(model: str) -> float | None:
    """Dollars per million training tokens to fine-tune ``model`` (`TRAINING_PRICES`).

    Used by `helpers.frontier.tuning`.
    """
    return longest_prefix(TRAINING_PRICES, model)


def format_dollars(value: float | None) -> str:
    """Dollars as text: "$0.0123" under a cent, "$1.23" above, "an unknown amount" if unpriced.

    Used by `helpers.frontier.client`.
    """
    if value is None:
        return "an unknown amount (no price table knows this model)"
    return f"${value:,.4f}" if value < 0.01 else f"${value:,.2f}"


def billing(simulated: bool, free: bool = False) -> str:
    """How to read a dollar figure: simulated, free, or billed. Used within `helpers.frontier.costs`."""
    return SIMULATED if simulated else FREE if free else BILLED


@dataclass
class Usage:
    """What one client has used so far. Used by `helpers.frontier` and `helpers.frontier.client`."""

    model: str
    calls: int = 0  # answered requests (each one is billed, even a reply with no price)
    cached: int = 0  # replies served from the disk cache (free)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    waited: float = 0.0  # seconds spent backing off
    failures: int = 0  # items with no price in the end
    corrupt_cache: int = 0  # unreadable or unusable cache entries, fetched again
    dollars: float | None = 0.0
    simulated: bool = False  # the endpoint said it is a stand-in: nothing was billed
    free: bool = False

    def __str__(self) -> str:
        spent = format_dollars(self.dollars)
        if self.simulated or self.free:
            spent += f", {billing(self.simulated, self.free)}"
        parts = [
            f"{self.model}: {self.calls} calls, {self.cached} from cache",
            f"{self.prompt_tokens:,} input + {self.completion_tokens:,} output tokens",
            f"cost {spent}",
        ]
        if self.retries:
            parts.append(f"{self.retries} retries ({self.waited:.1f} s waiting)")
        if self.failures:
            parts.append(f"{self.failures} failed")
        if self.corrupt_cache:
            parts.append(f"{self.corrupt_cache} bad cache entries fetched again")
        return "; ".join(parts)


@dataclass(frozen=True)
class Estimate:
    """The expected bill for a run, before it starts. Used by `helpers.frontier.client`."""

    model: str
    items: int
    cached: int  # already answered: free
    prompt_tokens: int
    completion_tokens: int
    dollars: float | None
    rates: Rates | None = None
    simulated: bool = False

    def __str__(self) -> str:
        calls = self.items - self.cached
        expected = format_dollars(self.dollars)
        if self.simulated:
            expected += f", {SIMULATED}"
        priced = f" at {self.rates}" if self.rates else ""
        return (
            f"{self.model}: {calls} paid calls ({self.cached} of {self.items} already cached), "
            f"about {self.prompt_tokens:,} input + {self.completion_tokens:,} output tokens"
            f"{priced}: expected cost {expected}"
        )


def usage_table(clients: Iterable[Any]):
    """Calls, tokens, retries, dollars and billing of several clients, as a DataFrame.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    import pandas as pd

    columns = ["model", "calls", "cached", "retries", "failed", "input tokens", "output tokens"]
    rows = []
    for client in clients:
        u = client.usage
        values = [client.name, u.calls, u.cached, u.retries, u.failures]
        values += [u.prompt_tokens, u.completion_tokens, u.dollars, billing(u.simulated, u.free)]
        rows.append(dict(zip([*columns, "dollars", "billing"], values, strict=True)))
    return pd.DataFrame(rows, columns=[*columns, "dollars", "billing"])


def spending_summary(clients: Iterable[Any]) -> str:
    """One line: what this run spent, split into billed and simulated dollars.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    billed = simulated = 0.0
    unknown = False
    for client in clients:
        u = client.usage
        unknown = unknown or u.dollars is None
        if u.simulated:
            simulated += u.dollars or 0.0
        elif not u.free:
            billed += u.dollars or 0.0
    parts = []
    if billed or not simulated:
        parts.append(f"{format_dollars(billed)} billed")
    if simulated:
        parts.append(f"{format_dollars(simulated)} {SIMULATED}")
    note = " (plus models no price table knows)" if unknown else ""
    return f"Spent in this run: {' and '.join(parts)}{note}"
