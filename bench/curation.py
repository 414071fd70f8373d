"""Curation speed and memory: the package's loader against the course's own 2024 loader.

Both paths turn the same raw JSONL file on disk into Items, with the same real Llama 3
tokenizer and the same number of worker processes, in one run:

- reference: the course's week-6 code, reproduced faithfully (`CourseItem`, `CourseItemLoader`):
  datasets' JSON reader, then chunks of 1,000 records over a ProcessPoolExecutor; per item
  scrub, build the contents, cut at CEILING_CHARS, encode title + contents, and if over
  MIN_TOKENS cut the tokens to MAX_TOKENS, decode, build the prompt with the rounded price and
  encode the prompt again to count its tokens. Its Hub loading script stored price and details
  as text; `as_loading_script_gave_it` does the same to each record.
- package: `helpers.loaders.load_category` (orjson line by line, cheap rejections first, one
  tiktoken pass per kept record cut at a token boundary, byte ranges over a process pool).

The records look like Amazon's raw metadata: the synthetic catalog of all 8 categories with
the real files' share of missing prices (about 44%) and their length spread (about 40% of
descriptions empty, some thousands of characters long). Then a file scaled up to 1,000,000+
records is curated by the package in a subprocess, for its peak memory, and the measured rate
is projected onto the real categories' record counts.

    python bench/curation.py                      # about 3-4 minutes on 2 cores
    python bench/curation.py --records 4000 --scaled 0   # quick look, no memory run
    python bench/curation.py --scaled 0 --levers        # and each lever timed alone
Target (issue 12): the package at least 4x the course's loader end to end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# Raw metadata lines per category in McAuley-Lab/Amazon-Reviews-2023 (raw/meta_categories).
REAL_COUNTS = {
    "Automotive": 2_003_129,
    "Electronics": 1_610_012,
    "Office_Products": 710_503,
    "Tools_and_Home_Improvement": 1_473_810,
    "Cell_Phones_and_Accessories": 1_288_490,
    "Toys_and_Games": 890_874,
    "Appliances": 94_327,
    "Musical_Instruments": 213_593,
}
COURSE_ITEMS = 2_811_408  # items the course's loader kept from those files
COLAB_RAM_GB = 12.7

# --- the course's loader (week 6 items.py and loaders.py), tokenizer injected ----------------

MIN_TOKENS = 150
MAX_TOKENS = 160
MIN_CHARS = 300
CEILING_CHARS = MAX_TOKENS * 7
CHUNK_SIZE = 1000
MIN_PRICE = 0.5
MAX_PRICE = 999.49


class CourseItem:
    """The course's Item, line for line (its tokenizer is set before the pool starts)."""

    tokenizer = None
    PREFIX = "Price is $"
    QUESTION = "How much does this cost to the nearest dollar?"
    REMOVALS = [
        '"Batteries Included?": "No"',
        '"Batteries Included?": "Yes"',
        '"Batteries Required?": "No"',
        '"Batteries Required?": "Yes"',
        "By Manufacturer",
        "Item",
        "Date First",
        "Package",
        ":",
        "Number of",
        "Best Sellers",
        "Number",
        "Product ",
    ]
    token_count = 0
    prompt = None
    include = False
    category = ""

    def __init__(self, data, price):
        self.title = data["title"]
        self.price = price
        self.parse(data)

    def scrub_details(self):
        details = self.details
        for remove in self.REMOVALS:
            details = details.replace(remove, "")
        return details

    def scrub(self, stuff):
        stuff = re.sub(r'[:\[\]"{}【】\s]+', " ", stuff).strip()
        stuff = stuff.replace(" ,", ",").replace(",,,", ",").replace(",,", ",")
        words = stuff.split(" ")
        select = [w for w in words if len(w) < 7 or not any(c.isdigit() for c in w)]
        return " ".join(select)

    def parse(self, data):
        contents = "\n".join(data["description"])
        if contents:
            contents += "\n"
        features = "\n".join(data["features"])
        if features:
            contents += features + "\n"
        self.details = data["details"]
        if self.details:
            contents += self.scrub_details() + "\n"
        if len(contents) > MIN_CHARS:
            contents = contents[:CEILING_CHARS]
            text = f"{self.scrub(self.title)}\n{self.scrub(contents)}"
            tokens = self.tokenizer.encode(text, add_special_tokens=False)
            if len(tokens) > MIN_TOKENS:
                tokens = tokens[:MAX_TOKENS]
                text = self.tokenizer.decode(tokens)
                self.make_prompt(text)
                self.include = True

    def make_prompt(self, text):
        self.prompt = f"{self.QUESTION}\n\n{text}\n\n"
        self.prompt += f"{self.PREFIX}{str(round(self.price))}.00"
        self.token_count = len(self.tokenizer.encode(self.prompt, add_special_tokens=False))


