"""Hosted "frontier" chat models as price predictors, through one OpenAI-compatible client.

Every provider the course uses speaks the OpenAI chat API at some base URL (OpenAI itself,
Anthropic's and Google Gemini's compatibility endpoints, a local Ollama), so one class covers
them all: `FrontierClient("gpt-4o-mini")`, `FrontierClient("claude-sonnet-4-5")`. It is a
predictor the Tester understands, and it takes care of what makes paid evaluation painful:

- concurrency: ``predict_batch`` runs a bounded thread pool and keeps item order;
- a disk cache keyed by (base URL, model, messages, parameters): a re-run costs nothing;
- retries with exponential backoff and jitter on 429, 5xx, timeouts and garbled replies,
  honouring Retry-After; an item that still fails is reported and the rest carry on;
- usage and cost: tokens summed per client, dollars from a small price table, an estimate
  before a run and the actual after.

Keys come from environment variables, a ``.env`` file or Colab secrets. They are handed to the
``openai`` SDK and nowhere else: never printed, never part of a cache key or cache file.

We run our own retry loop (the SDK's ``max_retries`` is 0) so that jitter, Retry-After, the
give-up rule and the count of retries are ours to set, test and report.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import os
import random
import re
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import PRICE_PREFIX, settings

SYSTEM_PROMPT = "You estimate prices of items. Reply only with the price, no explanation"

# ---- prompts and replies ------------------------------------------------------------------


def user_prompt(item: Any) -> str:
    """The test prompt without " to the nearest dollar" and without the closing "Price is $".

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    text = item.test_prompt.replace(" to the nearest dollar", "")
    if text.endswith(PRICE_PREFIX):
        text = text[: -len(PRICE_PREFIX)]
    return text.strip()


def messages_for(item: Any) -> list[dict[str, str]]:
    """The chat messages that ask a model for one item's price: system, then user.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_prompt(item)},
    ]


_PRICE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")


def parse_price(reply: str | None) -> float | None:
    """The first number in a model's reply ("$1,299.99" -> 1299.99), or None if it has none.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if not reply:
        return None
    match = _PRICE.search(reply)
    return float(match.group().replace(",", "")) if match else None


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters a token), for estimates only."""
    return math.ceil(len(text) / 4)


def _message_tokens(messages: Sequence[Mapping[str, str]]) -> int:
    return sum(estimate_tokens(m.get("content") or "") + 4 for m in messages) + 3


# ---- providers and keys -------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    """Where a family of models lives and which variables configure it."""

    name: str
    base_url: str  # the default endpoint; <URL_ENV> overrides it
    key_env: str | None  # variable holding the key; None: no key needed (local server)
    url_env: str
    workers: int  # default concurrent calls, modest enough for a new account's rate limit
    params: Mapping[str, Any] = field(default_factory=dict)  # sent with every request
    free: bool = False  # runs on your own machine: no bill
    keys_page: str = ""


PROVIDERS: dict[str, Provider] = {
    "openai": Provider(
        name="openai",
        base_url="https://api.openai.com/v1",
        key_env="OPENAI_API_KEY",
        url_env="OPENAI_BASE_URL",
        workers=16,
        params={"max_tokens": 10, "seed": 42},
        keys_page="https://platform.openai.com/api-keys",
    ),
    "anthropic": Provider(
        name="anthropic",
        base_url="https://api.anthropic.com/v1/",
        key_env="ANTHROPIC_API_KEY",
        url_env="ANTHROPIC_BASE_URL",
        workers=8,
        params={"max_tokens": 10},
        keys_page="https://console.anthropic.com/settings/keys",
    ),
    "gemini": Provider(
        name="gemini",
        base_url="https://generativelanguage.googleapis.com/v1beta/openai/",
        key_env="GEMINI_API_KEY",
        url_env="GEMINI_BASE_URL",
        workers=8,
        params={"max_tokens": 10},
        keys_page="https://aistudio.google.com/apikey",
    ),
    "ollama": Provider(
        name="ollama",
        base_url="http://localhost:11434/v1",
        key_env=None,
        url_env="OLLAMA_BASE_URL",
        workers=2,
        params={"max_tokens": 10, "seed": 42},
        free=True,
    ),
}


def provider_for(model: str) -> str:
    """The preset a model name suggests: claude-* -> anthropic, gemini-* -> gemini, else openai."""
    lowered = model.lower()
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith("gemini"):
        return "gemini"
    return "openai"


def _dotenv_value(name: str) -> str | None:
    try:
        from dotenv import dotenv_values, find_dotenv
    except ImportError:
        return None
    path = find_dotenv(usecwd=True)
    return (dotenv_values(path).get(name) or None) if path else None


def _colab_secret(name: str) -> str | None:
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import userdata

        return userdata.get(name) or None
    except Exception:  # missing secret, or not shared with this notebook
        return None


def lookup(name: str) -> tuple[str | None, str | None]:
    """A setting's value and where it was found: environment, then .env, then Colab secrets.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if os.environ.get(name):
        return os.environ[name], "environment"
    if value := _dotenv_value(name):
        return value, ".env file"
    if value := _colab_secret(name):
        return value, "Colab secrets"
    return None, None


