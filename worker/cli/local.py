"""The commands that classify here, without Redis or Celery: `profiles`, `classify` and `eval`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..settings import Settings
from .inputs import open_input
from .options import Handler, add_seeds

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
    add_seeds(evaluate)


def _cmd_profiles(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
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
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from matching import posting_from_dict, posting_from_text

    from ..runtime import load_classifier
    from .render import render_result

    stream = open_input(args.file)
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


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: commands that do not classify start without matching and numpy.
    from matching.evaluation import evaluate

    from ..lines import iter_result_chunks, read_records
    from ..runtime import load_classifier
    from .render import render_evaluation

    classifier = load_classifier(settings)
    results: dict[str, dict[str, Any]] = {}
    with open_input(args.postings) as source:
        for chunk in iter_result_chunks(classifier, read_records(source)):
            results.update((str(r["id"]), r) for r in chunk if r.get("id") is not None)
    labels = []
    with open_input(args.labels) as handle:
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


HANDLERS: dict[str, Handler] = {
    "profiles": _cmd_profiles,
    "classify": _cmd_classify,
    "eval": _cmd_eval,
}
