"""Load: N postings from 4 concurrent producers while 2 consumer groups read the results; nothing lost or doubled.

    .venv/bin/python bench/load.py [POSTINGS.jsonl] [--postings 100000] [--producers 4] [--groups 2]
                                   [--results-maxlen 100000] [--result-ttl 30d] [--workers 1] [--concurrency 2]

Starts its own `redis-server` on a free port (append-only, `noeviction`, as docker-compose.yml runs it; never the
shared one) and `jobmatch worker` processes, then submits the dev postings repeated to N lines with fresh ids (one
in 50 made invalid, so rejections are counted too) from the producer threads, each with its own `Client`, while one
consumer per group follows the results stream (`Client.iter_results`). Prints postings submitted, results per group,
lost, duplicated, the time, and Redis `used_memory` next to what the retention settings allow (`results_maxlen`
entries in the stream, one result per posting until `result_ttl`). `tests/integration/test_load.py` runs the same
`run_load` at 5,000 postings and asserts on it.

The helpers here (`LocalRedis`, `Workers`, `feed`) are shared by bench/via_queue.py and bench/latency.py.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing

from worker import Client  # noqa: E402
from worker.settings import Settings, load_settings  # noqa: E402

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
STATUSES = ("matched", "no_match", "rejected")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
    return value


class LocalRedis:
    """A `redis-server` of the bench's own on a free port in a temp dir, removed on exit."""

    def __init__(self, *, appendonly: bool = True) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="jobmatch-bench-redis-"))
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> LocalRedis:
        if not Path(REDIS_SERVER).exists():
            raise SystemExit("redis-server not found: install it (apt-get install redis-server)")
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        args += ["--save", "", "--maxmemory-policy", "noeviction"]
        args += ["--appendonly", "yes", "--appendfsync", "everysec"] if self.appendonly else ["--appendonly", "no"]
        with open(self.directory / "redis.log", "ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(up, 10, f"redis-server on port {self.port}")
        client.close()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def service_env(redis_url: str, prefix: str = "bench:", **settings: str) -> dict[str, str]:
    """The environment for workers and clients: this Redis and prefix, other JOBMATCH_* settings as given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBMATCH_") or k == "JOBMATCH_CACHE_DIR"}
    env.update(JOBMATCH_REDIS_URL=redis_url, JOBMATCH_KEY_PREFIX=prefix, PYTHONUNBUFFERED="1")
    env.update({f"JOBMATCH_{name.upper()}": value for name, value in settings.items()})
    return env


class Workers:
    """`jobmatch worker` processes (prefork), started like the integration tests start them, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], *, count: int = 1, concurrency: int = 2, log_dir: Path | None = None):
        self.env, self.count, self.concurrency = env, count, concurrency
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="jobmatch-bench-workers-"))
        self.processes: list[subprocess.Popen[bytes]] = []
        self.names = [f"bench{n}@{socket.gethostname()}" for n in range(count)]

    def __enter__(self) -> Workers:
        for name in self.names:
            argv = [sys.executable, "-m", "worker.cli", "worker", "--pool", "prefork"]
            argv += ["--concurrency", str(self.concurrency), "-n", name, "--loglevel", "WARNING"]
            with open(self.log_dir / f"{name.split('@')[0]}.log", "ab") as log:
                self.processes.append(
                    subprocess.Popen(
                        argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
        settings = load_settings(environ=self.env)
        connection = redis.Redis.from_url(settings.redis_url)

        def ready() -> bool:
            for process in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"a worker exited with {process.returncode}; see {self.log_dir}")
            beats = connection.hmget(f"{settings.key_prefix}workers", self.names)
            return all(beat is not None and json.loads(beat)["seen_at"] > time.time() - 20 for beat in beats)

        wait_until(ready, 120, "the workers' heartbeats", interval=0.1)
        connection.close()
        return self

    def pids(self) -> list[int]:
        import psutil

        pids = []
        for process in self.processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                pids += [process.pid, *(child.pid for child in psutil.Process(process.pid).children())]
        return pids

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # pool processes left behind, if any
            process.wait(10)


def feed(path: Path, count: int, *, id_prefix: str = "load", invalid_every: int = 0) -> list[str]:
    """`count` postings (JSON text) from `path` repeated with fresh ids; every `invalid_every`th one has no title."""
    source = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the examples hold a deliberately broken line: a load needs postings
        if isinstance(record, dict):
            source.append(record)
    out = []
    for n, record in enumerate(itertools.islice(itertools.cycle(source), count)):
        posting = {**record, "id": f"{id_prefix}-{n}"}
        if invalid_every and n % invalid_every == invalid_every - 1:
            posting.pop("title", None)  # rejected, with its id: it is published (and dead-lettered) too
        out.append(json.dumps(posting, ensure_ascii=False))
    return out


@dataclass
class GroupTally:
    """What one consumer group read: how often each posting id came, and the largest lag it saw."""

    name: str
    seen: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    done_at: float | None = None


@dataclass
class LoadReport:
    submitted: int
    expected_ids: set[str]
    groups: list[GroupTally]
    submit_seconds: float
    total_seconds: float
    memory: dict[str, Any]

    def lost(self, group: GroupTally) -> int:
        return len(self.expected_ids - set(group.seen))

    def duplicated(self, group: GroupTally) -> int:
        return sum(count - 1 for count in group.seen.values() if count > 1)

    def unexpected(self, group: GroupTally) -> int:
        return len(set(group.seen) - self.expected_ids)

    def render(self) -> str:
        lines = [
            f"postings submitted: {self.submitted:,} in {self.submit_seconds:.1f} s "
            f"({self.submitted / self.submit_seconds:,.0f}/s)",
        ]
        for group in self.groups:
            took = (group.done_at or 0.0) - self.memory["started"]
            lines.append(
                f"group {group.name}: {sum(group.seen.values()):,} results ({len(group.seen):,} postings: "
                + ", ".join(f"{group.statuses[s]:,} {s}" for s in STATUSES)
                + f"), lost {self.lost(group)}, duplicated {self.duplicated(group)}, all read after {took:.1f} s"
            )
        lines.append(
            f"time: {self.total_seconds:.1f} s from the first submission to the last result read by every group "
            f"({self.submitted / self.total_seconds:,.0f} postings/s end to end)"
        )
        m = self.memory
        lines += [
            f"redis used_memory: {m['used_memory'] / 1e6:,.1f} MB now, peak {m['peak'] / 1e6:,.1f} MB "
            f"(empty: {m['baseline'] / 1e6:,.1f} MB)",
            f"  results stream: {m['stream_length']:,} entries (results_maxlen {m['results_maxlen']:,}, trimmed "
            f"with MAXLEN ~), {m['stream_bytes'] / 1e6:,.1f} MB",
            f"  latest results: {m['result_keys']:,} keys x {m['result_key_bytes']:,.0f} B + published hashes "
            f"x {m['published_bytes']:,.0f} B, each expiring after result_ttl {m['result_ttl']:,.0f} s "
            f"(TTL left on a sample: {m['ttl_min']:,.0f}-{m['ttl_max']:,.0f} s)",
            f"  rankings (ranking_size each) and dead letters (dead_letter_maxlen): {m['other_bytes'] / 1e6:,.1f} MB",
            f"  retention allows: {m['allowed'] / 1e6:,.1f} MB above empty (stream at maxlen + one result per "
            f"posting + the above), used above empty: {(m['used_memory'] - m['baseline']) / 1e6:,.1f} MB",
        ]
        return "\n".join(lines)


def consume(client: Client, group: GroupTally, expected: int, stop: threading.Event) -> None:
    """Follow the results stream in `group` until `stop` is set; notes when every expected posting was seen."""
    while not stop.is_set():
        for item in client.iter_results(group.name, f"{group.name}-1", block_ms=200, idle_exit=True):
            group.seen[str(item.result.get("id"))] += 1
            group.statuses[str(item.result.get("status"))] += 1
            if len(group.seen) >= expected and group.done_at is None:
                group.done_at = time.monotonic()


def drained(connection: redis.Redis, settings: Settings, groups: Sequence[str]) -> bool:
    """No task waiting or running, and every group has read and acknowledged the whole results stream."""
    prefix = settings.key_prefix
    if connection.llen(f"{prefix}tasks") or connection.hlen(f"{prefix}unacked"):
        return False
    last = connection.xinfo_stream(f"{prefix}results")["last-generated-id"]
    info = {g["name"].decode(): g for g in connection.xinfo_groups(f"{prefix}results")}
    return all(info[g]["pending"] == 0 and info[g]["last-delivered-id"] == last for g in groups)


def produce(settings: Settings, postings: Sequence[str], sent: list[int], errors: list[BaseException]) -> None:
    try:
        client = Client(settings)
        for _line, _posting_id in client.submit_iter((None, posting) for posting in postings):
            sent[0] += 1
    except BaseException as exc:  # reported by the caller: a producer that failed is a failed run
        errors.append(exc)


def run_load(
    settings: Settings,
    postings: Sequence[str],
    *,
    producers: int = 4,
    groups: int = 2,
    timeout: float = 3600.0,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Submit `postings` from `producers` threads while `groups` consumer groups read the results stream.

    The workers must be running. Returns when every group has read a result for every posting, or after `timeout`
    seconds (the report then shows what was lost).
    """
    connection = redis.Redis.from_url(settings.redis_url)
    baseline = int(connection.info("memory")["used_memory"])
    tallies = [GroupTally(f"load-{n + 1}") for n in range(groups)]
    readers = [Client(settings) for _ in tallies]
    for client, tally in zip(readers, tallies, strict=True):  # groups exist before the first result: they read all
        client.redis.xgroup_create(client.keys.results, tally.name, id="0", mkstream=True)
    expected = {str(json.loads(p)["id"]) for p in postings}
    stop = threading.Event()
    consumers = [
        threading.Thread(target=consume, args=(client, tally, len(expected), stop), daemon=True)
        for client, tally in zip(readers, tallies, strict=True)
    ]
    for thread in consumers:
        thread.start()

    slices = [postings[n::producers] for n in range(producers)]
    counts = [[0] for _ in slices]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=produce, args=(settings, part, count, errors))
        for part, count in zip(slices, counts, strict=True)
    ]
    started = time.monotonic()
    peak = baseline
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, int(connection.info("memory")["used_memory"]))
        time.sleep(0.2)
    submit_seconds = time.monotonic() - started
    if errors:
        stop.set()
        raise RuntimeError(f"a producer failed: {errors[0]!r}") from errors[0]
    submitted = sum(count[0] for count in counts)
    deadline = started + timeout
    names = [t.name for t in tallies]
    # Until every group has every posting, then until nothing is left to run or read: a duplicate would show.
    while time.monotonic() < deadline and not (
        all(t.done_at is not None for t in tallies) and drained(connection, settings, names)
    ):
        peak = max(peak, int(connection.info("memory")["used_memory"]))
        if progress is not None:
            progress(", ".join(f"{t.name}: {len(t.seen):,}" for t in tallies))
        time.sleep(0.2)
    stop.set()
    for thread in consumers:
        thread.join(10)
    total = max((t.done_at or time.monotonic()) for t in tallies) - started
    return LoadReport(
        submitted=submitted,
        expected_ids=expected,
        groups=tallies,
        submit_seconds=submit_seconds,
        total_seconds=total,
        memory={**memory_figures(connection, settings, baseline, max(peak, baseline)), "started": started},
    )


def memory_figures(connection: redis.Redis, settings: Settings, baseline: int, peak: int) -> dict[str, Any]:
    """Redis memory now and what the retention settings allow, from the sizes of a sample of the keys."""
    prefix = settings.key_prefix
    stream = f"{prefix}results"
    result_keys = [k for k in connection.scan_iter(match=f"{prefix}result:*", count=5000)]
    sample = result_keys[:: max(1, len(result_keys) // 200)][:200]
    pipe = connection.pipeline(transaction=False)
    for key in sample:
        pipe.memory_usage(key)
        pipe.memory_usage(key.replace(b":result:", b":published:", 1))
        pipe.ttl(key)
    replies = pipe.execute()
    result_bytes = [int(r or 0) for r in replies[0::3]] or [0]
    published_bytes = [int(r or 0) for r in replies[1::3]] or [0]
    ttls = [int(r) for r in replies[2::3]] or [0]
    others = [f"{prefix}dead-letter", *(k.decode() for k in connection.scan_iter(match=f"{prefix}ranking:*"))]
    other_bytes = sum(int(connection.memory_usage(key, samples=0) or 0) for key in others)
    stream_length = int(connection.xlen(stream))
    stream_bytes = int(connection.memory_usage(stream, samples=0) or 0)
    per_entry = stream_bytes / stream_length if stream_length else 0.0
    per_result = sum(result_bytes) / len(result_bytes) + sum(published_bytes) / len(published_bytes)
    allowed = per_entry * settings.results_maxlen + per_result * len(result_keys) + other_bytes
    return {
        "used_memory": int(connection.info("memory")["used_memory"]),
        "peak": peak,
        "baseline": baseline,
        "stream_length": stream_length,
        "stream_bytes": stream_bytes,
        "results_maxlen": settings.results_maxlen,
        "result_keys": len(result_keys),
        "result_key_bytes": sum(result_bytes) / len(result_bytes),
        "published_bytes": sum(published_bytes) / len(published_bytes),
        "result_ttl": settings.result_ttl_seconds,
        "ttl_min": min(ttls),
        "ttl_max": max(ttls),
        "other_bytes": other_bytes,
        "allowed": allowed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--postings", dest="count", type=int, default=100_000)
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--groups", type=int, default=2)
    parser.add_argument("--results-maxlen", type=int, default=100_000)
    parser.add_argument("--result-ttl", default="30d")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (each --concurrency pool processes)")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()
    from feeds import default_postings  # a script beside this one: imported when run as one, not by the tests

    args.postings = args.postings or default_postings()

    postings = feed(args.postings, args.count, invalid_every=50)
    with LocalRedis() as server:
        env = service_env(server.url, results_maxlen=str(args.results_maxlen), result_ttl=args.result_ttl)
        settings = load_settings(environ=env)
        print(f"{len(postings):,} postings from {args.postings.name} (1 in 50 without a title), "
              f"{args.producers} producers, {args.groups} consumer groups, {args.workers} worker(s) x "
              f"{args.concurrency} processes, redis-server {server.url} (append-only, noeviction)",
              flush=True)  # fmt: skip
        with Workers(env, count=args.workers, concurrency=args.concurrency):
            last = [0.0]

            def progress(text: str) -> None:
                if time.monotonic() - last[0] > 10:
                    last[0] = time.monotonic()
                    print(f"  ... read so far: {text}", file=sys.stderr, flush=True)

            report = run_load(settings, postings, producers=args.producers, groups=args.groups,
                              timeout=args.timeout, progress=progress)  # fmt: skip
        print(report.render())
        bad = any(report.lost(g) or report.duplicated(g) or report.unexpected(g) for g in report.groups)
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
