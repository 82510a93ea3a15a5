"""Through the queue: `jobmatch batch --via-queue` on 2 worker processes next to the in-process batch, in one run.

    .venv/bin/python bench/via_queue.py [POSTINGS.jsonl] [--postings 20000] [--concurrency 2] [--repeats 3]

The feed is the dev postings (default `../shared/eval/postings.jsonl`, beside the clone) repeated to `--postings`
lines with fresh ids. Starts its own `redis-server` (append-only, as docker-compose.yml runs it) on a free port and one
`jobmatch worker --concurrency 2` (2 pool processes), then times, interleaved so drift hits each alike (median of
`--repeats` runs, classifier already loaded, output to memory):
  - in-process `batch` with the same parallelism: `classify_stream_parallel(workers=2)` (`jobmatch batch --workers 2`)
    when worker/batch/workers.py is there, else the single-process batch (and it says so);
  - the single-process `batch` (`classify_stream`), for reference;
  - `batch --via-queue` (`run_via_queue`, chunks of `--chunk-lines` lines, default `QUEUE_CHUNK_LINES`) against the 2
    worker processes.
No run starts while redis-server is still rewriting its AOF after an earlier one; each via-queue run is also
timed until the rewrite it set off (if any) has finished, the stricter figure. Prints postings/s of each and the
ratio via-queue / in-process at the same parallelism (target >= 0.8), the CPU each process spent per posting in
the via-queue runs, and checks that the via-queue output equals the in-process output byte for byte.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis
from feeds import default_postings
from load import LocalRedis, Workers, feed, service_env

from worker import Client
from worker.batch.inprocess import classify_stream
from worker.batch.via_queue import run_via_queue
from worker.chunks import QUEUE_CHUNK_LINES
from worker.lines import read_records
from worker.runtime import freeze_long_lived, load_classifier
from worker.settings import load_settings


def timed(run: Callable[[], str]) -> tuple[float, str]:
    start = time.perf_counter()
    output = run()
    return time.perf_counter() - start, output


class CpuMeter:
    """CPU seconds (user + system) spent by named processes and the children they reaped over a run."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        import psutil

        self.processes = {name: [psutil.Process(pid) for pid in group] for name, group in pids.items()}
        self.spent: dict[str, float] = dict.fromkeys(pids, 0.0)

    def _now(self) -> dict[str, float]:
        # user + system, and the same of children reaped meanwhile (redis-server's AOF rewrites)
        return {name: sum(sum(p.cpu_times()[:4]) for p in group) for name, group in self.processes.items()}

    def start(self) -> None:
        self._before = self._now()

    def stop(self) -> None:
        after = self._now()
        for name in self.spent:
            self.spent[name] += after[name] - self._before[name]


def settle(connection: redis.Redis) -> float:
    """Wait until redis-server has no AOF rewrite running or scheduled; returns the seconds waited.

    A rewrite a via-queue run sets off (its writes grew the AOF) would otherwise run on into the next run.
    """
    start = time.perf_counter()
    while True:
        info = connection.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return time.perf_counter() - start
        time.sleep(0.02)


