"""Curation speed: the package's batched, parallel path against a plain one-item-at-a-time loop.

Both curate the same N synthetic records (raw JSONL on disk) with the same tiny tokenizer, in
one run, and must keep the same items. The reference does what a first implementation does:
read and parse each line, then per item encode, truncate, decode and encode again to count.
The package path is `loaders.load_category`: `datasets` reads the file, `Dataset.map` runs
`items.curate_batch` on every core, one batched tokenizer call per 1,000 records.

    python bench/curation.py --records 20000
Target (issue 2): the package path at least 3x the reference on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def reference_curate(path: Path, tokenizer, category: str) -> list:
    """The naive loop: one record at a time, four tokenizer calls each."""
    from helpers.config import MAX_TOKENS, MIN_TOKENS
    from helpers.items import Draft, Item, parse_record

    kept = []
    with open(path) as lines:
        for line in lines:
            draft = parse_record(json.loads(line))
            if not isinstance(draft, Draft):
                continue
            ids = tokenizer.encode(draft.text, add_special_tokens=False)
            if len(ids) <= MIN_TOKENS:
                continue
            text = tokenizer.decode(ids[:MAX_TOKENS], skip_special_tokens=True).strip()
            count = len(tokenizer.encode(text, add_special_tokens=False))
            kept.append(Item(draft.title, category, draft.price, text, count, draft.details))
    return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=20_000, help="synthetic records to curate")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-curation-"))
    os.environ["HF_DATASETS_CACHE"] = str(scratch / "hf-cache")  # no reuse of earlier runs
    os.environ["PRICER_SMOKE"] = "1"
    os.environ["PRICER_WORKDIR"] = str(scratch)

    from helpers.catalog import generate_records
    from helpers.loaders import default_workers, load_category
    from helpers.tokenizer import load_tokenizer

    category = "Electronics"
    path = scratch / "records.jsonl"
    with open(path, "w") as out:
        for record in generate_records(category, args.records, seed=1):
            out.write(json.dumps(record) + "\n")
    tokenizer = load_tokenizer()
    workers = args.workers or default_workers()

    started = time.perf_counter()
    reference = reference_curate(path, tokenizer, category)
    reference_s = time.perf_counter() - started

    started = time.perf_counter()
    package, report = load_category(category, tokenizer, source=str(path), num_proc=workers)
    package_s = time.perf_counter() - started

    same = [i.title for i in reference] == [i.title for i in package]
    print(
        f"records: {args.records:,}  kept: {len(package):,}  cores: {os.cpu_count()}  workers: {workers}"
    )
    print(
        f"reference loop (per item: encode, truncate, decode, re-encode): {reference_s:7.2f} s  {args.records / reference_s:9,.0f} records/s"
    )
    print(
        f"package path (datasets.map, batched tokenizer, {workers} processes): {package_s:7.2f} s  {args.records / package_s:9,.0f} records/s"
    )
    print(f"ratio package / reference: {reference_s / package_s:.2f}x  (target >= 3x)")
    print(f"same items kept by both: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
