"""Parallel batch scaling: postings/s with 1 and N classifying processes on the same feed, next to what N
independent processes manage on this machine at the same moment, in one run.

    .venv/bin/python bench/parallel.py [POSTINGS.jsonl] [--postings 20000] [--workers 2] [--repeats 3]

The feed is the dev postings (default `../shared/eval/postings.jsonl`, beside the clone) repeated to `--postings`
lines. A run is a whole pass of `iter_output_chunks` (the engine of `classify_stream_parallel`, the same bytes as
`jobmatch batch`), helper start-up included, after this process has loaded the classifier; N workers is measured with
forked helpers (the default on Linux) and with spawned ones. The control starts N independent processes that each
classify 1/N of the feed in one process, released together once loaded: no parallel batch can beat it, and on a
shared VM it is often well under N x. Configurations are interleaved so drift hits them alike; medians printed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from feeds import default_postings

from worker.batch.workers import iter_output_chunks
from worker.runtime import load_classifier
from worker.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def feed(path: Path, count: int) -> list[str]:
    source = [line + "\n" for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(itertools.islice(itertools.cycle(source), count))


def busy_cpu_seconds() -> float:
    """CPU seconds all processes on this machine have spent busy (Linux /proc/stat), or 0.0 elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(v) for v in fields]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its reaped children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def solo(path: Path, count: int) -> None:
    """Control process: load, say ready, wait for go, classify `count` lines in this process, print the seconds."""
    lines = feed(path, count)
    settings = load_settings()
    classifier = load_classifier(settings)
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    for _chunk in iter_output_chunks(settings, lines, workers=1, classifier=classifier):
        pass
    print(time.perf_counter() - start, flush=True)


def control(path: Path, count: int, processes: int) -> float:
    """Postings/s of `processes` independent single-process runs sharing `count` lines, started together."""
    share = count // processes
    children = [
        subprocess.Popen([sys.executable, __file__, path, "--solo", str(share)], cwd=ROOT, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for _ in range(processes)
    ]  # fmt: skip
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    seconds = [float(child.communicate()[0]) for child in children]
    return share * processes / max(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--postings", dest="count", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--solo", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.postings = args.postings or default_postings()
    if args.solo:
        solo(args.postings, args.solo)
        return

    lines = feed(args.postings, args.count)
    settings = load_settings()
    classifier = load_classifier(settings)
    n = args.workers
    configs = {
        "1 process": (1, None),
        f"{n} processes, forked helpers": (n, "fork"),
        f"{n} processes, spawned helpers": (n, "spawn"),
    }
    rates: dict[str, list[float]] = {label: [] for label in [*configs, f"control: {n} independent processes"]}
    others: list[float] = []  # cores kept busy by other processes on the machine during our runs
    for _ in range(args.repeats):
        for label, (workers, method) in configs.items():
            start, machine, ours = time.perf_counter(), busy_cpu_seconds(), own_cpu_seconds()
            for _chunk in iter_output_chunks(settings, lines, workers=workers, classifier=classifier,
                                             start_method=method):  # fmt: skip
                pass
            seconds = time.perf_counter() - start
            rates[label].append(len(lines) / seconds)
            others.append(max(0.0, (busy_cpu_seconds() - machine) - (own_cpu_seconds() - ours)) / seconds)
        rates[f"control: {n} independent processes"].append(control(args.postings, args.count, n))
    one = statistics.median(rates["1 process"])
    print(f"{len(lines)} postings from {args.postings.name}, median of {args.repeats} interleaved runs")
    for label, values in rates.items():
        rate = statistics.median(values)
        runs = ", ".join(f"{v / one:.2f}" for v in values)
        print(f"  {label:<36} {rate:>8,.0f} postings/s   {rate / one:.2f}x   (runs: {runs})")
    print(f"  other processes kept {statistics.median(others):.2f} of {os.cpu_count()} cores busy during the runs "
          f"(max {max(others):.2f})")  # fmt: skip
    print("  target: 1.7x on 2 cores; the control is this machine's ceiling at the time of the run")


if __name__ == "__main__":
    main()
