"""A category's raw product metadata -> curated Items, fast, with a rejection report.

The raw file is JSON Lines on the local disk (downloaded from the Hub in real runs, the
synthetic catalog's file in smoke runs). Each line is parsed on its own, so a key or a type
that first appears on line 2,000,000 is just another record, and a broken line is counted
and skipped while the rest of the file is read. Only the columns curation uses are looked at
(`RAW_SCHEMA`); images, videos and the rest are never kept.

`curate_file` splits the file into byte ranges and curates them on every core, each
process reading its own range: parse, scrub and cut each record with one tokenizer pass
(`token_budget.TokenBudget`). The Items come back in file order.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import CATEGORIES, RAW_DATASET, RAW_FILE, settings
from .items import Item, curate_batch
from .records import REASONS, UNREADABLE, Rejection
from .token_budget import TokenBudget, token_budget

try:  # faster than the json module, and stricter (see parse_line)
    import orjson
except ImportError:  # pragma: no cover - orjson is in requirements.txt
    orjson = None

# The columns curation reads, and the shapes each may take in the raw and converted files.
# Every record is checked against this on its own: nothing is inferred from the first lines.
RAW_SCHEMA: dict[str, str] = {
    "title": "text",
    "price": 'number, text such as "$1,299.00" or "None", or null',
    "description": "list of text, text, or null",
    "features": "list of text, text, or null",
    "details": "object with values of any type, the same as JSON text, or null",
}
RAW_COLUMNS = tuple(RAW_SCHEMA)
CHUNK_BYTES = 4 << 20  # each process curates at most this much of the file at a time


@dataclass
class CurationReport:
    """How many records one load read, kept, and rejected for each reason (with an example).

    Used within `helpers.loaders`.
    """

    category: str
    read: int = 0
    rejected: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return self.read - sum(self.rejected.values())

    def reject(self, rejection: Rejection, where: str = "") -> None:
        """Count one rejection, keeping the first example of each reason."""
        self.rejected[rejection.reason] += 1
        if rejection.reason not in self.examples:
            self.examples[rejection.reason] = f"{where}{rejection.detail}"[:160]

    def __str__(self) -> str:
        lines = [f"{self.category}: read {self.read:,}, kept {self.kept:,}"]
        reasons = [*REASONS, *sorted(set(self.rejected) - set(REASONS))]
        for reason in reasons:
            if self.rejected[reason]:
                share = self.rejected[reason] / max(self.read, 1)
                example = self.examples.get(reason)
                lines.append(
                    f"  rejected, {reason}: {self.rejected[reason]:,} ({share:.1%})"
                    + (f"  e.g. {example}" if example else "")
                )
        return "\n".join(lines)

    def __add__(self, other: CurationReport) -> CurationReport:
        """Both reports' counts under this one's name; the first example of each reason stays."""
        examples = {**other.examples, **self.examples}
        return CurationReport(
            self.category, self.read + other.read, self.rejected + other.rejected, examples
        )


def parse_line(
    line: bytes | str, columns: Sequence[str] | None = RAW_COLUMNS
) -> dict[str, Any] | Rejection:
    """One JSONL line -> the record's ``columns`` (None: all), or a Rejection saying why not.

    Lines orjson refuses (a lone surrogate escape, a number too large for a float) get a
    second chance with the json module; invalid UTF-8, truncated JSON, plain text and JSON
    that is not an object are unreadable. Used within `helpers.loaders`.
    """
    try:
        record = orjson.loads(line) if orjson is not None else None
    except ValueError:
        record = None
    if record is None:
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
            record = json.loads(text.lstrip("\ufeff"))
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError, JSONDecodeError
            return Rejection(UNREADABLE, f"{type(error).__name__}: {str(error)[:100]}")
    if not isinstance(record, dict):
        return Rejection(UNREADABLE, f"a JSON {type(record).__name__}, not an object")
    return record if columns is None else {name: record.get(name) for name in columns}


def iter_raw(
    path: str | os.PathLike, columns: Sequence[str] | None = RAW_COLUMNS
) -> Iterator[dict[str, Any] | Rejection]:
    """Every non-blank line of a raw JSONL file, parsed (see `parse_line`), in order.

    Used within `helpers.loaders`.
    """
    with open(path, "rb") as lines:
        for line in lines:
            if line.strip():
                yield parse_line(line, columns)


def read_raw(
    path: str | os.PathLike,
    limit: int | None = None,
    columns: Sequence[str] | None = RAW_COLUMNS,
    category: str = "",
) -> tuple[list[dict[str, Any]], CurationReport]:
    """The readable records of a raw JSONL file and a report of the unreadable lines.

    Records hold the curation columns (``columns=None``: every field, images included);
    ``limit`` stops after that many lines.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    report = CurationReport(category or Path(path).stem)
    records = []
    for number, parsed in enumerate(iter_raw(path, columns), start=1):
        if limit is not None and number > limit:
            break
        report.read += 1
        if isinstance(parsed, Rejection):
            report.reject(parsed, f"line {number}: ")
        else:
            records.append(parsed)
    return records, report