@dataclass(frozen=True)
class KeyStatus:
    """Whether a provider's key was found (never the key itself)."""

    provider: str
    variable: str | None
    found: bool
    source: str | None
    base_url: str

    def __str__(self) -> str:
        if self.variable is None:
            return f"[OK]      {self.provider}: no key needed; endpoint {self.base_url}"
        if self.found:
            return f"[OK]      {self.provider}: {self.variable} found ({self.source}); endpoint {self.base_url}"
        return f"[MISSING] {self.provider}: {self.variable} not set; its cells will be skipped"


def _base_url(provider: Provider) -> str:
    return lookup(provider.url_env)[0] or provider.base_url


def key_status(provider: str) -> KeyStatus:
    """Is there a key for ``provider``? Looks where the client looks; reveals nothing of it.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    preset = PROVIDERS[provider]
    if preset.key_env is None:
        return KeyStatus(provider, None, True, None, _base_url(preset))
    value, source = lookup(preset.key_env)
    return KeyStatus(provider, preset.key_env, value is not None, source, _base_url(preset))


def how_to_set_key(variable: str = "OPENAI_API_KEY") -> str:
    """The three ways to give the course a key, for the message a learner sees without one."""
    pages = ", ".join(p.keys_page for p in PROVIDERS.values() if p.keys_page)
    return (
        f"To run the paid cells, give the course your key in one of three ways (never paste a key "
        f"into a notebook cell, where it would be saved):\n"
        f"  1. a file named .env in the course folder with the line  {variable}=<your key>\n"
        f"  2. an environment variable, set before starting Jupyter:  export {variable}=<your key>\n"
        f"  3. on Colab: the key icon (Secrets) -> add {variable}, and allow this notebook access\n"
        f"Then restart the kernel and run again. Keys are made at: {pages}"
    )


def check_keys(providers: Iterable[str] = ("openai", "anthropic")) -> dict[str, bool]:
    """Print one line per provider (found, or how to set it); return provider -> found.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    statuses = [key_status(name) for name in providers]
    for status in statuses:
        print(status)
    missing = [s.variable for s in statuses if not s.found and s.variable]
    if missing:
        print()
        print(how_to_set_key(missing[0]))
    return {s.provider: s.found for s in statuses}


class FrontierError(RuntimeError):
    """A call that could not be completed; the message says why and, where it can, how to fix it."""


class MissingKeyError(FrontierError):
    """No key for a provider anywhere the client looks."""


class MalformedReply(FrontierError):
    """The provider answered, but not with a usable chat completion (worth retrying)."""


