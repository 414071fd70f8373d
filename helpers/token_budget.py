"""The token budget: each text measured with the real tokenizer and cut at a token boundary.

One tokenizer pass per text: the text is encoded (only as much of it as the budget can use),
cut after at most MAX_TOKENS tokens at a boundary where the tokens before the cut are exactly
the text's first tokens, and its token count is the count of what is kept. Llama 3's tokenizer
runs through tiktoken when the vocabularies match (several times faster, identical tokens).

Used by `helpers.items` and `helpers.loaders`.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

from .config import MAX_TOKENS, MIN_TOKENS
from .product_text import cut_at_space
from .records import MALFORMED, TOO_FEW_TOKENS, Rejection

PREFIX_CHARS = MAX_TOKENS * 6  # characters encoded first; most texts fill the budget within them


# Llama 3's pre-tokenizer pattern (the same in tiktoken and in tokenizer.json).
_LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# sha256 of Llama 3's 128,000 BPE tokens (tokenizer.json's byte-level strings, in id order,
# joined by newlines): Llama 3, 3.1, 3.2 and 3.3 share them.
LLAMA3_VOCAB_SHA256 = "8dd8b994f25dc533e90df9906b38f5729193ae5b07a383cb23058e0e0960dc10"
_PROBES = (  # texts on which a fast encoder must agree exactly with the tokenizer
    "Price is $349.00",
    "It's 17-inch, they're 5000mAh; we'll see: B07XJ8C8F5 (4-Pack) 1,299.99",
    "Größe: 10 cm × 20 cm — Ünïcödé, 日本語のテキスト, 한국어, emoji 😀👍🏽 done.",
    "  leading spaces\n\n\ttabs\r\nand\u00a0nbsp   trailing   ",
    "aaaaaaaaaaaa ------------ ============ ............ !!!!!!!!!!!! 000000000000",
    *(" " * n + "x" + "\n" * n for n in range(1, 9)),
)


def _bytes_of_unicode() -> dict[str, int]:
    """The byte-level BPE alphabet: each of the 256 byte values as a printable character."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    extra = [b for b in range(256) if b not in printable]
    chars = [*printable, *(256 + n for n in range(len(extra)))]
    return {chr(c): b for b, c in zip([*printable, *extra], chars, strict=True)}


def _tiktoken_encoding(tokenizer) -> tuple[Any, list[int]] | None:
    """tiktoken with Llama 3's ranks, when ``tokenizer`` is Llama 3's (and tiktoken is installed).

    Llama 3's BPE was published as a tiktoken file; Hugging Face's tokenizer.json is a
    conversion of it. So for exactly that vocabulary (checked by fingerprint) and pre-tokenizer,
    with special tokens that scrubbed text cannot spell, tiktoken is the reference encoder and
    several times faster. Returns the encoding and each token's length in bytes, or None.
    """
    try:
        import tiktoken

        backend = tokenizer.backend_tokenizer
        model = backend.model
        pre = json.loads(backend.pre_tokenizer.__getstate__())
        added = backend.get_added_tokens_decoder().values()
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    steps = pre.get("pretokenizers") or []
    if (
        type(model).__name__ != "BPE"
        or backend.normalizer is not None
        or model.byte_fallback
        or model.dropout
        or model.continuing_subword_prefix
        or model.end_of_word_suffix
        or [step.get("type") for step in steps] != ["Split", "ByteLevel"]
        or (steps[0].get("pattern") or {}).get("Regex") != _LLAMA3_PATTERN
        or steps[0].get("behavior") != "Isolated"
        or steps[0].get("invert")
        or steps[1].get("use_regex")
        or steps[1].get("add_prefix_space")
        or any("<" not in t.content and ">" not in t.content for t in added)
    ):
        return None
    vocab = backend.get_vocab(with_added_tokens=False)
    tokens = sorted(vocab, key=vocab.__getitem__)
    if hashlib.sha256("\n".join(tokens).encode()).hexdigest() != LLAMA3_VOCAB_SHA256:
        return None
    to_bytes = {ord(char): byte for char, byte in _bytes_of_unicode().items()}
    ranks = {token.translate(to_bytes).encode("latin-1"): rank for rank, token in enumerate(tokens)}
    encoding = tiktoken.Encoding(
        "llama3-ranks", pat_str=_LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens={}
    )
    for probe in _PROBES:
        if encoding.encode_ordinary(probe) != backend.encode(probe, add_special_tokens=False).ids:
            return None
    return encoding, [len(piece) for piece in ranks]


