"""Turning Hugging Face Hub failures into messages that say how to fix them.

Learners meet three walls when they first load Llama: the licence is gated, no token is set,
or the machine is offline. Each is caught where a source is opened and re-raised with the fix.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

GATED_HELP = (
    "{source} is a gated model. To use it:\n"
    "  1. Sign in at https://huggingface.co and accept Meta's licence on the model page\n"
    "     https://huggingface.co/{source} (approval usually takes minutes).\n"
    "  2. Create a read token at https://huggingface.co/settings/tokens.\n"
    "  3. Make it visible to this session: on Colab add a secret named HF_TOKEN (key icon in\n"
    "     the left bar, notebook access on); locally run `hf auth login` or export HF_TOKEN.\n"
    "Or run the course offline with PRICER_SMOKE=1 (tiny model, no token needed)."
)
OFFLINE_HELP = (
    "Could not reach the Hugging Face Hub for {source}. Check your internet connection, or run\n"
    "the course offline with PRICER_SMOKE=1 (synthetic catalog and tiny model)."
)
MISSING_HELP = (
    "{source} was not found: not a folder on this machine and not a repository on the Hub.\n"
    "Check the spelling (models look like 'meta-llama/Meta-Llama-3.1-8B')."
)


def token_present() -> bool:
    """Whether a Hub token is available (environment or `hf auth login`); never reveals it."""
    if os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"):
        return True
    try:
        from huggingface_hub import get_token
    except ImportError:
        return False
    return bool(get_token())


@contextlib.contextmanager
def friendly_hub_errors(source: str) -> Iterator[None]:
    """Re-raise Hub failures while opening ``source`` with a message that says what to do."""
    try:
        yield
    except Exception as error:  # the Hub client raises several families; sort them by type name
        kinds = {cls.__name__ for cls in type(error).__mro__}
        text = str(error)
        if "GatedRepoError" in kinds or "gated" in text.lower() or "401" in text:
            raise PermissionError(GATED_HELP.format(source=source)) from error
        if "RepositoryNotFoundError" in kinds:
            raise FileNotFoundError(MISSING_HELP.format(source=source)) from error
        offline = {"LocalEntryNotFoundError", "ConnectionError", "OfflineModeIsEnabled"}
        if kinds & offline or "couldn't connect" in text.lower():
            raise ConnectionError(OFFLINE_HELP.format(source=source)) from error
        raise
