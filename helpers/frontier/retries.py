"""Which failures are worth another try, how long to wait, and what to tell the learner.

`judge` turns whatever a call raised into one of our `FrontierError` classes, by the
exception's type and its structured fields (HTTP status, the provider's error ``code``),
never by message text. `retry_after_seconds` reads how long a 429 asks us to wait.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import email.utils
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import FatalError, FrontierError, RequestRejected, TransientError

# Error codes (the ``code`` field of a provider's error body) that every further call repeats.
FATAL_CODES = frozenset({"insufficient_quota", "unsupported_parameter", "unsupported_value"})


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` (seconds or a date).

    Used by `helpers.frontier`.
    """
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
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """How often to try again, and how long to wait in between.

    Used by `helpers.frontier.client`.
    """

    max_retries: int = 6  # tries after the first
    backoff: float = 1.0  # seconds before the first retry (then doubling)
    max_backoff: float = 30.0
    max_retry_after: float = 60.0  # the most a Retry-After header may ask for

    def delay(self, error: BaseException, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds before retry number ``attempt + 1``: exponential backoff with jitter (between
        half and all of ``backoff * 2**attempt``, capped), never less than Retry-After asks."""
        rng = rng or random.Random()
        delay = min(self.max_backoff, self.backoff * 2**attempt)
        delay = delay / 2 + rng.uniform(0, delay / 2)
        response = getattr(error, "response", None)
        hinted = retry_after_seconds(getattr(response, "headers", None))
        if hinted is not None:
            delay = max(delay, min(hinted, self.max_retry_after) * (1 + 0.1 * rng.random()))
        return delay


@dataclass(frozen=True)
class Endpoint:
    """What the messages name: the provider, its key's variable, the model, the URL, the timeout.

    Used by `helpers.frontier.client`.
    """

    provider: str
    key_env: str | None
    model: str
    base_url: str
    timeout: float


def _short(message: object, limit: int = 120) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fatal(error, where: Endpoint) -> FatalError | None:
    """The fatal reading of an HTTP error, or None if this status is not fatal."""
    import openai

    status, code = error.status_code, getattr(error, "code", None)
    key = where.key_env or "the key"
    if isinstance(error, openai.AuthenticationError):
        why = f"401 invalid API key: {where.provider} refused {key}. Check that it is current and complete."
    elif isinstance(error, openai.PermissionDeniedError):
        why = f"403 permission denied: does your {where.provider} account have access to {where.model}?"
    elif isinstance(error, openai.NotFoundError):
        why = f"404 not found: {where.provider} has no model {where.model!r} at {where.base_url}. Check the name."
    elif code == "insufficient_quota":
        why = f"{status} insufficient quota: your {where.provider} account has no credit left. Add some on the billing page."
    elif code in FATAL_CODES:
        why = (
            f"{status} {code}: {_short(error.message)} Change the request parameters (params=...)."
        )
    else:
        return None
    return FatalError(why, status=status)


def judge(error: BaseException, where: Endpoint) -> FrontierError:
    """Our reading of an exception from a call: fatal, transient (retry) or rejected.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    import openai

    if isinstance(error, FrontierError):
        return error
    if isinstance(error, openai.APITimeoutError):
        return TransientError(f"timed out after {where.timeout:g} s")
    if isinstance(error, openai.APIConnectionError):
        return TransientError(f"could not connect to {where.base_url}")
    if isinstance(error, (json.JSONDecodeError, openai.APIResponseValidationError)):
        return TransientError("malformed JSON reply")
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        fatal = _fatal(error, where)
        if fatal is not None:
            return fatal
        if status == 429:
            return TransientError("429 rate limited", status=status)
        if status >= 500:
            return TransientError(f"{status} server error", status=status)
        if status in (408, 409):
            return TransientError(f"{status} {_short(error.message, 60)}", status=status)
        return RequestRejected(f"{status} rejected: {_short(error.message)}", status=status)
    return RequestRejected(f"{type(error).__name__}: {_short(error)}")
