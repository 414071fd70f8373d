"""Curation speed: the package's batched, parallel path against a plain one-item-at-a-time loop.

Both curate the same N synthetic records (raw JSONL on disk) with the same tiny tokenizer, in
one run, and must keep the same items. Loading the file and curating are timed apart: the
target is about curation, and datasets' JSON -> Arrow conversion (serial, cached on reruns)
is shown beside it so the end-to-end ratio is visible too. The reference does what a first implementation does:
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


def read_lines(path: Path) -> list[dict]:
    """The reference's loading: one json.loads per line."""
    with open(path) as lines:
        return [json.loads(line) for line in lines]


def reference_curate(records: list[dict], tokenizer, category: str) -> list:
    """The naive loop: one record at a time, four tokenizer calls each."""
    from helpers.config import MAX_TOKENS, MIN_TOKENS
    from helpers.items import Draft, Item, parse_record

    kept = []
    for record in records:
        draft = parse_record(record)
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

    from helpers.loaders import curate_dataset, default_workers, open_raw
    from helpers.tokenizer import load_tokenizer
    from standins.catalog import generate_records

    category = "Electronics"
    path = scratch / "records.jsonl"
    with open(path, "w") as out:
        for record in generate_records(category, args.records, seed=1):
            out.write(json.dumps(record) + "\n")
    tokenizer = load_tokenizer()
    workers = args.workers or default_workers()

    def timed(action):
        started = time.perf_counter()
        result = action()
        return result, time.perf_counter() - started

    records, reference_load = timed(lambda: read_lines(path))
    reference, reference_curation = timed(lambda: reference_curate(records, tokenizer, category))
    raw, package_load = timed(lambda: open_raw(category, str(path)))
    (package, _), package_curation = timed(
        lambda: curate_dataset(raw, tokenizer, category, num_proc=workers)
    )

    same = [i.title for i in reference] == [i.title for i in package]
    n = args.records
    print(f"records: {n:,}  kept: {len(package):,}  cores: {os.cpu_count()}  workers: {workers}")
    print(f"{'':44s}{'load':>9s}{'curate':>9s}{'total':>9s}{'records/s':>11s}")
    rows = [
        ("reference (json.loads; per item 4 tokenizer calls)", reference_load, reference_curation),
        (f"package (datasets JSON; map x{workers}, batched)", package_load, package_curation),
    ]
    for label, load, curate in rows:
        print(f"{label[:44]:44s}{load:8.2f}s{curate:8.2f}s{load + curate:8.2f}s{n / curate:11,.0f}")
    print(
        f"ratio, curation (records in hand -> Items): {reference_curation / package_curation:.2f}x  (target >= 3x)"
    )
    ratio_total = (reference_load + reference_curation) / (package_load + package_curation)
    print(f"ratio, end to end (file on disk -> Items):  {ratio_total:.2f}x")
    print(f"same items kept by both: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
