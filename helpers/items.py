"""One raw Amazon product record -> an `Item` ready for training and testing, or a reason why not.

Curation has two stages. `parse_record` does the per-record Python work (price, text, scrub)
and needs no tokenizer; `TokenBudget` then measures each surviving text with the tokenizer
and cuts it at a token boundary, in one pass. `curate_batch` runs both over many records,
`curate` over one, so tests, loaders and benchmarks all exercise one piece of code.

A record never takes its neighbours down with it: whatever goes wrong inside one record
(a price of 1e400, a lone surrogate, a list where text should be) rejects that record with a
reason, and the others carry on.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import InitVar, dataclass
from typing import Any

from .config import (
    CEILING_CHARS,
    MAX_PRICE,
    MAX_TOKENS,
    MIN_CHARS,
    MIN_PRICE,
    MIN_TOKENS,
    PRICE_PREFIX,
    QUESTION,
)
from .features import parse_rank, parse_weight

# Rejection reasons, in the order a record meets them.
UNREADABLE = "unreadable line"  # not a JSON object: truncated, plain text, invalid UTF-8
MALFORMED = "malformed record"
NO_PRICE = "no price"
BAD_PRICE = "unreadable price"  # a price we could misread ("1.299,99", "12.99 - 19.99")
OUT_OF_RANGE = "price out of range"
TOO_LITTLE_TEXT = "too little text"
TOO_FEW_TOKENS = "too few tokens"
REASONS = (
    UNREADABLE,
    MALFORMED,
    NO_PRICE,
    BAD_PRICE,
    OUT_OF_RANGE,
    TOO_LITTLE_TEXT,
    TOO_FEW_TOKENS,
)

# Detail keys that say nothing about price: left out of the text.
BOILERPLATE_KEYS = frozenset(
    key.lower()
    for key in (
        "Batteries Included?",
        "Batteries Required?",
        "Date First Available",
        "Item model number",
        "Is Discontinued By Manufacturer",
        "Best Sellers Rank",
        "Customer Reviews",
        "ASIN",
        "UPC",
        "Manufacturer Part Number",
        "Part Number",
        "Global Trade Identification Number",
    )
)

PREFIX_CHARS = MAX_TOKENS * 6  # characters encoded first; most texts fill the budget within them

# Brackets, quotes and bullets become spaces; invisible marks (Amazon's U+200E in details),
# control characters and lone surrogates go. "<" and ">" go too, so no text can spell a
# special token such as <|begin_of_text|>.
_CLUTTER = str.maketrans(
    dict.fromkeys('[]{}<>"“”【】|•·', " ")
    | dict.fromkeys(map(chr, [*range(9), 11, 12, *range(14, 32), 127]), " ")
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060\ufeff\ud800-\udfff]+")
_DIGIT = re.compile(r"\d")
_ADJACENT = re.compile(r"[A-Za-z]\d|\d[A-Za-z]")  # a letter touching a digit: B07, 5000mAh
# Letters as "a" and digits as "0": where "a0" or "0a" appears, a letter touches a digit.
_SHAPE = str.maketrans(
    dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "a")
    | dict.fromkeys("0123456789", "0")
)
_RUNS = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+|[^\dA-Za-z]+")
_REPEATED_SEPARATORS = re.compile(r"([,;])(?: ?[,;])+")
_EMPTY_BRACKETS = re.compile(r" ?\([ ,;:.]*\)")
_DOUBLED = (",,", ";;", ", ,", "; ;", ",;", ";,", ", ;", "; ,")
_TIDY = tuple((f" {c}", c) for c in ",.;:!?)") + (("( ", "("),)
_KEY_VALUE = "\ue000"  # private-use mark between a detail's key and value while scrubbing
_PRICE_TEXT = re.compile(r"(?:US)?\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?:\s*USD)?")
_MISSING_PRICES = frozenset({"", "none", "null", "nan", "n/a", "-"})

# Letters that make "number + letters" a quantity or a size rather than a part number.
UNITS = frozenset(
    """
    a ah amp amps awg bottle bottles btu cc cfm cm count ct cu cup cups db dpi drawer drawers ft
    g gal gallon gallons gauge gb gbps ghz gpm hp hz in inch inches k kb kg kwh kw l lb lbs lm
    lumen lumens m ma mah mb mbps mg mhz mi mil ml mm mp oz p pack pc pcs piece pieces pk ply
    port ports psi pt qt quart quarts ream reams rpm set sets sheet sheets sq tb v volt volts w
    watt watts wh x yd yds
    """.split()
)


@dataclass(slots=True)
class Item:
    """A curated product: the text a model reads, the price it should say, and a few facts.

    ``brand``, ``weight`` (pounds) and ``rank`` (best-sellers rank) are read from the record's
    details at curation, for the feature baselines; the details themselves are not kept (2.8
    million dicts would not fit a Colab runtime). ``details=`` is still accepted when building
    an Item by hand, and fills those three. Introduced in notebooks/01_explore_data.ipynb.
    """

    title: str
    category: str
    price: float
    text: str  # scrubbed, cut at a token boundary within the budget; starts with the title
    token_count: int  # tokens of ``text`` (no special tokens): re-encoding it gives this count
    details: InitVar[Any] = None
    brand: str = ""
    weight: float | None = None
    rank: float | None = None

    def __post_init__(self, details: Any) -> None:
        if details:
            brand, weight, rank = facts_from_details(parse_details(details))
            self.brand = self.brand or brand
            self.weight = weight if self.weight is None else self.weight
            self.rank = rank if self.rank is None else self.rank

    @property
    def completion(self) -> str:
        """What the model should write after "Price is $": whole dollars, as the course does."""
        return f"{round(self.price)}.00"

    @property
    def test_prompt(self) -> str:
        """The prompt a model completes at test time; it ends with "Price is $"."""
        return f"{QUESTION}\n\n{self.text}\n\n{PRICE_PREFIX}"

    @property
    def prompt(self) -> str:
        """The training prompt: the test prompt followed by the rounded price."""
        return self.test_prompt + self.completion

    def to_record(self) -> dict[str, Any]:
        """A flat dict of plain values for parquet files and `datasets`."""
        return {
            "title": self.title,
            "category": self.category,
            "price": float(self.price),
            "text": self.text,
            "token_count": int(self.token_count),
            "brand": self.brand,
            "weight": None if self.weight is None else float(self.weight),
            "rank": None if self.rank is None else float(self.rank),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Item:
        """The Item back from `to_record`; older records with a ``details`` column work too."""

        def number(name: str) -> float | None:
            value = record.get(name)
            return None if value is None else float(value)

        return cls(
            title=record["title"],
            category=record["category"],
            price=float(record["price"]),
            text=record["text"],
            token_count=int(record["token_count"]),
            details=record.get("details"),
            brand=record.get("brand") or "",
            weight=number("weight"),
            rank=number("rank"),
        )

    def __repr__(self) -> str:
        return f"<{self.title[:50]} = ${self.price:,.2f}>"


@dataclass(frozen=True)
class Rejection:
    """Why a record did not become an Item: one of `REASONS`, plus a short detail."""

    reason: str
    detail: str = ""


@dataclass
class Draft:
    """A record that passed the cheap checks and waits for its token budget."""

    title: str
    price: float
    text: str
    brand: str = ""
    weight: float | None = None
    rank: float | None = None


def parse_price(value: Any) -> float | None:
    """A price from either record shape: 19.99, None, "None", "19.99", "$1,299.00".

    Text must be a plain US price: "1.299,99", "12.99 - 19.99" or "about 5" give None rather
    than a guess. Returns None when there is no usable price.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)  # OverflowError for a 400-digit integer
        elif isinstance(value, str):
            match = _PRICE_TEXT.fullmatch(value.strip())
            if not match:
                return None
            number = float(match.group(1).replace(",", "") + (match.group(2) or ""))
        else:
            return None
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _missing_price(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _MISSING_PRICES)


