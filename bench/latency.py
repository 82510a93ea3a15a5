"""Latency: one posting submitted with `Client.submit` until its result is in Redis, p50 and p99 over many postings.

    .venv/bin/python bench/latency.py [POSTINGS.jsonl] [--submissions 1000] [--background 50] [--concurrency 2]

Starts its own `redis-server` (append-only, as docker-compose.yml runs it) on a free port and one
`jobmatch worker --concurrency 2`, warms it up, then submits dev postings (fresh ids) one at a time: the clock
starts before `client.submit([posting])` and stops when the posting's entry arrives on the results stream (read
with a blocking XREAD; the result key is written in the same script, so it is readable then too). Two phases:
idle (nothing else running) and light load (`--background` postings/s submitted by another client, in
batches of 10). Prints p50, p90, p99 and max per phase (targets: p50 <= 10 ms, p99 <= 50 ms), and how long
`submit` itself takes (the client's share).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import redis
from feeds import default_postings
from load import LocalRedis, Workers, feed, service_env

from worker import Client
from worker.settings import Settings, load_settings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(settings: Settings, postings: list[str], ids: list[str]) -> tuple[list[float], list[float]]:
    """Submit each posting alone and wait for its result; returns (end-to-end, submit call) times in ms."""
    client = Client(settings)
    stream = client.keys.results
    reader = redis.Redis.from_url(settings.redis_url)
    last = reader.xinfo_stream(stream)["last-generated-id"] if reader.exists(stream) else b"0-0"
    total, submit = [], []
    for posting, posting_id in zip(postings, ids, strict=True):
        start = time.perf_counter()
        client.submit([posting])
        sent = time.perf_counter()
        found = False
        while not found:
            reply = reader.xread({stream: last}, count=100, block=5000)
            if not reply:
                raise TimeoutError(f"no result for {posting_id} after 5 s")
            for entry_id, fields in reply[0][1]:
                last = entry_id
                found = found or fields[b"id"].decode() == posting_id
        total.append((time.perf_counter() - start) * 1000)
        submit.append((sent - start) * 1000)
    reader.close()
    return total, submit


def background(settings: Settings, postings: list[str], per_second: float, stop: threading.Event) -> None:
    """Submit `per_second` postings a second, 10 at a time, until `stop`."""
    client = Client(settings)
    batch = 10
    for start in range(0, len(postings), batch):
        if stop.wait(batch / per_second):
            return
        client.submit(postings[start : start + batch])


def report(name: str, total: list[float], submit: list[float]) -> None:
    print(f"  {name:<28} p50 {percentile(total, 0.5):6.1f} ms   p90 {percentile(total, 0.9):6.1f} ms   "
          f"p99 {percentile(total, 0.99):6.1f} ms   max {max(total):6.1f} ms   "
          f"(submit call: p50 {statistics.median(submit):.1f} ms, p99 {percentile(submit, 0.99):.1f} ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--background", type=float, default=50.0, help="postings/s of other traffic in phase 2")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    args.postings = args.postings or default_postings()

    n = args.submissions
    postings = feed(args.postings, args.warmup + 2 * n, id_prefix="lat")
    others = feed(args.postings, int(args.background * n * 0.2) + 100, id_prefix="bg")
    ids = [f"lat-{k}" for k in range(len(postings))]
    with LocalRedis() as server, tempfile.TemporaryDirectory() as logs:
        env = service_env(server.url)
        settings = load_settings(environ=env)
        with Workers(env, count=1, concurrency=args.concurrency, log_dir=Path(logs)):
            measure(settings, postings[: args.warmup], ids[: args.warmup])
            idle = measure(settings, postings[args.warmup : args.warmup + n], ids[args.warmup : args.warmup + n])
            stop = threading.Event()
            thread = threading.Thread(target=background, args=(settings, others, args.background, stop), daemon=True)
            thread.start()
            loaded = measure(settings, postings[args.warmup + n :], ids[args.warmup + n :])
            stop.set()
            thread.join(10)
    print(f"{n:,} submissions per phase, one posting each ({args.postings.name}, fresh ids), one worker "
          f"--concurrency {args.concurrency}, local redis-server (append-only)")  # fmt: skip
    report("idle", *idle)
    report(f"with {args.background:g} postings/s besides", *loaded)
    print("  targets: p50 <= 10 ms, p99 <= 50 ms")


if __name__ == "__main__":
    main()