def _require_key(preset: Provider) -> str:
    """The preset's key, or an error that says where we looked and how to set it."""
    if preset.key_env is None:
        return "local"  # the SDK insists on some key; a local server ignores it
    key = lookup(preset.key_env)[0]
    if key is None:
        raise MissingKeyError(
            f"No {preset.key_env} found for {preset.name} (looked in the environment, a .env "
            f"file and Colab secrets).\n{how_to_set_key(preset.key_env)}"
        )
    return key


def openai_client(
    provider: str = "openai",
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    max_retries: int = 5,
    timeout: float = 60.0,
):
    """The ``openai`` SDK client for a preset (keys and URL resolved as the FrontierClient does).

    Used directly for files and fine-tuning jobs, where the SDK's own retries are enough.
    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    from openai import OpenAI

    preset = PROVIDERS[provider]
    url = base_url or _base_url(preset)
    key = api_key or _require_key(preset)
    return OpenAI(api_key=key, base_url=url, max_retries=max_retries, timeout=timeout)


# ---- cost ------------------------------------------------------------------------------------

# Dollars per million tokens (input, output): list prices in 2025. Check the provider's pricing
# page before relying on them. The longest matching prefix of a model name wins.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "ft:gpt-4o-mini": (0.30, 1.20),  # fine-tuned models cost more per call
    "ft:gpt-4o": (3.75, 15.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-3-5-haiku": (0.80, 4.00),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-pro": (1.25, 10.00),
}
# Dollars per million training tokens (tokens in the file times epochs).
TRAINING_PRICES: dict[str, float] = {"gpt-4o-mini": 3.00, "gpt-4.1-mini": 5.00, "gpt-4o": 25.00}


def _longest_prefix(table: Mapping[str, Any], model: str) -> Any:
    matches = [key for key in table if model.startswith(key)]
    return table[max(matches, key=len)] if matches else None


def cost(
    model: str, prompt_tokens: int, completion_tokens: int, free: bool = False
) -> float | None:
    """Dollars for so many tokens at ``PRICES``; None when the model is not in the table.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    if free:
        return 0.0
    price = _longest_prefix(PRICES, model)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


def _dollars(value: float | None) -> str:
    if value is None:
        return "an unknown amount (add the model to frontier.PRICES)"
    return f"${value:,.4f}" if value < 0.01 else f"${value:,.2f}"


@dataclass
class Usage:
    """What one client has used so far. Introduced in notebooks/05_frontier_models.ipynb."""

    model: str
    calls: int = 0  # answered requests (each cost money)
    cached: int = 0  # replies served from the disk cache (free)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    waited: float = 0.0  # seconds spent backing off
    failures: int = 0
    corrupt_cache: int = 0  # cache files that were unreadable and fetched again
    dollars: float | None = 0.0

    def __str__(self) -> str:
        parts = [
            f"{self.model}: {self.calls} calls, {self.cached} from cache",
            f"{self.prompt_tokens:,} input + {self.completion_tokens:,} output tokens",
            f"cost {_dollars(self.dollars)}",
        ]
        if self.retries:
            parts.append(f"{self.retries} retries ({self.waited:.1f} s waiting)")
        if self.failures:
            parts.append(f"{self.failures} failed")
        if self.corrupt_cache:
            parts.append(f"{self.corrupt_cache} corrupt cache entries refetched")
        return "; ".join(parts)


@dataclass(frozen=True)
class Estimate:
    """The expected bill for a run, before it starts."""

    model: str
    items: int
    cached: int  # already answered: free
    prompt_tokens: int
    completion_tokens: int
    dollars: float | None

    def __str__(self) -> str:
        calls = self.items - self.cached
        return (
            f"{self.model}: {calls} paid calls ({self.cached} of {self.items} already cached), "
            f"about {self.prompt_tokens:,} input + {self.completion_tokens:,} output tokens: "
            f"expected cost {_dollars(self.dollars)}"
        )


# ---- cache ---------------------------------------------------------------------------------