def as_loading_script_gave_it(datapoint: dict) -> dict:
    """The course read the Hub's loading script, which stored str(price) and json.dumps(details);
    datasets' JSON reader gives a float and a struct holding every key of the file."""
    details = datapoint["details"] or {}
    return {
        **datapoint,
        "price": str(datapoint["price"]),
        "details": json.dumps({k: v for k, v in details.items() if v is not None}),
    }


class CourseItemLoader:
    """The course's ItemLoader, line for line, reading a local JSONL file with datasets."""

    def __init__(self, name):
        self.name = name
        self.dataset = None

    def from_datapoint(self, datapoint):
        try:
            datapoint = as_loading_script_gave_it(datapoint)
            price_str = datapoint["price"]
            if price_str:
                price = float(price_str)
                if MIN_PRICE <= price <= MAX_PRICE:
                    item = CourseItem(datapoint, price)
                    return item if item.include else None
        except ValueError:
            return None

    def from_chunk(self, chunk):
        batch = []
        for datapoint in chunk:
            result = self.from_datapoint(datapoint)
            if result:
                batch.append(result)
        return batch

    def chunk_generator(self):
        size = len(self.dataset)
        for i in range(0, size, CHUNK_SIZE):
            yield self.dataset.select(range(i, min(i + CHUNK_SIZE, size)))

    def load_in_parallel(self, workers):
        results = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for batch in pool.map(self.from_chunk, self.chunk_generator()):
                results.extend(batch)
        for result in results:
            result.category = self.name
        return results

    def load(self, path, workers):
        from datasets import load_dataset

        self.dataset = load_dataset("json", data_files=str(path), split="train")
        return self.load_in_parallel(workers)


# --- records -------------------------------------------------------------------------------