def download_raw(category: str) -> str:
    """One category's raw JSONL file from the Hub, downloaded once into the Hub cache.

    The real files are large (Automotive is about 2 million products); the download shows its
    progress and is reused by later calls. Introduced in notebooks/01_explore_data.ipynb.
    """
    from .hub import pull_file

    if category not in CATEGORIES:
        raise ValueError(f"Unknown category {category!r}. Choose one of: {', '.join(CATEGORIES)}")
    return str(pull_file(RAW_DATASET, RAW_FILE.format(category=category), repo_type="dataset"))


def default_workers() -> int:
    """Processes for curation: every core, at most 8.

    Used within `helpers.loaders`.
    """
    return max(1, min(os.cpu_count() or 1, 8))


def spans(path: str | os.PathLike, chunk_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """Byte ranges of about ``chunk_bytes`` that start and end on line boundaries: each worker
    reads its own. Used within `helpers.loaders`."""
    size = os.path.getsize(path)
    bounds = [0]
    with open(path, "rb") as handle:
        while bounds[-1] + chunk_bytes < size:
            handle.seek(bounds[-1] + chunk_bytes)
            handle.readline()  # to the start of the next line
            if handle.tell() >= size:
                break
            bounds.append(handle.tell())
    return list(zip(bounds, [*bounds[1:], size], strict=True))


_Rows = list[tuple]  # (title, price, text, token_count, brand, weight, rank) per kept record

_worker_budget: TokenBudget | None = None


def _start_worker(budget: TokenBudget) -> None:
    global _worker_budget
    _worker_budget = budget


def _curate_span(
    path: str, start: int, end: int, budget: TokenBudget | None = None
) -> tuple[_Rows, CurationReport]:
    """Curate the lines of one byte range: the kept rows and the range's report."""
    budget = budget or _worker_budget
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    report = CurationReport("")
    records = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        report.read += 1
        parsed = parse_line(line)
        if isinstance(parsed, Rejection):
            report.reject(parsed, f"byte {start}: ")
        else:
            records.append(parsed)
    rows: _Rows = []
    for result in curate_batch(records, budget):
        if isinstance(result, Rejection):
            report.reject(result)
        else:
            rows.append(
                (result.title, result.price, result.text, result.token_count, result.brand)
                + (result.weight, result.rank)
            )
    return rows, report


def curate_file(
    path: str | os.PathLike,
    tokenizer,
    category: str,
    workers: int | None = None,
    chunk_bytes: int | None = None,
    progress: bool = True,
) -> tuple[list[Item], CurationReport]:
    """Curate every record of a local raw JSONL file: the Items (in file order) and a report.

    ``workers`` processes (default: every core, at most 8) each curate ``chunk_bytes`` of the
    file at a time (default: 4 MB, less for small files so every worker gets several
    chunks); one worker runs in this process. Used within `helpers.loaders`.
    """
    path = str(path)
    budget = token_budget(tokenizer)
    workers = workers or default_workers()
    if chunk_bytes is None:
        chunk_bytes = max(64 << 10, min(CHUNK_BYTES, os.path.getsize(path) // (8 * workers)))
    ranges = spans(path, chunk_bytes)
    workers = min(workers, len(ranges))
    report = CurationReport(category)
    items: list[Item] = []
    bar = _progress_bar(os.path.getsize(path), category) if progress else None
    pool = None
    try:
        if workers <= 1:
            results: Iterable = (_curate_span(path, s, e, budget) for s, e in ranges)
        else:
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # one core per process
            # Forked workers share this process's memory until they write to it; a garbage
            # collection in a worker would touch (and so copy) every object here, millions of
            # Items from earlier categories included. Frozen objects are never collected.
            gc.freeze()
            pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(budget,))
            starts, ends = zip(*ranges, strict=True)
            results = pool.map(_curate_span, [path] * len(ranges), starts, ends)
        for (start, end), (rows, part) in zip(ranges, results, strict=True):
            items.extend(
                Item(t, category, p, x, n, None, sys.intern(b), w, r)
                for t, p, x, n, b, w, r in rows
            )
            report = report + part  # this file's ranges, in order
            if bar is not None:
                bar.update(end - start)
    finally:
        if workers > 1:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            gc.unfreeze()
        if bar is not None:
            bar.close()
    return items, report


def _progress_bar(total: int, category: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=f"Curating {category}", leave=False)


def load_category(
    category: str,
    tokenizer,
    source: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> tuple[list[Item], CurationReport]:
    """Open one category's raw file and curate every record: the Items and the rejection report.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    path = source or download_raw(category)
    return curate_file(path, tokenizer, category, workers=workers, progress=progress)


def load_categories(
    tokenizer, categories: Iterable[str] | None = None, workers: int | None = None
) -> tuple[list[Item], CurationReport]:
    """Curate several categories (default: all 8) and report the rejections of each and overall.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    categories = list(categories or settings().categories)
    items: list[Item] = []
    total = CurationReport("All categories")
    for category in categories:
        found, report = load_category(category, tokenizer, workers=workers)
        print(report)
        items.extend(found)
        total = total + report
    print(total)
    return items, total
