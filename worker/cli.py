"""The `jobmatch` command. Commands that need no queue (profiles, classify, batch, eval) never import
Celery or redis, so they start fast and run anywhere."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from matching.errors import MatchingError
from profiles.errors import ProfileError

from .errors import InputError, WorkerError
from .settings import Settings, load_settings

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
    _add_seeds(batch)

    evaluate = commands.add_parser("eval", help="measure matching quality on labelled postings")
    evaluate.add_argument("postings", help="postings JSONL")
    evaluate.add_argument("labels", help="labels JSONL (id, role, also, level, stated_salary)")
    evaluate.add_argument("--json", action="store_true", help="print the measures as JSON")
    evaluate.add_argument("--misses", action="store_true", help="also list the postings it got wrong")
    _add_seeds(evaluate)
    return parser


def _open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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


def _cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    from .batch import classify_stream, read_records
    from .runtime import load_classifier

    classifier = load_classifier(settings)
    source = _open_input(args.input)
    progress = not args.no_progress and sys.stderr.isatty()
    total = _count_lines(args.input) if progress and args.input != "-" else None
    try:
        out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{args.out}: {exc.strerror or exc}") from exc
    with source, out:
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
}

if __name__ == "__main__":
    raise SystemExit(main())
