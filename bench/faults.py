"""Faults: a whole worker SIGKILLed mid-feed, N times; how long until what it held runs again, and what was lost.

    .venv/bin/python bench/faults.py [POSTINGS.jsonl] [--via batch|submit|intake] [--kills 5] [--postings 32520]
                                     [--concurrency 2]

Starts its own `redis-server` (append-only, `noeviction`; never the shared one). Each round: a worker starts, N
postings (the dev postings repeated with ids fresh to the round) go in as `--via` says (`jobmatch batch
--via-queue`, the default; `jobmatch submit`; or XADDed to the intake stream), and once a third to two thirds of
them are published, the worker's whole process group is SIGKILLed (a machine lost) and a new worker is started at
once. What the dead worker held is read from Redis: its deliveries (`unacked_owner`), its in-flight list and, for
the intake, its consumer's pending entries. Recovery is the time from the kill to the first result of one of those
postings in the results stream (the entry's id is its time; what lands in the first second after the kill was
sent before it and does not count), or, for a batch, to a held chunk's results being stored for the client (a
keyspace event), if sooner: a chunk whose postings were all published before the kill publishes nothing new when
it runs again. Then the results stream is checked for each posting once (and a batch's output line for line
against its input): lost and duplicated are counted. Prints each round, the median recovery and the totals;
exits 1 if anything was lost or duplicated. Workers run the defaults: lease 10 s, visibility timeout 300 s.
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
from typing import Any

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
    held: str
    recovery: float | None  # kill to the first result of a posting the dead worker held (None: it held none)
    batch_done: float  # kill to the batch's end
    lost: int
    duplicated: int

    def render(self) -> str:
        recovery = "-" if self.recovery is None else f"{self.recovery:.1f} s"
        return (
            f"kill {self.number}: {self.published_at_kill:,} published at the kill, held {self.held}; "
            f"recovery {recovery}; all published {self.batch_done:.1f} s after the kill; "
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


def held(connection: redis.Redis, prefix: str, instance: str, node: str, ids: list[str]) -> tuple[list[int], set[str]]:
    """What a dead worker instance held: the batch chunks, and the posting ids, of its deliveries and in-flight
    messages, and of the intake entries its reader had read and not dispatched."""
    messages = []
    for tag, owner in connection.hgetall(f"{prefix}unacked_owner").items():
        if owner.decode() == instance:
            record = connection.hget(f"{prefix}unacked", tag)
            if record is not None:
                messages.append(json.loads(record)[0])
    messages += [json.loads(m) for m in connection.lrange(f"{prefix}inflight:{instance}", 0, -1)]
    chunks: list[int] = []
    posting_ids: set[str] = set()
    for message in messages:
        args = json.loads(base64.b64decode(message["body"]))[0]
        if message["headers"].get("task") == "jobmatch.classify_batch":
            chunks.append(int(args[1]))
            lines = range(int(args[1]) * QUEUE_CHUNK_LINES, (int(args[1]) + 1) * QUEUE_CHUNK_LINES)
            posting_ids.update(ids[line] for line in lines if line < len(ids))
        elif message["headers"].get("task") == "jobmatch.classify_many":
            posting_ids.update(str(json.loads(item[1])["id"]) for item in args[0])
    intake = f"{prefix}intake"
    if connection.exists(intake):
        for entry in connection.xpending_range(intake, "jobmatch-workers", "-", "+", 100_000, consumername=node):
            for _, fields in connection.xrange(intake, entry["message_id"], entry["message_id"]):
                posting_ids.add(str(json.loads(fields[b"posting"])["id"]))
    return sorted(chunks), posting_ids


def produce(via: str, env: dict[str, str], feed_path: Path, out_path: Path, err_path: Path) -> Any:
    """Send the round's postings in as `via` says; returns what to wait on (a process, or a thread)."""
    if via in ("batch", "submit"):
        command = [sys.executable, "-m", "worker.cli", via, str(feed_path)]
        if via == "batch":
            command += ["--out", str(out_path), "--via-queue", "--no-progress"]
        with open(err_path, "wb") as err:
            return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    settings = load_settings(environ=env)

    def xadd() -> None:
        client = redis.Redis.from_url(settings.redis_url)
        lines = feed_path.read_text(encoding="utf-8").splitlines()
        for start in range(0, len(lines), 500):
            pipe = client.pipeline(transaction=False)
            for line in lines[start : start + 500]:
                pipe.xadd(f"{settings.key_prefix}intake", {"posting": line})
            pipe.execute()

    thread = threading.Thread(target=xadd, daemon=True)
    thread.start()
    return thread


def run_round(via: str, number: int, env: dict[str, str], postings: list[str], concurrency: int, work: Path) -> Round:
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
    err_path = work / f"{via}-{number}.err"
    producer = produce(via, env, feed_path, out_path, err_path)
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
    chunks, held_ids = held(connection, prefix, instance, f"doomed{number}@{socket.gethostname()}", ids)
    rescuer = start_worker(env, f"rescuer{number}", concurrency, work)
    try:
        if isinstance(producer, threading.Thread):
            producer.join(900)
        elif producer.wait(900) != 0:
            raise SystemExit(f"{via} failed: {err_path.read_text()[-2000:]}")
        wait_until(lambda: connection.xlen(f"{prefix}results") - before >= len(ids), 900, "every result")
        done = time.monotonic() - killed_monotonic  # every result published
        wait_until(lambda: not connection.llen(f"{prefix}tasks") and not connection.hlen(f"{prefix}unacked"), 120,
                   "the queue to drain")  # fmt: skip
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(60)
        stop.set()
        listener.join(5)
        events.close()

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
    lost = len(wanted - set(seen))
    duplicated = sum(n - 1 for n in seen.values())
    if via == "batch":  # the output, line for line
        out_ids = [json.loads(line)["id"] for line in out_path.read_text(encoding="utf-8").splitlines()]
        lost += sum(1 for a, b in zip(out_ids, ids, strict=False) if a != b) + max(0, len(ids) - len(out_ids))
        duplicated += max(0, len(out_ids) - len(ids))
    firsts = [t for t in (first_held, *(chunk_stored.get(c) for c in chunks)) if t is not None]
    what = f"chunk(s) {', '.join(map(str, chunks)) or 'none'}" if via == "batch" else f"{len(held_ids)} postings"
    return Round(number, published, what, min(firsts) - killed if firsts else None, done, lost,
                 duplicated)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--via", choices=("batch", "submit", "intake"), default="batch", help="how postings go in")
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
        print(f"{len(postings):,} postings from {args.postings.name} per round through {args.via}, {args.kills} "
              f"kills, a worker of "
              f"{args.concurrency} processes killed whole (SIGKILL to its process group) and a new one started at "
              f"once; redis-server {server.url}", flush=True)  # fmt: skip
        for number in range(1, args.kills + 1):
            round_env = {**env, "JOBMATCH_KEY_PREFIX": f"faults{number}:"}
            rounds.append(run_round(args.via, number, round_env, postings, args.concurrency, Path(work)))
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
