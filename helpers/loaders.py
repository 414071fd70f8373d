"""A category's raw product metadata -> curated Items, fast, with a rejection report.

The raw JSONL file is read with `datasets` (the Hub file in real runs, the synthetic catalog's
file in smoke runs: same call, different path). Curation runs through `Dataset.map` in batches,
on several processes, each batch going through `items.curate_batch` and so through one batched
tokenizer call.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import CATEGORIES, RAW_DATASET, RAW_FILE, settings
from .items import REASONS, Item, Rejection, curate_batch

# Only the columns curation reads; images, videos and the rest never leave Arrow.
RAW_COLUMNS = ("title", "price", "description", "features", "details")
_OUT_FEATURES = ("title", "price", "text", "token_count", "details", "rejected")


@dataclass
class CurationReport:
    """How many records one load read, kept, and rejected for each reason."""

    category: str
    read: int = 0
    rejected: Counter = field(default_factory=Counter)

    @property
    def kept(self) -> int:
        return self.read - sum(self.rejected.values())

    def __str__(self) -> str:
        lines = [f"{self.category}: read {self.read:,}, kept {self.kept:,}"]
        for reason in REASONS:
            if self.rejected[reason]:
                share = self.rejected[reason] / max(self.read, 1)
                lines.append(f"  rejected, {reason}: {self.rejected[reason]:,} ({share:.1%})")
        return "\n".join(lines)

    def __add__(self, other: CurationReport) -> CurationReport:
        return CurationReport(
            "All categories", self.read + other.read, self.rejected + other.rejected
        )


def download_raw(category: str) -> str:
    """One category's raw JSONL file from the Hub, downloaded once into the Hub cache.

    The real files are large (Automotive is about 2 million products); the download shows its
    progress and is reused by later calls. Introduced in notebooks/01_explore_data.ipynb.
    """
    from .hub import pull_file

    if category not in CATEGORIES:
        raise ValueError(f"Unknown category {category!r}. Choose one of: {', '.join(CATEGORIES)}")
    return str(pull_file(RAW_DATASET, RAW_FILE.format(category=category), repo_type="dataset"))


def open_raw(category: str, source: str | None = None):
    """The raw metadata of one category as a `datasets.Dataset` (no curation yet).

    ``source`` is a local JSONL file; by default the category's file is downloaded from
    McAuley-Lab/Amazon-Reviews-2023. Introduced in notebooks/01_explore_data.ipynb.
    """
    from datasets import load_dataset

    source = source or download_raw(category)
    return load_dataset("json", data_files=source, split="train")


def _curate_columns(batch: dict[str, list], tokenizer, category: str) -> dict[str, list]:
    """Dataset.map worker: raw columns in, curated columns plus a `rejected` reason out."""
    names = list(batch)
    records = [
        dict(zip(names, row, strict=True)) for row in zip(*(batch[n] for n in names), strict=True)
    ]
    out: dict[str, list] = {name: [] for name in _OUT_FEATURES}
    for result in curate_batch(records, tokenizer, category):
        record = result.to_record() if isinstance(result, Item) else None
        for name in _OUT_FEATURES[:-1]:
            out[name].append(record[name] if record else None)
        out["rejected"].append(result.reason if isinstance(result, Rejection) else None)
    return out


def default_workers() -> int:
    """Processes for curation: every core, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def curate_dataset(
    raw,
    tokenizer,
    category: str,
    num_proc: int | None = None,
    batch_size: int = 1_000,
) -> tuple[list[Item], CurationReport]:
    """Curate an opened raw `datasets.Dataset`: batches through `curate_batch` on every core.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    present = [c for c in RAW_COLUMNS if c in raw.column_names]
    raw = raw.select_columns(present)
    num_proc = num_proc or default_workers()
    if num_proc > 1:  # each process tokenizes on its own core; Rust threads would oversubscribe
        os.environ["TOKENIZERS_PARALLELISM"] = "false"
    curated = raw.map(
        _curate_columns,
        batched=True,
        batch_size=batch_size,
        num_proc=num_proc if len(raw) >= 2 * batch_size else None,
        remove_columns=present,
        fn_kwargs={"tokenizer": tokenizer, "category": category},
        desc=f"Curating {category}",
    )
    report = CurationReport(category, read=len(curated))
    report.rejected.update(r for r in curated["rejected"] if r)
    kept = curated.filter(lambda rejected: rejected is None, input_columns="rejected")
    items = [
        Item.from_record({**row, "category": category})
        for row in kept.remove_columns("rejected").to_list()
    ]
    return items, report


def load_category(
    category: str,
    tokenizer,
    source: str | None = None,
    num_proc: int | None = None,
    batch_size: int = 1_000,
) -> tuple[list[Item], CurationReport]:
    """Open one category's raw file and curate every record: the Items and the rejection report.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    raw = open_raw(category, source)
    return curate_dataset(raw, tokenizer, category, num_proc, batch_size)


def load_categories(
    tokenizer, categories: Iterable[str] | None = None, num_proc: int | None = None
) -> tuple[list[Item], CurationReport]:
    """Curate several categories (default: all 8) and report the rejections of each and overall.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    categories = list(categories or settings().categories)
    items: list[Item] = []
    total = CurationReport("All categories")
    for category in categories:
        found, report = load_category(category, tokenizer, num_proc=num_proc)
        print(report)
        items.extend(found)
        total = total + report
    print(total)
    return items, total
