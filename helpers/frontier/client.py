"""A hosted chat model as a price predictor: concurrent, cached, retried, costed, honest.

`FrontierClient("gpt-4o-mini")` covers every OpenAI-compatible provider (OpenAI itself,
Anthropic's and Gemini's compatibility endpoints, a local Ollama). It is a predictor the
Tester understands, and it takes care of what makes paid evaluation painful:

- concurrency: `predict_batch` runs a bounded thread pool and keeps the items' order;
- a disk cache of good replies: a re-run, or a run resumed after a crash, pays for nothing twice;
- retries with exponential backoff and jitter on 429, 5xx, timeouts and malformed replies
  (garbled JSON, empty content, no price), honouring Retry-After;
- failures with reasons: an item that still fails comes back as a `FrontierError` whose text
  says why, and a fatal error (a refused or revoked key) stops the run at once;
- usage and cost, labelled "simulated" when the endpoint says it is a stand-in (the header
  ``x-stand-in`` the local server of smoke runs sends); its results are then named
  "... (stand-in)".

We run our own retry loop (the SDK's ``max_retries`` is 0) so that jitter, Retry-After, the
give-up rule and the count of retries are ours to set, test and report.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from ..prompts import read_price
from .cache import ReplyCache, cache_entry, cache_key
from .costs import Estimate, Usage, format_dollars, token_rates
from .errors import (
    EmptyReply,
    FatalError,
    FrontierError,
    GaveUp,
    MalformedReply,
    TransientError,
)
from .messages import message_tokens, messages_for, require_price, require_text
from .providers import api_key_for, base_url_for, preset, provider_for
from .retries import Endpoint, RetryPolicy, judge

STAND_IN_HEADER = "x-stand-in"  # a stand-in endpoint names itself in this response header
STAND_IN_FINGERPRINT = "fp_stand_in"


@dataclass(frozen=True)
class Reply:
    """One answer from a model, fresh or cached. Used within `helpers.frontier`."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    attempts: int = 1
    stand_in: bool = False
    finish_reason: str | None = None