def realistic_records(n: int, seed: int = 1) -> list[dict]:
    """Catalog records from all 8 categories, reshaped to the real files' shares and lengths."""
    from helpers.config import CATEGORIES
    from standins.catalog import generate_records

    per = -(-n // len(CATEGORIES))
    records = [r for c in CATEGORIES for r in generate_records(c, per, seed=seed)][:n]
    rng = random.Random(seed)
    rng.shuffle(records)
    paragraphs = [p for r in records[:2000] for p in r["description"]]
    bullets = [b for r in records[:2000] for b in r["features"]]
    for record in records:
        if rng.random() < 0.41:  # the catalog misses 5% of prices; the real files about 44%
            record["price"] = None
        roll = rng.random()
        if roll < 0.40:  # real descriptions: about 40% empty ...
            record["description"] = []
        elif roll < 0.55:  # ... and a long tail of thousands of characters
            record["description"] = record["description"] + rng.sample(paragraphs, 6)
        roll = rng.random()
        if roll < 0.12:
            record["features"] = []
        elif roll < 0.25:
            record["features"] = record["features"] + rng.sample(bullets, 6)
        if rng.random() < 0.2:  # the real details' defects: empty values, invisible marks
            record["details"] = {**record["details"], "Style": rng.choice(["", "\u200e", " "])}
        if rng.random() < 0.15:  # sizes and quantities, and part numbers, in titles
            record["title"] += " " + rng.choice(["50-Count", "17-inch", "(4-Pack)", "5000mAh"])
        if rng.random() < 0.1:
            record["title"] += f" B0{rng.getrandbits(40):010X}"
    return records


def write_jsonl(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def scale_up(source: Path, target: Path, lines: int) -> int:
    """Repeat ``source``'s lines into ``target`` until it holds at least ``lines`` lines."""
    data = source.read_bytes()
    per_copy = data.count(b"\n")
    copies = -(-lines // per_copy)
    with open(target, "wb") as out:
        for _ in range(copies):
            out.write(data)
    return copies * per_copy


# --- measurements --------------------------------------------------------------------------


class TreeMemory:
    """Samples the proportional set size (PSS: shared pages split between the processes that
    share them) of this process and its children, every 0.2 s, and keeps the peaks."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak_total = self.peak_main = self.peak_workers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss(process=None) -> int:
        import psutil

        try:
            return (process or psutil.Process()).memory_full_info().pss
        except Exception:  # a worker that just ended
            return 0

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            main = self._pss(self.me)
            workers = sum(self._pss(c) for c in self.me.children(recursive=True))
            self.peak_main = max(self.peak_main, main)
            self.peak_workers = max(self.peak_workers, workers)
            self.peak_total = max(self.peak_total, main + workers)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def memory_child(path: str, second: str, workers: int) -> None:
    """Curate ``path`` in this fresh process, then ``second`` while still holding the first
    Items (as notebook 02 does category after category); print rates and memory as JSON."""
    from helpers.loaders import curate_file
    from helpers.token_budget import token_budget
    from helpers.tokenizer import load_tokenizer
    from standins.llama3 import tokenizer_files

    tokenizer = load_tokenizer(str(tokenizer_files()))
    token_budget(tokenizer)  # built once per tokenizer; not an Item's memory
    gc.collect()
    start = TreeMemory._pss()
    cpu, started = _cpu_seconds(), time.perf_counter()
    with TreeMemory() as first_memory:
        items, report = curate_file(path, tokenizer, "Electronics", workers=workers, progress=False)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    gc.collect()
    holding = TreeMemory._pss()
    with TreeMemory() as second_memory:
        more, _ = curate_file(second, tokenizer, "Appliances", workers=workers, progress=False)
    sample = items[:: max(1, len(items) // 2000)]
    print(
        json.dumps(
            {
                "read": report.read,
                "items": len(items),
                "seconds": seconds,
                "cpu_seconds": cpu,
                "start_bytes": start,
                "holding_bytes": holding,
                "peak_total_bytes": first_memory.peak_total,
                "peak_workers_bytes": first_memory.peak_workers,
                "second_items": len(more),
                "second_peak_workers_bytes": second_memory.peak_workers,
                "second_peak_total_bytes": second_memory.peak_total,
                "bytes_per_item": sum(_deep_size(i) for i in sample) / len(sample),
            }
        )
    )


def levers(path: Path, records: list[dict], tokenizer) -> None:
    """Each lever alone, in this process, by CPU time (robust to whatever else runs)."""
    from concurrent.futures import ThreadPoolExecutor

    import orjson
    from datasets import load_dataset

    from helpers import loaders
    from helpers.records import Draft, parse_record
    from helpers.token_budget import TokenBudget, token_budget

    def per_cpu_second(action, count):
        gc.collect()
        started = time.process_time()
        action()
        return count / (time.process_time() - started)

    n = len(records)
    lines = path.read_bytes().splitlines()
    fresh = {"data_files": str(path), "cache_dir": tempfile.mkdtemp(dir=path.parent)}
    print("\nlevers, one process, by CPU time:")
    print("  reading JSON (records per CPU second):")
    for label, action in (
        ("datasets' JSON reader (the course)", lambda: load_dataset("json", **fresh)),
        ("json.loads per line", lambda: [json.loads(line) for line in lines]),
        ("orjson.loads per line", lambda: [orjson.loads(line) for line in lines]),
        ("parse_line (orjson, curation columns)", lambda: [loaders.parse_line(x) for x in lines]),
    ):
        print(f"    {label:48s}{per_cpu_second(action, n):>10,.0f}")
    drafts = [parse_record(r) for r in records]
    texts = [d.text for d in drafts if isinstance(d, Draft)]
    early = 1 - len(texts) / n
    print(f"  cheap rejection before any tokenizing: {early:.0%} of records never reach it")
    print("  the token budget (kept texts per CPU second):")

    def course_way(text):  # encode, cut, decode, build the prompt, encode again
        ids = tokenizer.encode(text, add_special_tokens=False)
        if len(ids) > MIN_TOKENS:
            kept = tokenizer.decode(ids[:MAX_TOKENS])
            tokenizer.encode(f"{CourseItem.QUESTION}\n\n{kept}\n\nPrice is $1.00")

    backend, fast = TokenBudget(tokenizer, fast=False), token_budget(tokenizer)
    for label, action in (
        ("encode + decode + encode (the course)", lambda: [course_way(t) for t in texts]),
        ("one pass, tokenizers backend, cut by offsets", lambda: backend.fit(texts)),
        ("one pass, tiktoken with Llama 3's ranks", lambda: fast.fit(texts)),
    ):
        print(f"    {label:48s}{per_cpu_second(action, len(texts)):>10,.0f}")
    same = backend.fit(texts) == fast.fit(texts)
    print(f"    the two one-pass encoders cut every text identically: {same}")
    print("  threads or processes (records per second, wall clock; 2 workers):")
    ranges = loaders.spans(path, 1 << 20)

    def threads():
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda r: loaders._curate_span(str(path), *r, fast), ranges))

    for label, action in (
        ("1 process", lambda: loaders.curate_file(path, fast, "x", workers=1, progress=False)),
        ("2 threads (tiktoken releases the GIL)", threads),
        ("2 processes", lambda: loaders.curate_file(path, fast, "x", workers=2, progress=False)),
    ):
        started = time.perf_counter()
        action()
        print(f"    {label:48s}{n / (time.perf_counter() - started):>10,.0f}")


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its children that have finished."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _deep_size(item) -> int:
    size = sys.getsizeof(item)
    for name in ("title", "text", "price", "weight", "rank"):  # category, brand: shared strings
        value = getattr(item, name)
        if value is not None:
            size += sys.getsizeof(value)
    return size


def course_quality(items, tokenizer) -> dict[str, float]:
    """What the course's items look like: broken last characters, text token counts."""
    texts = [i.prompt.split("\n\n", 1)[1].rsplit("\n\n", 1)[0] for i in items]
    counts = [len(tokenizer.encode(t, add_special_tokens=False)) for t in texts]
    return {
        "ends in U+FFFD": sum(t.endswith("\ufffd") for t in texts) / len(texts),
        "text re-encodes to != 160 tokens": sum(c != MAX_TOKENS for c in counts) / len(counts),
    }


def package_quality(items, tokenizer) -> dict[str, float]:
    counts = [len(tokenizer.encode(i.text, add_special_tokens=False)) for i in items]
    empty_detail = re.compile(r":\s*;|;\s*:|(?:^|; ):", re.MULTILINE)
    return {
        "ends in U+FFFD": sum(i.text.endswith("\ufffd") for i in items) / len(items),
        "stored token_count != re-encoded": sum(
            c != i.token_count for c, i in zip(counts, items, strict=True)
        )
        / len(items),
        "empty detail key or value": sum(bool(empty_detail.search(i.text)) for i in items)
        / len(items),
    }


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="bench-curation-"))
    try:
        return run(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # the scaled file alone is 3 GB


def run(scratch: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=12_000, help="records for both paths")
    parser.add_argument(
        "--scaled", type=int, default=1_000_000, help="records in the memory run (0: skip)"
    )
    parser.add_argument("--workers", type=int, default=None, help="processes (default: cores)")
    parser.add_argument("--levers", action="store_true", help="also time each lever alone")
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workers = args.workers or os.cpu_count() or 1
    if args.memory_child:
        memory_child(*args.memory_child, workers)
        return 0

    os.environ["HF_DATASETS_CACHE"] = str(scratch / "hf-cache")  # no reuse of earlier runs
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # one core per process, both paths
    from helpers.loaders import load_category
    from helpers.tokenizer import load_tokenizer
    from standins.llama3 import tokenizer_files

    tokenizer = load_tokenizer(str(tokenizer_files()))
    CourseItem.tokenizer = tokenizer
    path = scratch / "meta_records.jsonl"
    records = realistic_records(args.records)
    write_jsonl(path, records)
    size_mb = path.stat().st_size / 1e6
    priced = sum(r["price"] is not None for r in records) / len(records)
    print(
        f"records: {len(records):,} synthetic Amazon-style raw records (all 8 categories; "
        f"{priced:.0%} priced, ~40% empty descriptions, long tail), {size_mb:.1f} MB JSONL"
    )
    print(
        f"cores: {os.cpu_count()}, workers: {workers}, tokenizer: real Llama 3 (128,000 BPE), "
        f"load average {os.getloadavg()[0]:.1f}"
    )

    def timed(action):
        """The result, wall seconds, and CPU seconds of this process and its finished workers."""
        gc.collect()
        cpu = _cpu_seconds()
        started = time.perf_counter()
        result = action()
        return result, time.perf_counter() - started, _cpu_seconds() - cpu

    course, course_s, course_cpu = timed(
        lambda: CourseItemLoader("Electronics").load(path, workers)
    )
    (ours, report), ours_s, ours_cpu = timed(
        lambda: load_category("Electronics", tokenizer, str(path), workers=workers, progress=False)
    )
    n = len(records)
    print(f"\n{'':54s}{'seconds':>8s}{'records/s':>10s}{'CPU s':>7s}{'items':>7s}")
    for label, wall, cpu, kept in (
        ("course 2024 loader (datasets JSON, encode+decode+encode)", course_s, course_cpu, course),
        ("package (orjson, one tiktoken pass, byte ranges)", ours_s, ours_cpu, ours),
    ):
        print(f"{label:54s}{wall:8.1f}{n / wall:10,.0f}{cpu:7.1f}{len(kept):7,}")
    ratio = course_s / ours_s
    print(f"ratio, end to end (file on disk -> Items): {ratio:.1f}x wall clock  (target >= 4x)")
    print(
        f"ratio of CPU time (the same work, whatever else runs on the machine): "
        f"{course_cpu / ours_cpu:.1f}x"
    )
    print(f"\npackage rejections:\n{report}")
    print("\nquality of the kept texts:")
    for label, values in (
        ("course", course_quality(course, tokenizer)),
        ("package", package_quality(ours, tokenizer)),
    ):
        print(f"  {label:8s} " + "; ".join(f"{k}: {v:.1%}" for k, v in values.items()))

    if args.levers:
        levers(path, records, tokenizer)

    rate, cpu_rate, source = n / ours_s, n / ours_cpu, f"the {n:,}-record run"
    if args.scaled:
        big, second = scratch / "meta_scaled.jsonl", scratch / "meta_second.jsonl"
        lines = scale_up(path, big, args.scaled)
        scale_up(path, second, args.scaled // 10)
        child = [sys.executable, __file__, "--memory-child", str(big), str(second)]
        child += ["--workers", str(workers)]
        out = subprocess.run(child, capture_output=True, text=True, check=True).stdout
        m = json.loads(out.strip().splitlines()[-1])
        gb = 1e9
        rate, cpu_rate = m["read"] / m["seconds"], m["read"] / m["cpu_seconds"]
        source = f"the {lines:,}-record run"
        print(
            f"\nscaled run, fresh process: {lines:,} records ({big.stat().st_size / gb:.1f} GB) -> "
            f"{m['items']:,} Items in {m['seconds']:.0f} s ({rate:,.0f} records/s; "
            f"{cpu_rate:,.0f} records per CPU second)"
        )
        per_item = (m["holding_bytes"] - m["start_bytes"]) / max(m["items"], 1)
        print(
            f"peak memory (PSS, all processes): {m['peak_total_bytes'] / gb:.2f} GB; the workers "
            f"together {m['peak_workers_bytes'] / gb:.2f} GB; after the run the main process "
            f"holds {m['holding_bytes'] / gb:.2f} GB ({per_item:,.0f} bytes per Item, "
            f"{m['bytes_per_item']:,.0f} by sys.getsizeof)"
        )
        extra = max(m["peak_workers_bytes"], m["second_peak_total_bytes"] - m["holding_bytes"])
        print(
            f"a second category curated while holding those Items (forked workers, frozen GC): "
            f"all processes {m['second_peak_total_bytes'] / gb:.2f} GB, "
            f"{(m['second_peak_total_bytes'] - m['holding_bytes']) / gb:.2f} GB above the holding"
        )
        notebook = m["start_bytes"] + per_item * COURSE_ITEMS + extra
        print(
            f"notebook 02, real run: {COURSE_ITEMS:,} Items held plus the workers: about "
            f"{notebook / gb:.1f} GB at peak, of Colab's {COLAB_RAM_GB} GB"
        )

    total_records = sum(REAL_COUNTS.values())
    print(f"\nprojection for the real 8 categories ({total_records:,} raw records), from {source}:")
    free = f"{workers} free cores"
    print(f"  {'':30s}{'records':>11s}{'at this rate':>14s}{free:>14s}")
    for category, count in REAL_COUNTS.items():
        print(
            f"  {category:30s}{count:>11,}{count / rate / 60:>10.1f} min"
            f"{count / cpu_rate / workers / 60:>10.1f} min"
        )
    print(
        f"  {'total':30s}{total_records:>11,}{total_records / rate / 60:>10.1f} min"
        f"{total_records / cpu_rate / workers / 60:>10.1f} min"
    )
    print(
        f"  (the course's loader: {total_records / (n / course_s) / 60:.0f} min at its rate here, "
        f"{total_records / (n / course_cpu) / workers / 60:.0f} min on {free}; "
        f"'{free}' divides the CPU time by {workers})"
    )
    return 0 if ratio >= 4 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