def cache_key(
    base_url: str, model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> str:
    """sha256 of a canonical JSON of what determines a reply (the API key is never part of it).

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    canonical = json.dumps(
        {
            "base_url": base_url.rstrip("/"),
            "model": model,
            "messages": list(messages),
            "params": dict(params),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ReplyCache:
    """One JSON file per reply under ``directory``, written atomically; a bad file is a miss.

    Introduced in notebooks/05_frontier_models.ipynb.
    """

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = (
            Path(directory) if directory is not None else settings().root / "cache" / "frontier"
        )
        self.corrupt = 0
        self._lock = threading.Lock()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def _read(self, key: str) -> dict[str, Any] | None | bool:
        """The entry, None if absent, False if present but unreadable."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return False
        if not isinstance(entry, dict) or not isinstance(entry.get("reply"), str):
            return False
        return entry

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self._read(key)
        if entry is False:
            with self._lock:
                self.corrupt += 1
            warnings.warn(
                f"Ignoring a corrupt cache entry {self.path(key).name}; asking again.", stacklevel=2
            )
            return None
        return entry  # type: ignore[return-value]

    def __contains__(self, key: str) -> bool:
        return isinstance(self._read(key), dict)

    def put(self, key: str, entry: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(entry, ensure_ascii=False, indent=1)
        with tempfile.NamedTemporaryFile(
            "w",
            dir=self.directory,
            prefix=f".{key[:12]}-",
            suffix=".tmp",
            delete=False,
            encoding="utf-8",
        ) as handle:
            handle.write(payload)
        os.replace(handle.name, self.path(key))


# ---- retries -------------------------------------------------------------------------------


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` (seconds or a date)."""
    if not headers:
        return None
    lowered = {str(k).lower(): v for k, v in headers.items()}
    try:
        if lowered.get("retry-after-ms"):
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
    except ValueError:
        pass
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _is_retryable(error: BaseException) -> bool:
    import openai

    if isinstance(error, (MalformedReply, json.JSONDecodeError, openai.APIResponseValidationError)):
        return True
    if isinstance(error, openai.APIConnectionError):  # includes timeouts
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return False


def _describe(error: BaseException) -> str:
    import openai

    if isinstance(error, openai.APITimeoutError):
        return "timed out"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code}"
    if isinstance(error, json.JSONDecodeError):
        return "malformed JSON reply"
    return f"{type(error).__name__}: {error}"


# ---- the client ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One answer from a model, fresh or cached."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    attempts: int = 1


class FrontierClient:
    """A hosted chat model as a price predictor: concurrent, cached, retried, costed.

    ``FrontierClient("gpt-4o-mini")`` picks the provider preset from the model name (or pass
    ``provider=``); ``base_url``/``api_key`` override the preset for any other OpenAI-compatible
    service. Call it on one item, or let the Tester call ``predict_batch``.
    Introduced in notebooks/05_frontier_models.ipynb.
    """

    def __init__(
        self,
        model: str,
        provider: str | None = None,
        *,
        name: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        workers: int | None = None,
        params: Mapping[str, Any] | None = None,
        cache: bool | str | os.PathLike = True,
        timeout: float = 30.0,
        max_retries: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        max_retry_after: float = 60.0,
    ) -> None:
        from openai import OpenAI

        self.provider = provider or provider_for(model)
        if self.provider not in PROVIDERS:
            raise ValueError(
                f"Unknown provider {self.provider!r}; choose one of {', '.join(PROVIDERS)}"
            )
        preset = PROVIDERS[self.provider]
        self.model = model
        self.name = name or model
        self.base_url = (base_url or _base_url(preset)).rstrip("/") + "/"
        self.workers = max(1, workers or preset.workers)
        self.params = dict(preset.params if params is None else params)
        self.free = preset.free
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        if cache is False:
            self.cache: ReplyCache | None = None
        else:
            self.cache = ReplyCache(None if cache is True else cache)
        api_key = api_key or _require_key(preset)
        # The key lives only inside the SDK client from here on.
        self._sdk = OpenAI(api_key=api_key, base_url=self.base_url, max_retries=0, timeout=timeout)
        self._usage = Usage(model=model, dollars=0.0 if self.free else cost(model, 0, 0))
        self._lock = threading.Lock()
        self._random = random.Random()
        self._fatal: FrontierError | None = None
        self.failures: list[tuple[str, str]] = []  # (item title, why)

    def __repr__(self) -> str:
        return (
            f"FrontierClient(model={self.model!r}, provider={self.provider!r}, "
            f"base_url={self.base_url!r}, workers={self.workers})"
        )

    # -- bookkeeping --
    @property
    def usage(self) -> Usage:
        """A snapshot of calls, tokens, retries and dollars so far."""
        with self._lock:
            snapshot = replace(self._usage)
        if self.cache is not None:
            snapshot.corrupt_cache = self.cache.corrupt
        return snapshot

    def _add(self, **counts: float) -> None:
        with self._lock:
            for key, value in counts.items():
                setattr(self._usage, key, getattr(self._usage, key) + value)

    def _spend(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            u = self._usage
            u.calls += 1
            u.prompt_tokens += prompt_tokens
            u.completion_tokens += completion_tokens
            spent = cost(self.model, prompt_tokens, completion_tokens, self.free)
            u.dollars = None if spent is None or u.dollars is None else u.dollars + spent

    def _key(self, messages: Sequence[Mapping[str, Any]]) -> str:
        return cache_key(self.base_url, self.model, messages, self.params)

    def estimate(self, items: Sequence[Any], completion_tokens: int = 6) -> Estimate:
        """The expected cost of predicting ``items`` (cached ones are free). Say it before paying.

        Introduced in notebooks/05_frontier_models.ipynb.
        """
        prompt = completion = cached = 0
        for item in items:
            messages = messages_for(item)
            if self.cache is not None and self._key(messages) in self.cache:
                cached += 1
                continue
            prompt += _message_tokens(messages)
            completion += completion_tokens
        return Estimate(
            self.model,
            len(items),
            cached,
            prompt,
            completion,
            cost(self.model, prompt, completion, self.free),
        )

    # -- calling --
    def _call_once(self, messages: list[dict[str, str]]) -> Reply:
        response = self._sdk.chat.completions.create(
            model=self.model, messages=messages, **self.params
        )
        try:
            message = response.choices[0].message
        except (AttributeError, IndexError, TypeError, KeyError) as error:
            raise MalformedReply(f"the reply had no choices ({type(response).__name__})") from error
        usage = getattr(response, "usage", None)
        return Reply(
            text=getattr(message, "content", None) or "",
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cached=False,
        )

    def _wait(self, error: BaseException, attempt: int) -> float:
        """Exponential backoff with jitter, and at least what Retry-After asks for."""
        delay = min(self.max_backoff, self.backoff * 2**attempt)
        delay = delay / 2 + self._random.uniform(0, delay / 2)
        response = getattr(error, "response", None)
        hinted = retry_after_seconds(getattr(response, "headers", None))
        if hinted is not None:
            hinted = min(hinted, self.max_retry_after)
            delay = max(delay, hinted * (1 + 0.1 * self._random.random()))
        return delay

    def _fatal_error(self, error: BaseException) -> FrontierError:
        import openai

        key_env = PROVIDERS[self.provider].key_env or "the key"
        if isinstance(error, openai.AuthenticationError):
            why = f"{self.provider} refused the key (HTTP 401). Check {key_env}: is it current and complete?"
        elif isinstance(error, openai.PermissionDeniedError):
            why = f"{self.provider} denied access (HTTP 403): does your account have access to {self.model}?"
        else:
            why = f"{self.provider} has no model {self.model!r} at {self.base_url} (HTTP 404): check the name."
        return FrontierError(why)

    def _call_with_retries(self, messages: list[dict[str, str]]) -> Reply:
        import openai

        last: BaseException | None = None
        for attempt in range(self.max_retries + 1):
            if self._fatal is not None:  # a bad key or model fails every item: stop asking
                raise FrontierError(str(self._fatal))
            try:
                reply = self._call_once(messages)
                return replace(reply, attempts=attempt + 1)
            except (
                openai.AuthenticationError,
                openai.PermissionDeniedError,
                openai.NotFoundError,
            ) as error:
                with self._lock:
                    self._fatal = self._fatal or self._fatal_error(error)
                raise FrontierError(str(self._fatal)) from error
            except Exception as error:
                if not _is_retryable(error):
                    raise FrontierError(f"{self.provider} rejected the request: {error}") from error
                last = error
                if attempt == self.max_retries:
                    break
                wait = self._wait(error, attempt)
                self._add(retries=1, waited=wait)
                time.sleep(wait)
        raise FrontierError(
            f"gave up after {self.max_retries + 1} attempts; last: {_describe(last)}"
        ) from last

    def complete(self, messages: list[dict[str, str]]) -> Reply:
        """The model's reply to ``messages``: from the cache if seen before, else from the API.

        Introduced in notebooks/05_frontier_models.ipynb.
        """
        key = self._key(messages)
        if self.cache is not None:
            entry = self.cache.get(key)
            if entry is not None:
                self._add(cached=1)
                usage = entry.get("usage") or {}
                return Reply(
                    entry["reply"],
                    int(usage.get("prompt_tokens", 0)),
                    int(usage.get("completion_tokens", 0)),
                    True,
                )
        reply = self._call_with_retries(messages)
        self._spend(reply.prompt_tokens, reply.completion_tokens)
        if self.cache is not None:
            self.cache.put(
                key,
                {
                    "request": {
                        "base_url": self.base_url,
                        "model": self.model,
                        "messages": messages,
                        "params": self.params,
                    },
                    "reply": reply.text,
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                    },
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                },
            )
        return reply

    def __call__(self, item: Any) -> float:
        """The model's price for one item; raises FrontierError when there is none."""
        try:
            reply = self.complete(messages_for(item))
        except FrontierError as error:
            self._failed(item, str(error))
            raise
        price = parse_price(reply.text)
        if price is None:
            why = f"no price in the reply {reply.text[:60]!r}"
            self._failed(item, why)
            raise FrontierError(why)
        return price

    def _failed(self, item: Any, why: str) -> None:
        with self._lock:
            self._usage.failures += 1
            self.failures.append((str(getattr(item, "title", item))[:60], why))

    def _try(self, item: Any) -> float | None:
        try:
            return self(item)
        except FrontierError:
            return None

    def predict_batch(self, items: Sequence[Any]) -> list[float | None]:
        """Prices for many items, ``workers`` at a time, in the items' order (None: failed).

        Introduced in notebooks/05_frontier_models.ipynb.
        """
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(self._try, items))

    def print_usage(self) -> None:
        """The actual bill so far, and which items failed and why."""
        print(self.usage)
        for title, why in self.failures[:10]:
            print(f"  failed: {title}: {why}")
        if len(self.failures) > 10:
            print(f"  ... and {len(self.failures) - 10} more")


def usage_table(clients: Iterable[FrontierClient]):
    """Calls, tokens, retries and dollars of several clients as a DataFrame.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    import pandas as pd

    rows = []
    for client in clients:
        u = client.usage
        rows.append(
            {
                "model": client.name,
                "calls": u.calls,
                "cached": u.cached,
                "retries": u.retries,
                "failed": u.failures,
                "input tokens": u.prompt_tokens,
                "output tokens": u.completion_tokens,
                "dollars": u.dollars,
            }
        )
    columns = [
        "model",
        "calls",
        "cached",
        "retries",
        "failed",
        "input tokens",
        "output tokens",
        "dollars",
    ]
    return pd.DataFrame(rows, columns=columns)