def parse_details(value: Any) -> dict[str, Any]:
    """Details as a dict, from a dict (raw shape) or JSON text (converted shape).

    Unreadable details count as none. Introduced in notebooks/01_explore_data.ipynb.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:  # JSONDecodeError, and numbers json cannot hold
            return {}
    return dict(value) if isinstance(value, Mapping) else {}


def facts_from_details(details: Mapping[str, Any]) -> tuple[str, float | None, float | None]:
    """The brand ("Brand", else "Manufacturer"), the weight in pounds and the sales rank.

    Introduced in notebooks/03_baselines.ipynb.
    """
    brand = details.get("Brand") or details.get("Manufacturer") or ""
    brand = sys.intern(_clean(brand)) if isinstance(brand, str) else ""
    return (
        brand,
        parse_weight(details.get("Item Weight")),
        parse_rank(details.get("Best Sellers Rank")),
    )


def _keep_word(word: str) -> bool:
    """The part-number rule, for one word of 7 or more characters.

    A number followed by a unit or a word is a size or a quantity and stays ("50-Count",
    "17-inch", "5000mAh", "(4-Pack)", "12x18in"); a word where letters and digits touch in
    any other way is a part number and goes (B07XJ8C8F5, SKU12345-X).
    """
    if word.isalpha() or not _ADJACENT.search(word):
        return True
    runs = _RUNS.findall(word)
    for k, run in enumerate(runs):
        if not run[0].isalpha():
            continue
        before = runs[k - 1] if k else ""
        if before[:1].isdigit():  # letters right after digits: a unit or a word
            if run.lower() in UNITS or (len(run) >= 4 and run[1:].islower()):
                continue
            return False
        if k + 1 < len(runs) and runs[k + 1][0].isdigit():  # letters right before digits
            return False
    return True


_CONTROLS = str.maketrans(dict.fromkeys(map(chr, [*range(32), 127]), " "))


def _clean(text: str) -> str:
    """One line of text without invisible marks, control characters or doubled spaces; the
    punctuation stays (titles and brands are shown to people)."""
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    return " ".join(text.translate(_CONTROLS).split())


def _tidy_spaces(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _touch_points(text: str) -> list[int]:
    """Positions where an ASCII letter and a digit touch (str.find is far faster than re)."""
    shape = text.translate(_SHAPE)
    found = []
    for pair in ("a0", "0a"):
        at = shape.find(pair)
        while at >= 0:
            found.append(at)
            at = shape.find(pair, at + 1)
    return sorted(found)


def _drop_part_numbers(text: str) -> str:
    """Remove every word of 7+ characters that `_keep_word` refuses."""
    spans, end = [], -1
    for at in _touch_points(text):
        if at < end:
            continue  # another touch point in the same word
        start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
        ends = [i for i in (text.find(" ", at), text.find("\n", at)) if i >= 0]
        end = min(ends, default=len(text))
        if end - start >= 7 and not _keep_word(text[start:end]):
            spans.append((start, end))
    if not spans:
        return text
    bounds = [0, *(i for span in spans for i in span), len(text)]
    return _tidy_spaces("".join(text[a:b] for a, b in zip(bounds[::2], bounds[1::2], strict=True)))


def scrub(text: str) -> str:
    """Remove clutter: brackets and quotes, part numbers, stray punctuation, extra spacing.

    Sizes and quantities stay ("50-Count", "17-inch", "5000mAh"); part numbers such as
    B07XJ8C8F5 go, and so do the empty brackets they leave. Line breaks are kept, empty
    lines dropped. Introduced in notebooks/01_explore_data.ipynb.
    """
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    text = "\n".join(" ".join(line.split()) for line in text.translate(_CLUTTER).splitlines())
    text = _drop_part_numbers(text)
    for spaced, tight in _TIDY:  # " ," -> ",", "( " -> "("
        if spaced in text:
            text = text.replace(spaced, tight)
    if "(" in text:
        text = _EMPTY_BRACKETS.sub("", text)
    if any(pair in text for pair in _DOUBLED):
        text = _REPEATED_SEPARATORS.sub(r"\1", text)
    return "\n".join(line for line in (x.strip(" ,;:") for x in text.split("\n")) if line)


def _value_text(value: Any) -> str:
    """A detail value as text: numbers and lists written out, empty things as ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and value.is_integer()
        and abs(value) < 1e15
    ):
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Sequence):
        return ", ".join(t for t in (_value_text(v) for v in value) if t)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {t}" for k, v in value.items() if (t := _value_text(v)))
    return ""


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [v if isinstance(v, str) else _value_text(v) for v in value]
    raise TypeError(f"expected text or a list of text, got {type(value).__name__}")