class FrontierClient:
    """A hosted chat model as a price predictor: concurrent, cached, retried, costed.

    ``FrontierClient("gpt-4o-mini")`` picks the provider preset from the model name (or pass
    ``provider=``); ``base_url``/``api_key`` override the preset for any other OpenAI-compatible
    service. ``name`` labels its results; "(stand-in)" is added when the endpoint is one.
    Call it on one item, or let the Tester call ``predict_batch``.
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
        chosen = preset(self.provider)
        self.model = model
        self.label = name or model
        self.base_url = (base_url or base_url_for(self.provider)).rstrip("/") + "/"
        self.workers = max(1, workers or chosen.workers)
        self.params = dict(chosen.params if params is None else params)
        self.free = chosen.free
        self.retry = RetryPolicy(max_retries, backoff, max_backoff, max_retry_after)
        self.cache: ReplyCache | None = None
        if cache is not False:
            self.cache = ReplyCache(None if cache is True else cache)
        key = api_key or api_key_for(self.provider)
        # The key lives only inside the SDK client from here on.
        self._sdk = OpenAI(api_key=key, base_url=self.base_url, max_retries=0, timeout=timeout)
        self._endpoint = Endpoint(self.provider, chosen.key_env, model, self.base_url, timeout)
        self._usage = Usage(model=model, free=self.free)
        self._lock = threading.Lock()
        self._random = random.Random()
        self._fatal: FatalError | None = None
        self._stand_in: bool | None = None  # unknown until the endpoint says
        self._probed = False
        self.failures: list[tuple[str, str]] = []  # (item title, why)

    def __repr__(self) -> str:
        return (
            f"FrontierClient(model={self.model!r}, provider={self.provider!r}, "
            f"base_url={self.base_url!r}, workers={self.workers})"
        )

    # -- what the endpoint is --
    @property
    def is_stand_in(self) -> bool:
        """True when the endpoint said it is a stand-in (the local server of smoke runs).

        Known from the first reply; before any, one free ``GET /models`` asks.
        Introduced in notebooks/05_frontier_models.ipynb.
        """
        if self._stand_in is None and not self._probed:
            self._probed = True
            import openai

            try:
                headers = self._sdk.models.with_raw_response.list().headers
            except (
                openai.APIStatusError
            ) as error:  # a refusal (a bad key, no /models) still says who
                headers = error.response.headers
            except openai.APIConnectionError:  # unreachable: the run will tell
                headers = {}
            self._stand_in = STAND_IN_HEADER in headers
        return bool(self._stand_in)

    @property
    def name(self) -> str:
        """The name results are recorded under: "GPT-4o", or "GPT-4o (stand-in)" on a stand-in."""
        return f"{self.label} (stand-in)" if self.is_stand_in else self.label

    # -- bookkeeping --
    @property
    def usage(self) -> Usage:
        """A snapshot of calls, tokens, retries and dollars so far."""
        with self._lock:
            snapshot = replace(self._usage, simulated=bool(self._stand_in))
        if self.cache is not None:
            snapshot.corrupt_cache = self.cache.corrupt
        return snapshot

    def _add(self, **counts: float) -> None:
        with self._lock:
            for key, value in counts.items():
                setattr(self._usage, key, getattr(self._usage, key) + value)

    def _spend(self, reply: Reply) -> None:
        rates = token_rates(self.model, self.provider)
        with self._lock:
            u = self._usage
            u.calls += 1
            u.prompt_tokens += reply.prompt_tokens
            u.completion_tokens += reply.completion_tokens
            spent = (
                None
                if rates is None
                else rates.dollars(reply.prompt_tokens, reply.completion_tokens)
            )
            u.dollars = None if spent is None or u.dollars is None else u.dollars + spent

    def _key(self, messages: Sequence[Mapping[str, Any]]) -> str:
        return cache_key(self.base_url, self.model, messages, self.params)

    def estimate(
        self,
        items: Sequence[Any],
        completion_tokens: int = 6,
        conversations: Sequence[list[dict[str, str]]] | None = None,
    ) -> Estimate:
        """The expected cost of predicting ``items`` (cached ones are free). Say it before paying.

        ``conversations`` are the messages each item will be sent, when not `messages_for`'s
        (retrieval adds similar products). Introduced in notebooks/05_frontier_models.ipynb.
        """
        if conversations is None:
            conversations = [messages_for(item) for item in items]
        prompt = completion = cached = 0
        for messages in conversations:
            if self.cache is not None and self._key(messages) in self.cache:
                cached += 1
                continue
            prompt += message_tokens(messages)
            completion += completion_tokens
        rates = token_rates(self.model, self.provider)
        dollars = None if rates is None else rates.dollars(prompt, completion)
        return Estimate(
            self.name, len(items), cached, prompt, completion, dollars, rates, self.is_stand_in
        )

    # -- calling --
    def _call_once(self, messages: list[dict[str, str]]) -> Reply:
        raw = self._sdk.chat.completions.with_raw_response.create(
            model=self.model, messages=messages, **self.params
        )
        response = raw.parse()
        stand_in = STAND_IN_HEADER in raw.headers or (
            getattr(response, "system_fingerprint", None) == STAND_IN_FINGERPRINT
        )
        with self._lock:
            self._stand_in = stand_in
        try:
            choice = response.choices[0]
        except (AttributeError, IndexError, TypeError) as error:
            raise MalformedReply("reply had no choices") from error
        usage = getattr(response, "usage", None)
        return Reply(
            text=getattr(choice.message, "content", None) or "",
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cached=False,
            stand_in=stand_in,
            finish_reason=getattr(choice, "finish_reason", None),
        )

    @staticmethod
    def _check(reply: Reply, check: Callable[[str], None]) -> None:
        if not reply.text.strip():
            hint = "; raise the token limit in params=" if reply.finish_reason == "length" else ""
            raise EmptyReply(f"empty reply (finish_reason {reply.finish_reason!r}{hint})")
        check(reply.text)

    def _call_with_retries(
        self, messages: list[dict[str, str]], check: Callable[[str], None]
    ) -> Reply:
        last: FrontierError | None = None
        for attempt in range(self.retry.max_retries + 1):
            if self._fatal is not None:  # a bad key or model fails every item: stop asking
                raise self._fatal.again()
            try:
                reply = self._call_once(messages)
                self._spend(reply)  # a reply with no answer is billed all the same
                self._check(reply, check)
                return replace(reply, attempts=attempt + 1)
            except Exception as error:
                verdict = judge(error, self._endpoint)
                if isinstance(verdict, FatalError):
                    with self._lock:
                        self._fatal = self._fatal or verdict
                    raise self._fatal.again() from error
                if not isinstance(verdict, TransientError):
                    raise verdict from error
                last = verdict
                if attempt == self.retry.max_retries:
                    break
                wait = self.retry.delay(error, attempt, self._random)
                self._add(retries=1, waited=wait)
                time.sleep(wait)
        attempts = self.retry.max_retries + 1
        raise GaveUp(
            f"gave up after {attempts} attempts: {last}",
            last.status if last else None,
            attempts,
            last,
        )

    def _from_cache(self, key: str, check: Callable[[str], None]) -> Reply | None:
        entry = self.cache.get(key) if self.cache is not None else None
        if entry is None:
            return None
        usage = entry.get("usage") or {}
        reply = Reply(
            entry["reply"],
            int(usage.get("prompt_tokens", 0)),
            int(usage.get("completion_tokens", 0)),
            cached=True,
            stand_in=bool(entry.get("stand_in", False)),
        )
        try:
            self._check(reply, check)
        except MalformedReply:  # stored by an older version, or under a looser check
            self.cache.count_bad(f"Cached reply {key[:12]} has no usable answer; asking again.")
            return None
        with self._lock:
            self._usage.cached += 1
            self._stand_in = reply.stand_in if self._stand_in is None else self._stand_in
        return reply

    def complete(
        self, messages: list[dict[str, str]], check: Callable[[str], None] = require_text
    ) -> Reply:
        """The model's reply to ``messages``: from the cache if seen before, else from the API.

        ``check`` raises `MalformedReply` for a reply it cannot use: such a reply is retried
        and never cached. Raises a `FrontierError` saying why when there is no good reply.
        Introduced in notebooks/05_frontier_models.ipynb.
        """
        key = self._key(messages)
        cached = self._from_cache(key, check)
        if cached is not None:
            return cached
        reply = self._call_with_retries(messages, check)
        if self.cache is not None:
            request = {"base_url": self.base_url, "model": self.model, "messages": messages}
            entry = cache_entry(
                {**request, "params": self.params},
                reply.text,
                (reply.prompt_tokens, reply.completion_tokens),
                reply.stand_in,
            )
            self.cache.put(key, entry)
        return reply

    def __call__(self, item: Any) -> float:
        """The model's price for one item; raises a `FrontierError` saying why there is none."""
        return self.price(item, messages_for(item))

    def price(self, item: Any, messages: list[dict[str, str]]) -> float:
        """The price the model answers to ``messages`` about ``item``; a failure is counted
        against the item and raised as a `FrontierError`. Used by `helpers.retrieval`."""
        try:
            reply = self.complete(messages, check=require_price)
        except FrontierError as error:
            self._failed(item, str(error))
            raise
        return float(read_price(reply.text))  # type: ignore[arg-type]  # checked above

    def _failed(self, item: Any, why: str) -> None:
        with self._lock:
            self._usage.failures += 1
            self.failures.append((str(getattr(item, "title", item))[:60], why))

    def _try(self, item: Any) -> float | FrontierError:
        try:
            return self(item)
        except FrontierError as error:
            return error

    def predict_batch(self, items: Sequence[Any]) -> list[float | FrontierError]:
        """Prices for many items, ``workers`` at a time, in the items' order.

        An item that failed gets the `FrontierError` saying why instead of a price.
        Introduced in notebooks/05_frontier_models.ipynb.
        """
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(items))) as pool:
            return list(pool.map(self._try, items))

    def print_usage(self) -> None:
        """The bill so far (labelled simulated on a stand-in), and which items failed and why."""
        print(self.usage)
        rates = token_rates(self.model, self.provider)
        print(f"  priced at {rates}" if rates else f"  priced at {format_dollars(None)}")
        for title, why in self.failures[:10]:
            print(f"  failed: {title}: {why}")
        if len(self.failures) > 10:
            print(f"  ... and {len(self.failures) - 10} more")
