"""Recommendation latency and the Redis memory of the cards: `Client.recommend` on a warm client over N postings.

    .venv/bin/python bench/recommend.py [POSTINGS.jsonl] [--postings 20000] [--queries 300]

Starts its own `redis-server` on a free port (never the shared one), classifies N postings (the dev postings from
`../shared/eval/`, else the repository's examples, repeated with fresh ids and posting dates spread over the last
60 days) and publishes them exactly as a worker does (the store with the worker's card hook, 500 postings a chunk),
then times `Client.recommend` (the persona texts of bench/personas/, alone and with preferences, in turn) on one
warm client: p50 and p99 in milliseconds. Reports the cards' Redis memory (`MEMORY USAGE` of every card key:
key, value and overhead) per card, and Redis `used_memory` per published posting, with the count of live cards.
The target size is `--postings 100000`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing
sys.path.insert(0, str(ROOT / "bench"))

from load import LocalRedis, feed  # noqa: E402
from recommend_quality import publish_feed  # noqa: E402

from worker import Client  # noqa: E402
from worker.settings import load_settings  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "postings.jsonl"
EXAMPLES = ROOT / "examples" / "postings.jsonl"
PREFERENCES = [
    None,
    {"level": "senior", "remote": True},
    {"min_pay": {"amount": 150000, "currency": "USD"}, "location": "New York", "max_age_days": 30},
    {"roles": ["004"], "min_pay": {"amount": 70, "currency": "USD", "period": "hour"}},
]


def dated(lines: list[str], now: float, seed: int = 7) -> list[str]:
    """The postings with `posted_at` spread over the last 60 days (freshness has something to tell apart)."""
    rng = random.Random(seed)
    out = []
    for line in lines:
        record = json.loads(line)
        when = datetime.fromtimestamp(now - rng.uniform(0, 60 * 86400), UTC)
        record["posted_at"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.append(json.dumps(record, ensure_ascii=False))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("postings", nargs="?", type=Path, default=DEV if DEV.exists() else EXAMPLES)
    parser.add_argument("--postings", dest="count", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    personas = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench" / "personas").glob("*.txt"))]
    print(f"postings: {args.count:,} from {args.postings}" + ("" if args.postings == DEV else " (no dev set found)"))
    with LocalRedis(appendonly=False) as server:
        settings = load_settings(environ={"JOBMATCH_REDIS_URL": server.url, "JOBMATCH_KEY_PREFIX": "bench:"})
        client = Client(settings)
        before = int(client.redis.info("memory")["used_memory"])
        started = time.perf_counter()
        publish_feed(settings, dated(feed(args.postings, args.count, id_prefix="rec"), time.time()))
        print(f"classified and published in {time.perf_counter() - started:.1f} s")
        used = int(client.redis.info("memory")["used_memory"]) - before
        cards = list(client.redis.scan_iter(match="bench:card:*", count=10000))
        pipe = client.redis.pipeline(transaction=False)
        for key in cards:
            pipe.memory_usage(key, samples=0)
        card_bytes = sum(int(n or 0) for n in pipe.execute())
        client.recommend(personas[0], None, 10)  # warm: the classifier, the scripts, the connection
        timings = []
        for q in range(args.queries):
            text = personas[q % len(personas)]
            prefs = PREFERENCES[(q // len(personas)) % len(PREFERENCES)]
            t0 = time.perf_counter()
            client.recommend(text, prefs, 10)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, math.ceil(0.99 * len(timings)) - 1)]
    print(f"live cards: {len(cards):,} (matched postings); card memory: {card_bytes / max(1, len(cards)):.0f} bytes "
          f"per card (MEMORY USAGE: key, value, overhead)")  # fmt: skip
    print(
        f"Redis used_memory: {used / args.count:,.0f} bytes per published posting (result, stream entry, "
        "rankings, card: everything)"
    )
    print(f"Client.recommend, warm, {len(timings)} queries: p50 {statistics.median(timings):.1f} ms, "
          f"p99 {p99:.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
