"""A product's text, built from a raw record and scrubbed of what says nothing about its price.

Title, description paragraphs, feature bullets and the informative details become one text,
one part per line: brackets, quotes, bullets, invisible marks and part numbers (B07XJ8C8F5)
go, while sizes and quantities ("50-Count", "17-inch", "5000mAh") stay, and empty details
vanish ("Brand:;" never appears).

Used by `helpers.records` (`text_of`, which notebook 01 shows), `helpers.items` and
`helpers.token_budget`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

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

# Brackets, quotes and bullets become spaces; invisible marks (Amazon's U+200E in details),
# control characters and lone surrogates go. "<" and ">" go too, so no text can spell a
# special token such as <|begin_of_text|>.
_CLUTTER = str.maketrans(
    dict.fromkeys('[]{}<>"“”【】|•·', " ")
    | dict.fromkeys(map(chr, [*range(9), 11, 12, *range(14, 32), 127]), " ")
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060\ufeff\ud800-\udfff]+")
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


def clean_line(text: str) -> str:
    """One line of text without invisible marks, control characters or doubled spaces; the
    punctuation stays (titles and brands are shown to people).

    Used by `helpers.records`.
    """
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
    lines dropped. Used within `helpers.product_text`.
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

    Used within `helpers.product_text`.
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


def cut_at_space(text: str, chars: int) -> str:
    """The text up to a space near ``chars``: it tokenizes like the same span of the whole.

    Llama-style pre-tokenizers never join a non-space character to a following space, so the
    tokens before such a cut are the tokens the full text starts with.
    Used by `helpers.records` and `helpers.token_budget`.
    """
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    while cut > 0 and text[cut - 1].isspace():
        cut = text.rfind(" ", 0, cut - 1)
    return text[:cut] if cut > 0 else text
