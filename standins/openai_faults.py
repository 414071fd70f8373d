"""The faults the OpenAI stand-in injects into chat calls, and how each one is answered.

429 (with Retry-After), 500, 503, "timeout" (a reply slower than any sensible client
timeout), "malformed" (a cut-off JSON body) and "empty" (content "" or null, as a model cut
off by its token limit sends). Whether a request faults depends only on the seed, the request
body and how many times that body was seen, so a run is reproducible whatever the thread
interleaving.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .background_server import Reply
from .seeded import digest, unit

FAULT_KINDS: tuple[str, ...] = ("429", "500", "503", "timeout", "malformed", "empty")


def check_kinds(faults: Sequence[str]) -> tuple[str, ...]:
    """``faults`` as a tuple, or ValueError naming the kinds that do not exist."""
    unknown = set(faults) - set(FAULT_KINDS)
    if unknown:
        raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
    return tuple(faults)


def choose_fault(
    key: str,
    attempt: int,
    *,
    seed: int,
    faults: Sequence[str],
    fault_rate: float,
    fail_first: int,
) -> str | None:
    """None, or the fault that attempt number ``attempt`` (from 0) at request ``key`` gets.

    Every request fails its first ``fail_first`` attempts; after that a ``fault_rate`` share of
    attempts fail. The kind is drawn from ``faults``.
    """
    if not faults:
        return None
    if attempt < fail_first:
        return faults[digest("first", seed, key, attempt) % len(faults)]
    if fault_rate > 0 and unit("fault", seed, key, attempt) < fault_rate:
        return faults[digest("kind", seed, key, attempt) % len(faults)]
    return None


def error(
    code: int, message: str, kind: str = "invalid_request_error", error_code: str | None = None
) -> Reply:
    """An error reply in OpenAI's shape."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": error_code}}
    return Reply(code, body)


def fault_reply(fault: str, retry_after: float) -> Reply | None:
    """The reply for a fault that answers at once with an error (429, 500, 503), else None."""
    if fault == "429":
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "retry-after-ms": str(int(retry_after * 1000)),
        }
        return error(429, "Rate limit reached; please retry.", "rate_limit_error")._replace(
            headers=headers
        )
    if fault in ("500", "503"):
        return error(int(fault), "The server had an error; please retry.", "server_error")
    return None
