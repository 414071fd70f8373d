"""Curated products: the `Item` a model reads and prices, and the curation that makes one.

`curate_batch` runs `helpers.records.parse_record` over many raw records, then
`helpers.token_budget` over the survivors; `curate` does the same for one record, so tests,
loaders and benchmarks all exercise one piece of code.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass
from typing import Any

from .prompts import completion, test_prompt, training_prompt
from .records import Draft, Rejection, facts_from_details, parse_details, parse_record
from .token_budget import token_budget


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
        return completion(self.price)

    @property
    def test_prompt(self) -> str:
        """The prompt a model completes at test time; it ends with "Price is $"."""
        return test_prompt(self.text)

    @property
    def prompt(self) -> str:
        """The training prompt: the test prompt followed by the rounded price."""
        return training_prompt(self.text, self.price)

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


def curate_batch(records: Sequence[Any], tokenizer, category: str = "") -> list[Item | Rejection]:
    """Curate many raw records: one `parse_record` each, then the token budget.

    Keeps items with more than MIN_TOKENS tokens, cut to at most MAX_TOKENS. The result lines
    up with ``records``; ``tokenizer`` may also be a ready `TokenBudget`.
    Used by `helpers.loaders`.
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
