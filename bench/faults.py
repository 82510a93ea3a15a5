"""Faults: a whole worker SIGKILLed mid-`batch --via-queue`, N times; how long until what it held runs again.

    .venv/bin/python bench/faults.py [POSTINGS.jsonl] [--kills 5] [--postings 32520] [--concurrency 2]

Starts its own `redis-server` (append-only, `noeviction`; never the shared one). Each round: a worker starts, a
`jobmatch batch --via-queue` of N postings (the dev postings repeated with ids fresh to the round) starts, and once
a third to two thirds of the postings are published, the worker's whole process group is SIGKILLed (a machine lost)
and a new worker is started at once. What the dead worker held at the kill is read from Redis (its deliveries in
`unacked_owner`, and its in-flight list): the chunks, and so the postings, it was classifying. Recovery is the time
from the kill to the first result of one of those postings in the results stream (both on Redis's clock: the
stream entry's id is its time), or to the chunk's results being stored for the client (a keyspace event), if
sooner: a chunk whose postings were all published before the kill (the kill came before its acknowledgement)
publishes nothing new when it runs again. Then the batch's output is checked line for line against its input, and the
results stream for each posting once: lost and duplicated are counted. Prints each round, the median recovery and
the totals; exits 1 if anything was lost or duplicated. Workers run the defaults: lease 10 s, visibility timeout
300 s.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing

from load import LocalRedis, feed, service_env, wait_until  # noqa: E402

from worker.chunks import QUEUE_CHUNK_LINES  # noqa: E402
from worker.settings import load_settings  # noqa: E402

SETTLE_SECONDS = 1.0  # after the kill, before what follows counts as recovery (nothing recovers sooner than the lease)


@dataclass
class Round:
    number: int
    published_at_kill: int
    held_chunks: list[int]
    recovery: float | None  # kill to the first result of a posting the dead worker held (None: it held none)
    batch_done: float  # kill to the batch's end
    lost: int
    duplicated: int

    def render(self) -> str:
        held = ", ".join(map(str, self.held_chunks)) or "none"
        recovery = "-" if self.recovery is None else f"{self.recovery:.1f} s"
        return (
            f"kill {self.number}: {self.published_at_kill:,} published at the kill, held chunk(s) {held}; "
            f"recovery {recovery}; batch done {self.batch_done:.1f} s after the kill; "
            f"lost {self.lost}, duplicated {self.duplicated}"
        )


def start_worker(env: dict[str, str], name: str, concurrency: int, log_dir: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "worker.cli", "worker", "--pool", "prefork", "--concurrency", str(concurrency)]
    argv += ["-n", f"{name}@{socket.gethostname()}", "--loglevel", "WARNING"]
    with open(log_dir / f"{name}.log", "ab") as log:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def heartbeat(connection: redis.Redis, prefix: str, name: str) -> dict[str, object] | None:
    raw = connection.hget(f"{prefix}workers", f"{name}@{socket.gethostname()}")
    return None if raw is None else dict(json.loads(raw))


def held_chunks(connection: redis.Redis, prefix: str, instance: str) -> list[int]:
    """The batch chunks a worker instance held: its deliveries and its in-flight messages."""
    messages = []
    owners = connection.hgetall(f"{prefix}unacked_owner")
    for tag, owner in owners.items():
        if owner.decode() == instance:
            record = connection.hget(f"{prefix}unacked", tag)
            if record is not None:
                messages.append(json.loads(record)[0])
    messages += [json.loads(m) for m in connection.lrange(f"{prefix}inflight:{instance}", 0, -1)]
    chunks = []
    for message in messages:
        args = json.loads(base64.b64decode(message["body"]))[0]
        if message["headers"].get("task") == "jobmatch.classify_batch":
            chunks.append(int(args[1]))
    return sorted(chunks)


def run_round(number: int, env: dict[str, str], postings: list[str], concurrency: int, work: Path) -> Round:
    settings = load_settings(environ=env)
    prefix = settings.key_prefix
    connection = redis.Redis.from_url(settings.redis_url)
    feed_path = work / f"feed-{number}.jsonl"
    out_path = work / f"out-{number}.jsonl"
    ids = [f"k{number}-{json.loads(p)['id']}" for p in postings]
    feed_path.write_text(
        "".join(json.dumps({**json.loads(p), "id": i}) + "\n" for p, i in zip(postings, ids, strict=True)),
        encoding="utf-8",
    )
    before = connection.xlen(f"{prefix}results")
    doomed = start_worker(env, f"doomed{number}", concurrency, work)
    wait_until(lambda: (heartbeat(connection, prefix, f"doomed{number}") or {}).get("instance"), 120, "the worker")
    instance = str(heartbeat(connection, prefix, f"doomed{number}")["instance"])  # type: ignore[index]
    with open(work / f"batch-{number}.err", "wb") as err:
        batch = subprocess.Popen(
            [sys.executable, "-m", "worker.cli", "batch", str(feed_path), "--out", str(out_path), "--via-queue",
             "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    chunk_stored: dict[int, float] = {}  # chunk index -> when its results were stored for the client (SET)
    connection.config_set("notify-keyspace-events", "E$")  # the bench's own server
    events = connection.pubsub(ignore_subscribe_messages=True)
    events.subscribe("__keyevent@0__:set")
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            message = events.get_message(timeout=0.1)
            if message and b":chunk:" in message["data"]:
                chunk_stored.setdefault(int(message["data"].rsplit(b":", 1)[1]), time.time())

    listener = threading.Thread(target=listen, daemon=True)
    at = random.uniform(1 / 3, 2 / 3) * len(postings)
    wait_until(lambda: connection.xlen(f"{prefix}results") - before >= at, 600, "the batch to be under way", 0.01)
    listener.start()
    os.killpg(doomed.pid, signal.SIGKILL)
    killed = time.time()  # the bench, Redis and the workers share this machine's clock
    killed_monotonic = time.monotonic()
    doomed.wait(10)
    # What the dead worker sent just before it died lands just after: a second later, what is there is its.
    time.sleep(SETTLE_SECONDS)
    chunk_stored.clear()  # only what is stored from now on
    settled = time.time()
    published = connection.xlen(f"{prefix}results") - before
    chunks = held_chunks(connection, prefix, instance)
    rescuer = start_worker(env, f"rescuer{number}", concurrency, work)
    try:
        if batch.wait(900) != 0:
            raise SystemExit(f"batch failed: {(work / f'batch-{number}.err').read_text()[-2000:]}")
        done = time.monotonic() - killed_monotonic
        wait_until(lambda: not connection.llen(f"{prefix}tasks") and not connection.hlen(f"{prefix}unacked"), 120,
                   "the queue to drain")  # fmt: skip
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(60)
        stop.set()
        listener.join(5)
        events.close()

    held_ids = {ids[line] for c in chunks for line in range(c * QUEUE_CHUNK_LINES, (c + 1) * QUEUE_CHUNK_LINES)
                if line < len(ids)}  # fmt: skip
    wanted = set(ids)
    seen: Counter[str] = Counter()
    first_held: float | None = None
    for entry, fields in connection.xrange(f"{prefix}results", min=f"{int(settled * 1000)}-0"):
        posting = fields[b"id"].decode()
        if posting in held_ids and first_held is None:
            first_held = int(entry.decode().split("-")[0]) / 1000
    for _, fields in connection.xrange(f"{prefix}results"):
        posting = fields[b"id"].decode()
        if posting in wanted:
            seen[posting] += 1
    out_ids = [json.loads(line)["id"] for line in out_path.read_text(encoding="utf-8").splitlines()]
    lost = len(wanted - set(seen)) + sum(1 for a, b in zip(out_ids, ids, strict=False) if a != b)
    lost += max(0, len(ids) - len(out_ids))
    duplicated = sum(n - 1 for n in seen.values()) + max(0, len(out_ids) - len(ids))
    firsts = [t for t in (first_held, *(chunk_stored.get(c) for c in chunks)) if t is not None]
    return Round(number, published, chunks, min(firsts) - killed if firsts else None, done, lost,
                 duplicated)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--postings", dest="count", type=int, default=32_520)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    from feeds import default_postings  # a script beside this one

    args.postings = args.postings or default_postings()
    postings = feed(args.postings, args.count, id_prefix="f")
    rounds: list[Round] = []
    with LocalRedis() as server, tempfile.TemporaryDirectory(prefix="jobmatch-bench-faults-") as work:
        env = service_env(server.url)
        print(f"{len(postings):,} postings from {args.postings.name} per round, {args.kills} kills, a worker of "
              f"{args.concurrency} processes killed whole (SIGKILL to its process group) and a new one started at "
              f"once; redis-server {server.url}", flush=True)  # fmt: skip
        for number in range(1, args.kills + 1):
            round_env = {**env, "JOBMATCH_KEY_PREFIX": f"faults{number}:"}
            rounds.append(run_round(number, round_env, postings, args.concurrency, Path(work)))
            print(rounds[-1].render(), flush=True)
            redis.Redis.from_url(server.url).flushdb()  # the bench's own server: the next round starts empty
    times = [r.recovery for r in rounds if r.recovery is not None]
    lost, duplicated = sum(r.lost for r in rounds), sum(r.duplicated for r in rounds)
    median = f"{statistics.median(times):.1f} s" if times else "-"
    print(f"recovery (kill to the first result of a posting the dead worker held): median {median} over "
          f"{len(times)} kills ({', '.join(f'{t:.1f}' for t in times)} s); lost {lost}, duplicated {duplicated} "
          f"over {len(rounds) * len(postings):,} postings")  # fmt: skip
    raise SystemExit(1 if lost or duplicated else 0)


if __name__ == "__main__":
    main()
