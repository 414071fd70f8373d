"""A local stand-in for an OpenAI-compatible API: the paid services, replaced at the network edge.

Tests, benchmarks and the offline notebook run point ``OPENAI_BASE_URL`` (and the Anthropic and
Gemini ones) at this server. The course code talks to it exactly as to a real provider; the one
thing that differs is that the server says what it is: every response carries the header
``x-stand-in: openai`` and chat replies the ``system_fingerprint`` "fp_stand_in", so the client
can label its results "(stand-in)" and its costs "simulated". It speaks the endpoints notebooks
05-06 use:

- ``POST /v1/chat/completions``: the price a model would read from the prompt. It never sees
  the truth: it reads the product's type, brand and attributes from the text and prices them
  with the synthetic catalog's own tables, then adds the model's own seeded error (a
  fine-tuned ``ft:gpt-4o-mini`` closest, then GPT-4o, Claude, GPT-4o-mini), and weighs in any
  similar products with prices that the prompt shows as context. `standins.chat_pricer`
  documents each step. Replies come in varied shapes ("$1,299.99", "Price is $99", "about 45
  dollars"), with token usage;
- ``POST /v1/files``, ``GET /v1/files/{id}``: multipart JSONL upload for fine-tuning;
- ``POST /v1/fine_tuning/jobs``, ``GET /v1/fine_tuning/jobs/{id}`` (status advances on each
  poll: validating_files -> queued -> running -> succeeded), ``GET .../events``;
- ``GET /v1/models``.

It can add latency to every chat call and inject faults into chat calls at a seeded rate: 429
with Retry-After, 500, 503, a reply slower than any sensible client timeout, a malformed JSON
body, or an empty reply (`standins.openai_faults`). Its endpoints are in
`standins.openai_routes`, its files and fine-tuning jobs in `standins.openai_tuning`.

    python -m standins.openai_server --port 0 --latency 0.3 --fault-rate 0.2

Introduced in notebooks/05_frontier_models.ipynb (it is what the offline run talks to).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from .background_server import BackgroundServer, wait_for_exit
from .chat_pricer import answer_text, prompt_text
from .openai_faults import FAULT_KINDS, check_kinds, choose_fault
from .openai_routes import OpenAIHandler
from .openai_tuning import FineTuning, Job
from .seeded import digest, unit

__all__ = ["FAULT_KINDS", "FINGERPRINT", "FakeOpenAI", "serve"]

FINGERPRINT = "fp_stand_in"


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


class FakeOpenAI(BackgroundServer):
    """The server, with its knobs as attributes (they may be changed while it runs).

    ``latency``: seconds added to every chat call. ``fault_rate``: share of chat calls that
    fail, each as one of ``faults``. ``retry_after``: seconds a 429 asks the client to wait
    (sent as ``retry-after-ms`` and, rounded up, ``Retry-After``). ``hang``: how long a
    "timeout" fault stalls before answering. ``fail_first``: every distinct request fails its
    first N attempts (deterministic faults for tests). ``unparsable_rate``: share of prompts
    always answered with words and no number. ``keys``: if given, only these keys are accepted
    (401 otherwise), to exercise a wrong or revoked key; change it while running to revoke one.
    ``quota_exhausted``: every chat call gets OpenAI's 429 with code "insufficient_quota" (an
    account out of credit). ``bodies`` keeps the latest chat request bodies, as sent.
    """

    def __init__(
        self,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        seed: int = 0,
        faults: Sequence[str] = FAULT_KINDS,
        retry_after: float = 1.0,
        hang: float = 30.0,
        fail_first: int = 0,
        unparsable_rate: float = 0.0,
        keys: Sequence[str] | None = None,
        quota_exhausted: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.latency = latency
        self.fault_rate = fault_rate
        self.seed = seed
        self.faults = check_kinds(faults)
        self.retry_after = retry_after
        self.hang = hang
        self.fail_first = fail_first
        self.unparsable_rate = unparsable_rate
        self.keys = set(keys) if keys is not None else None
        self.quota_exhausted = quota_exhausted
        self.closing = threading.Event()  # set on stop: stalled "timeout" replies give up
        self.tuning = FineTuning()
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self.counts: dict[str, int] = {"chat": 0, "ok": 0, **{kind: 0 for kind in FAULT_KINDS}}
        # The latest requests: (method, path, headers with lower-case names).
        self.requests: deque[tuple[str, str, dict[str, str]]] = deque(maxlen=1000)
        self.bodies: deque[dict[str, Any]] = deque(maxlen=1000)
        super().__init__(OpenAIHandler.for_fake(self), host, port)

    @property
    def url(self) -> str:
        """The base URL a client uses, ending in /v1 like OpenAI's."""
        return f"{self.address}/v1"

    @property
    def jobs(self) -> dict[str, Job]:
        """The fine-tuning jobs by id."""
        return self.tuning.jobs

    def stop(self) -> None:
        self.closing.set()  # stalled "timeout" replies give up at once
        super().stop()

    # ---- what the handler records and asks --------------------------------------------

    def record_request(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((method, path, headers))

    def record_body(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.bodies.append(body)

    def count(self, what: str) -> None:
        with self._lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def fault_for(self, body: bytes) -> str | None:
        """None, or the fault this attempt at this request body gets."""
        key = hashlib.sha256(body).hexdigest()
        with self._lock:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
        return choose_fault(
            key,
            attempt,
            seed=self.seed,
            faults=self.faults,
            fault_rate=self.fault_rate,
            fail_first=self.fail_first,
        )

    def chat(self, request: dict[str, Any], empty: bool = False) -> dict[str, Any]:
        """The chat completion for a request; ``empty``: the content is "" or null instead."""
        model = str(request.get("model", ""))
        messages = request.get("messages") or []
        text = prompt_text(messages)
        reply: str | None
        if self.unparsable_rate and unit("words", model, text) < self.unparsable_rate:
            reply = "I cannot tell the price from this description."
        else:
            reply = answer_text(text, model)
        finish = "stop"
        if empty:  # cut off by the token limit before any text, as a thinking model can be
            reply, finish = ("" if digest("empty", model, text) % 2 else None), "length"
        prompt_tokens = sum(_tokens(str(m.get("content", ""))) + 4 for m in messages)
        completion_tokens = _tokens(reply or "")
        return {
            "id": f"chatcmpl-{digest(model, text) % 10**12:012d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": FINGERPRINT,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


@contextlib.contextmanager
def serve(
    latency: float = 0.0,
    fault_rate: float = 0.0,
    seed: int = 0,
    **options: Any,
) -> Iterator[str]:
    """Run the server on a free local port for the ``with`` block; yields its base URL (…/v1).

    Extra keyword arguments are `FakeOpenAI`'s (faults, retry_after, hang, fail_first, ...).
    Introduced in notebooks/05_frontier_models.ipynb.
    """
    with FakeOpenAI(latency=latency, fault_rate=fault_rate, seed=seed, **options) as fake:
        yield fake.url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="A local OpenAI-compatible server for offline runs."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to each chat call"
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of chat calls that fail"
    )
    parser.add_argument("--faults", default=",".join(FAULT_KINDS), help="kinds of fault to inject")
    parser.add_argument("--retry-after", type=float, default=1.0, help="seconds a 429 asks to wait")
    parser.add_argument("--hang", type=float, default=30.0, help="seconds a 'timeout' fault stalls")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    fake = FakeOpenAI(
        latency=args.latency,
        fault_rate=args.fault_rate,
        seed=args.seed,
        faults=[f for f in args.faults.split(",") if f],
        retry_after=args.retry_after,
        hang=args.hang,
        host=args.host,
        port=args.port,
    )
    with fake:
        print(fake.url, flush=True)
        print(
            "Set OPENAI_BASE_URL to this URL and OPENAI_API_KEY to any text. Ctrl-C stops.",
            flush=True,
        )
        wait_for_exit()


if __name__ == "__main__":
    main()
