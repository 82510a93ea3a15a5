"""The market's memory in Redis per role, level and currency, its read time, and its quantile error.

Starts its own `redis-server` (no persistence) on a free port and counts synthetic postings straight through
`MarketStore` (the code `ResultStore.publish` runs), each day of a 90-day window, then asks Redis what the keys
take (`MEMORY USAGE`, which includes the key name and Redis's own overhead):

- worst case: one role, level and currency with a posting in every one of the 312 bins on every day (the most
  a day bucket can hold: 624 bytes of counts), whatever the volume;
- typical: N postings a day (default 40), log-normal around $150,000 (sigma 0.35);
- seen keys: the bytes per posting counted (one key each, for the window);
- counting: the time per posting of the call `ResultStore.publish` adds to its pipeline;
- reading: the time to merge the window (one MGET of 90 buckets) and attach a band to a result;
- accuracy: p10-p90 of the typical window against the exact quantiles of the same postings.

    .venv/bin/python bench/market.py [--per-day 40] [--days 90]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from typing import Any

import numpy as np
import redis
from load import LocalRedis

from matching.market import BINS, LOW_EDGE, QUANTILES
from worker.service.store.market import DAY_SECONDS, MarketStore, attach_market_band, today
from worker.settings import Settings

ROLE, LEVEL = "machine-learning-engineer", "senior"


def result(posting_id: str, role: str, level: str, pay: float) -> dict[str, Any]:
    return {
        "id": posting_id,
        "status": "matched",
        "role": role,
        "level": level,
        "content_hash": f"h-{posting_id}",
        "stated_salary": {"currency": "USD", "basis": "base", "annual_low": pay, "annual_high": None},
    }


def key_bytes(client: redis.Redis, pattern: str) -> tuple[int, int]:
    """(keys, bytes) of every key matching `pattern`, by MEMORY USAGE (SAMPLES 0: exact)."""
    keys = list(client.scan_iter(match=pattern, count=1000))
    return len(keys), sum(int(client.memory_usage(k, samples=0) or 0) for k in keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-day", type=int, default=40, help="typical postings a day for one role and level")
    parser.add_argument("--days", type=int, default=90, help="the window (market_window_days)")
    args = parser.parse_args()
    with LocalRedis(appendonly=False) as server:
        settings = Settings(redis_url=server.url, key_prefix="jobmatch:", market_window_days=args.days)
        client = redis.Redis.from_url(server.url)
        market = MarketStore(client, settings)
        now = today() * DAY_SECONDS + 43_200.0

        # Worst case: every bin of every day bucket set (values at the bins' centres).
        edges = [LOW_EDGE * 1.03 ** (i + 0.5) for i in range(BINS)]
        for day in range(args.days):
            at = now - (args.days - 1 - day) * DAY_SECONDS
            market.count([result(f"w{day}-{i}", "worst-role", LEVEL, pay) for i, pay in enumerate(edges)], now=at)
        worst_keys, worst = key_bytes(client, "jobmatch:market:worst-role:*")

        # Typical: per-day postings around $150,000.
        rng = random.Random(18)
        values: list[float] = []
        counting = 0.0
        for day in range(args.days):
            at = now - (args.days - 1 - day) * DAY_SECONDS
            pays = [rng.lognormvariate(math.log(150_000), 0.35) for _ in range(args.per_day)]
            values += pays
            batch = [result(f"t{day}-{i}", ROLE, LEVEL, pay) for i, pay in enumerate(pays)]
            started = time.perf_counter()
            market.count(batch, now=at)
            counting += time.perf_counter() - started
        typical_keys, typical = key_bytes(client, f"jobmatch:market:{ROLE}:*")
        seen_keys, seen = key_bytes(client, "jobmatch:market:seen:*")

        # Reading: merge the window and attach a band, as `jobmatch result` does.
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            attach_market_band(result("x", ROLE, LEVEL, 160_000.0), market)
            timings.append(time.perf_counter() - started)
        histogram = market.histogram(ROLE, LEVEL, "USD", now=now)
        errors = {
            f"p{round(q * 100)}": abs(
                (histogram.quantile(q) or 0.0) / float(np.quantile(values, q, method="inverted_cdf")) - 1
            )
            for q in QUANTILES
        }
        client.close()

    print(f"window {args.days} days; bins {BINS} per day bucket (u16 counts)")
    print(f"worst case, one role/level/currency: {worst_keys} day keys, {worst:,} bytes ({worst / 1024:.1f} KiB)")
    print(
        f"typical ({args.per_day} postings a day, {len(values):,} in the window): {typical_keys} day keys, "
        f"{typical:,} bytes ({typical / 1024:.1f} KiB)"
    )
    print(f"counting: {counting / len(values) * 1e6:.0f} us per posting ({args.per_day} per call, one round trip)")
    print(f"seen keys: {seen_keys:,} keys, {seen / max(seen_keys, 1):.0f} bytes per posting counted")
    print(f"read (merge {args.days} days + band): median {statistics.median(timings) * 1000:.2f} ms")
    print("quantile error against exact: " + ", ".join(f"{k} {v * 100:.2f}%" for k, v in errors.items()))


if __name__ == "__main__":
    main()
