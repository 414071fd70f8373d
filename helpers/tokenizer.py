"""The tokenizer: Llama 3.1's, loaded from the Hub (the model's repository is gated).

The course relies on one property of Llama 3's tokenizer: every whole number from 0 to 999 is
a single token, so a price's dollars are predicted in one step. Its repository is gated, so
the token and Meta's licence are needed from notebook 01 on.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

from .config import BASE_MODEL
from .hub import friendly_hub_errors


def load_tokenizer(source: str | None = None, revision: str | None = None):
    """Load the course tokenizer: ``meta-llama/Llama-3.1-8B``'s unless ``source`` names another.

    Raises with the fix when the repository is gated, the token is refused or the Hub is out of
    reach. Introduced in notebooks/01_explore_data.ipynb.
    """
    from transformers import AutoTokenizer

    source = source or BASE_MODEL
    with friendly_hub_errors(source):
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError(f"{source} has no fast tokenizer; the course needs one for batch encoding")
    return tokenizer
