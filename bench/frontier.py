"""How much the frontier client's concurrency and cache save, and what it loses under faults.

250 items against the local OpenAI-compatible stand-in with 300 ms latency per call, each run
through the Tester exactly as notebook 05 does it:

1. sequential: one call at a time (workers=1), fresh cache;
2. concurrent: the provider preset's default pool, fresh cache;
3. cached re-run: the concurrent run again, every reply already on disk;
4. faults: a fresh cache against a server where 20% of calls fail: 429 with Retry-After, 500,
   a stall past the client's timeout (2 s here), malformed JSON, or an empty reply. Prints
   "N/250 answered"; every item must be (N = 250). The backoff starts at 0.25 s instead of
   the default 1 s and a 429 asks for 0.5 s, to keep the bench short; the rules are the same.

Targets: concurrent at least 8x faster than sequential; the cached re-run under 2 s; 250/250
answered under faults. About a minute and a half in all.

    python bench/frontier.py [--items 250] [--latency 0.3] [--fault-rate 0.2]

Not a timed test: a single run on whatever machine you have, printed for people to read.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from helpers.evaluation import Tester
from helpers.frontier import PROVIDERS, FrontierClient
from helpers.items import Item
from standins.openai_server import serve

MODEL = "gpt-4o-mini"
FAULTS = ("429", "500", "timeout", "malformed", "empty")


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


def timed(client: FrontierClient, items: list[Item]) -> float:
    """Seconds for one Tester run of ``client`` over ``items`` (nothing recorded or shown)."""
    started = time.perf_counter()
    Tester.test(client, items, size=len(items), record=False, show=False)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=250)
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per call at the server")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of calls that fail")
    args = parser.parse_args(argv)
    items = bench_items(args.items)
    n = len(items)
    workers = PROVIDERS["openai"].workers

    with tempfile.TemporaryDirectory() as scratch:
        with serve(latency=args.latency) as url:
            options = dict(base_url=url, api_key="sk-bench")
            fresh, shared = Path(scratch) / "sequential", Path(scratch) / "concurrent"
            print(f"{n} items, {args.latency * 1000:.0f} ms per call, model {MODEL}")
            one = FrontierClient(MODEL, workers=1, cache=fresh, **options)
            sequential = timed(one, items)
            print(f"  sequential (1 worker)        {sequential:7.2f} s")
            pool = FrontierClient(MODEL, cache=shared, **options)
            concurrent = timed(pool, items)
            print(f"  concurrent ({workers} workers)      {concurrent:7.2f} s")
            rerun = FrontierClient(MODEL, cache=shared, **options)
            cached = timed(rerun, items)
            print(
                f"  cached re-run                {cached:7.2f} s  ({rerun.usage.cached} from cache)"
            )
            lost = one.usage.failures + pool.usage.failures + rerun.usage.failures

        faulty = dict(fault_rate=args.fault_rate, faults=FAULTS, retry_after=0.5, hang=5.0, seed=1)
        with serve(latency=args.latency, **faulty) as url:
            cache = Path(scratch) / "faults"
            client = FrontierClient(
                MODEL, base_url=url, api_key="sk-bench", cache=cache, timeout=2.0, backoff=0.25
            )
            seconds = timed(client, items)
            usage = client.usage
            answered = n - usage.failures
            print(
                f"  {args.fault_rate:.0%} faults ({', '.join(FAULTS)}): {seconds:6.2f} s, "
                f"{usage.retries} retries ({usage.waited:.1f} s backing off)"
            )
            print(f"{answered}/{n} answered at {args.fault_rate:.0%} injected faults")
            for title, why in client.failures[:5]:
                print(f"  failed: {title}: {why}")

    speedup, cache_speedup = sequential / concurrent, concurrent / cached
    print(
        f"concurrent vs sequential: {speedup:5.1f}x faster (target >= 8x: {'met' if speedup >= 8 else 'MISSED'})"
    )
    print(
        f"cached vs concurrent:     {cache_speedup:5.1f}x faster (cached target < 2 s: {'met' if cached < 2 else 'MISSED'})"
    )
    print(
        f"under faults: {answered}/{n} answered (target {n}/{n}: {'met' if answered == n else 'MISSED'})"
    )
    if lost:
        print(f"failures without faults: {lost} (expected none)")


if __name__ == "__main__":
    main()
