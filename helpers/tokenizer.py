"""The tokenizer: Llama 3.1's in real runs, a tiny offline one with the same habits in smoke runs.

The course relies on one property of Llama 3's tokenizer: every whole number from 0 to 999 is
a single token, so a price's dollars are predicted in one step. The tiny tokenizer keeps that
property (and Llama's digit grouping, byte-level alphabet and special tokens) while being
trained in a second on the synthetic catalog, with no download.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .config import settings
from .hub import friendly_hub_errors

BOS = "<|begin_of_text|>"
EOS = "<|end_of_text|>"
TINY_NAME = "tiny-llama"  # folder name of the offline model + tokenizer
TINY_VOCAB = 3_000  # learned BPE vocabulary, before the 1,110 digit-string tokens

# Llama-3-style split: contractions, words with one leading non-letter, digits in groups of
# at most three, punctuation runs, newlines, spaces.
_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def build_tiny_tokenizer(directory: str | os.PathLike, texts: Iterable[str] | None = None):
    """Train a small byte-level BPE tokenizer offline and save it to ``directory``.

    Trains on the synthetic catalog's texts unless ``texts`` is given. The files appear
    atomically, so a crash never leaves a half-written tokenizer behind.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if texts is None:
        from standins.catalog import iter_texts

        texts = iter_texts()
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TINY_VOCAB,
        min_frequency=2,
        special_tokens=[BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    # Every string of one to three digits ("7", "00", "745") is a single token, as in Llama 3.
    digits = [f"{n:0{width}d}" for width in (1, 2, 3) for n in range(10**width)]
    tokenizer.add_tokens(digits)
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)]
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS)
    fast.model_max_length = 2048

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".tokenizer-") as staging:
        fast.save_pretrained(staging)
        names = sorted(os.listdir(staging), key=lambda n: n == "tokenizer.json")
        for name in names:  # tokenizer.json last: its presence means the set is complete
            os.replace(Path(staging, name), target / name)
    return fast


def _is_tiny_folder(source: str) -> bool:
    return Path(source).name == TINY_NAME and not (Path(source) / "tokenizer.json").exists()


def load_tokenizer(source: str | None = None):
    """Load the course tokenizer: Llama 3.1's from the Hub, or the tiny offline one.

    ``source`` defaults to the current mode's base model. The tiny tokenizer's folder is built
    on first use. Introduced in notebooks/01_explore_data.ipynb.
    """
    from transformers import AutoTokenizer

    source = source or settings().tokenizer_source
    if _is_tiny_folder(source):
        build_tiny_tokenizer(source)
    with friendly_hub_errors(source):
        tokenizer = AutoTokenizer.from_pretrained(source)
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError(f"{source} has no fast tokenizer; the course needs one for batch encoding")
    return tokenizer
