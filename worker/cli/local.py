"""The commands that classify here, without Redis or Celery: `profiles`, `classify` and `eval`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..decoding import Repaired, Undecodable, binary_reason, decode_line, repair_text, value_of, with_warnings
from ..errors import InputError
from ..settings import Settings
from .inputs import open_input
from .options import Handler, add_seeds

if TYPE_CHECKING:
    from matching.classify import Classifier

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(commands: Any) -> None:
    """Add `profiles`, `classify` and `eval` to the subcommands."""
    profiles = commands.add_parser("profiles", help="list the role profiles parsed from the seeds")
    profiles.add_argument("--json", action="store_true", help="print the full profiles as a JSON list")
    profiles.add_argument("role", nargs="?", help="only this role (slug or seed file name)")
    add_seeds(profiles)

    classify = commands.add_parser("classify", help="classify one posting (JSON object or plain text)")
    classify.add_argument("file", nargs="?", default="-", help="posting file, or - for standard input")
    classify.add_argument("--json", action="store_true", help="print the result object as JSON")
    add_seeds(classify)

    evaluate = commands.add_parser("eval", help="measure matching quality on labelled postings")
    evaluate.add_argument("postings", help="postings JSONL")
    evaluate.add_argument("labels", help="labels JSONL (id, role, also, level, stated_salary)")
    evaluate.add_argument("--json", action="store_true", help="print the measures as JSON")
    evaluate.add_argument("--misses", action="store_true", help="also list the postings it got wrong")
    evaluate.add_argument(
        "--pay-in-text",
        metavar="FILE",
        help="also score pay read from free text: JSONL postings, each with a `truth` (low, high, currency, period)",
    )
    add_seeds(evaluate)


def _cmd_profiles(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from profiles import find_profile, load_profiles
    from profiles.level_bands import profile_dict

    from .render import render_profiles

    profiles = load_profiles(settings.seeds)
    if args.role:
        profiles = [find_profile(profiles, args.role)]
    if args.json:
        json.dump([profile_dict(p) for p in profiles], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_profiles(profiles))
    return 0


def _cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from matching import posting_from_dict, posting_from_text

    from ..runtime import load_classifier
    from .render import render_result

    stream = open_input(args.file)
    with stream:
        text = stream.read()
    stripped = text.lstrip()
    if stripped.startswith("{"):
        record = decode_line(text)  # the decoder `batch` and the workers use: the same errors and repairs
        if isinstance(record, Undecodable):
            raise InputError(f"{args.file}: {record.reason}")
        warnings = record.warnings if isinstance(record, Repaired) else []
        posting = posting_from_dict(value_of(record))
    else:
        if (reason := binary_reason(text)) is not None:
            raise InputError(f"{args.file}: binary data, not a posting ({reason}); classify takes a JSON object, "
                             "or plain text whose first line is the title")  # fmt: skip
        text, warnings = repair_text(text)
        posting = posting_from_text(text)
    result = with_warnings(load_classifier(settings).classify(posting), warnings)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_result(result))
    return 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from matching.evaluation import evaluate, evaluate_pay_reading

    from ..runtime import load_classifier
    from .render import render_evaluation, render_pay_reading

    classifier = load_classifier(settings)
    results = _classify_file(classifier, args.postings)
    labels = _read_objects(args.labels, required=("id", "role"))
    names = {}
    for profile in classifier.profiles.values():
        stem = Path(profile.seed).stem
        for name in (profile.role, profile.seed, stem, stem.split("_")[0]):
            names[name] = profile.role
    evaluation = evaluate(results, labels, names)
    reading = None
    if args.pay_in_text:
        truths = _read_objects(args.pay_in_text, required=("id", "truth"))
        reading = evaluate_pay_reading(_classify_file(classifier, args.pay_in_text), truths)
    if args.json:
        data = evaluation.to_dict()
        if reading is not None:
            data["pay_in_text"] = reading.to_dict()
        if args.misses:
            data["misses"] = evaluation.misses
            if reading is not None:
                data["pay_in_text"]["misses"] = reading.misses
        print(json.dumps(data, indent=2))
    else:
        sys.stdout.write(render_evaluation(evaluation, misses=args.misses))
        if reading is not None:
            sys.stdout.write(render_pay_reading(reading, misses=args.misses))
    return 0


def _classify_file(classifier: Classifier, path: str) -> dict[str, dict[str, Any]]:
    """Every result of a JSONL feed, by posting id."""
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from ..lines import iter_result_chunks, read_records

    results: dict[str, dict[str, Any]] = {}
    with open_input(path) as source:
        for chunk in iter_result_chunks(classifier, read_records(source)):
            results.update((str(r["id"]), r) for r in chunk if r.get("id") is not None)
    return results


def _read_objects(path: str, *, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file, each checked for the keys it must have."""
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from ..lines import read_records

    records = []
    with open_input(path) as handle:
        for number, decoded in read_records(handle):
            record = value_of(decoded)
            if not isinstance(record, dict) or any(key not in record for key in required):
                raise InputError(f"{path}:{number}: expected an object with {' and '.join(required)}")
            records.append(record)
    return records


HANDLERS: dict[str, Handler] = {
    "profiles": _cmd_profiles,
    "classify": _cmd_classify,
    "eval": _cmd_eval,
}