def detail_text(details: Mapping[str, Any]) -> str:
    """The informative details as "Key: value; Key: value", skipping empty keys and values.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    rows = []
    for key, value in details.items():
        if isinstance(key, str) and key.strip().lower() not in BOILERPLATE_KEYS:
            value = _value_text(value)
            if key and value:  # one line each, scrubbed all at once
                rows.append(f"{key} {_KEY_VALUE} {value}".replace("\n", " "))
    kept = []
    for line in scrub("\n".join(rows)).split("\n") if rows else ():
        key, _, value = line.partition(_KEY_VALUE)
        key, value = key.strip(" ,;:"), value.strip(" ,;:")
        if key and value:
            kept.append(f"{key}: {value}")
    return "; ".join(kept)


def build_text(
    title: str, description: Any, features: Any, details: Mapping[str, Any], limit: int = 0
) -> str:
    """Title, description, features and informative details, scrubbed, one part per line.

    With ``limit``, only about twice that many characters of description and features are
    scrubbed, and the details only while the text is shorter than ``limit``: nothing far
    past the budget is ever worked on. Empty parts vanish.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    body = "\n".join([*_lines(description), *_lines(features)])
    if limit and len(body) > 2 * limit + 200:
        cut = body.rfind(" ", 0, 2 * limit + 200)
        body = body[: cut if cut > 0 else 2 * limit + 200]
    lines = [scrub(title).replace("\n", " "), scrub(body)]
    if not limit or sum(map(len, lines)) < limit:
        lines.append(detail_text(details))
    return "\n".join(line for line in lines if line)


