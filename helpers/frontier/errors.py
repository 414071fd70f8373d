"""Why a call to a hosted model gave no price: one exception class per kind of reason.

The client decides what to do by the class (and the HTTP status it carries), never by the
message text; the message is for the learner, and it is what the Tester shows for an item
that failed:

- `FatalError`: every further call would fail the same way (a refused or revoked key, no
  access, an unknown model, no credit left). The run stops asking at once.
- `TransientError`: worth another try (429, 5xx, a timeout, a garbled reply). Its subclass
  `MalformedReply` covers replies that arrived but hold no usable answer: empty or missing
  content, or no price in the text. They are never cached.
- `GaveUp`: an item whose transient errors outlasted the retries.
- `RequestRejected`: the provider refused this one request (HTTP 400 for this prompt, say).
- `MissingKeyError`: no key anywhere the course looks; raised before any call.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations


class FrontierError(RuntimeError):
    """Why an item has no price; ``status`` is the HTTP status when the provider sent one.

    Used by `helpers.frontier`, `helpers.frontier.client`, `helpers.frontier.retries` and others.
    """

    fatal = False  # True: every further call would fail the same way (the Tester may check it)

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    def again(self) -> FrontierError:
        """A fresh copy with the same reason, for the next item that fails the same way."""
        return type(self)(str(self), status=self.status)


class MissingKeyError(FrontierError):
    """No key for a provider in the environment, a ``.env`` file or Colab's secrets.

    Used by `helpers.frontier` and `helpers.frontier.providers`.
    """


class FatalError(FrontierError):
    """A failure every further call would repeat: the run stops instead of paying for 250.

    Used by `helpers.frontier`, `helpers.frontier.client` and `helpers.frontier.retries`.
    """

    fatal = True


class RequestRejected(FrontierError):
    """The provider refused this request (and would refuse it again); other items go on.

    Used by `helpers.frontier` and `helpers.frontier.retries`.
    """


class TransientError(FrontierError):
    """A failure worth retrying: rate limits, server errors, timeouts, garbled replies.

    Used by `helpers.frontier`, `helpers.frontier.client` and `helpers.frontier.retries`.
    """


class MalformedReply(TransientError):
    """The provider answered, but without a usable answer. Retried, never cached.

    Used by `helpers.frontier` and `helpers.frontier.client`.
    """


class EmptyReply(MalformedReply):
    """The reply's content was empty or missing.

    Used by `helpers.frontier` and `helpers.frontier.client`.
    """


class NoPriceInReply(MalformedReply):
    """The reply had text but no number to read as a price.

    Used by `helpers.frontier` and `helpers.frontier.messages`.
    """

    def __init__(self, message: str, status: int | None = None, reply: str = "") -> None:
        super().__init__(message, status)
        self.reply = reply

    def again(self) -> NoPriceInReply:
        return NoPriceInReply(str(self), self.status, self.reply)


class GaveUp(FrontierError):
    """Transient errors outlasted the retries; ``last`` is the final one.

    Used by `helpers.frontier` and `helpers.frontier.client`.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        attempts: int = 0,
        last: Exception | None = None,
    ) -> None:
        super().__init__(message, status)
        self.attempts = attempts
        self.last = last

    def again(self) -> GaveUp:
        return GaveUp(str(self), self.status, self.attempts, self.last)
