"""The `batch` command: a JSONL feed classified in this process, in `--workers N` processes or `--via-queue` by
the service's workers; the same output every way."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..chunks import QUEUE_CHUNK_LINES
from ..errors import InputError
from ..settings import Settings
from .inputs import count_lines, open_input, open_input_bytes, open_output
from .market import batch_market
from .options import Handler, add_seeds, duration, positive

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(commands: Any) -> None:
    """Add `batch` to the subcommands."""
    batch = commands.add_parser("batch", help="classify a JSONL feed, one result line per input line")
    batch.add_argument("input", help="JSONL feed, or - for standard input")
    batch.add_argument("--out", required=True, help="where to write the results (JSONL), or - for stdout")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    batch.add_argument("--via-queue", action="store_true", help="fan the feed out to the workers (Redis) in chunks")
    batch.add_argument("--chunk-lines", type=positive, metavar="N", help="lines per chunk (--via-queue; default 500)")
    batch.add_argument("--market-out", metavar="FILE",
                       help="also write the summary's table of stated pay per role and level as JSON")  # fmt: skip
    batch.add_argument("--wait", type=duration, default=10.0, metavar="SECONDS",
                       help="--via-queue: how long to wait for a live worker before refusing (default 10)")  # fmt: skip
    batch.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="classifying processes for the in-process batch (0 = one per CPU; default 1); the output is the same",
    )
    add_seeds(batch)


def _workers(value: str) -> int:
    number = int(value) if value.strip().isdigit() else -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number (0 = one per CPU), got {value!r}")
    # sched_getaffinity respects taskset and cgroup CPU limits; cpu_count does not.
    return number or len(os.sched_getaffinity(0))


def _cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from ..batch.inprocess import classify_stream
    from ..lines import read_records
    from ..runtime import freeze_long_lived, load_classifier

    if args.via_queue and args.workers != 1:
        raise InputError("--workers is for the in-process batch; with --via-queue the running workers classify")
    classifier = load_classifier(settings)
    freeze_long_lived()
    client = None
    if args.via_queue:
        # Only --via-queue needs Celery and redis: the in-process batch starts without them.
        from ..batch.via_queue import check_workers, run_via_queue
        from ..service.client import Client

        client = Client(settings)
        client.check()
        check_workers(client, classifier.model_version, wait=args.wait)  # refuse before creating the output file
    progress = not args.no_progress and sys.stderr.isatty()
    total = count_lines(args.input) if progress and args.input != "-" else None
    if client is not None:
        feed = open_input_bytes(args.input)
        with feed, open_output(args.out) as out:
            summary = run_via_queue(
                client,
                feed,
                out,
                local_model_version=classifier.model_version,
                chunk_lines=args.chunk_lines or QUEUE_CHUNK_LINES,
                progress=progress,
                total=total,
            )
    else:
        source = open_input(args.input)
        with source, open_output(args.out) as out:
            if args.workers != 1:
                # Only --workers needs multiprocessing and the helper machinery.
                from ..batch.workers import classify_stream_parallel

                summary = classify_stream_parallel(
                    settings, source, out, workers=args.workers, classifier=classifier, progress=progress, total=total
                )
            else:
                summary = classify_stream(classifier, read_records(source), out, progress=progress, total=total)
    print(summary.render(), file=sys.stderr)
    batch_market(summary.market, list(classifier.profiles.values()), settings=settings, market_out=args.market_out)
    return 0


HANDLERS: dict[str, Handler] = {"batch": _cmd_batch}