def parse_record(record: Any) -> Draft | Rejection:
    """The tokenizer-free stage: price, text and cheap length checks for one raw record.

    Never raises: anything unexpected inside the record rejects it as malformed.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    try:
        if not isinstance(record, Mapping):
            return Rejection(MALFORMED, f"expected a JSON object, got {type(record).__name__}")
        raw_price = record.get("price")
        price = parse_price(raw_price)
        if price is None:
            if _missing_price(raw_price):
                return Rejection(NO_PRICE, repr(raw_price))
            return Rejection(BAD_PRICE, repr(raw_price)[:80])
        if not MIN_PRICE <= price <= MAX_PRICE:
            return Rejection(OUT_OF_RANGE, f"${price:,.2f}")
        title = record.get("title")
        if not isinstance(title, str) or not _clean(title):
            return Rejection(MALFORMED, "title is missing or not text")
        description, features = record.get("description"), record.get("features")
        details = parse_details(record.get("details"))
        text = build_text(title, description, features, details, limit=CEILING_CHARS)
        if len(text) < MIN_CHARS:
            return Rejection(TOO_LITTLE_TEXT, f"{len(text)} characters")
        brand, weight, rank = facts_from_details(details)
        return Draft(_clean(title), price, _prefix(text, CEILING_CHARS), brand, weight, rank)
    except Exception as error:  # one bad record must never stop the others
        return Rejection(MALFORMED, f"{type(error).__name__}: {error}"[:200])


# --- Token budget ----------------------------------------------------------------------------

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
    Introduced in notebooks/01_explore_data.ipynb.
    """

    def __init__(self, tokenizer, fast: bool = True) -> None:
        self.backend = tokenizer.backend_tokenizer
        found = _tiktoken_encoding(tokenizer) if fast else None
        self.encoding, self.byte_lengths = found or (None, [])

    @property
    def engine(self) -> str:
        return "tiktoken" if self.encoding is not None else "tokenizers"

    def count(self, text: str) -> int:
        """Tokens in ``text`` (no special tokens)."""
        return len(self._encode(text)[0])

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
        encoded = _prefix(text, PREFIX_CHARS)
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


def _prefix(text: str, chars: int) -> str:
    """The text up to a space near ``chars``: it tokenizes like the same span of the whole.

    Llama-style pre-tokenizers never join a non-space character to a following space, so the
    tokens before such a cut are the tokens the full text starts with.
    """
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    while cut > 0 and text[cut - 1].isspace():
        cut = text.rfind(" ", 0, cut - 1)
    return text[:cut] if cut > 0 else text


_BUDGETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def token_budget(tokenizer) -> TokenBudget:
    """The `TokenBudget` for a tokenizer, built once per tokenizer object.

    Introduced in notebooks/01_explore_data.ipynb.
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


def curate_batch(records: Sequence[Any], tokenizer, category: str = "") -> list[Item | Rejection]:
    """Curate many raw records: one `parse_record` each, then the token budget.

    Keeps items with more than MIN_TOKENS tokens, cut to at most MAX_TOKENS. The result lines
    up with ``records``; ``tokenizer`` may also be a ready `TokenBudget`.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    budget = token_budget(tokenizer)
    results: list[Item | Rejection] = [parse_record(r) for r in records]
    waiting = [i for i, r in enumerate(results) if isinstance(r, Draft)]
    fitted = budget.fit([results[i].text for i in waiting])
    for i, fit in zip(waiting, fitted, strict=True):
        if isinstance(fit, Rejection):
            results[i] = fit
            continue
        draft: Draft = results[i]
        text, count = fit
        results[i] = Item(
            draft.title,
            category,
            draft.price,
            text,
            count,
            brand=draft.brand,
            weight=draft.weight,
            rank=draft.rank,
        )
    return results


def curate(record: Any, tokenizer, category: str = "") -> Item | Rejection:
    """Curate one raw record into an Item, or say why it was rejected.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    return curate_batch([record], tokenizer, category)[0]