def ceiling(processes: int) -> float:
    """How much faster `processes` busy Python loops finish than one does alone, times `processes`."""
    import subprocess

    busy = "x = 0\nfor i in range(10_000_000):\n    x += i\n"

    def run(count: int) -> float:
        start = time.perf_counter()
        for child in [subprocess.Popen([sys.executable, "-c", busy]) for _ in range(count)]:
            child.wait()
        return time.perf_counter() - start

    return processes * run(1) / run(processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--postings", dest="count", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes (and in-process workers)")
    parser.add_argument("--chunk-lines", type=int, nargs="+", default=[QUEUE_CHUNK_LINES],
                        help="lines per via-queue chunk; several values are timed side by side")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    args.postings = args.postings or default_postings()

    text = "\n".join(feed(args.postings, args.count, id_prefix="q")) + "\n"
    data = text.encode()  # what `batch --via-queue` reads: the feed's bytes
    try:
        from worker.batch.workers import classify_stream_parallel
    except ImportError:  # not wired in this checkout: compare with the single process and say so
        classify_stream_parallel = None

    with LocalRedis() as server, tempfile.TemporaryDirectory() as logs:
        env = service_env(server.url)
        settings = load_settings(environ=env)
        classifier = load_classifier(settings)
        freeze_long_lived()  # as `jobmatch batch` does once the classifier is loaded (forked helpers inherit it)
        with Workers(env, count=1, concurrency=args.concurrency, log_dir=Path(logs)) as workers:
            client = Client(settings)

            def single() -> str:
                out = io.StringIO()
                classify_stream(classifier, read_records(io.StringIO(text)), out)
                return out.getvalue()

            def parallel() -> str:
                assert classify_stream_parallel is not None
                out = io.StringIO()
                classify_stream_parallel(
                    settings, io.StringIO(text), out, workers=args.concurrency, classifier=classifier
                )
                return out.getvalue()

            def via_queue(chunk_lines: int) -> Callable[[], str]:
                def run() -> str:
                    out = io.StringIO()
                    run_via_queue(
                        client,
                        io.BytesIO(data),
                        out,
                        local_model_version=classifier.model_version,
                        chunk_lines=chunk_lines,
                    )
                    return out.getvalue()

                return run

            runs: dict[str, Callable[[], str]] = {"single": single}
            runs.update({f"queue {n}": via_queue(n) for n in args.chunk_lines})
            if classify_stream_parallel is not None:
                runs["parallel"] = parallel
            times: dict[str, list[float]] = {name: [] for name in runs}
            outputs: dict[str, str] = {}
            first = f"queue {args.chunk_lines[0]}"
            worker_pids = workers.pids()
            meter = CpuMeter(
                {
                    "client (this process)": [os.getpid()],
                    "redis-server (AOF rewrites too)": [server.pid],
                    "worker main process": worker_pids[:1],
                    "worker pool processes": worker_pids[1:],
                }
            )
            connection = redis.Redis.from_url(server.url)
            tails: dict[str, list[float]] = {name: [] for name in runs if name.startswith("queue")}
            ceilings = []
            for _ in range(args.repeats):
                for name, run in runs.items():
                    settle(connection)  # no run starts while an earlier run's AOF rewrite is still going
                    if name == first:
                        meter.start()
                    seconds, outputs[name] = timed(run)
                    times[name].append(seconds)
                    if name in tails:
                        tails[name].append(settle(connection))
                    if name == first:
                        meter.stop()
                ceilings.append(ceiling(args.concurrency))

    rate = {name: args.count / statistics.median(values) for name, values in times.items()}
    same = "parallel" if "parallel" in rate else "single"
    print(f"{args.count:,} postings from {args.postings.name} (fresh ids), median of {args.repeats} "
          f"interleaved runs, {args.concurrency} processes on {_cores()} cores")  # fmt: skip
    if "parallel" in rate:
        label = f"in-process batch --workers {args.concurrency}"
        print(f"  {label:<36} {rate['parallel']:>8,.0f} postings/s")
    else:
        print("  (worker/batch/workers.py is not there: in-process runs single-process only; the ratio below is to it)")
    print(f"  {'in-process batch (1 process)':<36} {rate['single']:>8,.0f} postings/s")
    for n in args.chunk_lines:
        name = f"queue {n}"
        label = f"batch --via-queue ({n} lines/chunk)"
        print(f"  {label:<36} {rate[name]:>8,.0f} postings/s   {rate[name] / rate[same]:.2f}x "
              "the in-process batch at the same parallelism (target 0.8x)")  # fmt: skip
        waited = statistics.median(a + b for a, b in zip(times[name], tails[name], strict=True))
        print(f"  {'  and the AOF rewrite it set off':<36} {args.count / waited:>8,.0f} postings/s   "
              f"{args.count / waited / rate[same]:.2f}x, timed until Redis finished rewriting "
              f"(waits: {', '.join(f'{t:.2f}' for t in tails[name])} s)")  # fmt: skip
    print(f"  machine ceiling, {args.concurrency} busy processes: {statistics.median(ceilings):.2f}x one "
          f"(runs: {', '.join(f'{c:.2f}' for c in ceilings)})")  # fmt: skip
    single_cpu = 1000 / rate["single"]
    spent = {name: 1000 * seconds / (args.count * args.repeats) for name, seconds in meter.spent.items()}
    print(f"  CPU per posting, via-queue ({args.chunk_lines[0]} lines/chunk): {sum(spent.values()):.3f} ms in all, "
          f"against {single_cpu:.3f} ms for the single-process batch")  # fmt: skip
    for name, ms in spent.items():
        print(f"    {name:<32} {ms:.3f} ms")
    identical = all(outputs[f"queue {n}"] == outputs[same] == outputs["single"] for n in args.chunk_lines)
    print(f"  via-queue output identical to in-process: {'yes' if identical else 'NO'}")
    if not identical:
        raise SystemExit(1)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
