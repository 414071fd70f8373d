"""Token prices (genai-prices, and the dated fallback kept in step with it), bills and labels."""

from __future__ import annotations

import builtins
import importlib.util
from dataclasses import dataclass

import pytest

from helpers.frontier import (
    PROVIDERS,
    TOKEN_PRICES,
    cost,
    spending_summary,
    token_rates,
    usage_table,
)
from helpers.frontier import costs as costs_module
from helpers.frontier.costs import Usage, format_dollars, longest_prefix
from helpers.frontier.tuning import training_cost

needs_genai_prices = pytest.mark.skipif(
    importlib.util.find_spec("genai_prices") is None, reason="genai-prices is not installed"
)


@pytest.fixture
def without_genai_prices(monkeypatch):
    """As on a machine where genai-prices is not installed: importing it fails."""
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "genai_prices":
            raise ImportError("No module named 'genai_prices'")
        return real_import(name, *args, **kwargs)

    costs_module.token_rates.cache_clear()
    monkeypatch.setattr(builtins, "__import__", refuse)
    yield
    costs_module.token_rates.cache_clear()


@needs_genai_prices
def test_course_models_are_priced_by_genai_prices():
    for model, provider in [
        ("gpt-4o-mini", "openai"),
        ("gpt-4o", "openai"),
        ("gpt-4o-mini-2024-07-18", "openai"),
        ("ft:gpt-4o-mini-2024-07-18:personal:pricer:abc", "openai"),
        ("claude-sonnet-4-5", "anthropic"),
        ("gemini-2.5-flash", "gemini"),
    ]:
        rates = token_rates(model, provider)
        assert rates is not None and rates.source.startswith("genai-prices "), model
    assert token_rates("gpt-4o-mini").input == pytest.approx(0.15)
    assert token_rates("gpt-4o-mini").output == pytest.approx(0.60)


@needs_genai_prices
def test_the_fallback_table_agrees_with_genai_prices():
    """The dated fallback must not drift from the maintained table it was copied from."""
    for model, (given_in, given_out) in TOKEN_PRICES.items():
        provider = "anthropic" if model.startswith("claude") else "openai"
        provider = "gemini" if model.startswith("gemini") else provider
        probe = model + ("-2024-07-18:x" if model == "ft:gpt-4o-mini" else "")
        probe = probe + ("-2024-08-06:x" if model == "ft:gpt-4o" else "")
        rates = token_rates(probe, provider)
        assert (rates.input, rates.output) == pytest.approx((given_in, given_out)), model


def test_without_genai_prices_the_fallback_answers_and_says_so(without_genai_prices):
    rates = token_rates("gpt-4o-mini-2024-07-18")
    assert (rates.input, rates.output) == (0.15, 0.60)
    assert rates.source == "fallback table of 2026-12-01"
    assert token_rates("ft:gpt-4o-mini-2024-07-18:personal:pricer:x").input == 0.30
    assert token_rates("some-unknown-model") is None


def test_cost_is_tokens_times_rates_and_free_is_free():
    assert cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.15 + 0.60)
    assert cost("gpt-4o", 1_000_000, 100_000) == pytest.approx(2.50 + 1.00)
    assert cost("claude-sonnet-4-5", 1_000, 0, "anthropic") == pytest.approx(0.003)
    assert cost("no-such-model-anywhere", 10, 10) is None
    assert cost("llama3.2", 10**6, 10**6, "ollama") == 0.0
    assert str(token_rates("llama3.2", "ollama")).endswith("(free (runs on your machine))")


def test_training_cost_from_the_dated_table():
    assert training_cost(200_000, "gpt-4o-mini-2024-07-18", epochs=2) == pytest.approx(1.20)
    assert training_cost(1000, "some-model") is None


def test_longest_prefix_wins():
    assert longest_prefix({"gpt-4o": 1, "gpt-4o-mini": 2}, "gpt-4o-mini-2024") == 2
    assert longest_prefix({"gpt-4o": 1}, "claude") is None


@dataclass
class FakeClient:
    name: str
    usage: Usage


def test_bills_say_simulated_free_or_billed():
    stand_in = FakeClient(
        "GPT-4o (stand-in)", Usage("gpt-4o", calls=250, dollars=0.3024, simulated=True)
    )
    real = FakeClient("GPT-4o-mini", Usage("gpt-4o-mini", calls=250, dollars=0.0123))
    local = FakeClient("Llama", Usage("llama3.2", calls=9, dollars=0.0, free=True))
    assert "cost $0.30, simulated (stand-in endpoint: nothing was billed)" in str(stand_in.usage)
    assert "simulated" not in str(real.usage) and "cost $0.01" in str(real.usage)
    assert spending_summary([stand_in]) == (
        "Spent in this run: $0.30 simulated (stand-in endpoint: nothing was billed)"
    )
    assert spending_summary([real, local]) == "Spent in this run: $0.01 billed"
    assert spending_summary([real, stand_in]).startswith(
        "Spent in this run: $0.01 billed and $0.30"
    )
    table = usage_table([stand_in, real, local])
    assert list(table["billing"]) == [
        "simulated (stand-in endpoint: nothing was billed)",
        "billed",
        "free (runs on your machine)",
    ]
    assert format_dollars(0.004) == "$0.0040" and format_dollars(None).startswith("an unknown")


def test_every_preset_endpoint_parameter_is_current():
    assert "max_tokens" not in PROVIDERS["openai"].params  # deprecated by OpenAI
    assert PROVIDERS["openai"].params["max_completion_tokens"] == 10
    assert PROVIDERS["anthropic"].params == {"max_completion_tokens": 10}  # seed is ignored there
    assert PROVIDERS["gemini"].params["reasoning_effort"] == "none"  # thinking would eat the limit


def test_provider_is_guessed_from_the_model_name():
    from helpers.frontier import provider_for

    assert provider_for("gpt-4o-mini") == "openai"
    assert provider_for("ft:gpt-4o-mini-2024-07-18:personal:pricer:abc") == "openai"
    assert provider_for("claude-sonnet-4-5") == "anthropic"
    assert provider_for("gemini-2.5-flash") == "gemini"
