"""The `jobmatch` command. Commands that need no queue (profiles, classify, batch, eval) never import
Celery or redis, so they start fast and run anywhere."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, AnyStr

from matching.errors import MatchingError
from profiles.errors import ProfileError

from .errors import InputError, WorkerError
from .queue_cli import PASS_THROUGH as _PASS_THROUGH
from .queue_cli import QUEUE_HANDLERS
from .settings import Settings, load_settings, parse_duration

__all__ = ["main"]


def _add_seeds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", metavar="DIR", help="folder of role documents (default: JOBMATCH_SEEDS or seeds/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobmatch", description=__doc__.split(".")[0] if __doc__ else None)
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (default: JOBMATCH_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    profiles = commands.add_parser("profiles", help="list the role profiles parsed from the seeds")
    profiles.add_argument("--json", action="store_true", help="print the full profiles as a JSON list")
    profiles.add_argument("role", nargs="?", help="only this role (slug or seed file name)")
    _add_seeds(profiles)

    classify = commands.add_parser("classify", help="classify one posting (JSON object or plain text)")
    classify.add_argument("file", nargs="?", default="-", help="posting file, or - for standard input")
    classify.add_argument("--json", action="store_true", help="print the result object as JSON")
    _add_seeds(classify)

    batch = commands.add_parser("batch", help="classify a JSONL feed, one result line per input line")
    batch.add_argument("input", help="JSONL feed, or - for standard input")
    batch.add_argument("--out", required=True, help="where to write the results (JSONL), or - for stdout")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    batch.add_argument("--via-queue", action="store_true", help="fan the feed out to the workers (Redis) in chunks")
    batch.add_argument("--chunk-lines", type=_positive, metavar="N", help="lines per chunk (--via-queue; default 500)")
    batch.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="classifying processes for the in-process batch (0 = one per CPU; default 1); the output is the same",
    )
    _add_seeds(batch)

    evaluate = commands.add_parser("eval", help="measure matching quality on labelled postings")
    evaluate.add_argument("postings", help="postings JSONL")
    evaluate.add_argument("labels", help="labels JSONL (id, role, also, level, stated_salary)")
    evaluate.add_argument("--json", action="store_true", help="print the measures as JSON")
    evaluate.add_argument("--misses", action="store_true", help="also list the postings it got wrong")
    _add_seeds(evaluate)
    _add_queue_commands(commands)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None


def _add_queue_commands(commands: Any) -> None:
    submit = commands.add_parser("submit", help="send postings (one JSON object, or JSONL) to the workers")
    submit.add_argument("file", help="posting file (JSON object or JSONL), or - for standard input")

    result = commands.add_parser("result", help="print a posting's stored result as JSON")
    result.add_argument("id", help="posting id")

    watch = commands.add_parser("watch", help="follow the results stream as JSON lines (consumer group)")
    watch.add_argument("--group", default="watch", help="consumer group name (default: watch)")
    watch.add_argument("--consumer", help="consumer name within the group (default: this host's name)")
    watch.add_argument("--new", action="store_true", help="a new group starts at new results, not the oldest kept")
    watch.add_argument("--count", type=_positive, metavar="N", help="stop after N results")
    watch.add_argument("--idle-exit", type=float, metavar="SECONDS", help="stop when nothing arrives for SECONDS")
    watch.add_argument("--claim-idle", type=_seconds, metavar="DURATION",
                       help="take over results another consumer of the group left unacknowledged this long "
                            "(e.g. 30, 90s, 5m; default 60 s)")  # fmt: skip

    top = commands.add_parser("top", help="the best current postings for a role")
    top.add_argument("role", help="role slug, seed file name or prefix")
    top.add_argument("-n", type=_positive, default=10, help="how many (default 10)")
    top.add_argument("--json", action="store_true", help="print id, score and result as a JSON list")
    _add_seeds(top)

    commands.add_parser("worker", help="start a Celery worker (extra options go to `celery worker`)")
    commands.add_parser("beat", help="start Celery beat, polling every enabled source (extra options go to beat)")

    sources = commands.add_parser("sources", help="the configured sources, when each was last polled, its error")
    sources.add_argument("--json", action="store_true", help="print them as a JSON list")

    status = commands.add_parser("status", help="Redis, workers and their model version, queue and backlogs")
    status.add_argument("--json", action="store_true", help="print the status as JSON")


def _opened(path: str, opener: Callable[[], IO[AnyStr]]) -> IO[AnyStr]:
    """`opener()`, its OSError an InputError naming the file."""
    try:
        return opener()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc


def _open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    return _opened(path, lambda: open(path, encoding="utf-8", errors="surrogateescape"))


def _open_output(path: str) -> IO[str]:
    if path == "-":
        return sys.stdout
    return _opened(path, lambda: open(path, "w", encoding="utf-8"))


def _open_input_bytes(path: str) -> IO[bytes]:
    """The feed as bytes (`batch --via-queue`: the workers decode it, as `_open_input` would)."""
    if path == "-":
        return sys.stdin.buffer
    return _opened(path, lambda: open(path, "rb"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in _PASS_THROUGH:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        settings = load_settings(config_file=args.config).with_seeds(getattr(args, "seeds", None))
        handler = _HANDLERS[args.command]
        return handler(args, settings)
    except (WorkerError, MatchingError, ProfileError) as exc:
        print(f"jobmatch {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _cmd_profiles(args: argparse.Namespace, settings: Settings) -> int:
    from profiles import find_profile, load_profiles

    from .render import render_profiles

    profiles = load_profiles(settings.seeds)
    if args.role:
        profiles = [find_profile(profiles, args.role)]
    if args.json:
        json.dump([p.to_dict() for p in profiles], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_profiles(profiles))
    return 0


def _cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    from matching import posting_from_dict, posting_from_text

    from .render import render_result
    from .runtime import load_classifier

    stream = _open_input(args.file)
    with stream:
        text = stream.read()
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            record: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{args.file}: line {exc.lineno}: not valid JSON: {exc.msg}") from exc
        posting = posting_from_dict(record)
    else:
        posting = posting_from_text(text)
    result = load_classifier(settings).classify(posting)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_result(result))
    return 0


def _workers(value: str) -> int:
    number = int(value) if value.strip().isdigit() else -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number (0 = one per CPU), got {value!r}")
    # sched_getaffinity respects taskset and cgroup CPU limits; cpu_count does not.
    return number or len(os.sched_getaffinity(0))


def _cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    from .batch import classify_stream, read_records
    from .runtime import freeze_long_lived, load_classifier

    if args.via_queue and args.workers != 1:
        raise InputError("--workers is for the in-process batch; with --via-queue the running workers classify")
    classifier = load_classifier(settings)
    freeze_long_lived()
    client = None
    if args.via_queue:
        from .client import Client
        from .fanout import check_workers

        client = Client(settings)
        client.check()
        check_workers(client, classifier.model_version)  # refuse before creating the output file
    progress = not args.no_progress and sys.stderr.isatty()
    total = _count_lines(args.input) if progress and args.input != "-" else None
    if client is not None:
        from .fanout import CHUNK_LINES, run_via_queue

        feed = _open_input_bytes(args.input)
        with feed, _open_output(args.out) as out:
            summary = run_via_queue(
                client,
                feed,
                out,
                local_model_version=classifier.model_version,
                chunk_lines=args.chunk_lines or CHUNK_LINES,
                progress=progress,
                total=total,
            )
    else:
        source = _open_input(args.input)
        with source, _open_output(args.out) as out:
            if args.workers != 1:
                from .parallel import classify_stream_parallel

                summary = classify_stream_parallel(
                    settings, source, out, workers=args.workers, classifier=classifier, progress=progress, total=total
                )
            else:
                summary = classify_stream(classifier, read_records(source), out, progress=progress, total=total)
    print(summary.render(), file=sys.stderr)
    return 0


def _count_lines(path: str) -> int | None:
    try:
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from matching.evaluation import evaluate

    from .batch import iter_result_chunks, read_records
    from .render import render_evaluation
    from .runtime import load_classifier

    classifier = load_classifier(settings)
    results: dict[str, dict[str, Any]] = {}
    with _open_input(args.postings) as source:
        for chunk in iter_result_chunks(classifier, read_records(source)):
            results.update((str(r["id"]), r) for r in chunk if r.get("id") is not None)
    labels = []
    with _open_input(args.labels) as handle:
        for number, record in read_records(handle):
            if not isinstance(record, dict) or "id" not in record or "role" not in record:
                raise InputError(f"{args.labels}:{number}: expected an object with id and role")
            labels.append(record)
    names = {}
    for profile in classifier.profiles.values():
        stem = Path(profile.seed).stem
        for name in (profile.role, profile.seed, stem, stem.split("_")[0]):
            names[name] = profile.role
    evaluation = evaluate(results, labels, names)
    if args.json:
        data = evaluation.to_dict()
        if args.misses:
            data["misses"] = evaluation.misses
        print(json.dumps(data, indent=2))
    else:
        sys.stdout.write(render_evaluation(evaluation, misses=args.misses))
    return 0


_HANDLERS = {
    "profiles": _cmd_profiles,
    "classify": _cmd_classify,
    "batch": _cmd_batch,
    "eval": _cmd_eval,
    **QUEUE_HANDLERS,
}

if __name__ == "__main__":
    raise SystemExit(main())