class TokenBudget:
    """Measures a text with the tokenizer and cuts it to ``MAX_TOKENS`` at a clean boundary.

    One encoding pass per text: the cut is found from the tokens' offsets, never by decoding
    and encoding again. The text is cut only where a space follows a non-space character, a
    place where Llama 3's pre-tokenizer always starts a new piece, so encoding the kept text
    gives exactly the kept tokens (``token_count`` is true) and no character is ever split.
    Uses tiktoken with the tokenizer's own ranks when it is installed and provably identical
    (Llama 3's case: several times faster); otherwise the tokenizer's Rust backend.
    Used by `helpers.loaders`.
    """

    def __init__(self, tokenizer, fast: bool = True) -> None:
        self.backend = tokenizer.backend_tokenizer
        found = _tiktoken_encoding(tokenizer) if fast else None
        self.encoding, self.byte_lengths = found or (None, [])

    @property
    def engine(self) -> str:
        return "tiktoken" if self.encoding is not None else "tokenizers"

    def _encode(self, text: str) -> tuple[list[int], Any]:
        """Token ids, and the tokenizer's character offsets when it gives them."""
        if self.encoding is None:
            found = self.backend.encode(text, add_special_tokens=False)
            return found.ids, found.offsets
        return self.encoding.encode_ordinary(text), None

    def _ends(self, text: str, ids: list[int], offsets: Any) -> Iterator[tuple[int, int]]:
        """(k, where the first k tokens end in ``text``) for k = MAX_TOKENS, MAX_TOKENS - 1, ...

        -1 for a k whose tokens end inside a character (one split over several tokens).
        """
        if offsets is not None:
            for k in range(MAX_TOKENS, MIN_TOKENS, -1):
                end = offsets[k - 1][1]
                yield k, (-1 if offsets[k][1] == end else end)  # the next token shares it
            return
        encoded = None if text.isascii() else text.encode()
        end = len(self.encoding.decode_bytes(ids[:MAX_TOKENS]))
        for k in range(MAX_TOKENS, MIN_TOKENS, -1):
            if k < MAX_TOKENS:
                end -= self.byte_lengths[ids[k]]
            if encoded is None:
                yield k, end
            elif end < len(encoded) and encoded[end] & 0xC0 == 0x80:  # a continuation byte
                yield k, -1
            else:
                yield k, len(encoded[:end].decode())

    def _fit_one(self, text: str) -> tuple[str, int] | Rejection:
        encoded = cut_at_space(text, PREFIX_CHARS)
        ids, offsets = self._encode(encoded)
        if encoded != text and len(ids) <= MAX_TOKENS:  # the prefix fell short: all of it
            encoded = text
            ids, offsets = self._encode(text)
        if encoded == text and len(ids) <= MIN_TOKENS:
            return Rejection(TOO_FEW_TOKENS, f"{len(ids)} tokens")
        if encoded == text and len(ids) <= MAX_TOKENS:
            return text, len(ids)
        ends = self._ends(encoded, ids, offsets)
        cuts = [(k, cut) for k, cut in ends if _clean_cut(text, cut)]
        for k, cut in cuts:  # best: the text ends with a word, a number or a full stop
            if text[cut - 1] not in _DANGLING:
                return text[:cut], k
        if cuts:
            return text[: cuts[0][1]], cuts[0][0]
        return Rejection(TOO_FEW_TOKENS, "no clean place to cut within the budget")

    def fit(self, texts: Sequence[str]) -> list[tuple[str, int] | Rejection]:
        """For each text: (the text cut to the budget, its token count), or a Rejection.

        A text needs more than ``MIN_TOKENS`` tokens. Only a prefix long enough for the budget
        is encoded, cut before a space so its tokens are the whole text's first tokens; the
        whole text is encoded only when the prefix falls short.
        """
        results: list[tuple[str, int] | Rejection] = []
        for text in texts:
            try:
                results.append(self._fit_one(text))
            except Exception as error:  # e.g. text the tokenizer refuses: this record only
                detail = f"tokenizer: {type(error).__name__}: {error}"
                results.append(Rejection(MALFORMED, detail[:200]))
        return results


_DANGLING = frozenset(":;,(/&-+")  # an ending that promises more ("Item Weight:")


def _clean_cut(text: str, cut: int) -> bool:
    """Whether Llama 3's pre-tokenizer always starts a new piece at ``cut``: before a space
    that follows a non-space, or before a line break that follows a letter or a digit. The
    tokens of ``text[:cut]`` are then exactly the first tokens of ``text``."""
    if not 0 < cut < len(text):
        return False
    after, before = text[cut], text[cut - 1]
    return (after == " " and not before.isspace()) or (after == "\n" and before.isalnum())


_BUDGETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def token_budget(tokenizer) -> TokenBudget:
    """The `TokenBudget` for a tokenizer, built once per tokenizer object.

    Used by `helpers.items` and `helpers.loaders`.
    """
    if isinstance(tokenizer, TokenBudget):
        return tokenizer
    try:
        return _BUDGETS[tokenizer]
    except (KeyError, TypeError):
        budget = TokenBudget(tokenizer)
        try:
            _BUDGETS[tokenizer] = budget
        except TypeError:
            pass
        return budget
