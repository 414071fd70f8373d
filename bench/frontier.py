"""How much the frontier client's concurrency and cache save: one run, three wall times.

250 items against the local OpenAI-compatible server with 300 ms latency per call, each run
through the Tester exactly as notebook 05 does it:

1. sequential: one call at a time (workers=1), fresh cache;
2. concurrent: the provider preset's default pool, fresh cache;
3. cached re-run: the concurrent run again, every reply already on disk.

Targets: concurrent at least 8x faster than sequential; the cached re-run under 2 s.

    python bench/frontier.py [--items 250] [--latency 0.3]

Not a timed test: a single run on whatever machine you have, printed for people to read.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from helpers.frontier import PROVIDERS, FrontierClient
from helpers.items import Item
from helpers.testing import Tester
from standins.openai_server import serve

MODEL = "gpt-4o-mini"


def bench_items(n: int) -> list[Item]:
    """Items shaped like curated ones (about 600 characters of text), varied so none repeat."""
    body = "Durable housing, two-year warranty, fits standard mounts, ships with all hardware. "
    return [
        Item(
            title=f"Bench product {i}",
            category="Electronics",
            price=float(5 + (i * 37) % 900),
            text=f"Bench product {i}\n" + body * 7 + f"Variant {i}.",
            token_count=155,
        )
        for i in range(n)
    ]


def timed(client: FrontierClient, items: list[Item]) -> tuple[float, int]:
    started = time.perf_counter()
    report = Tester.test(client, items, size=len(items), record=False, show=False)
    return time.perf_counter() - started, len(report.failures)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per call at the server")
    args = parser.parse_args(argv)
    items = bench_items(args.items)
    workers = PROVIDERS["openai"].workers

    with serve(latency=args.latency) as url, tempfile.TemporaryDirectory() as scratch:
        options = dict(base_url=url, api_key="sk-bench")
        fresh, shared = Path(scratch) / "sequential", Path(scratch) / "concurrent"
        print(f"{args.items} items, {args.latency * 1000:.0f} ms per call, model {MODEL}")
        sequential, failed_a = timed(
            FrontierClient(MODEL, workers=1, cache=fresh, **options), items
        )
        print(f"  sequential (1 worker)        {sequential:7.2f} s")
        concurrent, failed_b = timed(FrontierClient(MODEL, cache=shared, **options), items)
        print(f"  concurrent ({workers} workers)      {concurrent:7.2f} s")
        rerun_client = FrontierClient(MODEL, cache=shared, **options)
        cached, failed_c = timed(rerun_client, items)
        print(
            f"  cached re-run                {cached:7.2f} s  ({rerun_client.usage.cached} from cache)"
        )

    speedup, cache_speedup = sequential / concurrent, concurrent / cached
    print(
        f"concurrent vs sequential: {speedup:5.1f}x faster (target >= 8x: {'met' if speedup >= 8 else 'MISSED'})"
    )
    print(
        f"cached vs concurrent:     {cache_speedup:5.1f}x faster (cached target < 2 s: {'met' if cached < 2 else 'MISSED'})"
    )
    if failed_a or failed_b or failed_c:
        print(f"failures: {failed_a}, {failed_b}, {failed_c} (expected none)")


if __name__ == "__main__":
    main()
