"""Peak RSS of `jobmatch batch` at 100k and 1M postings, summed over the parent and its worker processes.

    .venv/bin/python bench/memory.py [--postings FILE] [--sizes 100000 1000000] [--workers 2]

The feed is FILE (default examples/postings.jsonl, bad lines included) repeated with fresh ids into a temporary
file. Each configuration runs in fresh processes with a warm artefact cache; psutil samples the RSS of the
process tree every 20 ms. Configurations: the CLI in one process; `classify_stream_parallel` with N workers
through a tiny driver (this file with `--drive`); and the CLI's `--workers N` once the CLI has it. Target: under
300 MB and not growing with feed length.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
JOBMATCH = Path(sys.executable).with_name("jobmatch")


def write_feed(source: Path, count: int, path: Path) -> None:
    """`count` lines cycling through `source`, each JSON object with a fresh id; other lines kept as they are."""
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for n, line in enumerate(itertools.islice(itertools.cycle(lines), count)):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                out.write(line + "\n")
                continue
            if isinstance(record, dict):
                record["id"] = f"{record.get('id')}#{n}"
                line = json.dumps(record, ensure_ascii=False)
            out.write(line + "\n")


def peak_rss(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(peak summed RSS in MB, wall seconds, most processes seen at once) of a command and its descendants."""
    start = time.perf_counter()
    process = psutil.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, most = 0, 0
    while process.poll() is None:
        total, seen = 0, 0
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            try:
                total += member.memory_info().rss
                seen += 1
            except psutil.NoSuchProcess:
                continue
        peak, most = max(peak, total), max(most, seen)
        time.sleep(0.02)
    _, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err.decode(errors='replace')}")
    return peak / 2**20, time.perf_counter() - start, most


def drive(feed: str, workers: int) -> None:
    """The parallel batch as `jobmatch batch --workers N` would run it: settings, then `classify_stream_parallel`."""
    from worker.batch.workers import classify_stream_parallel
    from worker.settings import load_settings

    with open(feed, encoding="utf-8", errors="surrogateescape") as lines, open(os.devnull, "w") as out:
        summary = classify_stream_parallel(load_settings(), lines, out, workers=workers)
    print(summary.render().splitlines()[0], file=sys.stderr)


def cli_has_workers() -> bool:
    done = subprocess.run([str(JOBMATCH), "batch", "--help"], capture_output=True, text=True, cwd=ROOT)
    return "--workers" in done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=Path, default=ROOT / "examples" / "postings.jsonl")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drive", metavar="FEED", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.workers)
        return

    with tempfile.TemporaryDirectory(prefix="jobmatch-memory-") as scratch:
        env = {**os.environ, "JOBMATCH_CACHE_DIR": str(Path(scratch) / "cache")}
        subprocess.run([str(JOBMATCH), "classify", str(ROOT / "examples" / "posting.json")], env=env,
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        configs = [
            ("jobmatch batch (1 process)", lambda feed: [str(JOBMATCH), "batch", feed, "--out", os.devnull,
                                                         "--no-progress"]),
            (f"parallel driver, {args.workers} workers", lambda feed: [sys.executable, __file__, "--drive", feed,
                                                                      "--workers", str(args.workers)]),
        ]  # fmt: skip
        if cli_has_workers():
            configs.append((f"jobmatch batch --workers {args.workers}", lambda feed: [
                str(JOBMATCH), "batch", feed, "--out", os.devnull, "--no-progress", "--workers", str(args.workers)
            ]))  # fmt: skip
        print(f"feed: {args.postings.name} repeated with fresh ids; peak RSS summed over all processes")
        print(f"{'configuration':<36} {'postings':>10} {'peak RSS':>10} {'procs':>6} {'time':>8} {'postings/s':>11}")
        for size in args.sizes:
            feed = Path(scratch) / f"feed-{size}.jsonl"
            write_feed(args.postings, size, feed)
            for label, command in configs:
                mb, seconds, procs = peak_rss(command(str(feed)), env)
                print(f"{label:<36} {size:>10,} {mb:>7.0f} MB {procs:>6} {seconds:>7.1f}s {size / seconds:>11,.0f}",
                      flush=True)  # fmt: skip
            feed.unlink()


if __name__ == "__main__":
    main()
